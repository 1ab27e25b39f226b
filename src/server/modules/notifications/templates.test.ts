import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminLogin, createTestApp, expectError, type Client, type TestApp } from '../../../../test/app.js';
import { testDatabaseKinds } from '../../../../test/databases.js';
import { makeCustomer, makeReseller, ok } from '../../../../test/connectivity.js';
import { systemActor } from '../../platform/context.js';
import { NO_MAIL } from '../../platform/mail/index.js';
import { queueAccountMail } from './mail-compose.js';
import { renderTemplate, usedVariables } from './render.js';
import { MAIL_KINDS } from './template-catalog.js';

describe('template rendering (pure)', () => {
  it('fills variables, escapes them in HTML only, and flattens the subject', () => {
    const out = renderTemplate(
      { subject: 'Hi {{ name }}\nthere', textBody: 'A {{name}} {{missing}}.', htmlBody: '<b>{{name}}</b>' },
      { name: 'Tom & <Jerry>' },
    );
    expect(out).toEqual({
      subject: 'Hi Tom & <Jerry> there',
      textBody: 'A Tom & <Jerry> .',
      htmlBody: '<b>Tom &amp; &lt;Jerry&gt;</b>',
    });
    expect(usedVariables('{{a}} {{b}} {{a}} {{ c }}')).toEqual(['a', 'b', 'c']);
  });
});

describe.each(testDatabaseKinds())('mail templates on %s', (kind) => {
  let t: TestApp;
  let admin: Client;
  beforeAll(async () => {
    t = await createTestApp(kind);
    admin = await adminLogin(t.app);
  });
  afterAll(async () => t?.close());

  const mailOf = async (accountId: number, key: string) => {
    const q = await queueAccountMail(
      { actor: systemActor, db: t.database.db, now: () => new Date() },
      NO_MAIL,
      { accountId, kind: 'low_balance', route: 'money', vars: { balance: '1.00' }, dedupeKey: key },
    );
    return t.database.db.selectFrom('mails').selectAll().where('id', '=', q!.id).executeTakeFirstOrThrow();
  };

  it('every kind is seeded with text and HTML parts and lists its variables', async () => {
    const list = (await ok(admin.get('/api/v1/mail-templates'))).data;
    expect(list.map((x: any) => x.kind).sort()).toEqual([...MAIL_KINDS].sort());
    for (const x of list) {
      expect(x).toMatchObject({ source: 'operator', isOwn: true, ownerId: null });
      expect(x.textBody.length).toBeGreaterThan(10);
      expect(x.htmlBody).toMatch(/^<p>/);
      expect(x.variables.map((v: any) => v.name)).toEqual(
        expect.arrayContaining(['accountName', 'accountNumber']),
      );
    }
  });

  it('an admin edits the operator template; unknown variables are refused; it cannot be deleted', async () => {
    expectError(
      await admin.request('PUT', '/api/v1/mail-templates/low_balance', {
        subject: 'Low {{balanse}}',
        textBody: 'x',
        htmlBody: null,
      }),
      400,
      'MAIL_TEMPLATE_UNKNOWN_VARIABLE',
      'subject',
    );
    expectError(
      await admin.request('PUT', '/api/v1/mail-templates/nope', {
        subject: 'a',
        textBody: 'b',
        htmlBody: null,
      }),
      400,
      'VALIDATION_FAILED',
    );
    expectError(
      await admin.request('PUT', '/api/v1/mail-templates/low_balance', {
        subject: 'a'.repeat(301),
        textBody: 'b',
        htmlBody: null,
      }),
      400,
      'VALIDATION_FAILED',
    );
    const saved = await ok(
      admin.request('PUT', '/api/v1/mail-templates/low_balance', {
        subject: 'Balance {{balance}} on {{accountNumber}}',
        textBody: 'Dear {{accountName}}, balance {{balance}}.',
        htmlBody: '<p>Dear {{accountName}}</p>',
      }),
    );
    expect(saved).toMatchObject({ subject: 'Balance {{balance}} on {{accountNumber}}', isOwn: true });
    const c = await makeCustomer(admin, { name: 'Operator Customer', billingEmails: ['pay@op.example'] });
    const m = await mailOf(c.id, `op-${c.id}`);
    expect(m.subject).toBe(`Balance 1.00 on ${c.accountNumber}`);
    expect(m.text_body).toBe('Dear Operator Customer, balance 1.00.');
    expect(m.to_addresses).toEqual(['pay@op.example']);
    expectError(await admin.delete('/api/v1/mail-templates/low_balance'), 409, 'MAIL_TEMPLATE_REQUIRED');
  });

  it('preview renders a draft with samples or given values, escaping HTML, and names unknown variables', async () => {
    const p = await ok(
      admin.post('/api/v1/mail-templates/payment_received/preview', {
        subject: 'Got {{amount}} {{currency}}',
        htmlBody: '<i>{{accountName}}</i> {{bogus}}',
        variables: { accountName: 'A&B' },
      }),
    );
    expect(p.subject).toBe('Got 100.000000 USD');
    expect(p.htmlBody).toBe('<i>A&amp;B</i> ');
    expect(p.textBody).toContain('we received your payment of 100.000000 USD');
    expect(p.unknownVariables).toEqual(['bogus']);
  });

  it("a reseller's override is what its customers get; other resellers and the operator's customers do not", async () => {
    const r1 = await makeReseller(t, admin);
    const r2 = await makeReseller(t, admin);
    const mine = await makeCustomer(r1.client, { billingEmails: ['a@r1.example'] });
    const theirs = await makeCustomer(r2.client, { billingEmails: ['b@r2.example'] });
    expectError(await r1.client.delete('/api/v1/mail-templates/low_balance'), 404, 'MAIL_TEMPLATE_NOT_FOUND');
    const o = await ok(
      r1.client.request('PUT', '/api/v1/mail-templates/low_balance', {
        subject: 'R1 says: top up {{accountNumber}}',
        textBody: 'R1 text {{balance}}',
        htmlBody: null,
      }),
    );
    expect(o).toMatchObject({ source: 'reseller', isOwn: true, ownerId: r1.account.id });
    expect((await mailOf(mine.id, `r1-${mine.id}`)).subject).toBe(`R1 says: top up ${mine.accountNumber}`);
    expect((await mailOf(theirs.id, `r2-${theirs.id}`)).subject).not.toMatch(/^R1/);
    const r2view = await ok(r2.client.get('/api/v1/mail-templates/low_balance'));
    expect(r2view).toMatchObject({ source: 'operator', isOwn: false });
    // The admin's list shows the operator's templates, not the override.
    expect((await ok(admin.get('/api/v1/mail-templates/low_balance'))).subject).not.toMatch(/^R1/);
    await ok(r1.client.delete('/api/v1/mail-templates/low_balance'), 204);
    expect((await mailOf(mine.id, `r1b-${mine.id}`)).subject).not.toMatch(/^R1/);
  });

  it("an admin views and edits a reseller's overrides with ?resellerId=; a reseller only its own", async () => {
    const r1 = await makeReseller(t, admin);
    const r2 = await makeReseller(t, admin);
    const mine = await makeCustomer(r1.client, { billingEmails: ['a@r1.example'] });
    const q = `?resellerId=${r1.account.id}`;
    // Nothing overridden yet: the admin sees what r1's customers get, the operator's.
    expect(await ok(admin.get(`/api/v1/mail-templates/low_balance${q}`))).toMatchObject({
      source: 'operator',
      isOwn: false,
    });
    const saved = await ok(
      admin.request('PUT', `/api/v1/mail-templates/low_balance${q}`, {
        subject: 'Set by the operator for R1: {{accountNumber}}',
        textBody: 'R1 text {{balance}}',
        htmlBody: null,
      }),
    );
    expect(saved).toMatchObject({ source: 'reseller', isOwn: true, ownerId: r1.account.id });
    expect((await mailOf(mine.id, `adm-r1-${mine.id}`)).subject).toBe(
      `Set by the operator for R1: ${mine.accountNumber}`,
    );
    // r1 sees it as its own; the list with ?resellerId= marks it; the operator's is untouched.
    expect(await ok(r1.client.get('/api/v1/mail-templates/low_balance'))).toMatchObject({
      ownerId: r1.account.id,
      isOwn: true,
    });
    const list = await ok(admin.get(`/api/v1/mail-templates${q}`));
    expect(list.data.find((x: { kind: string }) => x.kind === 'low_balance')).toMatchObject({
      source: 'reseller',
      ownerId: r1.account.id,
    });
    expect((await ok(admin.get('/api/v1/mail-templates/low_balance'))).subject).not.toMatch(/R1/);
    const preview = await ok(admin.post(`/api/v1/mail-templates/low_balance/preview${q}`, {}));
    expect(preview.subject).toBe('Set by the operator for R1: 4815162342');
    // Another reseller gets nothing of r1's, reading or writing, and r1's row stays as it was.
    for (const res of [
      await r2.client.get(`/api/v1/mail-templates${q}`),
      await r2.client.get(`/api/v1/mail-templates/low_balance${q}`),
      await r2.client.post(`/api/v1/mail-templates/low_balance/preview${q}`, {}),
      await r2.client.request('PUT', `/api/v1/mail-templates/low_balance${q}`, {
        subject: 'hijack',
        textBody: 'hijack',
        htmlBody: null,
      }),
      await r2.client.delete(`/api/v1/mail-templates/low_balance${q}`),
    ])
      expectError(res, 400, 'RESELLER_NOT_FOUND', 'resellerId');
    expect((await ok(r1.client.get('/api/v1/mail-templates/low_balance'))).subject).toBe(
      'Set by the operator for R1: {{accountNumber}}',
    );
    // A customer is not a reseller; an unknown id is the same answer.
    expectError(await admin.get(`/api/v1/mail-templates?resellerId=${mine.id}`), 400, 'RESELLER_NOT_FOUND');
    expectError(await admin.get('/api/v1/mail-templates?resellerId=999999999'), 400, 'RESELLER_NOT_FOUND');
    // r1 naming itself is fine; the admin drops the override.
    expect(await ok(r1.client.get(`/api/v1/mail-templates/low_balance${q}`))).toMatchObject({ isOwn: true });
    await ok(admin.delete(`/api/v1/mail-templates/low_balance${q}`), 204);
    expectError(await admin.delete(`/api/v1/mail-templates/low_balance${q}`), 404, 'MAIL_TEMPLATE_NOT_FOUND');
    expect((await ok(r1.client.get('/api/v1/mail-templates/low_balance'))).source).toBe('operator');
  });

  it('the routes are in the OpenAPI document', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/mail-templates',
        '/api/v1/mail-templates/{kind}',
        '/api/v1/mail-templates/{kind}/preview',
      ]),
    );
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adminLogin,
  Client,
  createTestApp,
  customerBody,
  expectError,
  type TestApp,
} from '../../../../test/app.js';
import { testDatabaseKinds } from '../../../../test/databases.js';
import { createReseller, type TestReseller } from '../../../../test/resellers.js';

describe.each(testDatabaseKinds())('customer templates on %s', (kind) => {
  let t: TestApp;
  let admin: Client;
  let resellerA: TestReseller;
  let resellerB: TestReseller;

  beforeAll(async () => {
    t = await createTestApp(kind);
    admin = await adminLogin(t.app);
    resellerA = await createReseller(t.app, admin);
    resellerB = await createReseller(t.app, admin);
  });
  afterAll(async () => t?.close());

  const goldSettings = {
    mode: 'postpaid',
    creditLimit: '100',
    callLimit: 20,
    cpsLimit: '5',
    cliPoolMode: 1,
    billingSchedule: 'monthly',
    billingDay: 10,
    currency: 'EUR',
    country: 'FR',
    timezone: 'Europe/Paris',
    portalPermissions: ['accountSummary', 'balance', 'cdrs'],
  };

  async function newTemplate(client: Client, name: string, settings: Record<string, unknown> = goldSettings) {
    const res = await client.post('/api/v1/customer-templates', { name, settings });
    expect(res.statusCode, res.body).toBe(201);
    return res.json();
  }

  it('saves a customer as a template: setting fields only, never identity, emails, PIN or credentials', async () => {
    const c = (
      await admin.post(
        '/api/v1/customers',
        customerBody({
          name: 'Source customer',
          companyName: 'Src Co',
          mainEmail: 'src@x.test',
          nocEmails: ['noc@x.test'],
          pin: '445566',
          password: 'source-pass-1',
          mode: 'postpaid',
          creditLimit: '42.5',
          callLimit: 9,
          invoiceNote: 'note',
        }),
      )
    ).json();
    const res = await admin.post(`/api/v1/customers/${c.id}/save-as-template`, { name: 'From source' });
    expect(res.statusCode, res.body).toBe(201);
    const tpl = res.json();
    expect(tpl.version).toBe(1);
    expect(tpl.usedBy).toBe(0);
    expect(tpl.settings).toMatchObject({
      mode: 'postpaid',
      creditLimit: '42.500000',
      callLimit: 9,
      invoiceNote: 'note',
    });
    const text = JSON.stringify(tpl.settings);
    for (const secretOrIdentity of [
      'Source customer',
      'Src Co',
      'src@x.test',
      'noc@x.test',
      '445566',
      'source-pass-1',
    ])
      expect(text).not.toContain(secretOrIdentity);
    for (const excluded of [
      'name',
      'accountNumber',
      'mainEmail',
      'nocEmails',
      'pin',
      'balance',
      'status',
      'companyName',
    ])
      expect(tpl.settings).not.toHaveProperty(excluded);
  });

  it('creates by template: prefilled values, every one still editable; the customer records template and version', async () => {
    const tpl = await newTemplate(admin, 'Gold');
    const prefill = (await admin.get(`/api/v1/customer-templates/${tpl.id}/prefill`)).json();
    expect(prefill).toMatchObject({ templateId: tpl.id, templateVersion: 1 });
    expect(prefill.values).toMatchObject({ mode: 'postpaid', creditLimit: '100.000000', currency: 'EUR' });
    const res = await admin.post(`/api/v1/customer-templates/${tpl.id}/customers`, {
      name: 'By template',
      creditLimit: '250',
      mainEmail: 'by@tpl.test',
    });
    expect(res.statusCode, res.body).toBe(201);
    const c = res.json();
    expect(c).toMatchObject({
      templateId: tpl.id,
      templateVersion: 1,
      mode: 'postpaid',
      creditLimit: '250.000000',
      callLimit: 20,
      cpsLimit: '5.00',
      currency: 'EUR',
      country: 'FR',
      timezone: 'Europe/Paris',
      billingDay: 10,
      mainEmail: 'by@tpl.test',
    });
    const prepaid = await admin.post(`/api/v1/customer-templates/${tpl.id}/customers`, {
      name: 'Prepaid by tpl',
      mode: 'prepaid',
    });
    expect(prepaid.statusCode, prepaid.body).toBe(201);
    expect(prepaid.json().creditLimit).toBe('0.000000');
    const list = (await admin.get('/api/v1/customer-templates')).json().data;
    expect(list.find((x: { id: number }) => x.id === tpl.id).usedBy).toBe(2);
  });

  it('editing a template bumps its version and changes no customer', async () => {
    const tpl = await newTemplate(admin, 'Edit me');
    const c = (
      await admin.post(`/api/v1/customer-templates/${tpl.id}/customers`, { name: 'Edit me c1' })
    ).json();
    const res = await admin.patch(`/api/v1/customer-templates/${tpl.id}`, {
      settings: { ...goldSettings, callLimit: 99 },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().version).toBe(2);
    const renamed = await admin.patch(`/api/v1/customer-templates/${tpl.id}`, { description: 'only text' });
    expect(renamed.json().version).toBe(2);
    const after = (await admin.get(`/api/v1/customers/${c.id}`)).json();
    expect(after.callLimit).toBe(20);
    expect(after.templateVersion).toBe(1);
  });

  it('previews then re-applies: per customer from -> to, one result each, excluded fields untouched', async () => {
    const tpl = await newTemplate(admin, 'Reapply');
    const c1 = (
      await admin.post(`/api/v1/customer-templates/${tpl.id}/customers`, {
        name: 'R1',
        mainEmail: 'r1@x.test',
      })
    ).json();
    const c2 = (
      await admin.post(`/api/v1/customer-templates/${tpl.id}/customers`, { name: 'R2', callLimit: 99 })
    ).json();
    const other = (await admin.post('/api/v1/customers', customerBody({ name: 'Not linked' }))).json();
    await admin.patch(`/api/v1/customers/${c1.id}`, { companyName: 'Kept Co', status: 'inactive' });
    const v2 = (
      await admin.patch(`/api/v1/customer-templates/${tpl.id}`, {
        settings: { ...goldSettings, callLimit: 30, creditLimit: '150' },
      })
    ).json();
    expect(v2.version).toBe(2);

    const preview = (await admin.get(`/api/v1/customer-templates/${tpl.id}/reapply-preview`)).json();
    expect(preview.templateVersion).toBe(2);
    expect(preview.customers.map((c: { id: number }) => c.id)).toEqual([c1.id, c2.id]);
    expect(preview.customers[0].changes).toEqual([
      { field: 'creditLimit', from: '100.000000', to: '150.000000' },
      { field: 'callLimit', from: 20, to: 30 },
    ]);
    expect(preview.customers[1].changes).toEqual([
      { field: 'creditLimit', from: '100.000000', to: '150.000000' },
      { field: 'callLimit', from: 99, to: 30 },
    ]);

    expectError(
      await admin.post(`/api/v1/customer-templates/${tpl.id}/reapply`, { expectedVersion: 1 }),
      409,
      'TEMPLATE_VERSION_CHANGED',
      'expectedVersion',
    );
    const res = await admin.post(`/api/v1/customer-templates/${tpl.id}/reapply`, {
      expectedVersion: 2,
      accountIds: [c1.id, other.id, c2.id],
    });
    expect(res.statusCode, res.body).toBe(200);
    const result = res.json();
    expect(result.succeeded).toBe(2);
    expect(result.failed).toBe(1);
    expect(result.results.map((r: { id: number; ok: boolean }) => [r.id, r.ok])).toEqual([
      [c1.id, true],
      [other.id, false],
      [c2.id, true],
    ]);
    expect(result.results[1].error.code).toBe('NOT_LINKED_TO_TEMPLATE');
    const got1 = (await admin.get(`/api/v1/customers/${c1.id}`)).json();
    expect(got1).toMatchObject({
      callLimit: 30,
      creditLimit: '150.000000',
      templateVersion: 2,
      name: 'R1',
      mainEmail: 'r1@x.test',
      companyName: 'Kept Co',
      status: 'inactive',
    });
    const again = (await admin.get(`/api/v1/customer-templates/${tpl.id}/reapply-preview`)).json();
    expect(again.customers.every((c: { changes: unknown[] }) => c.changes.length === 0)).toBe(true);
    const audit = (await admin.get(`/api/v1/customers/${c1.id}/audit`)).json().data;
    expect(audit.map((a: { action: string }) => a.action)).toContain('customer.template_reapply');
  });

  it('re-applies all linked customers when no ids are given', async () => {
    const tpl = await newTemplate(admin, 'All linked');
    for (const n of ['A1', 'A2', 'A3'])
      await admin.post(`/api/v1/customer-templates/${tpl.id}/customers`, { name: `All ${n}` });
    await admin.patch(`/api/v1/customer-templates/${tpl.id}`, {
      settings: { ...goldSettings, billingDay: 3 },
    });
    const res = (
      await admin.post(`/api/v1/customer-templates/${tpl.id}/reapply`, { expectedVersion: 2 })
    ).json();
    expect(res.succeeded).toBe(3);
    expect(res.nextAfterId).toBeNull();
    expect(
      res.results.every((r: { changes: { field: string }[] }) => r.changes[0]?.field === 'billingDay'),
    ).toBe(true);
  });

  it('validates settings like the create form and keeps names unique per owner', async () => {
    expectError(
      await admin.post('/api/v1/customer-templates', { name: 'Bad', settings: { country: 'XX' } }),
      400,
      'VALIDATION_FAILED',
      'country',
    );
    expectError(
      await admin.post('/api/v1/customer-templates', {
        name: 'Bad2',
        settings: { mode: 'prepaid', creditLimit: '5' },
      }),
      400,
      'VALIDATION_FAILED',
      'creditLimit',
    );
    expectError(
      await admin.post('/api/v1/customer-templates', { name: 'Bad3', settings: { pin: '123456' } }),
      400,
      'VALIDATION_FAILED',
      'settings.pin',
    );
    await newTemplate(admin, 'Unique name');
    expectError(
      await admin.post('/api/v1/customer-templates', { name: 'UNIQUE NAME', settings: {} }),
      409,
      'TEMPLATE_NAME_TAKEN',
      'name',
    );
    // Another owner may reuse the name.
    expect(
      (await resellerA.client.post('/api/v1/customer-templates', { name: 'Unique name', settings: {} }))
        .statusCode,
    ).toBe(201);
  });

  it('deleting a template unlinks its customers and keeps their values', async () => {
    const tpl = await newTemplate(admin, 'Doomed');
    const c = (
      await admin.post(`/api/v1/customer-templates/${tpl.id}/customers`, { name: 'Doomed c' })
    ).json();
    expect((await admin.delete(`/api/v1/customer-templates/${tpl.id}`)).statusCode).toBe(204);
    const got = (await admin.get(`/api/v1/customers/${c.id}`)).json();
    expect(got).toMatchObject({ templateId: null, templateVersion: null, callLimit: 20 });
    expectError(await admin.get(`/api/v1/customer-templates/${tpl.id}`), 404, 'TEMPLATE_NOT_FOUND');
  });

  it("save as template: the template belongs to the customer's owner, so a reseller's rate group stays valid", async () => {
    const rg = await resellerA.client.post('/api/v1/rate-groups', { name: 'A saved RG', currency: 'USD' });
    expect(rg.statusCode, rg.body).toBe(201);
    const c = await resellerA.client.post(
      '/api/v1/customers',
      customerBody({ name: 'A rated', currency: 'USD', rateGroupId: rg.json().id }),
    );
    expect(c.statusCode, c.body).toBe(201);
    // The admin saves the reseller's customer: the template is the reseller's, with its rate group.
    const saved = await admin.post(`/api/v1/customers/${c.json().id}/save-as-template`, {
      name: 'A rated tpl',
    });
    expect(saved.statusCode, saved.body).toBe(201);
    expect(saved.json().resellerId).toBe(resellerA.id);
    expect(saved.json().settings.rateGroupId).toBe(rg.json().id);
    const made = await resellerA.client.post(`/api/v1/customer-templates/${saved.json().id}/customers`, {
      name: 'A from saved',
    });
    expect(made.statusCode, made.body).toBe(201);
    expect(made.json().rateGroupId).toBe(rg.json().id);
    // (Removed again: the intruder test below lists reseller A's templates exactly.)
    expect((await admin.delete(`/api/v1/customer-templates/${saved.json().id}`)).statusCode).toBeLessThan(
      300,
    );
  });

  it('intruder: a reseller reaches only its own templates and customers', async () => {
    const mine = await newTemplate(resellerA.client, 'A gold', {
      mode: 'postpaid',
      creditLimit: '10',
      currency: 'USD',
      country: 'US',
      timezone: 'UTC',
    });
    const c = await resellerA.client.post(`/api/v1/customer-templates/${mine.id}/customers`, {
      name: 'A via tpl',
    });
    expect(c.statusCode, c.body).toBe(201);
    expect(c.json().resellerId).toBe(resellerA.id);
    const adminTpl = await newTemplate(admin, 'Admin only');
    const b = resellerB.client;
    for (const res of [
      await b.get(`/api/v1/customer-templates/${mine.id}`),
      await b.patch(`/api/v1/customer-templates/${mine.id}`, { name: 'stolen' }),
      await b.delete(`/api/v1/customer-templates/${mine.id}`),
      await b.get(`/api/v1/customer-templates/${mine.id}/prefill`),
      await b.post(`/api/v1/customer-templates/${mine.id}/customers`, { name: 'B via A tpl' }),
      await b.get(`/api/v1/customer-templates/${mine.id}/reapply-preview`),
      await b.post(`/api/v1/customer-templates/${mine.id}/reapply`, { expectedVersion: 1 }),
      await resellerA.client.get(`/api/v1/customer-templates/${adminTpl.id}`),
    ])
      expectError(res, 404, 'TEMPLATE_NOT_FOUND');
    expectError(
      await b.post(`/api/v1/customers/${c.json().id}/save-as-template`, { name: 'x' }),
      404,
      'ACCOUNT_NOT_FOUND',
    );
    const bList = (await b.get('/api/v1/customer-templates')).json().data;
    expect(bList).toEqual([]);
    const aList = (await resellerA.client.get('/api/v1/customer-templates')).json().data;
    expect(aList.map((x: { name: string }) => x.name).sort()).toEqual(['A gold', 'Unique name']);
    expect(aList.find((x: { id: number }) => x.id === mine.id).usedBy).toBe(1);
    // A reseller cannot grant unlimited credit through a template either.
    expectError(
      await b.post('/api/v1/customer-templates', {
        name: 'unl',
        settings: { mode: 'postpaid', unlimitedCredit: true },
      }),
      403,
      'FORBIDDEN',
      'unlimitedCredit',
    );
  });

  it("checks the rate groups and localization a template names: usable by the template's owner, else 400", async () => {
    const mine = (
      await resellerA.client.post('/api/v1/rate-groups', { name: 'A EUR', currency: 'EUR' })
    ).json();
    const theirs = (
      await resellerB.client.post('/api/v1/rate-groups', { name: 'B EUR', currency: 'EUR' })
    ).json();
    const usd = (
      await resellerA.client.post('/api/v1/rate-groups', { name: 'A USD', currency: 'USD' })
    ).json();
    const theirLoc = (await resellerB.client.post('/api/v1/localizations', { name: 'B loc' })).json();
    const save = (client: Client, settings: Record<string, unknown>, name = `Refs ${Math.random()}`) =>
      client.post('/api/v1/customer-templates', { name, settings: { ...goldSettings, ...settings } });
    expectError(
      await save(resellerA.client, { rateGroupId: theirs.id }),
      400,
      'RATE_GROUP_NOT_FOUND',
      'rateGroupId',
    );
    expectError(
      await save(resellerA.client, { nonCliRateGroupId: theirs.id }),
      400,
      'RATE_GROUP_NOT_FOUND',
      'nonCliRateGroupId',
    );
    expectError(
      await save(resellerA.client, { localizationId: theirLoc.id }),
      400,
      'LOCALIZATION_NOT_FOUND',
      'localizationId',
    );
    expectError(
      await save(resellerA.client, { rateGroupId: usd.id }),
      400,
      'RATE_GROUP_CURRENCY_MISMATCH',
      'rateGroupId',
    );
    // The operator's template may not point at a reseller's rate group either.
    expectError(await save(admin, { rateGroupId: mine.id }), 400, 'RATE_GROUP_OWNER_MISMATCH', 'rateGroupId');
    const ok = await save(resellerA.client, { rateGroupId: mine.id, nonCliRateGroupId: mine.id });
    expect(ok.statusCode, ok.body).toBe(201);
    // An edit is checked the same way.
    expectError(
      await resellerA.client.patch(`/api/v1/customer-templates/${ok.json().id}`, {
        settings: { ...goldSettings, rateGroupId: theirs.id },
      }),
      400,
      'RATE_GROUP_NOT_FOUND',
      'rateGroupId',
    );
    // A blank name is refused, not a check-constraint 500.
    expectError(await save(resellerA.client, {}, '   '), 400, 'VALIDATION_FAILED', 'name');
  });

  it('refuses customers', async () => {
    const pw = 'customer-pass-9';
    const c = (await admin.post('/api/v1/customers', customerBody({ password: pw }))).json();
    const portal = await Client.login(t.app, c.accountNumber, pw);
    expectError(await portal.get('/api/v1/customer-templates'), 403, 'FORBIDDEN');
  });
});

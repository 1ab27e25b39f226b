import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { adminLogin, createTestApp, expectError, type Client, type TestApp } from '../../../../test/app.js';
import { testDatabaseKinds } from '../../../../test/databases.js';
import { startTestSmtp, type TestSmtp } from '../../../../test/smtp.js';
import { makeCustomer, makeReseller, ok } from '../../../../test/connectivity.js';
import { systemActor, type Ctx } from '../../platform/context.js';
import { createSmtpTransport, NO_MAIL, type MailSettings } from '../../platform/mail/index.js';
import { deliverDueMails } from './mail-delivery.js';
import { consumeOutbox, describeTrunkChange } from './outbox-consumer.js';
import { mailsOf, post, putSettings, settingsBody } from './test-helpers.js';

describe('trunk change lines (pure)', () => {
  it('names the change and the fields that differ', () => {
    expect(
      describeTrunkChange({
        created_at: new Date('2026-12-03T10:02:00Z'),
        payload: {
          action: 'trunk.update',
          trunkId: 7,
          before: { callLimit: 10, name: 'Main', updatedAt: 'a' },
          after: { callLimit: 20, name: 'Main', updatedAt: 'b' },
        },
      }),
    ).toBe('- 2026-12-03 10:02 UTC trunk.update trunk #7: callLimit: 10 -> 20');
  });
});

describe.each(testDatabaseKinds())('payment, trunk update and welcome mails on %s', (kind) => {
  let t: TestApp;
  let admin: Client;
  let smtp: TestSmtp;
  let settings: MailSettings;
  let clock: Date;
  const ctx = (): Ctx => ({ actor: systemActor, db: t.database.db, now: () => clock });

  beforeAll(async () => {
    t = await createTestApp(kind);
    admin = await adminLogin(t.app);
    smtp = await startTestSmtp();
    settings = { ...NO_MAIL, transport: createSmtpTransport(smtp.url), from: 'noc@carrier.example' };
  });
  afterAll(async () => {
    settings?.transport?.close();
    await smtp?.close();
    await t?.close();
  });
  beforeEach(() => {
    clock = new Date();
    smtp.received.length = 0;
  });

  it('one payment mail per PAYMENT entry, to the billing address; charges, adjustments and replays send nothing', async () => {
    const c = await makeCustomer(admin, {
      mainEmail: 'main@cust.example',
      billingEmails: ['pay@cust.example', 'ap@cust.example'],
    });
    await putSettings(admin, c.id, settingsBody({ paymentReceivedAlert: true }));
    const e1 = await post(admin, c.id, 'refills', '25.50');
    await post(admin, c.id, 'refills', '10');
    await post(admin, c.id, 'charges', '3');
    await post(admin, c.id, 'adjustments', '1');
    expect((await consumeOutbox(ctx(), settings)).payments).toBe(2);
    expect((await consumeOutbox(ctx(), settings)).payments).toBe(0);
    const mails = await mailsOf(t, c.id);
    expect(mails.map((m) => [m.kind, m.status, m.to_addresses])).toEqual([
      ['payment_received', 'queued', ['pay@cust.example', 'ap@cust.example']],
      ['payment_received', 'queued', ['pay@cust.example', 'ap@cust.example']],
    ]);
    expect(mails[0]!.dedupe_key).toBe(`payment_received:${e1.id}`);
    clock = new Date(Date.now() + 1000);
    await deliverDueMails(ctx(), settings, { workerId: 'w' });
    const got = smtp.received.find((m) => m.header('Subject') === 'Payment received: 25.500000 USD')!;
    expect(got.to).toEqual(['pay@cust.example', 'ap@cust.example']);
    expect(got.decoded).toContain('New balance: 25.500000 USD');
  });

  it('payment alert off: the event is consumed, no mail', async () => {
    const c = await makeCustomer(admin, { billingEmails: ['p@cust.example'] });
    await post(admin, c.id, 'refills', '5');
    await consumeOutbox(ctx(), settings);
    expect(await mailsOf(t, c.id)).toEqual([]);
  });

  it('trunk changes within 5 minutes become one mail to the NOC address, after the window closes', async () => {
    const c = await makeCustomer(admin, { nocEmails: ['noc@cust.example'], mainEmail: 'main@cust.example' });
    await putSettings(admin, c.id, settingsBody({ sendTrunkUpdate: true }));
    const tr = await ok(admin.post(`/api/v1/customers/${c.id}/trunks`, { name: 'Main', callLimit: 10 }), 201);
    await ok(admin.patch(`/api/v1/trunks/${tr.id}`, { callLimit: 20 }));
    await ok(admin.post(`/api/v1/trunks/${tr.id}/hosts`, { cidr: '203.0.113.7' }), 201);
    // Inside the window: nothing yet.
    await consumeOutbox(ctx(), settings);
    expect(await mailsOf(t, c.id)).toEqual([]);
    clock = new Date(Date.now() + 5 * 60_000 + 1000);
    expect((await consumeOutbox(ctx(), settings)).trunkMails).toBe(1);
    expect((await consumeOutbox(ctx(), settings)).trunkMails).toBe(0);
    const [m] = await mailsOf(t, c.id);
    expect(m).toMatchObject({ kind: 'trunk_update', to_addresses: ['noc@cust.example'] });
    expect(m!.subject).toBe(`Trunk update for account ${c.accountNumber} (3 changes)`);
    expect(m!.text_body).toContain('callLimit: 10 -> 20');
    // A change after the window opens a new one.
    await ok(admin.patch(`/api/v1/trunks/${tr.id}`, { callLimit: 30 }));
    clock = new Date(Date.now() + 10 * 60_000);
    await consumeOutbox(ctx(), settings);
    expect((await mailsOf(t, c.id)).length).toBe(2);
  });

  it('welcome letter on create when asked, and by row action; another reseller gets 404', async () => {
    const c = await makeCustomer(admin, { mainEmail: 'hello@cust.example', sendWelcomeLetter: true });
    const quiet = await makeCustomer(admin, { mainEmail: 'quiet@cust.example' });
    expect((await consumeOutbox(ctx(), settings)).welcomes).toBeGreaterThanOrEqual(1);
    expect((await mailsOf(t, c.id)).map((m) => [m.kind, m.to_addresses])).toEqual([
      ['welcome_letter', ['hello@cust.example']],
    ]);
    expect(await mailsOf(t, quiet.id)).toEqual([]);
    const r = await ok(admin.post(`/api/v1/customers/${quiet.id}/welcome-letter`), 202);
    expect(r).toMatchObject({ status: 'queued', skipReason: null });
    clock = new Date(Date.now() + 1000);
    await deliverDueMails(ctx(), settings, { workerId: 'w' });
    const got = smtp.received.find((m) => m.to[0] === 'quiet@cust.example')!;
    expect(got.header('Subject')).toBe(`Welcome, ${quiet.name}`);
    expect(got.decoded).toContain(`Portal username: ${quiet.accountNumber}`);
    const r1 = await makeReseller(t, admin);
    expectError(
      await r1.client.post(`/api/v1/customers/${quiet.id}/welcome-letter`),
      404,
      'ACCOUNT_NOT_FOUND',
    );
  });

  it('"send low balance alert" sends now and changes no state', async () => {
    const c = await makeCustomer(admin, { billingEmails: ['b@cust.example'] });
    await putSettings(admin, c.id, settingsBody({ lowBalance: { enabled: true, amount: '10' } }));
    const before = await ok(admin.get(`/api/v1/customers/${c.id}/notification-settings`));
    const r = await ok(admin.post(`/api/v1/customers/${c.id}/low-balance-alert`), 202);
    expect(r.status).toBe('queued');
    const r2 = await ok(admin.post(`/api/v1/customers/${c.id}/low-balance-alert`), 202);
    expect(r2.mailId).not.toBe(r.mailId);
    const [m] = await mailsOf(t, c.id);
    expect(m).toMatchObject({ kind: 'low_balance', to_addresses: ['b@cust.example'] });
    expect(m!.text_body).toContain('alert threshold 10.000000');
    expect((await ok(admin.get(`/api/v1/customers/${c.id}/notification-settings`))).state).toEqual(
      before.state,
    );
    const states = await t.database.db
      .selectFrom('low_balance_states')
      .selectAll()
      .where('account_id', '=', c.id)
      .execute();
    expect(states).toEqual([]);
  });
});

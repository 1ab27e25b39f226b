import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminLogin, createTestApp, expectError, type Client, type TestApp } from '../../../../test/app.js';
import { testDatabaseKinds } from '../../../../test/databases.js';
import { makeCustomer, makeReseller, ok } from '../../../../test/connectivity.js';
import { systemActor, type Ctx } from '../../platform/context.js';
import { NO_MAIL } from '../../platform/mail/index.js';
import { deliverDueMails, NO_SMTP_REASON } from './mail-delivery.js';

describe.each(testDatabaseKinds())('mail log, Emails tab and resend on %s', (kind) => {
  let t: TestApp;
  let admin: Client;
  const ctx = (): Ctx => ({ actor: systemActor, db: t.database.db, now: () => new Date(Date.now() + 1000) });
  beforeAll(async () => {
    t = await createTestApp(kind);
    admin = await adminLogin(t.app);
  });
  afterAll(async () => t?.close());

  it("the Emails tab lists a customer's mails with status; resend queues a copy; scope holds for resellers", async () => {
    const r1 = await makeReseller(t, admin);
    const r2 = await makeReseller(t, admin);
    const c = await makeCustomer(r1.client, { mainEmail: 'tab@c.example' });
    const other = await makeCustomer(admin, { mainEmail: 'other@c.example' });
    const first = await ok(r1.client.post(`/api/v1/customers/${c.id}/welcome-letter`), 202);
    await ok(admin.post(`/api/v1/customers/${other.id}/welcome-letter`), 202);
    // No SMTP configured: kept, shown as not sent.
    await deliverDueMails(ctx(), NO_MAIL, { workerId: 'w' });
    const tab = await ok(r1.client.get(`/api/v1/customers/${c.id}/emails`));
    expect(tab.data).toHaveLength(1);
    expect(tab.data[0]).toMatchObject({
      id: first.mailId,
      customerId: c.id,
      kind: 'welcome_letter',
      to: ['tab@c.example'],
      status: 'skipped',
      skipReason: NO_SMTP_REASON,
      attempts: 1,
    });
    const detail = await ok(r1.client.get(`/api/v1/mails/${first.mailId}`));
    expect(detail.textBody).toContain('is ready');
    expect(detail.htmlBody).toMatch(/^<p>/);

    const again = await ok(r1.client.post(`/api/v1/mails/${first.mailId}/resend`), 202);
    expect(again).toMatchObject({ status: 'queued', skipReason: null });
    expectError(await r1.client.post(`/api/v1/mails/${again.mailId}/resend`), 409, 'MAIL_STILL_PENDING');
    const tab2 = await ok(r1.client.get(`/api/v1/customers/${c.id}/emails`));
    expect(tab2.data.map((m: any) => [m.id, m.status, m.resendOf])).toEqual([
      [again.mailId, 'queued', first.mailId],
      [first.mailId, 'skipped', null],
    ]);

    // The mail log: the admin sees both customers; r1 only its subtree; r2 nothing of r1's.
    const log = await ok(admin.get('/api/v1/mails?kind=welcome_letter&limit=10'));
    expect(log.data.map((m: any) => m.customerId)).toEqual(expect.arrayContaining([c.id, other.id]));
    const r1log = await ok(r1.client.get('/api/v1/mails'));
    expect(r1log.data.every((m: any) => m.customerId === c.id)).toBe(true);
    expect((await ok(r2.client.get('/api/v1/mails'))).data).toEqual([]);
    expectError(await r2.client.get(`/api/v1/mails/${first.mailId}`), 404, 'MAIL_NOT_FOUND');
    expectError(await r2.client.post(`/api/v1/mails/${first.mailId}/resend`), 404, 'MAIL_NOT_FOUND');
    expectError(await r2.client.get(`/api/v1/customers/${c.id}/emails`), 404, 'ACCOUNT_NOT_FOUND');
    expectError(await r2.client.get(`/api/v1/mails?customerId=${c.id}`), 404, 'ACCOUNT_NOT_FOUND');

    // Keyset pages, newest first; bounded inputs.
    const p1 = await ok(admin.get('/api/v1/mails?limit=1'));
    expect(p1.data).toHaveLength(1);
    const p2 = await ok(admin.get(`/api/v1/mails?limit=1&cursor=${p1.nextCursor}`));
    expect(p2.data[0].id).toBeLessThan(p1.data[0].id);
    expectError(await admin.get('/api/v1/mails?limit=501'), 400, 'VALIDATION_FAILED');
    expectError(await admin.get('/api/v1/mails?status=lost'), 400, 'VALIDATION_FAILED');
    expectError(await admin.get('/api/v1/mails/0'), 400, 'VALIDATION_FAILED');
  });

  it('notification settings: read defaults, save, bounded, scoped', async () => {
    const r1 = await makeReseller(t, admin);
    const r2 = await makeReseller(t, admin);
    const c = await makeCustomer(r1.client);
    const d = await ok(r1.client.get(`/api/v1/customers/${c.id}/notification-settings`));
    expect(d).toMatchObject({
      customerId: c.id,
      notificationsEnabled: true,
      lowBalance: {
        enabled: false,
        thresholdType: 'amount',
        amount: '5',
        schedule: 'daily',
        sendAt: '09:00',
        repeatDays: 3,
      },
      state: { state: 'OK', lowSince: null, escalatedAt: null },
    });
    const { customerId: _c, notificationsEnabled: _n, state: _s, ...body } = d;
    const saved = await ok(
      r1.client.request('PUT', `/api/v1/customers/${c.id}/notification-settings`, {
        ...body,
        lowBalance: {
          ...body.lowBalance,
          enabled: true,
          amount: '12.5',
          schedule: 'hourly',
          sendAt: '00:45',
          recipient: 'both',
          disableTrunksAfterDays: 3,
        },
        paymentReceivedAlert: true,
      }),
    );
    expect(saved.lowBalance).toMatchObject({
      enabled: true,
      amount: '12.5',
      schedule: 'hourly',
      sendAt: '00:45',
      recipient: 'both',
      disableTrunksAfterDays: 3,
    });
    const put = (lb: Record<string, unknown>) =>
      r1.client.request('PUT', `/api/v1/customers/${c.id}/notification-settings`, {
        ...body,
        lowBalance: { ...body.lowBalance, ...lb },
      });
    expectError(await put({ repeatDays: 61 }), 400, 'VALIDATION_FAILED');
    expectError(await put({ sendAt: '24:00' }), 400, 'VALIDATION_FAILED');
    expectError(await put({ amount: '0' }), 400, 'VALIDATION_FAILED', 'lowBalance.amount');
    expectError(await put({ recipient: 'everyone' }), 400, 'VALIDATION_FAILED');
    expectError(
      await r2.client.get(`/api/v1/customers/${c.id}/notification-settings`),
      404,
      'ACCOUNT_NOT_FOUND',
    );
    const audit = (await ok(admin.get(`/api/v1/customers/${c.id}/audit`))).data.map((x: any) => x.action);
    expect(audit).toContain('notification_settings.update');
  });

  it('the routes are in the OpenAPI document', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/mails',
        '/api/v1/mails/{id}',
        '/api/v1/mails/{id}/resend',
        '/api/v1/customers/{customerId}/emails',
        '/api/v1/customers/{customerId}/notification-settings',
        '/api/v1/customers/{customerId}/welcome-letter',
        '/api/v1/customers/{customerId}/low-balance-alert',
        '/api/v1/jobs',
        '/api/v1/jobs/{id}/retry',
      ]),
    );
  });
});

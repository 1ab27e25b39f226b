import crypto from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  adminLogin,
  createTestApp,
  customerBody,
  expectError,
  type Client,
  type TestApp,
} from '../../../../test/app.js';
import { testDatabaseKinds } from '../../../../test/databases.js';
import { startTestSmtp, type TestSmtp } from '../../../../test/smtp.js';
import { makeCustomer, makeReseller, ok } from '../../../../test/connectivity.js';
import { systemActor, type Ctx } from '../../platform/context.js';
import { createSmtpTransport, NO_MAIL, type MailSettings } from '../../platform/mail/index.js';
import { usersRepository } from '../auth/index.js';
import { deliverDueMails } from './mail-delivery.js';
import { consumeOutbox } from './outbox-consumer.js';
import { formatLocalTime } from './schedule-slots.js';
import { recordSignIn } from './sign-in.js';
import { mailsOf, putSettings, settingsBody } from './test-helpers.js';

describe('local time of a notice (pure)', () => {
  it('names the zone and its offset, DST included', () => {
    expect(formatLocalTime(new Date('2026-12-03T10:15:42Z'), 'Europe/Berlin')).toBe(
      '2026-12-03 11:15 (Europe/Berlin, UTC+01:00)',
    );
    expect(formatLocalTime(new Date('2026-07-03T10:15:00Z'), 'Europe/Berlin')).toBe(
      '2026-07-03 12:15 (Europe/Berlin, UTC+02:00)',
    );
    expect(formatLocalTime(new Date('2026-12-03T02:00:00Z'), 'America/St_Johns')).toBe(
      '2026-12-02 22:30 (America/St_Johns, UTC-03:30)',
    );
  });
});

describe.each(testDatabaseKinds())('sign-in notice, and the settings given on create, on %s', (kind) => {
  let t: TestApp;
  let admin: Client;
  let smtp: TestSmtp;
  let settings: MailSettings;
  const ctx = (): Ctx => ({ actor: systemActor, db: t.database.db, now: () => new Date(Date.now() + 1000) });
  const UA = 'Mozilla/5.0 (X11; Linux x86_64) SignInTest/1.0';

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
    smtp.received.length = 0;
  });

  /** A customer with a portal password and its own mail addresses. */
  async function customer(over: Record<string, unknown> = {}) {
    const login = `signin-${crypto.randomBytes(4).toString('hex')}`;
    const c = await makeCustomer(admin, {
      portalUsername: login,
      password: 'customer-pass-1',
      mainEmail: `${login}@holder.example`,
      billingEmails: ['pay@holder.example'],
      nocEmails: ['noc@holder.example'],
      timezone: 'Europe/Berlin',
      ...over,
    });
    return { ...c, login };
  }
  const portalLogin = (login: string) =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: login, password: 'customer-pass-1' },
      headers: { 'user-agent': UA },
      remoteAddress: '198.51.100.23',
    });

  it('a portal login mails the account holder (mainEmail) the time in its zone, the IP and the user agent', async () => {
    const c = await customer();
    await putSettings(admin, c.id, settingsBody({ signInNotification: true }));
    const before = new Date();
    expect((await portalLogin(c.login)).statusCode).toBe(200);
    expect((await consumeOutbox(ctx(), settings)).signIns).toBe(1);
    expect((await consumeOutbox(ctx(), settings)).signIns).toBe(0);
    const [m] = await mailsOf(t, c.id);
    expect(m).toMatchObject({
      kind: 'sign_in',
      status: 'queued',
      to_addresses: [`${c.login}@holder.example`],
    });
    await deliverDueMails(ctx(), settings, { workerId: 'w' });
    expect(smtp.received).toHaveLength(1);
    const got = smtp.received[0]!;
    expect(got.to).toEqual([`${c.login}@holder.example`]);
    expect(got.header('Subject')).toBe(`New sign-in to account ${c.accountNumber}`);
    // The minute may tick between the login and this line: either minute is the login's.
    const local = [before, new Date(before.getTime() + 60_000)].map((d) =>
      formatLocalTime(d, 'Europe/Berlin'),
    );
    expect(
      local.some((l) => got.decoded.includes(`signed in to your portal at ${l} from 198.51.100.23`)),
    ).toBe(true);
    expect(got.decoded).toContain(UA);
    expect(got.decoded).toContain('Europe/Berlin, UTC+01:00');
  });

  it('the setting off (the default) sends nothing; an admin sign-in sends nothing', async () => {
    const c = await customer();
    expect((await portalLogin(c.login)).statusCode).toBe(200);
    await adminLogin(t.app);
    expect((await consumeOutbox(ctx(), settings)).signIns).toBe(0);
    await deliverDueMails(ctx(), settings, { workerId: 'w' });
    expect(await mailsOf(t, c.id)).toEqual([]);
    expect(smtp.received).toEqual([]);
    // Turned off between the login and the consumer: nothing either.
    await putSettings(admin, c.id, settingsBody({ signInNotification: true }));
    expect((await portalLogin(c.login)).statusCode).toBe(200);
    await putSettings(admin, c.id, settingsBody({ signInNotification: false }));
    expect((await consumeOutbox(ctx(), settings)).signIns).toBe(0);
    expect(await mailsOf(t, c.id)).toEqual([]);
  });

  it('leaving signInNotification out of a save keeps it; GET shows it', async () => {
    const c = await customer();
    await putSettings(admin, c.id, settingsBody({ signInNotification: true }));
    const { signInNotification: _, ...withoutIt } = settingsBody({ paymentReceivedAlert: true }) as Record<
      string,
      unknown
    >;
    await putSettings(admin, c.id, withoutIt);
    expect(await ok(admin.get(`/api/v1/customers/${c.id}/notification-settings`))).toMatchObject({
      signInNotification: true,
      paymentReceivedAlert: true,
    });
  });

  it('master switch off: the mail is kept as skipped, not sent', async () => {
    const c = await customer({ notificationsEnabled: false });
    await putSettings(admin, c.id, settingsBody({ signInNotification: true }));
    expect((await portalLogin(c.login)).statusCode).toBe(200);
    await consumeOutbox(ctx(), settings);
    await deliverDueMails(ctx(), settings, { workerId: 'w' });
    expect((await mailsOf(t, c.id)).map((m) => [m.kind, m.status, m.skip_reason])).toEqual([
      ['sign_in', 'skipped', 'not sent: notifications are off for this account'],
    ]);
    expect(smtp.received).toEqual([]);
  });

  it('an impersonated session ("log in as customer") sends nothing', async () => {
    const c = await customer();
    await putSettings(admin, c.id, settingsBody({ signInNotification: true }));
    const me = await ok(admin.get('/api/v1/auth/me'));
    const user = await t.database.db
      .selectFrom('users')
      .select('id')
      .where('login', '=', c.login)
      .executeTakeFirstOrThrow();
    // The session "log in as customer" opens: the customer's user, marked with the admin.
    const token = crypto.randomBytes(24).toString('base64url');
    await usersRepository.insertSession(t.database.db, {
      idHash: crypto.createHash('sha256').update(token).digest('hex'),
      userId: user.id,
      csrfToken: 'x',
      ip: '203.0.113.9',
      userAgent: UA,
      expiresAt: new Date(Date.now() + 3600_000),
      impersonatorUserId: me.id,
    });
    const asCustomer = await t.app.inject({
      method: 'GET',
      url: '/api/v1/auth/me',
      headers: { cookie: `tg_session=${token}` },
    });
    expect(asCustomer.json()).toMatchObject({ accountId: c.id, impersonated: true });
    const written = await recordSignIn(
      { actor: systemActor, db: t.database.db, now: () => new Date() },
      { user: { id: user.id, accountId: c.id, impersonatorUserId: me.id } },
      { ip: '203.0.113.9', userAgent: UA },
    );
    expect(written).toBe(false);
    expect((await consumeOutbox(ctx(), settings)).signIns).toBe(0);
    await deliverDueMails(ctx(), settings, { workerId: 'w' });
    expect(await mailsOf(t, c.id)).toEqual([]);
    expect(smtp.received).toEqual([]);
  });

  it('the create form saves Notification Setting / Alert Threshold, checked as on edit', async () => {
    const lowBalance = {
      enabled: true,
      thresholdType: 'percent',
      percent: '20',
      schedule: 'hourly',
      sendAt: '00:15',
      repeatDays: 7,
      recipient: 'both',
      disableTrunksAfterDays: 3,
    };
    const body = settingsBody({ lowBalance, zeroBalanceNotification: true, signInNotification: true });
    const c = await makeCustomer(admin, {
      mode: 'postpaid',
      creditLimit: '100',
      notificationSettings: body,
    });
    expect(await ok(admin.get(`/api/v1/customers/${c.id}/notification-settings`))).toMatchObject({
      ...body,
      lowBalance: { ...lowBalance, amount: '5' },
      state: { state: 'OK' },
    });
    // Left out: the defaults, no row needed.
    const plain = await makeCustomer(admin);
    expect(await ok(admin.get(`/api/v1/customers/${plain.id}/notification-settings`))).toMatchObject(
      settingsBody({ signInNotification: false }),
    );
    // A percent needs postpaid with a finite credit limit above 0; refused = no customer at all.
    const refused = async (over: Record<string, unknown>, code: string, field: string) => {
      const name = `Refused ${crypto.randomBytes(4).toString('hex')}`;
      expectError(
        await admin.post('/api/v1/customers', customerBody({ name, notificationSettings: body, ...over })),
        400,
        code,
        field,
      );
      const left = await t.database.db.selectFrom('accounts').select('id').where('name', '=', name).execute();
      expect(left).toEqual([]);
    };
    const percent = 'notificationSettings.lowBalance.thresholdType';
    await refused({}, 'LOW_BALANCE_PERCENT_NOT_ALLOWED', percent);
    await refused({ mode: 'postpaid', creditLimit: '0' }, 'LOW_BALANCE_PERCENT_NOT_ALLOWED', percent);
    await refused(
      { mode: 'postpaid', creditLimit: '100', unlimitedCredit: true },
      'LOW_BALANCE_PERCENT_NOT_ALLOWED',
      percent,
    );
    await refused(
      { notificationSettings: settingsBody({ lowBalance: { amount: '0' } }) },
      'VALIDATION_FAILED',
      'notificationSettings.lowBalance.amount',
    );
    // A reseller's own customer takes them too; a reseller account does not.
    const r = await makeReseller(t, admin);
    const own = await makeCustomer(r.client, {
      notificationSettings: settingsBody({ paymentReceivedAlert: true }),
    });
    expect(await ok(r.client.get(`/api/v1/customers/${own.id}/notification-settings`))).toMatchObject({
      paymentReceivedAlert: true,
    });
    expectError(
      await admin.post('/api/v1/resellers', customerBody({ notificationSettings: settingsBody() })),
      400,
      'VALIDATION_FAILED',
      'notificationSettings',
    );
  });
});

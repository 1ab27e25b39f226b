import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { adminLogin, createTestApp, type Client, type TestApp } from '../../../../test/app.js';
import { testDatabaseKinds } from '../../../../test/databases.js';
import { startTestSmtp, type TestSmtp } from '../../../../test/smtp.js';
import { makeCustomer } from '../../../../test/connectivity.js';
import { systemActor, type Ctx } from '../../platform/context.js';
import { createSmtpTransport, NO_MAIL, type MailSettings } from '../../platform/mail/index.js';
import { deliverDueMails, NO_SMTP_REASON, retryDelayMs } from './mail-delivery.js';
import { queueAccountMail, SKIP_DELETED, SKIP_DISABLED, SKIP_NO_ADDRESS } from './mail-compose.js';

describe('retry backoff (pure)', () => {
  it('waits 1, 4, 16, 64, 256 minutes, never more than 6 hours', () => {
    expect([1, 2, 3, 4, 5, 6, 9].map((n) => retryDelayMs(n) / 60_000)).toEqual([1, 4, 16, 64, 256, 360, 360]);
  });
});

describe.each(testDatabaseKinds())('mail outbox and SMTP delivery on %s', (kind) => {
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
    settings = {
      ...NO_MAIL,
      transport: createSmtpTransport(smtp.url),
      from: 'Tollgate Billing <billing@carrier.example>',
      replyTo: 'support@carrier.example',
    };
  });
  afterAll(async () => {
    settings?.transport?.close();
    await smtp?.close();
    await t?.close();
  });
  beforeEach(async () => {
    // Each test starts with nothing due.
    await t.database.db
      .updateTable('mails')
      .set({ status: 'skipped', skip_reason: 'test reset', locked_by: null })
      .where('status', 'in', ['queued', 'sending'])
      .execute();
    clock = new Date('2026-12-03T10:00:00Z');
    smtp.received.length = 0;
    smtp.refuse(null);
  });

  const welcome = (accountId: number, key: string) =>
    queueAccountMail(ctx(), settings, {
      accountId,
      kind: 'welcome_letter',
      route: 'welcome',
      vars: { portalUsername: 'jane', mainEmail: 'x' },
      dedupeKey: key,
    });
  const mailRow = (id: number) =>
    t.database.db.selectFrom('mails').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  it('sends a queued mail over a real SMTP conversation: envelope, headers, text and HTML parts', async () => {
    const c = await makeCustomer(admin, { name: 'Jane & Co <Ltd>', mainEmail: 'jane@customer.example' });
    const q = await welcome(c.id, `welcome-a-${c.id}`);
    expect(q).toMatchObject({ status: 'queued' });
    const r = await deliverDueMails(ctx(), settings, { workerId: 'w1' });
    expect(r).toMatchObject({ claimed: 1, sent: 1 });
    expect(smtp.received).toHaveLength(1);
    const m = smtp.received[0]!;
    expect(m.from).toBe('billing@carrier.example');
    expect(m.to).toEqual(['jane@customer.example']);
    expect(m.header('Subject')).toBe('Welcome, Jane & Co <Ltd>');
    expect(m.header('Reply-To')).toBe('support@carrier.example');
    expect(m.header('X-Tollgate-Kind')).toBe('welcome_letter');
    expect(m.header('X-Tollgate-Mail-Id')).toBe(String(q!.id));
    expect(m.header('Content-Type')).toMatch(/^multipart\/alternative/);
    expect(m.decoded).toContain(`your account ${c.accountNumber} is ready.`);
    expect(m.decoded).toContain('Portal username: jane');
    // The HTML part escapes the variables.
    expect(m.decoded).toContain('Hello Jane &amp; Co &lt;Ltd&gt;,');
    const row = await mailRow(q!.id);
    expect(row).toMatchObject({ status: 'sent', attempts: 1, from_address: settings.from, locked_by: null });
    expect(row.message_id).toMatch(/^<.+>$/);
    // Nothing left to send.
    expect(await deliverDueMails(ctx(), settings, { workerId: 'w1' })).toMatchObject({ claimed: 0 });
  });

  it('the same dedupe key is one mail', async () => {
    const c = await makeCustomer(admin, { mainEmail: 'k@customer.example' });
    expect(await welcome(c.id, `dup-${c.id}`)).not.toBeNull();
    expect(await welcome(c.id, `dup-${c.id}`)).toBeNull();
  });

  it('a 4xx answer retries with backoff and keeps the answer; a later attempt succeeds', async () => {
    const c = await makeCustomer(admin, { mainEmail: 'retry@customer.example' });
    const q = (await welcome(c.id, `retry-${c.id}`))!;
    smtp.refuse(451, 'Try again later, greylisted');
    expect(await deliverDueMails(ctx(), settings, { workerId: 'w1' })).toMatchObject({ retried: 1 });
    let row = await mailRow(q.id);
    expect(row.status).toBe('queued');
    expect(row.last_error).toMatch(/451.*greylisted/);
    expect(row.next_attempt_at.toISOString()).toBe('2026-12-03T10:01:00.000Z');
    smtp.refuse(null);
    clock = new Date('2026-12-03T10:00:59Z');
    expect(await deliverDueMails(ctx(), settings, { workerId: 'w1' })).toMatchObject({ claimed: 0 });
    clock = new Date('2026-12-03T10:01:00Z');
    expect(await deliverDueMails(ctx(), settings, { workerId: 'w1' })).toMatchObject({ sent: 1 });
    row = await mailRow(q.id);
    expect(row).toMatchObject({ status: 'sent', attempts: 2 });
    expect(smtp.received).toHaveLength(1);
  });

  it('a 5xx answer fails the mail at once with the server answer', async () => {
    const c = await makeCustomer(admin, { mainEmail: 'nobody@customer.example' });
    const q = (await welcome(c.id, `perm-${c.id}`))!;
    smtp.refuse(550, 'No such user here');
    expect(await deliverDueMails(ctx(), settings, { workerId: 'w1' })).toMatchObject({ failed: 1 });
    const row = await mailRow(q.id);
    expect(row.status).toBe('failed');
    expect(row.last_error).toMatch(/550.*No such user here/);
  });

  it('a lost SMTP server retries until max attempts, then fails', async () => {
    const c = await makeCustomer(admin, { mainEmail: 'down@customer.example' });
    const q = (await welcome(c.id, `down-${c.id}`))!;
    const dead: MailSettings = { ...settings, transport: createSmtpTransport('smtp://127.0.0.1:1') };
    for (let attempt = 1; attempt <= 6; attempt++) {
      const r = await deliverDueMails(ctx(), dead, { workerId: 'w1' });
      expect(r.claimed).toBe(1);
      clock = new Date(clock.getTime() + retryDelayMs(attempt));
    }
    const row = await mailRow(q.id);
    expect(row).toMatchObject({ status: 'failed', attempts: 6 });
    expect(row.last_error).toMatch(/ECONNREFUSED|ECONNECTION/);
    dead.transport!.close();
  });

  it('with no SMTP configured, mail is kept and shown as not sent', async () => {
    const c = await makeCustomer(admin, { mainEmail: 'kept@customer.example' });
    const q = (await welcome(c.id, `nosmtp-${c.id}`))!;
    expect(await deliverDueMails(ctx(), NO_MAIL, { workerId: 'w1' })).toMatchObject({ skipped: 1 });
    expect(await mailRow(q.id)).toMatchObject({ status: 'skipped', skip_reason: NO_SMTP_REASON });
    expect(smtp.received).toHaveLength(0);
  });

  it('master switch off, deleted account, no address: a skipped row says why', async () => {
    const off = await makeCustomer(admin, { mainEmail: 'off@customer.example', notificationsEnabled: false });
    const gone = await makeCustomer(admin, { mainEmail: 'gone@customer.example' });
    const none = await makeCustomer(admin);
    expect((await admin.delete(`/api/v1/customers/${gone.id}`)).statusCode).toBe(204);
    expect(await welcome(off.id, `s-${off.id}`)).toMatchObject({
      status: 'skipped',
      skipReason: SKIP_DISABLED,
    });
    expect(await welcome(gone.id, `s-${gone.id}`)).toMatchObject({
      status: 'skipped',
      skipReason: SKIP_DELETED,
    });
    expect(await welcome(none.id, `s-${none.id}`)).toMatchObject({
      status: 'skipped',
      skipReason: SKIP_NO_ADDRESS,
    });
    expect(await deliverDueMails(ctx(), settings, { workerId: 'w1' })).toMatchObject({ claimed: 0 });
  });

  it('two instances delivering at once send every mail exactly once', async () => {
    const c = await makeCustomer(admin, { mainEmail: 'many@customer.example' });
    for (let i = 0; i < 30; i++) await welcome(c.id, `many-${c.id}-${i}`);
    const run = async (workerId: string) => {
      let sent = 0;
      for (;;) {
        const r = await deliverDueMails(ctx(), settings, { workerId, batch: 3 });
        sent += r.sent;
        if (r.claimed === 0) return sent;
      }
    };
    const [a, b] = await Promise.all([run('instance-a'), run('instance-b')]);
    expect(a + b).toBe(30);
    expect(smtp.received).toHaveLength(30);
    const ids = smtp.received.map((m) => m.header('X-Tollgate-Mail-Id'));
    expect(new Set(ids).size).toBe(30);
  });
});

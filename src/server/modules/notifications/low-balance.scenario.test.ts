import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminLogin, createTestApp, expectError, type Client, type TestApp } from '../../../../test/app.js';
import { testDatabaseKinds } from '../../../../test/databases.js';
import { makeCustomer, ok } from '../../../../test/connectivity.js';
import { systemActor, type Ctx } from '../../platform/context.js';
import { NO_MAIL } from '../../platform/mail/index.js';
import { evaluateAccount, evaluateLedgerChanges, sweepLowBalance } from './low-balance.service.js';
import { SKIP_DISABLED } from './mail-compose.js';
import { mailsOf, post, putSettings, settingsBody } from './test-helpers.js';

/*
 * The low-balance state machine (DOMAIN 3.15) as scenario tables with hand-computed timelines.
 * Every evaluation runs on two "instances" at once (two concurrent evaluations, each in its own
 * transaction): the mails must come out exactly once.
 */

describe.each(testDatabaseKinds())('low-balance state machine on %s', (kind) => {
  let t: TestApp;
  let admin: Client;
  let clock = new Date();
  const ctx = (): Ctx => ({ actor: systemActor, db: t.database.db, now: () => clock });
  const at = (iso: string) => {
    clock = new Date(iso);
  };
  /** Two instances evaluate the same account at the same moment. */
  const evaluateTwice = async (id: number) => {
    const [a, b] = await Promise.all([
      evaluateAccount(ctx(), NO_MAIL, id),
      evaluateAccount(ctx(), NO_MAIL, id),
    ]);
    return [a, b];
  };
  const sweepTwice = () => Promise.all([sweepLowBalance(ctx(), NO_MAIL), sweepLowBalance(ctx(), NO_MAIL)]);
  const lowMails = async (id: number) =>
    (await mailsOf(t, id))
      .filter((m) => m.kind === 'low_balance')
      .map((m) => m.dedupe_key.slice(`low_balance:${id}:`.length));
  const zeroMails = async (id: number) =>
    (await mailsOf(t, id)).filter((m) => m.kind === 'zero_balance').length;
  const trunks = async (id: number) =>
    (
      await t.database.db
        .selectFrom('trunks')
        .select(['name', 'status', 'disabled_reason'])
        .where('account_id', '=', id)
        .orderBy('name')
        .execute()
    ).map((r) => `${r.name}:${r.status}${r.disabled_reason ? ':' + r.disabled_reason : ''}`);
  const state = async (id: number) =>
    (await ok(admin.get(`/api/v1/customers/${id}/notification-settings`))).state;

  beforeAll(async () => {
    t = await createTestApp(kind);
    admin = await adminLogin(t.app);
  });
  afterAll(async () => t?.close());

  it('enter LOW, daily repeats at 09:00 Paris for 3 days, trunks disabled after 2 days, a refill restores only tagged trunks', async () => {
    const c = await makeCustomer(admin, { timezone: 'Europe/Paris', billingEmails: ['pay@c.example'] });
    await putSettings(
      admin,
      c.id,
      settingsBody({
        lowBalance: {
          enabled: true,
          amount: '10',
          schedule: 'daily',
          sendAt: '09:00',
          repeatDays: 3,
          disableTrunksAfterDays: 2,
        },
      }),
    );
    for (const name of ['T1', 'T3']) await ok(admin.post(`/api/v1/customers/${c.id}/trunks`, { name }), 201);
    await ok(admin.post(`/api/v1/customers/${c.id}/trunks`, { name: 'T2', status: 'inactive' }), 201);
    await post(admin, c.id, 'refills', '50');
    at('2026-12-07T12:00:00Z');
    await evaluateLedgerChanges(ctx(), NO_MAIL);
    expect((await state(c.id)).state).toBe('OK');

    // Mon 14:00 Paris (13:00Z): a charge leaves 5 <= 10 -> LOW; the current daily slot (Mon 09:00) gets a mail.
    await post(admin, c.id, 'charges', '45');
    at('2026-12-07T13:00:00Z');
    await Promise.all([evaluateLedgerChanges(ctx(), NO_MAIL), evaluateLedgerChanges(ctx(), NO_MAIL)]);
    expect(await state(c.id)).toEqual({
      state: 'LOW',
      lowSince: '2026-12-07T13:00:00.000Z',
      escalatedAt: null,
    });
    expect(await lowMails(c.id)).toEqual(['2026-12-07']);

    const timeline: [string, string[], string[]][] = [
      // [now (UTC), low mails so far (slot keys), trunks]
      ['2026-12-07T13:05:00Z', ['2026-12-07'], ['T1:active', 'T2:inactive', 'T3:active']],
      ['2026-12-08T07:59:00Z', ['2026-12-07'], ['T1:active', 'T2:inactive', 'T3:active']], // 08:59 Paris
      ['2026-12-08T08:00:00Z', ['2026-12-07', '2026-12-08'], ['T1:active', 'T2:inactive', 'T3:active']],
      [
        '2026-12-09T08:00:00Z',
        ['2026-12-07', '2026-12-08', '2026-12-09'],
        ['T1:active', 'T2:inactive', 'T3:active'],
      ],
      // lowSince + 2 days: the active trunks go off, tagged; T2 was off already and stays untagged.
      [
        '2026-12-09T13:00:00Z',
        ['2026-12-07', '2026-12-08', '2026-12-09'],
        ['T1:inactive:LOW_BALANCE', 'T2:inactive', 'T3:inactive:LOW_BALANCE'],
      ],
      // Thu 09:00 Paris is still before lowSince + 3 days (Thu 13:00Z): one more.
      [
        '2026-12-10T08:00:00Z',
        ['2026-12-07', '2026-12-08', '2026-12-09', '2026-12-10'],
        ['T1:inactive:LOW_BALANCE', 'T2:inactive', 'T3:inactive:LOW_BALANCE'],
      ],
      // Fri: the repeat window is over.
      [
        '2026-12-11T08:00:00Z',
        ['2026-12-07', '2026-12-08', '2026-12-09', '2026-12-10'],
        ['T1:inactive:LOW_BALANCE', 'T2:inactive', 'T3:inactive:LOW_BALANCE'],
      ],
    ];
    for (const [now, mails, trunkStates] of timeline) {
      at(now);
      await sweepTwice();
      expect([now, await lowMails(c.id)]).toEqual([now, mails]);
      expect([now, await trunks(c.id)]).toEqual([now, trunkStates]);
    }
    expect((await state(c.id)).escalatedAt).toBe('2026-12-09T13:00:00.000Z');

    // An admin switches T3 by hand (inactive again, on purpose): the tag goes.
    const t3 = (await ok(admin.get(`/api/v1/customers/${c.id}/trunks`))).data.find(
      (x: any) => x.name === 'T3',
    );
    await ok(admin.patch(`/api/v1/trunks/${t3.id}`, { status: 'inactive' }));
    // Fri 10:00Z: a refill brings 105 > 10 -> OK; only the tagged T1 comes back.
    await post(admin, c.id, 'refills', '100');
    at('2026-12-11T10:00:00Z');
    await evaluateLedgerChanges(ctx(), NO_MAIL);
    expect(await trunks(c.id)).toEqual(['T1:active', 'T2:inactive', 'T3:inactive']);
    expect(await state(c.id)).toEqual({ state: 'OK', lowSince: null, escalatedAt: null });
    // Each slot's mail exists once, to the partner (billing) address.
    const all = (await mailsOf(t, c.id)).filter((m) => m.kind === 'low_balance');
    expect(all).toHaveLength(4);
    expect(all.every((m) => m.to_addresses.join() === 'pay@c.example')).toBe(true);
    expect(all[0]!.text_body).toContain('low: 5.000000 USD');
  });

  it('hourly slots at minute 30, across the DST change in Paris (25 Oct 2026)', async () => {
    const c = await makeCustomer(admin, { timezone: 'Europe/Paris', billingEmails: ['h@c.example'] });
    await putSettings(
      admin,
      c.id,
      settingsBody({
        lowBalance: { enabled: true, amount: '10', schedule: 'hourly', sendAt: '00:30', repeatDays: 1 },
      }),
    );
    await post(admin, c.id, 'refills', '3');
    // 00:40Z = 02:40 CEST, then clocks go back at 01:00Z (03:00 CEST -> 02:00 CET).
    for (const now of [
      '2026-10-25T00:40:00Z',
      '2026-10-25T00:59:00Z',
      '2026-10-25T01:30:00Z',
      '2026-10-25T02:29:00Z',
      '2026-10-25T02:30:00Z',
    ]) {
      at(now);
      await evaluateTwice(c.id);
    }
    // 02:40 CEST -> slot 02:30; 01:30Z = 02:30 CET: the repeated local hour is deduplicated by its
    // local start (one mail per local slot); 02:30Z = 03:30 CET.
    expect(await lowMails(c.id)).toEqual(['2026-10-25T02:30', '2026-10-25T03:30']);
    // After repeatDays (1 day from 00:40Z) nothing more.
    at('2026-10-26T00:40:00Z');
    await evaluateTwice(c.id);
    expect((await lowMails(c.id)).length).toBe(2);
  });

  it('zero balance: a mail on entering ZERO, re-armed above 0, at most once per 24 h', async () => {
    const c = await makeCustomer(admin, { billingEmails: ['z@c.example'] });
    await putSettings(admin, c.id, settingsBody({ zeroBalanceNotification: true }));
    const step = async (what: 'refills' | 'charges', amount: string, now: string) => {
      await post(admin, c.id, what, amount);
      at(now);
      await Promise.all([evaluateLedgerChanges(ctx(), NO_MAIL), evaluateLedgerChanges(ctx(), NO_MAIL)]);
      await evaluateTwice(c.id);
      return [(await state(c.id)).state, await zeroMails(c.id)];
    };
    expect(await step('refills', '10', '2026-12-03T10:00:00Z')).toEqual(['OK', 0]);
    expect(await step('charges', '10', '2026-12-03T11:00:00Z')).toEqual(['ZERO', 1]);
    at('2026-12-04T12:00:00Z');
    await sweepTwice(); // staying at ZERO sends nothing more
    expect(await zeroMails(c.id)).toBe(1);
    // Low-balance notices are off: LOW sends nothing; back to ZERO within 24 h of the last mail: nothing.
    expect(await step('refills', '1', '2026-12-04T09:00:00Z')).toEqual(['LOW', 1]);
    expect(await step('charges', '1', '2026-12-04T10:59:00Z')).toEqual(['ZERO', 1]);
    // Re-armed again, and 24 h have passed: a second mail.
    expect(await step('refills', '1', '2026-12-04T11:00:00Z')).toEqual(['LOW', 1]);
    expect(await step('charges', '1', '2026-12-04T11:00:00Z')).toEqual(['ZERO', 2]);
    expect(await lowMails(c.id)).toEqual([]);
  });

  it('unlimited credit never alerts; a percent threshold for postpaid; refused for prepaid', async () => {
    const u = await makeCustomer(admin, {
      mode: 'postpaid',
      unlimitedCredit: true,
      billingEmails: ['u@c.example'],
    });
    await putSettings(
      admin,
      u.id,
      settingsBody({ zeroBalanceNotification: true, lowBalance: { enabled: true, amount: '100' } }),
    );
    await post(admin, u.id, 'charges', '1000');
    at('2026-12-03T10:00:00Z');
    await evaluateTwice(u.id);
    expect((await state(u.id)).state).toBe('OK');
    expect(await mailsOf(t, u.id)).toEqual([]);

    const p = await makeCustomer(admin, {
      mode: 'postpaid',
      creditLimit: '100',
      billingEmails: ['p@c.example'],
    });
    await putSettings(
      admin,
      p.id,
      settingsBody({
        zeroBalanceNotification: true,
        lowBalance: { enabled: true, thresholdType: 'percent', percent: '20', sendAt: '00:00' },
      }),
    );
    // Threshold = 100 x 20% = 20. Balance -80 -> metric 20 -> LOW (at the threshold).
    await post(admin, p.id, 'charges', '80');
    at('2026-12-03T10:00:00Z');
    await evaluateTwice(p.id);
    expect((await state(p.id)).state).toBe('LOW');
    // Balance -100 -> metric 0 -> ZERO, a zero mail; the low mail of today's slot exists already.
    await post(admin, p.id, 'charges', '20');
    at('2026-12-03T11:00:00Z');
    await evaluateTwice(p.id);
    expect((await state(p.id)).state).toBe('ZERO');
    expect((await mailsOf(t, p.id)).map((m) => m.kind)).toEqual(['low_balance', 'zero_balance']);

    const pre = await makeCustomer(admin);
    expectError(
      await admin.request(
        'PUT',
        `/api/v1/customers/${pre.id}/notification-settings`,
        settingsBody({ lowBalance: { enabled: true, thresholdType: 'percent', percent: '20' } }),
      ),
      400,
      'LOW_BALANCE_PERCENT_NOT_ALLOWED',
      'lowBalance.thresholdType',
    );
  });

  it('master switch off: the state still moves, the mail is kept as skipped; deleted accounts get nothing', async () => {
    const off = await makeCustomer(admin, { notificationsEnabled: false, billingEmails: ['o@c.example'] });
    await putSettings(admin, off.id, settingsBody({ lowBalance: { enabled: true, amount: '10' } }));
    await post(admin, off.id, 'refills', '5');
    at('2026-12-03T10:00:00Z');
    await evaluateTwice(off.id);
    expect((await state(off.id)).state).toBe('LOW');
    expect((await mailsOf(t, off.id)).map((m) => [m.status, m.skip_reason])).toEqual([
      ['skipped', SKIP_DISABLED],
    ]);

    const gone = await makeCustomer(admin, { billingEmails: ['g@c.example'] });
    await putSettings(admin, gone.id, settingsBody({ lowBalance: { enabled: true, amount: '10' } }));
    await ok(admin.delete(`/api/v1/customers/${gone.id}`), 204);
    await sweepTwice();
    expect(await evaluateAccount(ctx(), NO_MAIL, gone.id)).toBeNull();
    expect(await mailsOf(t, gone.id)).toEqual([]);
  });
});

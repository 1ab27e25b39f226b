import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import {
  Client,
  adminLogin,
  createTestApp,
  customerBody,
  expectError,
  type TestApp,
} from '../../../../test/app.js';
import { testDatabaseKinds } from '../../../../test/databases.js';
import type { Ctx } from '../../platform/context.js';
import { ledgerService } from '../ledger/index.js';
import { lastDays } from './dashboard.service.js';

const newKey = () => crypto.randomUUID();

describe('lastDays', () => {
  it('counts calendar days in the given zone, oldest first, across a month end', () => {
    // 2026-03-01 02:00 UTC is still 28 February in New York.
    expect(lastDays(new Date('2026-03-01T02:00:00Z'), 'America/New_York', 3)).toEqual([
      '2026-02-26',
      '2026-02-27',
      '2026-02-28',
    ]);
    expect(lastDays(new Date('2026-03-01T02:00:00Z'), 'UTC', 2)).toEqual(['2026-02-28', '2026-03-01']);
  });
});

describe.each(testDatabaseKinds())('dashboard on %s', (kind) => {
  let t: TestApp;
  let admin: Client;
  let resellerA: Client;
  let resellerAId: number;

  beforeAll(async () => {
    t = await createTestApp(kind);
    admin = await adminLogin(t.app);
    const ra = await admin.post(
      '/api/v1/resellers',
      customerBody({ portalUsername: 'dash-res-a', password: 'reseller-pass-a' }),
    );
    resellerAId = ra.json().id;
    const rb = await admin.post(
      '/api/v1/resellers',
      customerBody({ portalUsername: 'dash-res-b', password: 'reseller-pass-b' }),
    );
    resellerA = await Client.login(t.app, 'dash-res-a', 'reseller-pass-a');
    const resellerB = await Client.login(t.app, 'dash-res-b', 'reseller-pass-b');
    expect(rb.statusCode).toBe(201);
    // Admin's own: 2 prepaid active, 1 postpaid inactive, 1 deleted (never counted).
    await admin.post('/api/v1/customers', customerBody());
    await admin.post('/api/v1/customers', customerBody());
    await admin.post('/api/v1/customers', customerBody({ mode: 'postpaid', status: 'inactive' }));
    const gone = (await admin.post('/api/v1/customers', customerBody())).json();
    expect((await admin.delete(`/api/v1/customers/${gone.id}`)).statusCode).toBe(204);
    // Reseller A: 1 postpaid; reseller B: 2 prepaid.
    await resellerA.post('/api/v1/customers', customerBody({ mode: 'postpaid', name: 'A-only customer' }));
    await resellerB.post('/api/v1/customers', customerBody({ name: 'B-only customer 1' }));
    await resellerB.post('/api/v1/customers', customerBody({ name: 'B-only customer 2' }));
  });
  afterAll(async () => t?.close());

  it('counts live customers by status and by prepaid/postpaid for an admin', async () => {
    const res = await admin.get('/api/v1/dashboard');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().customers).toEqual({ total: 6, active: 5, inactive: 1, prepaid: 4, postpaid: 2 });
  });

  it('lists the newest customers first, with their currency and time zone', async () => {
    const newest = (await admin.get('/api/v1/dashboard')).json().newest;
    expect(newest).toHaveLength(5);
    expect(newest[0].name).toBe('B-only customer 2');
    expect(newest[0]).toMatchObject({ kind: 'customer', currency: 'USD', timezone: 'America/New_York' });
    expect(newest.map((n: { resellerName: string | null }) => n.resellerName)).toContain(null);
  });

  it('counts accounts created per day in the asked time zone, zero-filled', async () => {
    // Move one customer three days back: it must land on that day, not today.
    const anyCustomer = (await admin.get('/api/v1/customers?limit=10&sort=name&order=asc')).json().data[0];
    await sql`UPDATE accounts SET created_at = now() - interval '3 days' WHERE id = ${anyCustomer.id}`.execute(
      t.database.db,
    );
    const res = await admin.get('/api/v1/dashboard?days=7&timezone=Asia/Tokyo');
    const per = res.json().createdPerDay;
    expect(per.timezone).toBe('Asia/Tokyo');
    expect(per.days).toHaveLength(7);
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Tokyo' }).format(new Date());
    expect(per.days[6].date).toBe(today);
    const total = per.days.reduce((s: number, d: { count: number }) => s + d.count, 0);
    // The 6 live customers, all within the week (the 2 resellers are not customers).
    expect(total).toBe(6);
    expect(per.days.filter((d: { count: number }) => d.count === 0).length).toBeGreaterThanOrEqual(5);
  });

  it("shows a reseller only its own subtree (another reseller's customers never count)", async () => {
    const res = await resellerA.get('/api/v1/dashboard');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.customers).toEqual({ total: 1, active: 1, inactive: 0, prepaid: 0, postpaid: 1 });
    expect(body.newest.map((n: { name: string }) => n.name)).toEqual(['A-only customer']);
    expect(body.newest[0].resellerName).not.toBeNull();
    const created = body.createdPerDay.days.reduce((s: number, d: { count: number }) => s + d.count, 0);
    expect(created).toBe(1);
    expect(resellerAId).toBeGreaterThan(0);
  });

  it('the chart counts the accounts its card counts (customers only, not resellers or providers)', async () => {
    await admin.post('/api/v1/providers', customerBody({ name: 'Chart provider' }));
    for (const c of [admin, resellerA]) {
      const body = (await c.get('/api/v1/dashboard?days=30')).json();
      const charted = body.createdPerDay.days.reduce((s: number, d: { count: number }) => s + d.count, 0);
      // Every live customer here was made within the 30 days, so the chart's sum is the card.
      expect(charted).toBe(body.customers.total);
    }
  });

  it('refuses a customer and a bad time zone', async () => {
    await admin.post(
      '/api/v1/customers',
      customerBody({ portalUsername: 'dash-cust', password: 'customer-pass-1' }),
    );
    const customer = await Client.login(t.app, 'dash-cust', 'customer-pass-1');
    expectError(await customer.get('/api/v1/dashboard'), 403, 'FORBIDDEN');
    expectError(
      await admin.get('/api/v1/dashboard?timezone=Mars/Olympus'),
      400,
      'VALIDATION_FAILED',
      'timezone',
    );
    expectError(await admin.get('/api/v1/dashboard?days=0'), 400, 'VALIDATION_FAILED', 'days');
  });
});

/*
 * The money cards, scenario with hand-computed values (one currency per row, never summed across):
 *   USD  prepaid  +100            -> balance 100, owes 0, ok (threshold 5)
 *   USD  prepaid  +3              -> low (3 <= 5)
 *   USD  postpaid limit 500, -200 -> owes 200, granted 500, metric 300: ok
 *   USD  postpaid limit 100, -98  -> owes 98, granted 100, metric 2: low
 *   USD  postpaid unlimited, -50  -> owes 50, unlimited: never low
 *   EUR  prepaid  -10 (overdraft) -> owes 10, metric -10: zero
 *   EUR  postpaid limit 200, -100, percent threshold 60% -> metric 100 <= 120: low
 *   reseller R's customer: USD prepaid +7 with threshold 10 -> low; R sees only it
 */
describe.each(testDatabaseKinds())('dashboard money and today on %s', (kind) => {
  let t: TestApp;
  let admin: Client;
  let reseller: Client;
  const ids: Record<string, number> = {};

  const post = (c: Client, url: string, body: unknown) =>
    c.request('POST', url, body, { 'idempotency-key': newKey() });
  async function customer(key: string, over: Record<string, unknown>, by?: Client) {
    const res = await (by ?? admin).post('/api/v1/customers', customerBody(over));
    expect(res.statusCode, res.body).toBe(201);
    ids[key] = res.json().id;
  }
  const setBalance = (id: number, balance: string) =>
    sql`UPDATE accounts SET balance = ${balance} WHERE id = ${id}`.execute(t.database.db);

  beforeAll(async () => {
    t = await createTestApp(kind);
    admin = await adminLogin(t.app);
    const r = await admin.post(
      '/api/v1/resellers',
      customerBody({ portalUsername: 'money-res', password: 'money-res-pass-1' }),
    );
    expect(r.statusCode, r.body).toBe(201);
    reseller = await Client.login(t.app, 'money-res', 'money-res-pass-1');
    await customer('rich', {});
    await customer('low', {});
    await customer('post', { mode: 'postpaid', creditLimit: '500' });
    await customer('postLow', { mode: 'postpaid', creditLimit: '100' });
    await customer('unl', { mode: 'postpaid', unlimitedCredit: true });
    await customer('eurOver', { currency: 'EUR', country: 'FR', timezone: 'Europe/Paris' });
    await customer('eurPct', {
      currency: 'EUR',
      country: 'FR',
      timezone: 'Europe/Paris',
      mode: 'postpaid',
      creditLimit: '200',
    });
    await customer('resCust', {}, reseller);
    // Payments through the ledger (PAYMENT entries), then balances set to the scenario's.
    expect(
      (await post(admin, `/api/v1/customers/${ids.rich}/refills`, { amount: '100', reason: 'Wire' }))
        .statusCode,
    ).toBe(201);
    expect(
      (await post(admin, `/api/v1/customers/${ids.low}/refills`, { amount: '3', reason: 'Card' })).statusCode,
    ).toBe(201);
    // A payment made two days ago is not today's (posted with a clock two days back).
    const twoDaysAgo: Ctx = {
      actor: { kind: 'admin', userId: null, apiKeyId: null, label: 'user:dash@example.com' },
      db: t.database.db,
      now: () => new Date(Date.now() - 2 * 86_400_000),
    };
    await ledgerService.postRefill(twoDaysAgo, 'customer', ids.eurOver!, newKey(), {
      amount: '12.34',
      reason: 'Card',
    });
    expect(
      (await post(reseller, `/api/v1/customers/${ids.resCust}/refills`, { amount: '7', reason: 'Cash' }))
        .statusCode,
    ).toBe(201);
    await setBalance(ids.post!, '-200');
    await setBalance(ids.postLow!, '-98');
    await setBalance(ids.unl!, '-50');
    await setBalance(ids.eurOver!, '-10');
    await setBalance(ids.eurPct!, '-100');
    await sql`INSERT INTO notification_settings (account_id, threshold_type, threshold_percent)
              VALUES (${ids.eurPct}, 'percent', 60)`.execute(t.database.db);
    await sql`INSERT INTO notification_settings (account_id, threshold_amount)
              VALUES (${ids.resCust}, 10)`.execute(t.database.db);
  });
  afterAll(async () => t?.close());

  it('sums balances, credit in use and credit granted per currency, and counts the low ones', async () => {
    const body = (await admin.get('/api/v1/dashboard?timezone=America/New_York')).json();
    expect(body.money).toEqual([
      {
        currency: 'EUR',
        accounts: 2,
        balance: '-110.000000',
        creditInUse: '110.000000',
        creditGranted: '200.000000',
        unlimited: 0,
        lowBalance: 2,
        zeroBalance: 1,
      },
      {
        currency: 'USD',
        accounts: 6,
        balance: '-238.000000',
        creditInUse: '348.000000',
        creditGranted: '600.000000',
        unlimited: 1,
        lowBalance: 3,
        zeroBalance: 0,
      },
    ]);
    expect(body.lowBalance).toBe(5);
  });

  it('links the low-balance count to a customer list that holds exactly those customers', async () => {
    const list = (await admin.get('/api/v1/customers?lowBalance=true&limit=100')).json();
    expect(list.data.map((a: { id: number }) => a.id).sort()).toEqual(
      [ids.low, ids.postLow, ids.eurOver, ids.eurPct, ids.resCust].sort(),
    );
    expect(list.total).toBe(5);
    const mine = (await reseller.get('/api/v1/customers?lowBalance=true')).json();
    expect(mine.data.map((a: { id: number }) => a.id)).toEqual([ids.resCust]);
    expectError(
      await admin.get('/api/v1/customers?lowBalance=maybe'),
      400,
      'VALIDATION_FAILED',
      'lowBalance',
    );
  });

  it("counts today's payments per currency in the viewer's zone, and no calls card before any CDR", async () => {
    const body = (await admin.get('/api/v1/dashboard?timezone=America/New_York')).json();
    expect(body.today.timezone).toBe('America/New_York');
    expect(body.today.date).toBe(
      new Intl.DateTimeFormat('en-CA', { timeZone: 'America/New_York' }).format(new Date()),
    );
    // 100 + 3 (admin's) + 7 (the reseller's customer); the EUR payment was two days ago.
    expect(body.today.payments).toEqual([{ currency: 'USD', count: 3, amount: '110.000000' }]);
    expect(body.today.calls).toBeNull();
  });

  it("counts today's calls, the answered ones and the revenue of the rated ones, per currency", async () => {
    const cdr = (id: number, callId: string, status: string, cost: string, answered: boolean, daysAgo = 0) =>
      sql`INSERT INTO cdrs (call_id, leg, account_id, status, no_reservation, source_ip, calling_number,
            called_number, started_at, answered_at, ended_at, duration_sec, billsec, disposition, sip_code,
            hangup_cause, charged_sec, cost)
          VALUES (${callId}, 'a', ${id}, ${status}, false, '192.0.2.1', '100', '200',
            now() - ${`${daysAgo} days`}::interval, ${answered ? sql`now() - ${`${daysAgo} days`}::interval` : null},
            now() - ${`${daysAgo} days`}::interval, 60, ${answered ? 60 : 0}, ${answered ? 'ANSWERED' : 'NO ANSWER'},
            ${answered ? 200 : 487}, 'NORMAL_CLEARING', ${answered ? 60 : 0}, ${cost})`.execute(
        t.database.db,
      );
    await cdr(ids.rich!, 'c1', 'rated', '0.123456', true);
    await cdr(ids.rich!, 'c2', 'rated', '1.5', true);
    await cdr(ids.low!, 'c3', 'denied', '0', false);
    await cdr(ids.eurOver!, 'c4', 'rated', '2.25', true);
    await cdr(ids.resCust!, 'c5', 'rated', '0.5', true);
    await cdr(ids.rich!, 'c6', 'rated', '9', true, 3);
    const body = (await admin.get('/api/v1/dashboard?timezone=America/New_York')).json();
    expect(body.today.calls).toEqual([
      { currency: 'EUR', calls: 1, answered: 1, rated: 1, revenue: '2.250000' },
      // The reseller's customer's 0.50 is the reseller's revenue; the operator's is the reseller's
      // buy-rate line (none in these bare CDRs), as in the usage chart.
      { currency: 'USD', calls: 4, answered: 3, rated: 3, revenue: '1.623456' },
    ]);
    const mine = (await reseller.get('/api/v1/dashboard?timezone=America/New_York')).json();
    expect(mine.today.calls).toEqual([
      { currency: 'USD', calls: 1, answered: 1, rated: 1, revenue: '0.500000' },
    ]);
    expect(mine.today.payments).toEqual([{ currency: 'USD', count: 1, amount: '7.000000' }]);
    expect(mine.money).toEqual([
      {
        currency: 'USD',
        accounts: 1,
        balance: '7.000000',
        creditInUse: '0.000000',
        creditGranted: '0.000000',
        unlimited: 0,
        lowBalance: 1,
        zeroBalance: 0,
      },
    ]);
  });
});

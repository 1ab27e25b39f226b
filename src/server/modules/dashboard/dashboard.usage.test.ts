import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../platform/db/database.js';
import { Client, customerBody, expectError } from '../../../../test/app.js';
import { testDatabaseKinds } from '../../../../test/databases.js';
import { createReseller } from '../../../../test/resellers.js';
import { ok } from '../../../../test/connectivity.js';
import type { Actor } from '../../platform/context.js';
import * as usage from './dashboard.usage.repository.js';
import { readsHourly } from './dashboard.window.js';
import { addTrunkWithHost, makeRateGroup, startCallPathApp } from '../../../../test/call-path.js';

/*
 * Issue 13: the dashboard's calls, minutes, revenue, cost and margin per day, and its top
 * destinations, hand-computed. Now is 2026-12-03 09:00 UTC (04:00 in New York). Every rate is
 * per second (increments 1/1), no connect fee, so cost = per-minute price x billsec / 60.
 *
 *   customer        currency  rates (code name)                    provider cost (USD)
 *   C1 (ours)       USD       44 United Kingdom 0.06, 49 Germany 0.03   44 0.02, 49 0.01, 33 0.015
 *   C2 (ours)       EUR       33 France 0.05
 *   C3 (reseller R) USD       44 United Kingdom 0.10; R buys 44 at 0.04 (USD)
 *
 *   CDR  customer  number    started (UTC)   = New York       billsec  customer   R line  provider
 *   d1   C1        4420...   12-03 08:00     12-03 03:00      120      0.12       -       0.04
 *   d2   C1        4930...   12-03 03:00     12-02 22:00       60      0.03       -       0.01
 *   d3   C1        4420...   12-03 08:10     12-03 03:10        0 (no answer)
 *   d4   C2        3310...   12-03 07:00     12-03 02:00      180      0.15 EUR   -       0.045
 *   d5   C3        4420...   12-03 06:00     12-03 01:00      300      0.50       0.20    0.10
 *
 * The operator's revenue is what the accounts it bills directly paid: C1 and C2 their charges, R
 * its buy-rate line (0.20, not C3's 0.50); its cost is the provider's. In New York:
 *   12-02: 1 call, 1.00 min; USD revenue 0.03, cost 0.01, margin 0.02
 *   12-03: 4 calls (3 answered), 2 + 3 + 5 = 10.00 min;
 *          USD revenue 0.12 + 0.20 = 0.32, cost 0.04 + 0.045 + 0.10 = 0.185, margin 0.135;
 *          EUR revenue 0.15, cost 0, margin 0.15 (the carrier bills C2's calls in USD: never netted)
 * Reseller R sees C3 only: 12-03 1 call, 5.00 min, USD revenue 0.50, cost 0.20 (its own line), margin 0.30.
 */

describe.each(testDatabaseKinds())('dashboard usage and top destinations on %s', (kind) => {
  let app: FastifyInstance;
  let database: Database;
  const clock = Date.UTC(2026, 11, 3, 9, 0, 0);
  let admin: Client;
  let sw: Client;
  let reseller: Client;
  let customerClient: Client;
  const ids: Record<string, number> = {};
  let group: (name: string, currency: string, rates: [string, string, string][]) => Promise<number>;
  let withHost: (c: Client, id: number, cidr: string) => Promise<void>;

  const at = (h: number, m = 0) => Date.UTC(2026, 11, 3, h, m, 0);
  const iso = (ms: number) => new Date(ms).toISOString();
  function cdr(callId: string, sourceIp: string, calledNumber: string, startedAt: number, billsec: number) {
    return {
      callId,
      leg: 'A',
      sourceIp,
      callingNumber: '15551230000',
      calledNumber,
      startedAt: iso(startedAt),
      ...(billsec > 0 ? { answeredAt: iso(startedAt + 5_000) } : {}),
      endedAt: iso(startedAt + 5_000 + billsec * 1000),
      durationSec: billsec + 5,
      billsec,
      disposition: billsec > 0 ? 'ANSWERED' : 'NO ANSWER',
      sipCode: billsec > 0 ? 200 : 487,
      hangupCause: 'NORMAL_CLEARING',
      egressTrunk: 'carrier',
    };
  }

  beforeAll(async () => {
    ({ app, database, admin, sw } = await startCallPathApp(kind, {
      now: () => new Date(clock),
      switchKeyName: 'switch',
    }));
    group = async (name: string, currency: string, rates: [string, string, string][]) => {
      const g = await makeRateGroup(
        admin,
        { name, currency },
        rates.map(([prefix, destination, ratePerMin]) => ({
          prefix,
          destination,
          ratePerMin,
          initialIncrement: 1,
          billingIncrement: 1,
          effectiveFrom: iso(clock - 7 * 86_400_000),
        })),
      );
      return g.id as number;
    };
    const sellUsd = await group('dash-sell-usd', 'USD', [
      ['44', 'United Kingdom', '0.06'],
      ['49', 'Germany', '0.03'],
    ]);
    const sellEur = await group('dash-sell-eur', 'EUR', [['33', 'France', '0.05']]);
    const sellR = await group('dash-sell-r', 'USD', [['44', 'United Kingdom', '0.10']]);
    const buyR = await group('dash-buy-r', 'USD', [['44', 'United Kingdom', '0.04']]);
    const carrier = await group('dash-carrier', 'USD', [
      ['44', 'UK', '0.02'],
      ['49', 'DE', '0.01'],
      ['33', 'FR', '0.015'],
    ]);
    withHost = async (c: Client, id: number, cidr: string) => {
      await addTrunkWithHost(c, id, cidr);
    };
    const c1 = await ok(
      admin.post(
        '/api/v1/customers',
        customerBody({ initialBalance: '100.00', password: 'customer-pass-1x' }),
      ),
      201,
    );
    await withHost(admin, c1.id, '192.0.2.10/32');
    customerClient = await Client.login(app, c1.accountNumber, 'customer-pass-1x');
    const c2 = await ok(
      admin.post('/api/v1/customers', customerBody({ currency: 'EUR', initialBalance: '100.00' })),
      201,
    );
    await withHost(admin, c2.id, '192.0.2.20/32');
    const r = await createReseller(app, admin);
    reseller = r.client;
    ids.r = r.id;
    const c3 = await ok(r.client.post('/api/v1/customers', customerBody({ initialBalance: '100.00' })), 201);
    await withHost(r.client, c3.id, '192.0.2.30/32');
    const provider = await ok(admin.post('/api/v1/customers', customerBody({ name: 'Dash Carrier' })), 201);
    await ok(admin.post(`/api/v1/customers/${provider.id}/trunks`, { name: 'carrier' }), 201);
    Object.assign(ids, { c1: c1.id, c2: c2.id, c3: c3.id, r: r.id, provider: provider.id });
    for (const [id, g] of [
      [c1.id, sellUsd],
      [c2.id, sellEur],
      [c3.id, sellR],
      [r.id, buyR],
      [provider.id, carrier],
    ])
      await database.db.updateTable('accounts').set({ rate_group_id: g }).where('id', '=', id).execute();
    await database.db
      .updateTable('accounts')
      .set({ roles: ['provider'] })
      .where('id', '=', provider.id)
      .execute();
    await app.callAuth.engine.loader.sync();
  });
  afterAll(async () => {
    await app?.close();
    await database?.close();
  });

  it('shows no traffic and an empty top list before any CDR', async () => {
    const u = await ok(admin.get('/api/v1/dashboard/usage?days=2&timezone=America/New_York'));
    expect(u).toMatchObject({ currencies: [], totals: { calls: 0, minutes: '0.00', money: [] } });
    expect(u.days.map((d: { date: string }) => d.date)).toEqual(['2026-12-02', '2026-12-03']);
    const top = await ok(admin.get('/api/v1/dashboard/top-destinations'));
    expect(top).toEqual({ timezone: 'UTC', from: '2026-11-27', to: '2026-12-03', data: [] });
  });

  it('posts the CDRs: each charge, line and provider cost is what the table above says', async () => {
    const body = await ok(
      sw.post('/api/v1/cdrs', {
        cdrs: [
          cdr('dash-d1', '192.0.2.10', '44201234', at(8), 120),
          cdr('dash-d2', '192.0.2.10', '49301234', at(3), 60),
          cdr('dash-d3', '192.0.2.10', '44201235', at(8, 10), 0),
          cdr('dash-d4', '192.0.2.20', '33101234', at(7), 180),
          cdr('dash-d5', '192.0.2.30', '44201236', at(6), 300),
        ],
      }),
    );
    expect(body).toMatchObject({ created: 5, refused: 0 });
    expect(body.results.map((r: { cdr: { cost: string } }) => r.cdr.cost)).toEqual([
      '0.120000',
      '0.030000',
      '0.000000',
      '0.150000',
      '0.500000',
    ]);
  });

  it('gives the operator its revenue, cost and margin per New York day, per currency', async () => {
    const u = await ok(admin.get('/api/v1/dashboard/usage?days=2&timezone=America/New_York'));
    expect(u.currencies).toEqual(['EUR', 'USD']);
    expect(u.days).toEqual([
      {
        date: '2026-12-02',
        calls: 1,
        answered: 1,
        minutes: '1.00',
        money: [
          { currency: 'EUR', revenue: '0.000000', cost: '0.000000', margin: '0.000000' },
          { currency: 'USD', revenue: '0.030000', cost: '0.010000', margin: '0.020000' },
        ],
      },
      {
        date: '2026-12-03',
        calls: 4,
        answered: 3,
        minutes: '10.00',
        money: [
          { currency: 'EUR', revenue: '0.150000', cost: '0.000000', margin: '0.150000' },
          { currency: 'USD', revenue: '0.320000', cost: '0.185000', margin: '0.135000' },
        ],
      },
    ]);
    expect(u.totals).toEqual({
      calls: 5,
      answered: 4,
      minutes: '11.00',
      money: [
        { currency: 'EUR', revenue: '0.150000', cost: '0.000000', margin: '0.150000' },
        { currency: 'USD', revenue: '0.350000', cost: '0.195000', margin: '0.155000' },
      ],
    });
  });

  it("gives the home page's Today card the same revenue as the usage chart's last day", async () => {
    const home = await ok(admin.get('/api/v1/dashboard?timezone=America/New_York'));
    expect(home.today.date).toBe('2026-12-03');
    // Calls per account currency (C2's call is EUR); revenue as the chart counts it: C1's 0.12 and
    // R's buy-rate line 0.20 (not C3's 0.50) in USD, C2's 0.15 in EUR.
    expect(home.today.calls).toEqual([
      { currency: 'EUR', calls: 1, answered: 1, rated: 1, revenue: '0.150000' },
      { currency: 'USD', calls: 3, answered: 2, rated: 3, revenue: '0.320000' },
    ]);
    const mine = await ok(reseller.get('/api/v1/dashboard?timezone=America/New_York'));
    expect(mine.today.calls).toEqual([
      { currency: 'USD', calls: 1, answered: 1, rated: 1, revenue: '0.500000' },
    ]);
  });

  it("counts days in the viewer's zone: in UTC every call is on 3 December", async () => {
    const u = await ok(admin.get('/api/v1/dashboard/usage?days=2&timezone=UTC'));
    expect(u.days.map((d: { date: string; calls: number }) => [d.date, d.calls])).toEqual([
      ['2026-12-02', 0],
      ['2026-12-03', 5],
    ]);
  });

  it("gives a reseller its customers' payments as revenue and its own buy rate as cost", async () => {
    const u = await ok(reseller.get('/api/v1/dashboard/usage?days=2&timezone=America/New_York'));
    expect(u.currencies).toEqual(['USD']);
    expect(u.days[0]).toEqual({
      date: '2026-12-02',
      calls: 0,
      answered: 0,
      minutes: '0.00',
      money: [{ currency: 'USD', revenue: '0.000000', cost: '0.000000', margin: '0.000000' }],
    });
    expect(u.totals).toEqual({
      calls: 1,
      answered: 1,
      minutes: '5.00',
      money: [{ currency: 'USD', revenue: '0.500000', cost: '0.200000', margin: '0.300000' }],
    });
  });

  it('lists the top destinations by minutes, with the country of their code', async () => {
    const top = await ok(admin.get('/api/v1/dashboard/top-destinations?days=7&timezone=America/New_York'));
    expect(top.data).toEqual([
      {
        code: '44',
        codeName: 'United Kingdom',
        country: 'GB',
        calls: 3,
        answered: 2,
        minutes: '7.00',
        // C1's 0.12 + R's line 0.20; provider 0.04 + 0.10.
        money: [{ currency: 'USD', revenue: '0.320000', cost: '0.140000', margin: '0.180000' }],
      },
      {
        code: '33',
        codeName: 'France',
        country: 'FR',
        calls: 1,
        answered: 1,
        minutes: '3.00',
        money: [
          { currency: 'EUR', revenue: '0.150000', cost: '0.000000', margin: '0.150000' },
          { currency: 'USD', revenue: '0.000000', cost: '0.045000', margin: '-0.045000' },
        ],
      },
      {
        code: '49',
        codeName: 'Germany',
        country: 'DE',
        calls: 1,
        answered: 1,
        minutes: '1.00',
        money: [{ currency: 'USD', revenue: '0.030000', cost: '0.010000', margin: '0.020000' }],
      },
    ]);
    const two = await ok(admin.get('/api/v1/dashboard/top-destinations?limit=2'));
    expect(two.data.map((d: { code: string }) => d.code)).toEqual(['44', '33']);
    const mine = await ok(reseller.get('/api/v1/dashboard/top-destinations'));
    expect(mine.data).toEqual([
      {
        code: '44',
        codeName: 'United Kingdom',
        country: 'GB',
        calls: 1,
        answered: 1,
        minutes: '5.00',
        money: [{ currency: 'USD', revenue: '0.500000', cost: '0.200000', margin: '0.300000' }],
      },
    ]);
  });

  it('refuses customers, bad zones and uncapped parameters', async () => {
    expectError(await customerClient.get('/api/v1/dashboard/usage'), 403, 'FORBIDDEN');
    expectError(await customerClient.get('/api/v1/dashboard/top-destinations'), 403, 'FORBIDDEN');
    expectError(
      await admin.get('/api/v1/dashboard/usage?timezone=Mars/Base'),
      400,
      'VALIDATION_FAILED',
      'timezone',
    );
    expect((await admin.get('/api/v1/dashboard/usage?days=93')).statusCode).toBe(400);
    expect((await admin.get('/api/v1/dashboard/top-destinations?limit=51')).statusCode).toBe(400);
  });

  it('keeps daily usage summaries per customer day, country, code name and code, equal to their CDRs', async () => {
    const rows = await database.db
      .selectFrom('cdr_daily_usage')
      .select(['account_id', 'day', 'country', 'code_name', 'code', 'calls', 'answered', 'billsec', 'cost'])
      .where('account_id', 'in', [ids.c1, ids.c2, ids.c3])
      .orderBy('account_id')
      .orderBy('day')
      .execute();
    const day = (d: unknown) => (d instanceof Date ? d.toISOString().slice(0, 10) : String(d).slice(0, 10));
    expect(rows.map((r) => ({ ...r, day: day(r.day) }))).toEqual([
      // The customers' zone is New York: d2 is C1's 2 December.
      {
        account_id: ids.c1,
        day: '2026-12-02',
        country: 'DE',
        code_name: 'Germany',
        code: '49',
        calls: 1,
        answered: 1,
        billsec: '60.000',
        cost: '0.030000',
      },
      {
        account_id: ids.c1,
        day: '2026-12-03',
        country: 'GB',
        code_name: 'United Kingdom',
        code: '44',
        calls: 2,
        answered: 1,
        billsec: '120.000',
        cost: '0.120000',
      },
      {
        account_id: ids.c2,
        day: '2026-12-03',
        country: 'FR',
        code_name: 'France',
        code: '33',
        calls: 1,
        answered: 1,
        billsec: '180.000',
        cost: '0.150000',
      },
      {
        account_id: ids.c3,
        day: '2026-12-03',
        country: 'GB',
        code_name: 'United Kingdom',
        code: '44',
        calls: 1,
        answered: 1,
        billsec: '300.000',
        cost: '0.500000',
      },
    ]);
    // And in general: the summaries are exactly the sums of their CDRs (country and name included).
    const r = await sql<{ n: number; groups: number }>`
    WITH s AS (
      SELECT c.account_id, (c.started_at AT TIME ZONE a.timezone)::date AS day,
             coalesce(r.destination, '') AS code_name, coalesce(c.rate_prefix, '') AS code,
             coalesce((SELECT d.country FROM dial_codes d WHERE c.rate_prefix LIKE d.code || '%'
                        ORDER BY length(d.code) DESC LIMIT 1), '') AS country,
             count(*)::int AS calls, (count(*) FILTER (WHERE c.billsec > 0))::int AS answered,
             sum(c.billsec) AS billsec, sum(c.charged_sec)::bigint AS charged_sec, sum(c.cost) AS cost
        FROM cdrs c JOIN accounts a ON a.id = c.account_id LEFT JOIN rates r ON r.id = c.rate_id
       GROUP BY 1, 2, 3, 4, 5),
    u AS (
      SELECT account_id, day, code_name, code, country, calls, answered, billsec, charged_sec, cost
        FROM cdr_daily_usage)
    SELECT (SELECT count(*) FROM (SELECT * FROM s EXCEPT SELECT * FROM u) x)::int
         + (SELECT count(*) FROM (SELECT * FROM u EXCEPT SELECT * FROM s) y)::int AS n,
           (SELECT count(*) FROM u)::int AS groups`.execute(database.db);
    expect(r.rows[0]).toEqual({ n: 0, groups: 4 });
  });

  it('finds the country of a code by its longest dial code (NANP split by area code)', async () => {
    const countryOf = async (code: string) =>
      (
        await sql<{ country: string }>`
          SELECT d.country FROM dial_codes d
           WHERE d.code IN (left(${code}, 1), left(${code}, 2), left(${code}, 3), left(${code}, 4))
           ORDER BY length(d.code) DESC LIMIT 1`.execute(database.db)
      ).rows[0]?.country;
    expect(await countryOf('1212')).toBe('US');
    expect(await countryOf('1416555')).toBe('CA');
    expect(await countryOf('1876')).toBe('JM');
    expect(await countryOf('7701')).toBe('KZ');
    expect(await countryOf('74951')).toBe('RU');
    expect(await countryOf('35312')).toBe('IE');
    expect(await countryOf('3')).toBeUndefined();
  });

  it('nested resellers: each viewer earns what the account just below it paid and pays its own line', async () => {
    // R2 under R, customer C4 under R2; C4 sells 44 at 0.12, R2 buys at 0.08, R still at 0.04.
    // d6: C4 calls 4420... for 60 s today: C4 0.12, R2's line 0.08, R's line 0.04, provider 0.02.
    const r2 = await createReseller(app, reseller);
    ids.r2 = r2.id;
    const c4 = await ok(r2.client.post('/api/v1/customers', customerBody({ initialBalance: '10.00' })), 201);
    await withHost(r2.client, c4.id, '192.0.2.40/32');
    const sellC4 = await group('dash-sell-c4', 'USD', [['44', 'United Kingdom', '0.12']]);
    const buyR2 = await group('dash-buy-r2', 'USD', [['44', 'United Kingdom', '0.08']]);
    for (const [id, g] of [
      [c4.id, sellC4],
      [r2.id, buyR2],
    ])
      await database.db.updateTable('accounts').set({ rate_group_id: g }).where('id', '=', id).execute();
    await app.callAuth.engine.loader.sync();
    await ok(sw.post('/api/v1/cdrs', { cdrs: [cdr('dash-d6', '192.0.2.40', '44201237', at(8, 30), 60)] }));
    const usd = async (c: Client) =>
      (await ok(c.get('/api/v1/dashboard/usage?days=2&timezone=America/New_York'))).totals;
    // R: C3's 0.50 + R2's line 0.08 = 0.58; its lines 0.20 + 0.04 = 0.24.
    expect(await usd(reseller)).toEqual({
      calls: 2,
      answered: 2,
      minutes: '6.00',
      money: [{ currency: 'USD', revenue: '0.580000', cost: '0.240000', margin: '0.340000' }],
    });
    expect(await usd(r2.client)).toEqual({
      calls: 1,
      answered: 1,
      minutes: '1.00',
      money: [{ currency: 'USD', revenue: '0.120000', cost: '0.080000', margin: '0.040000' }],
    });
    // The operator: R's line 0.04 more (0.35 + 0.04), the provider's 0.02 more (0.195 + 0.02).
    expect((await usd(admin)).money).toEqual([
      { currency: 'EUR', revenue: '0.150000', cost: '0.000000', margin: '0.150000' },
      { currency: 'USD', revenue: '0.390000', cost: '0.215000', margin: '0.175000' },
    ]);
  });

  it('reads the hourly summaries exactly as the raw CDRs, for every viewer, and keeps them when raw CDRs go', async () => {
    const viewers: Actor[] = [
      { kind: 'admin', userId: null, apiKeyId: null, label: 'admin' },
      { kind: 'reseller', userId: 0, accountId: ids.r!, label: 'R', impersonatorUserId: null },
      { kind: 'reseller', userId: 0, accountId: ids.r2!, label: 'R2', impersonatorUserId: null },
    ];
    const w = { firstDay: '2026-12-01', lastDay: '2026-12-03', timezone: 'America/New_York' };
    const db = database.db;
    const raw = async (v: Actor) => ({
      traffic: await usage.trafficPerDay(db, v, w),
      money: await usage.moneyPerDay(db, v, w),
      top: await usage.topDestinations(db, v, w, 10),
    });
    const hourly = async (v: Actor) => ({
      traffic: await usage.trafficPerDayHourly(db, v, w),
      money: await usage.moneyPerDayHourly(db, v, w),
      top: await usage.topDestinationsHourly(db, v, w, 10),
    });
    const before = [];
    for (const v of viewers) {
      const r = await raw(v);
      expect(r.traffic.length).toBeGreaterThan(0);
      expect(await hourly(v)).toEqual(r);
      before.push(r);
    }
    // New York's days are whole UTC hours; India's (+05:30) are not: the raw CDRs answer there.
    expect(readsHourly(w)).toBe(true);
    expect(readsHourly({ ...w, timezone: 'Asia/Kolkata' })).toBe(false);
    expect(readsHourly({ ...w, timezone: 'Asia/Kathmandu' })).toBe(false);
    // Raw CDRs past their retention are dropped; the chart and top list keep their days.
    const chart = await ok(admin.get('/api/v1/dashboard/usage?days=3&timezone=America/New_York'));
    const top = await ok(admin.get('/api/v1/dashboard/top-destinations?days=3&timezone=America/New_York'));
    await sql`DELETE FROM cdr_lines`.execute(db);
    await sql`DELETE FROM cdrs`.execute(db);
    expect(await ok(admin.get('/api/v1/dashboard/usage?days=3&timezone=America/New_York'))).toEqual(chart);
    expect(
      await ok(admin.get('/api/v1/dashboard/top-destinations?days=3&timezone=America/New_York')),
    ).toEqual(top);
    for (const [i, v] of viewers.entries()) expect(await hourly(v)).toEqual(before[i]);
  });
});

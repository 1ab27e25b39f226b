import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../platform/db/database.js';
import { heldFor } from '../call-auth/index.js';
import { Client, customerBody } from '../../../../test/app.js';
import { testDatabaseKinds } from '../../../../test/databases.js';
import { ok } from '../../../../test/connectivity.js';
import { makeCallingCustomer, makeRateGroup, startCallPathApp } from '../../../../test/call-path.js';

/*
 * CDR intake and exact rating (DOMAIN 5) over HTTP on a real database: hand-computed costs with
 * the reservation's snapshot, idempotent replays (sequential and concurrent), a rate changed
 * mid-call, CDRs without reservation, malformed CDRs in a batch, holds freed, firstUsedAt.
 */

describe.each(testDatabaseKinds())('CDR intake and rating on %s', (kind) => {
  let app: FastifyInstance;
  let database: Database;
  const clock = Date.UTC(2026, 11, 3, 9, 0, 0);
  let admin: Client;
  let sw: Client;
  let customer: any;
  let group: any;
  let seq = 0;

  const synced = () => app.callAuth.engine.loader.sync();
  const iso = (ms: number) => new Date(ms).toISOString();

  /** Authorizes a call to `calledNumber` and ends it answered after `billsec`. */
  async function liveCall(calledNumber: string, billsec: number, sourceIp = '192.0.2.10') {
    const callId = `cdr-call-${++seq}@switch`;
    const d = await ok(
      sw.post('/api/v1/calls/authorize', { callId, sourceIp, calledNumber, callingNumber: '15551230000' }),
    );
    expect(d.decision, JSON.stringify(d)).toBe('allow');
    await ok(
      sw.post(`/api/v1/calls/${encodeURIComponent(callId)}/end`, {
        answered: billsec > 0,
        durationSec: Math.ceil(billsec),
      }),
    );
    return callId;
  }

  function cdr(callId: string, calledNumber: string, billsec: number, over: Record<string, unknown> = {}) {
    return {
      callId,
      leg: 'A',
      sourceIp: '192.0.2.10',
      callingNumber: '15551230000',
      calledNumber,
      startedAt: iso(clock - 120_000),
      ...(billsec > 0 ? { answeredAt: iso(clock - 110_000) } : {}),
      endedAt: iso(clock - 110_000 + Math.ceil(billsec) * 1000),
      durationSec: billsec + 10,
      billsec,
      disposition: billsec > 0 ? 'ANSWERED' : 'NO ANSWER',
      sipCode: billsec > 0 ? 200 : 487,
      hangupCause: 'NORMAL_CLEARING',
      ...over,
    };
  }

  const post = (cdrs: unknown[], by: Client = sw) => by.post('/api/v1/cdrs', { cdrs });

  const balanceOf = async (id: number) =>
    (
      await database.db
        .selectFrom('accounts')
        .select('balance')
        .where('id', '=', id)
        .executeTakeFirstOrThrow()
    ).balance;
  const entriesFor = (callId: string) =>
    database.db
      .selectFrom('ledger_entries')
      .select(['amount', 'type'])
      .where('idempotency_key', '=', `cdr:${callId}:A`)
      .execute();

  const rate = (prefix: string, r: Record<string, unknown>) =>
    ok(
      admin.post(`/api/v1/rate-groups/${group.id}/rates`, {
        prefix,
        effectiveFrom: iso(clock - 86_400_000),
        ...r,
      }),
      201,
    );

  beforeAll(async () => {
    ({ app, database, admin, sw } = await startCallPathApp(kind, {
      now: () => new Date(clock),
      switchKeyName: 'kamailio',
    }));
    group = await makeRateGroup(admin, { name: 'cdr-retail', currency: 'USD' });
    await rate('441', { ratePerMin: '0.06', initialIncrement: 60, billingIncrement: 60 });
    await rate('442', { ratePerMin: '0.012', connectFee: '0.01', initialIncrement: 30, billingIncrement: 6 });
    await rate('443', { ratePerMin: '0.06', initialIncrement: 1, billingIncrement: 1 });
    await rate('445', { ratePerMin: '0.03', connectFee: '0.05', initialIncrement: 1, billingIncrement: 1 });
    await rate('446', { ratePerMin: '0.06', includedSeconds: 20, initialIncrement: 1, billingIncrement: 1 });
    ({ customer } = await makeCallingCustomer(
      admin,
      { rateGroupId: group.id, initialBalance: '10.00' },
      '192.0.2.0/24',
    ));
    await synced();
  });
  afterAll(async () => {
    await app?.close();
    await database?.close();
  });

  it.each([
    ['60/60: 47 s bills 60 s', '4411000', 47, 60, '0.060000'],
    ['30/6 with a connect fee: 47 s bills 48 s (DOMAIN 5 example)', '4421000', 47, 48, '0.019600'],
    ['30/6 minimum: 5 s bills the first 30 s block', '4421001', 5, 30, '0.016000'],
    ['1/1: 47 s bills 47 s', '4431000', 47, 47, '0.047000'],
    ['1/1: 46.2 s rounds up to 47 s', '4431001', 46.2, 47, '0.047000'],
    ['connect fee: 10 s at 0.03 + 0.05', '4451000', 10, 10, '0.055000'],
    ['included seconds: 25 s with 20 free bills 5 s', '4461000', 25, 5, '0.005000'],
    ['included seconds: 15 s with 20 free costs nothing', '4461001', 15, 0, '0.000000'],
    ['unanswered: no connect fee', '4451001', 0, 0, '0.000000'],
  ])('%s', async (_name, number, billsec, chargedSec, cost) => {
    const callId = await liveCall(number, billsec);
    const before = await balanceOf(customer.id);
    const body = await ok(post([cdr(callId, number, billsec)]));
    expect(body).toMatchObject({ created: 1, replayed: 0, refused: 0 });
    expect(body.results[0]).toMatchObject({
      index: 0,
      outcome: 'created',
      cdr: { accountId: customer.id, status: 'rated', noReservation: false, chargedSec, cost },
      error: null,
    });
    const after = await balanceOf(customer.id);
    expect(Number(before) - Number(after)).toBeCloseTo(Number(cost), 6);
    const entries = await entriesFor(callId);
    if (cost === '0.000000') expect(entries).toEqual([]);
    else expect(entries).toEqual([{ type: 'CALL', amount: `-${cost}` }]);
  });

  it('the same batch twice charges once; the replay answers the stored result', async () => {
    const a = await liveCall('4431002', 30);
    const b = await liveCall('4421002', 47);
    const batch = [cdr(a, '4431002', 30), cdr(b, '4421002', 47)];
    const before = await balanceOf(customer.id);
    const first = await ok(post(batch));
    const second = await ok(post(batch));
    expect(first.created).toBe(2);
    expect(second).toMatchObject({ created: 0, replayed: 2, refused: 0 });
    expect(second.results.map((r: any) => r.cdr)).toEqual(first.results.map((r: any) => r.cdr));
    expect(await entriesFor(a)).toHaveLength(1);
    expect(await entriesFor(b)).toHaveLength(1);
    // 30 s at 1/1 = 0.03; 47 s at 30/6 = 0.0196
    expect(await balanceOf(customer.id)).toBe((Number(before) - 0.0496).toFixed(6));
  });

  it('concurrent replays of the same CDR charge once', async () => {
    const a = await liveCall('4411002', 61);
    const batch = [cdr(a, '4411002', 61)];
    const before = await balanceOf(customer.id);
    const answers = await Promise.all([post(batch), post(batch), post(batch), post(batch)]);
    const bodies = answers.map((r) => {
      expect(r.statusCode, r.body).toBe(200);
      return r.json();
    });
    expect(bodies.reduce((n, b) => n + b.created, 0)).toBe(1);
    expect(bodies.reduce((n, b) => n + b.replayed, 0)).toBe(3);
    expect(new Set(bodies.map((b) => b.results[0].cdr.id)).size).toBe(1);
    expect(await entriesFor(a)).toEqual([{ type: 'CALL', amount: '-0.120000' }]);
    expect(await balanceOf(customer.id)).toBe((Number(before) - 0.12).toFixed(6));
  });

  it('concurrent replays of a multi-CDR batch, and a CDR twice in one batch, charge once each', async () => {
    const batch = [0, 1, 2].map((i) => cdr(`multi-${i}`, '4431050', 30));
    const answers = await Promise.all([post(batch), post(batch), post(batch)]);
    const bodies = answers.map((r) => {
      expect(r.statusCode, r.body).toBe(200);
      return r.json();
    });
    expect(bodies.reduce((n, b) => n + b.created, 0)).toBe(3);
    expect(bodies.reduce((n, b) => n + b.replayed, 0)).toBe(6);
    for (const i of [0, 1, 2])
      expect(await entriesFor(`multi-${i}`)).toEqual([{ type: 'CALL', amount: '-0.030000' }]);
    const twice = await ok(post([cdr('twice-1', '4431051', 30), cdr('twice-1', '4431051', 30)]));
    expect(twice).toMatchObject({ created: 1, replayed: 1, refused: 0 });
    expect(twice.results[0].cdr).toEqual(twice.results[1].cdr);
    expect(await entriesFor('twice-1')).toHaveLength(1);
  });

  it('a rate changed mid-call has no effect: the reservation snapshot rates the call', async () => {
    const a = await liveCall('4439000', 60);
    await rate('4439', {
      ratePerMin: '0.60',
      initialIncrement: 1,
      billingIncrement: 1,
      effectiveFrom: iso(clock - 200_000),
    });
    await synced();
    const body = await ok(post([cdr(a, '4439000', 60)]));
    expect(body.results[0].cdr).toMatchObject({ status: 'rated', noReservation: false, cost: '0.060000' });
    // Without the reservation, the new, longer prefix (valid at the call's start) rates it.
    const fresh = await ok(post([cdr('no-hold-4439', '4439000', 60)]));
    expect(fresh.results[0].cdr).toMatchObject({ noReservation: true, cost: '0.600000' });
  });

  it('a CDR without reservation is rated by a fresh lookup at its start time and flagged', async () => {
    const body = await ok(post([cdr('never-authorized-1', '4431003', 47)]));
    expect(body.results[0].cdr).toMatchObject({
      accountId: customer.id,
      status: 'rated',
      noReservation: true,
      chargedSec: 47,
      cost: '0.047000',
    });
    expect(await entriesFor('never-authorized-1')).toEqual([{ type: 'CALL', amount: '-0.047000' }]);
  });

  it('a malformed CDR is refused with its index and field; the good ones commit', async () => {
    const good1 = cdr('batch-good-1', '4431004', 10);
    const bad = { ...cdr('batch-bad-1', '4431005', 10), calledNumber: undefined };
    const bad2 = cdr('batch-bad-2', '4431006', 10, { billsec: -1 });
    const bad3 = cdr('batch-bad-3', '4431007', 10, { endedAt: iso(clock - 300_000) });
    const good2 = cdr('batch-good-2', '4431008', 20);
    const body = await ok(post([good1, bad, bad2, bad3, good2]));
    expect(body).toMatchObject({ created: 2, refused: 3 });
    expect(body.results.map((r: any) => [r.index, r.outcome, r.error?.field ?? null])).toEqual([
      [0, 'created', null],
      [1, 'refused', 'calledNumber'],
      [2, 'refused', 'billsec'],
      [3, 'refused', 'endedAt'],
      [4, 'created', null],
    ]);
    expect(body.results[1].error.code).toBe('CDR_INVALID');
    expect(await entriesFor('batch-good-2')).toEqual([{ type: 'CALL', amount: '-0.020000' }]);
  });

  it('the hold of an answered call is freed once its CDR is rated', async () => {
    const held0 = await heldFor(app.callAuth.engine, customer.id);
    const a = await liveCall('4431009', 30);
    expect(Number(await heldFor(app.callAuth.engine, customer.id))).toBeGreaterThan(Number(held0));
    await ok(post([cdr(a, '4431009', 30)]));
    expect(await heldFor(app.callAuth.engine, customer.id)).toBe(held0);
  });

  it("the customer's firstUsedAt is set by its first rated call", async () => {
    const fresh = await ok(
      admin.post('/api/v1/customers', customerBody({ rateGroupId: group.id, initialBalance: '1.00' })),
      201,
    );
    const trunk = await ok(admin.post(`/api/v1/customers/${fresh.id}/trunks`, { name: 'F' }), 201);
    await ok(admin.post(`/api/v1/trunks/${trunk.id}/hosts`, { cidr: '198.51.100.0/24' }), 201);
    await synced();
    const firstUsed = async () =>
      (
        await database.db
          .selectFrom('accounts')
          .select('first_used_at')
          .where('id', '=', fresh.id)
          .executeTakeFirstOrThrow()
      ).first_used_at;
    expect(await firstUsed()).toBeNull();
    await ok(post([cdr('fresh-unanswered', '4431010', 0, { sourceIp: '198.51.100.5' })]));
    expect(await firstUsed()).toBeNull();
    const a = await liveCall('4431011', 12, '198.51.100.5');
    await ok(post([cdr(a, '4431011', 12, { sourceIp: '198.51.100.5' })]));
    expect((await firstUsed())?.toISOString()).toBe(iso(clock - 120_000));
  });

  it('an admin key may post CDRs; reseller and customer users are refused', async () => {
    const { key } = await ok(admin.post('/api/v1/api-keys', { name: 'ops-cdr' }), 201);
    expect((await ok(post([cdr('admin-posted-1', '4431012', 1)], Client.withApiKey(app, key)))).created).toBe(
      1,
    );
    await ok(
      admin.post(
        '/api/v1/customers',
        customerBody({ portalUsername: 'cdr-cust', password: 'customer-pass-1' }),
      ),
      201,
    );
    const cust = await Client.login(app, 'cdr-cust', 'customer-pass-1');
    const res = await post([cdr('cust-posted-1', '4431013', 1)], cust);
    expect(res.statusCode).toBe(403);
    await ok(
      admin.post(
        '/api/v1/resellers',
        customerBody({ portalUsername: 'cdr-res', password: 'reseller-pass-1' }),
      ),
      201,
    );
    const res2 = await post(
      [cdr('res-posted-1', '4431014', 1)],
      await Client.login(app, 'cdr-res', 'reseller-pass-1'),
    );
    expect(res2.statusCode).toBe(403);
    expect(await entriesFor('cust-posted-1')).toEqual([]);
  });

  it("lists a customer's CDRs newest first, keyset paged, within a date range, in scope", async () => {
    const lister = await ok(
      admin.post(
        '/api/v1/customers',
        customerBody({
          rateGroupId: group.id,
          initialBalance: '1.00',
          portalUsername: 'cdr-lister',
          password: 'customer-pass-1',
          portalPermissions: ['cdrs'],
        }),
      ),
      201,
    );
    const trunk = await ok(admin.post(`/api/v1/customers/${lister.id}/trunks`, { name: 'L' }), 201);
    await ok(admin.post(`/api/v1/trunks/${trunk.id}/hosts`, { cidr: '203.0.113.0/24' }), 201);
    await synced();
    const at = (i: number) => ({
      sourceIp: '203.0.113.9',
      startedAt: iso(clock - 3_600_000 * (i + 1)),
      answeredAt: iso(clock - 3_600_000 * (i + 1)),
      endedAt: iso(clock - 3_600_000 * (i + 1) + 10_000),
    });
    await ok(post(Array.from({ length: 5 }, (_, i) => cdr(`list-${i}`, '4431020', 10, at(i)))));
    const url = `/api/v1/customers/${lister.id}/cdrs`;
    const p1 = await ok(admin.get(`${url}?limit=2`));
    expect(p1.data.map((c: any) => c.callId)).toEqual(['list-0', 'list-1']);
    expect(p1.data[0]).toMatchObject({
      status: 'rated',
      noReservation: true,
      chargedSec: 10,
      cost: '0.010000',
    });
    const p2 = await ok(admin.get(`${url}?limit=2&cursor=${p1.nextCursor}`));
    expect(p2.data.map((c: any) => c.callId)).toEqual(['list-2', 'list-3']);
    const p3 = await ok(admin.get(`${url}?limit=2&cursor=${p2.nextCursor}`));
    expect(p3).toMatchObject({ nextCursor: null });
    expect(p3.data.map((c: any) => c.callId)).toEqual(['list-4']);
    const ranged = await ok(
      admin.get(
        `${url}?from=${encodeURIComponent(iso(clock - 3_600_000 * 3))}&to=${encodeURIComponent(iso(clock - 3_600_000 * 1))}`,
      ),
    );
    expect(ranged.data.map((c: any) => c.callId)).toEqual(['list-1', 'list-2']);
    expect((await admin.get(`${url}?cursor=bm9wZQ`)).statusCode).toBe(400);
    const own = await Client.login(app, 'cdr-lister', 'customer-pass-1');
    expect((await ok(own.get(url))).data).toHaveLength(5);
    // Another customer's user sees nothing of it.
    expect((await own.get(`/api/v1/customers/${customer.id}/cdrs`)).statusCode).toBe(404);
  });

  it('a denied attempt is stored with its reason and zero cost', async () => {
    const d = await ok(
      sw.post('/api/v1/calls/authorize', {
        callId: 'denied-1',
        sourceIp: '192.0.2.10',
        calledNumber: '9991234',
        callingNumber: '15551230000',
      }),
    );
    expect(d).toMatchObject({ decision: 'deny', reason: 'NO_RATE' });
    const body = await ok(post([cdr('denied-1', '9991234', 0, { sipCode: 404, disposition: 'FAILED' })]));
    expect(body.results[0].cdr).toMatchObject({
      accountId: customer.id,
      status: 'denied',
      reason: 'NO_RATE',
      chargedSec: 0,
      cost: '0.000000',
    });
    expect(await entriesFor('denied-1')).toEqual([]);
  });

  it('a late CDR is rated even when it takes the balance below zero', async () => {
    const poor = await ok(
      admin.post('/api/v1/customers', customerBody({ rateGroupId: group.id, initialBalance: '0.01' })),
      201,
    );
    const trunk = await ok(admin.post(`/api/v1/customers/${poor.id}/trunks`, { name: 'P' }), 201);
    await ok(admin.post(`/api/v1/trunks/${trunk.id}/hosts`, { cidr: '198.18.0.0/24' }), 201);
    await synced();
    const body = await ok(post([cdr('late-1', '4431030', 600, { sourceIp: '198.18.0.7' })]));
    expect(body.results[0].cdr).toMatchObject({ status: 'rated', noReservation: true, cost: '0.600000' });
    expect(await balanceOf(poor.id)).toBe('-0.590000');
  });

  it('the daily usage equals the sum of its CDRs after all the batches and replays above', async () => {
    const r = await sql<{ n: number; groups: number }>`
    WITH s AS (
      SELECT c.account_id, (c.started_at AT TIME ZONE a.timezone)::date AS day, coalesce(c.rate_prefix, '') AS code,
             count(*)::int AS calls, (count(*) FILTER (WHERE c.billsec > 0))::int AS answered,
             sum(c.billsec) AS billsec, sum(c.charged_sec)::bigint AS charged_sec, sum(c.cost) AS cost
        FROM cdrs c JOIN accounts a ON a.id = c.account_id GROUP BY 1, 2, 3),
    u AS (
      SELECT account_id, day, code, sum(calls)::int AS calls, sum(answered)::int AS answered,
             sum(billsec) AS billsec, sum(charged_sec)::bigint AS charged_sec, sum(cost) AS cost
        FROM cdr_daily_usage GROUP BY 1, 2, 3)
    SELECT (SELECT count(*) FROM (SELECT * FROM s EXCEPT SELECT * FROM u) x)::int
         + (SELECT count(*) FROM (SELECT * FROM u EXCEPT SELECT * FROM s) y)::int AS n,
           (SELECT count(*) FROM u)::int AS groups`.execute(database.db);
    expect(r.rows[0].groups).toBeGreaterThan(1);
    expect(r.rows[0].n).toBe(0);
  });

  it('refuses a batch above 1,000 CDRs', async () => {
    const res = await post(Array.from({ length: 1001 }, (_, i) => cdr(`big-${i}`, '4431015', 1)));
    expect(res.statusCode).toBe(400);
  });
});

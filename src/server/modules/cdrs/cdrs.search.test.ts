import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminLogin, Client, createTestApp, customerBody, type TestApp } from '../../../../test/app.js';
import { testDatabaseKinds } from '../../../../test/databases.js';
import { createReseller, type TestReseller } from '../../../../test/resellers.js';
import { ok } from '../../../../test/connectivity.js';

/*
 * The customer's CDRs tab and the CDR search (issue #13) on a real database: every filter, keyset
 * pages that cover every row once, totals equal to the sum of the rows (per currency), the CSV,
 * the rating detail, and the scope (a reseller its subtree, a customer its own tab only).
 * The CDRs are written straight into the table: this is the read side, rating is tested elsewhere.
 */

describe.each(testDatabaseKinds())('CDR tab and search on %s', (kind) => {
  let t: TestApp;
  let admin: Client;
  let r1: TestReseller;
  let r2: TestReseller;
  let a: any; // r1's customer, USD
  let b: any; // r2's customer, EUR
  let aUser: Client;
  const day = Date.UTC(2026, 10, 20, 12, 0, 0);
  let n = 0;

  async function insertCdr(accountId: number | null, over: Record<string, unknown> = {}) {
    n++;
    const started = new Date(day + n * 60_000);
    const billsec = (over.billsec as string | undefined) ?? '47.000';
    const answered = Number(billsec) > 0;
    const row = await t.database.db
      .insertInto('cdrs')
      .values({
        call_id: `search-${n}@sw`,
        leg: 'A',
        account_id: accountId,
        status: 'rated',
        source_ip: '192.0.2.10',
        calling_number: '15551230000',
        called_number: '4420790000',
        started_at: started,
        answered_at: answered ? new Date(started.getTime() + 5000) : null,
        ended_at: new Date(started.getTime() + 60_000),
        duration_sec: '55.000',
        billsec,
        disposition: answered ? 'ANSWERED' : 'NO ANSWER',
        sip_code: answered ? 200 : 487,
        hangup_cause: 'NORMAL_CLEARING',
        rate_prefix: '4420',
        rate_per_min: '0.012000',
        connect_fee: '0.000000',
        charged_sec: answered ? 48 : 0,
        cost: answered ? '0.009600' : '0',
        ...over,
      } as any)
      .returning('id')
      .executeTakeFirstOrThrow();
    return Number(row.id);
  }

  beforeAll(async () => {
    t = await createTestApp(kind);
    admin = await adminLogin(t.app);
    r1 = await createReseller(t.app, admin);
    r2 = await createReseller(t.app, admin);
    a = await ok(
      r1.client.post(
        '/api/v1/customers',
        customerBody({ password: 'cust-a-pass-1', portalUsername: `cust-a-${Date.now()}` }),
      ),
      201,
    );
    b = await ok(r2.client.post('/api/v1/customers', customerBody({ currency: 'EUR' })), 201);
    aUser = await Client.login(t.app, a.portalUsername ?? a.accountNumber, 'cust-a-pass-1');
    // a: 30 answered London calls, 5 unanswered, 3 denied to 900, one with a formula in its cause.
    for (let i = 0; i < 30; i++) await insertCdr(a.id);
    for (let i = 0; i < 5; i++) await insertCdr(a.id, { billsec: '0.000', called_number: '4420790001' });
    for (let i = 0; i < 3; i++)
      await insertCdr(a.id, {
        status: 'denied',
        reason: 'BLOCKED_DESTINATION',
        billsec: '0.000',
        called_number: '9001234',
        disposition: 'REJECTED',
        sip_code: 403,
      });
    await insertCdr(a.id, { hangup_cause: '=cmd|calc', called_number: '3312345', cost: '1.234567' });
    // b: 4 answered calls from another host; an unknown caller (no account).
    for (let i = 0; i < 4; i++) await insertCdr(b.id, { source_ip: '203.0.113.5', cost: '0.100000' });
    await insertCdr(null, { status: 'denied', reason: 'UNKNOWN_SOURCE', billsec: '0.000', cost: '0' });
  });
  afterAll(async () => t?.close());

  /** Every row of a listing, walking nextCursor. */
  async function walk(c: Client, path: string, limit = 7) {
    const rows: any[] = [];
    let cursor: string | null = null;
    do {
      const sep = path.includes('?') ? '&' : '?';
      const url: string = `${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page = await ok(c.get(url));
      rows.push(...page.data);
      cursor = page.nextCursor;
    } while (cursor);
    return rows;
  }

  it("the customer's tab walks every CDR once, newest first, across pages", async () => {
    const rows = await walk(admin, `/api/v1/customers/${a.id}/cdrs`);
    expect(rows).toHaveLength(39);
    expect(new Set(rows.map((r) => r.id)).size).toBe(39);
    const starts = rows.map((r) => r.startedAt);
    expect([...starts].sort().reverse()).toEqual(starts);
    expect(rows.every((r) => r.accountId === a.id && r.currency === 'USD')).toBe(true);
  });

  it('filters by destination, answered only, disposition, reason and date range', async () => {
    const base = `/api/v1/customers/${a.id}/cdrs`;
    expect(await walk(admin, `${base}?destination=900`)).toHaveLength(3);
    expect(await walk(admin, `${base}?destination=4420790001`)).toHaveLength(5);
    expect(await walk(admin, `${base}?answeredOnly=true`)).toHaveLength(31);
    expect(await walk(admin, `${base}?disposition=NO%20ANSWER`)).toHaveLength(5);
    const denied = await walk(admin, `${base}?reason=BLOCKED_DESTINATION`);
    expect(denied.map((r) => r.status)).toEqual(['denied', 'denied', 'denied']);
    const from = new Date(day + 10 * 60_000).toISOString();
    const to = new Date(day + 20 * 60_000).toISOString();
    // Rows n = 10..19 start inside [from, to).
    expect(await walk(admin, `${base}?from=${from}&to=${to}`)).toHaveLength(10);
    const bad = await admin.get(`${base}?from=${to}&to=${from}`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('CDR_BAD_DATE_RANGE');
    const badDest = await admin.get(`${base}?destination=44%25`);
    expect(badDest.statusCode).toBe(400);
    const badCursor = await admin.get(`${base}?cursor=bm90LWEtY3Vyc29y`);
    expect(badCursor.json().error.code).toBe('CDR_BAD_CURSOR');
  });

  it('totals equal the sum of the listed rows, exactly', async () => {
    const rows = await walk(admin, `/api/v1/customers/${a.id}/cdrs`, 100);
    const totals = await ok(admin.get(`/api/v1/customers/${a.id}/cdrs/totals`));
    expect(totals.byCurrency).toHaveLength(1);
    const tot = totals.byCurrency[0];
    expect(tot.currency).toBe('USD');
    expect(tot.calls).toBe(rows.length);
    expect(tot.answered).toBe(rows.filter((r) => Number(r.billsec) > 0).length);
    expect(tot.denied).toBe(3);
    // 30 x 0.0096 + 1.234567 = 1.522567, summed in micro-units to stay exact.
    const micro = rows.reduce((s, r) => s + BigInt(r.cost.replace('.', '')), 0n);
    expect(micro).toBe(1_522_567n);
    expect(tot.cost).toBe('1.522567');
    expect(tot.billsec).toBe('1457.000');
    const answered = await ok(admin.get(`/api/v1/customers/${a.id}/cdrs/totals?answeredOnly=true`));
    expect(answered.byCurrency[0].calls).toBe(31);
  });

  it('exports the filtered CDRs as CSV, text cells guarded against formulas', async () => {
    const res = await admin.get(`/api/v1/customers/${a.id}/cdrs/export?destination=33`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/csv/);
    expect(res.headers['content-disposition']).toMatch(new RegExp(`cdrs_${a.accountNumber}_`));
    const lines = res.body.trim().split('\r\n');
    expect(lines[0]).toMatch(/^started_at,answered_at,ended_at,account_number/);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(",'=cmd|calc,");
    expect(lines[1]).toContain(',1.234567,USD,');
    const all = await admin.get(`/api/v1/customers/${a.id}/cdrs/export`);
    expect(all.body.trim().split('\r\n')).toHaveLength(40);
  });

  it('the operator searches across customers, with totals per currency', async () => {
    const all = await walk(admin, '/api/v1/cdrs', 50);
    expect(all).toHaveLength(39 + 4 + 1);
    const unknown = all.find((r) => r.reason === 'UNKNOWN_SOURCE');
    expect(unknown.accountId).toBeNull();
    expect(await walk(admin, `/api/v1/cdrs?customerId=${b.id}`)).toHaveLength(4);
    expect(await walk(admin, '/api/v1/cdrs?sourceIp=203.0.113.5')).toHaveLength(4);
    expect(await walk(admin, '/api/v1/cdrs?status=denied')).toHaveLength(4);
    const totals = await ok(admin.get('/api/v1/cdrs/totals'));
    const by = Object.fromEntries(totals.byCurrency.map((x: any) => [x.currency, x]));
    expect(by.USD.cost).toBe('1.522567');
    expect(by.EUR).toMatchObject({ calls: 4, cost: '0.400000' });
    expect(by.null).toMatchObject({ calls: 1, denied: 1 });
    const csv = await admin.get('/api/v1/cdrs/export?status=denied');
    expect(csv.body.trim().split('\r\n')).toHaveLength(5);
  });

  it('a reseller searches its subtree only; the others are not found', async () => {
    const mine = await walk(r1.client, '/api/v1/cdrs', 50);
    expect(mine).toHaveLength(39);
    expect(mine.every((r) => r.accountId === a.id)).toBe(true);
    expect(await walk(r1.client, `/api/v1/cdrs?customerId=${b.id}`)).toHaveLength(0);
    const totals = await ok(r1.client.get('/api/v1/cdrs/totals'));
    expect(totals.byCurrency.map((x: any) => x.currency)).toEqual(['USD']);
    expect((await r1.client.get(`/api/v1/customers/${b.id}/cdrs`)).statusCode).toBe(404);
    const foreign = (await walk(admin, `/api/v1/cdrs?customerId=${b.id}`))[0];
    expect((await r1.client.get(`/api/v1/cdrs/${foreign.id}`)).statusCode).toBe(404);
    const unknown = (await walk(admin, '/api/v1/cdrs?reason=UNKNOWN_SOURCE'))[0];
    expect((await r1.client.get(`/api/v1/cdrs/${unknown.id}`)).statusCode).toBe(404);
    const csv = await r1.client.get('/api/v1/cdrs/export');
    expect(csv.body.trim().split('\r\n')).toHaveLength(40);
  });

  it('a customer reads its own tab with the cdrs permission, never the search', async () => {
    expect((await aUser.get('/api/v1/cdrs')).statusCode).toBe(403);
    expect((await aUser.get(`/api/v1/customers/${b.id}/cdrs`)).statusCode).toBe(404);
    await ok(admin.patch(`/api/v1/customers/${a.id}`, { portalPermissions: ['balance'] }));
    const refused = await aUser.get(`/api/v1/customers/${a.id}/cdrs`);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('PORTAL_PERMISSION_REQUIRED');
    await ok(admin.patch(`/api/v1/customers/${a.id}`, { portalPermissions: ['balance', 'cdrs'] }));
    expect(await walk(aUser, `/api/v1/customers/${a.id}/cdrs`, 100)).toHaveLength(39);
  });

  it('the rating detail shows the snapshot, charged seconds, cost and ledger entry', async () => {
    const id = await insertCdr(a.id, {
      rate_id: 77,
      rate_group_id: 5,
      included_seconds: 0,
      initial_increment: 30,
      billing_increment: 6,
      connect_fee: '0.010000',
      cost: '0.019600',
      sip_username: 'dev-1',
    });
    const d = await ok(admin.get(`/api/v1/cdrs/${id}`));
    expect(d).toMatchObject({
      id,
      accountId: a.id,
      rateId: 77,
      rateGroupId: 5,
      initialIncrement: 30,
      billingIncrement: 6,
      connectFee: '0.010000',
      ratePerMin: '0.012000',
      chargedSec: 48,
      cost: '0.019600',
      sipUsername: 'dev-1',
      durationSec: '55.000',
    });
    expect((await admin.get('/api/v1/cdrs/999999999')).json().error.code).toBe('CDR_NOT_FOUND');
  });
});

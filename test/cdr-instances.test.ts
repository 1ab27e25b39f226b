/**
 * Issue 13, proof: CDR batches are charged exactly once across server instances and across a
 * crash. Real server processes (`npm start`'s entry point) on one PostgreSQL database:
 *   - two instances receive the same overlapping batches, concurrently and retried: every CDR is
 *     stored once (0 lost), every call has one CALL entry (0 doubled), the ledger's CALL sum equals
 *     the sum of the CDRs' costs (and the independently computed costs), and every balance is the
 *     sum of its account's entries with balance_after chained in posting order;
 *   - an instance killed (SIGKILL) while a batch transaction is open: after a restart the same
 *     batches are sent again and each call is charged once, nothing half-written survives.
 * PostgreSQL only: PGlite is one process per data folder.
 */
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { Decimal } from 'decimal.js';
import { callCost } from '../src/server/modules/rating/index.js';
import { testDatabaseKinds } from './databases.js';
import { killStartedServers, startServer, type Started } from './processes.js';

afterAll(() => killStartedServers());

const EMAIL = 'cdr-instances@example.com';
const PASSWORD = 'cdr-instances-pass-1';
const CUSTOMERS = 24;
const T0 = Date.UTC(2026, 11, 1, 12, 0, 0);

/** The rates every customer buys at; the test prices each CDR with them on its own. */
const RATES = [
  {
    prefix: '441',
    ratePerMin: '0.06',
    connectFee: '0',
    initialIncrement: 60,
    billingIncrement: 60,
    includedSeconds: 0,
  },
  {
    prefix: '442',
    ratePerMin: '0.012',
    connectFee: '0.01',
    initialIncrement: 30,
    billingIncrement: 6,
    includedSeconds: 0,
  },
  {
    prefix: '443',
    ratePerMin: '0.0733',
    connectFee: '0',
    initialIncrement: 1,
    billingIncrement: 1,
    includedSeconds: 0,
  },
];

async function session(port: number) {
  const login = await fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: EMAIL, password: PASSWORD }),
  });
  expect(login.status).toBe(200);
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  const headers = { cookie, 'x-csrf-token': csrfToken, 'content-type': 'application/json' };
  return async (url: string, body: unknown) => {
    const r = await fetch(`http://127.0.0.1:${port}/api/v1${url}`, {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
    });
    const text = await r.text();
    if (r.status >= 300) throw new Error(`${url}: ${r.status} ${text}`);
    return JSON.parse(text);
  };
}

interface Cdr {
  callId: string;
  leg: string;
  sourceIp: string;
  callingNumber: string;
  calledNumber: string;
  startedAt: string;
  answeredAt?: string;
  endedAt: string;
  durationSec: number;
  billsec: number;
  disposition: string;
  sipCode: number;
  hangupCause: string;
}

function makeCdr(tag: string, i: number): Cdr {
  const customer = i % CUSTOMERS;
  const rate = RATES[i % RATES.length];
  const billsec = i % 7 === 0 ? 0 : ((i * 37) % 400) + (i % 5 === 0 ? 0.4 : 0);
  const start = T0 + i * 1000;
  return {
    callId: `${tag}-${i}@sw`,
    leg: 'A',
    sourceIp: `10.77.${customer}.9`,
    callingNumber: '15550000000',
    calledNumber: `${rate.prefix}${String(1_000_000 + i)}`,
    startedAt: new Date(start).toISOString(),
    ...(billsec > 0 ? { answeredAt: new Date(start + 2000).toISOString() } : {}),
    endedAt: new Date(start + 2000 + Math.ceil(billsec) * 1000).toISOString(),
    durationSec: Math.ceil(billsec) + 2,
    billsec,
    disposition: billsec > 0 ? 'ANSWERED' : 'NO ANSWER',
    sipCode: billsec > 0 ? 200 : 487,
    hangupCause: 'NORMAL_CLEARING',
  };
}

const expectedCost = (c: Cdr) =>
  callCost(
    RATES.find((r) => c.calledNumber.startsWith(r.prefix))!,
    c.billsec,
  );

async function postBatch(port: number, key: string, cdrs: Cdr[]) {
  const r = await fetch(`http://127.0.0.1:${port}/api/v1/cdrs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ cdrs }),
  });
  const text = await r.text();
  if (r.status !== 200) throw new Error(`POST /cdrs: ${r.status} ${text}`);
  return JSON.parse(text) as { created: number; replayed: number; refused: number };
}

/** The invariants after any mix of batches, replays and crashes, for the CDRs `all`. */
async function checkExactlyOnce(db: pg.Client, all: Cdr[]) {
  const ids = all.map((c) => c.callId);
  const stored = await db.query(
    `SELECT count(*)::int AS n, count(DISTINCT (call_id, leg))::int AS d, coalesce(sum(cost), 0)::text AS cost
       FROM cdrs WHERE call_id = ANY($1)`,
    [ids],
  );
  expect(stored.rows[0].n, 'CDRs stored (0 lost, 0 doubled)').toBe(all.length);
  expect(stored.rows[0].d).toBe(all.length);
  const want = all.reduce((s, c) => s.plus(expectedCost(c)), new Decimal(0));
  expect(new Decimal(stored.rows[0].cost).toFixed(6), 'sum of CDR costs').toBe(want.toFixed(6));
  const entries = await db.query(
    `SELECT count(*)::int AS n, count(DISTINCT idempotency_key)::int AS d, coalesce(-sum(amount), 0)::text AS total
       FROM ledger_entries WHERE type = 'CALL' AND external_ref = ANY($1)`,
    [ids],
  );
  const paid = all.filter((c) => new Decimal(expectedCost(c)).gt(0)).length;
  expect(entries.rows[0].n, 'one CALL entry per charged call').toBe(paid);
  expect(entries.rows[0].d).toBe(paid);
  expect(new Decimal(entries.rows[0].total).toFixed(6), 'ledger sum = sum of CDR costs').toBe(
    want.toFixed(6),
  );
  // Each CDR points at its own entry, of its own amount.
  const mismatched = await db.query(
    `SELECT count(*)::int AS n FROM cdrs c LEFT JOIN ledger_entries e ON e.id = c.ledger_entry_id
      WHERE c.call_id = ANY($1)
        AND ((c.cost > 0 AND (e.id IS NULL OR e.amount <> -c.cost OR e.idempotency_key <> 'cdr:' || c.call_id || ':' || c.leg))
          OR (c.cost = 0 AND c.ledger_entry_id IS NOT NULL))`,
    [ids],
  );
  expect(mismatched.rows[0].n).toBe(0);
  // Balances reconcile: cached = sum of entries = newest balance_after, chained in seq order.
  const broken = await db.query(`
    WITH per AS (
      SELECT account_id, amount, balance_after,
             sum(amount) OVER (PARTITION BY account_id ORDER BY seq) AS running,
             row_number() OVER (PARTITION BY account_id ORDER BY seq DESC) AS newest
        FROM ledger_entries)
    SELECT a.id FROM accounts a LEFT JOIN per p ON p.account_id = a.id
     GROUP BY a.id, a.balance
    HAVING a.balance <> coalesce(sum(p.amount), 0)
        OR a.balance <> coalesce(max(p.balance_after) FILTER (WHERE p.newest = 1), 0)
        OR count(*) FILTER (WHERE p.balance_after <> p.running) > 0`);
  expect(broken.rows, 'accounts whose balance does not reconcile').toEqual([]);
  // The daily usage equals the sum of its CDRs, per customer, local day and code.
  const usage = await db.query(`
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
           (SELECT count(*) FROM u)::int AS groups`);
  expect(usage.rows[0].n, 'daily usage rows that differ from their CDRs').toBe(0);
  expect(usage.rows[0].groups).toBeGreaterThan(0);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('CDR batches across instances and crashes', () => {
  it.runIf(testDatabaseKinds().includes('postgres'))(
    'on PostgreSQL: two instances, overlapping retried batches, kill -9 mid-batch: each call charged once',
    { timeout: 300_000 },
    async () => {
      const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
      await admin.connect();
      const name = `tollgate_cdr_inst_${Date.now()}`;
      await admin.query(`CREATE DATABASE ${name}`);
      const url = new URL(process.env.TEST_DATABASE_URL!);
      url.pathname = `/${name}`;
      const db = new pg.Client({ connectionString: url.toString() });
      const env = {
        DATABASE_URL: url.toString(),
        DATA_DIR: '/nonexistent',
        TOLLGATE_ADMIN_EMAIL: EMAIL,
        TOLLGATE_ADMIN_PASSWORD: PASSWORD,
      };
      const started: Started[] = [];
      const start = async () => {
        const s = startServer(env);
        started.push(s);
        return { s, port: await s.port };
      };
      const t0 = performance.now();
      try {
        // Setup on one instance, which is then stopped: the instances under test load it all at boot.
        const setup = await start();
        const post = await session(setup.port);
        const { key } = await post('/api-keys', { name: 'switch', role: 'switch' });
        const group = await post('/rate-groups', { name: 'inst-retail', currency: 'USD' });
        for (const r of RATES)
          await post(`/rate-groups/${group.id}/rates`, {
            ...r,
            effectiveFrom: new Date(T0 - 86_400_000).toISOString(),
          });
        for (let i = 0; i < CUSTOMERS; i++) {
          const c = await post('/customers', {
            name: `Instance customer ${i}`,
            country: 'US',
            timezone: 'UTC',
            currency: 'USD',
            rateGroupId: group.id,
            initialBalance: '100.00',
          });
          const t = await post(`/customers/${c.id}/trunks`, { name: 'Main' });
          await post(`/trunks/${t.id}/hosts`, { cidr: `10.77.${i}.0/24` });
        }
        console.log(`cdr instances: setup done in ${Math.round(performance.now() - t0)} ms`);
        setup.s.child.kill('SIGTERM');
        await setup.s.exited;
        await db.connect();

        // 1. Two instances, the same overlapping batches on both, each sent twice, concurrently.
        const [a, b] = await Promise.all([start(), start()]);
        const cdrs = Array.from({ length: 2400 }, (_, i) => makeCdr('dup', i));
        const batches = Array.from({ length: 11 }, (_, k) => cdrs.slice(k * 200, k * 200 + 400));
        const jobs = [a.port, b.port].flatMap((port, n) =>
          [...batches, ...batches].map((batch, k) => ({
            port,
            batch: k % 2 === n ? batch : [...batch].reverse(),
          })),
        );
        const totals = { created: 0, replayed: 0, refused: 0 };
        let next = 0;
        await Promise.all(
          Array.from({ length: 6 }, async () => {
            while (next < jobs.length) {
              const j = jobs[next++];
              const r = await postBatch(j.port, key, j.batch);
              totals.created += r.created;
              totals.replayed += r.replayed;
              totals.refused += r.refused;
            }
          }),
        );
        expect(totals.created, 'created once each across both instances').toBe(cdrs.length);
        expect(totals.refused).toBe(0);
        expect(totals.created + totals.replayed).toBe(jobs.reduce((n, j) => n + j.batch.length, 0));
        await checkExactlyOnce(db, cdrs);
        console.log(`cdr instances: two-instance phase done at ${Math.round(performance.now() - t0)} ms`);
        b.s.child.kill('SIGTERM');
        await b.s.exited;

        // 2. kill -9 while a batch transaction is open, then restart and send everything again.
        const crashCdrs = Array.from({ length: 6000 }, (_, i) => makeCdr('crash', i));
        const crashBatches = Array.from({ length: 6 }, (_, k) => crashCdrs.slice(k * 1000, k * 1000 + 1000));
        const posting = Promise.allSettled(crashBatches.map((batch) => postBatch(a.port, key, batch)));
        let caught = false;
        for (let i = 0; i < 2000 && !caught; i++) {
          const open = await db.query(
            `SELECT count(*)::int AS n FROM pg_stat_activity
              WHERE datname = $1 AND state IN ('active', 'idle in transaction')
                AND (query ILIKE '%insert into cdrs%' OR query ILIKE '%ledger_entries%' OR query ILIKE '%first_used_at%')`,
            [name],
          );
          if (open.rows[0].n > 0) caught = true;
          else await sleep(5);
        }
        expect(caught, 'a batch transaction was open at the kill').toBe(true);
        a.s.child.kill('SIGKILL');
        await a.s.exited;
        await posting;
        const kept = await db.query(`SELECT count(*)::int AS n FROM cdrs WHERE call_id LIKE 'crash-%'`);
        const c = await start();
        const again = await Promise.all(crashBatches.map((batch) => postBatch(c.port, key, batch)));
        expect(again.reduce((n, r) => n + r.created, 0)).toBe(crashCdrs.length - kept.rows[0].n);
        expect(again.reduce((n, r) => n + r.replayed, 0)).toBe(kept.rows[0].n);
        await checkExactlyOnce(db, [...cdrs, ...crashCdrs]);
        console.log(
          `cdr instances: ${totals.created} created + ${totals.replayed} replayed over two instances; ` +
            `kill -9 with ${kept.rows[0].n}/${crashCdrs.length} crash CDRs committed, the rest on retry`,
        );
        c.s.child.kill('SIGTERM');
        await c.s.exited;
      } catch (err) {
        for (const s of started)
          console.error(
            s
              .output()
              .split('\n')
              .filter((l) => l.includes('"level":50'))
              .slice(0, 2)
              .join('\n')
              .slice(0, 3000),
          );
        throw err;
      } finally {
        for (const s of started) if (s.child.exitCode === null) s.child.kill('SIGKILL');
        await db.end().catch(() => {});
        await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await admin.end();
      }
    },
  );
});

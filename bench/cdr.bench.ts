/**
 * CDR intake throughput on PostgreSQL: `npm run bench:cdr` (issue 13).
 *
 * Seeds BENCH_CUSTOMERS customers (default 100,000), each with a trunk and a /32 host, on one rate
 * group, in its own database `tollgate_bench_cdr` (dropped and re-created). Then, in the same run:
 *   1. intake: BENCH_CDRS CDRs (default 1,000,000) posted over HTTP to a real server (buildApp,
 *      listening on a port) in batches of BENCH_BATCH (1,000), BENCH_CONCURRENCY batches in flight:
 *      each rated (fresh lookup: no reservation), stored once on (call_id, leg), debited by its
 *      CALL ledger entry, the balances moved, all per batch in one transaction;
 *   2. floor: the same rows as a raw batched INSERT (unnest, one statement per batch, same
 *      concurrency) into a bare table with no index, no key and no ledger.
 * Prints both rates and their ratio (targets: >= 20,000 CDRs/s, ratio >= 0.4), checks that the
 * ledger's CALL sum equals the CDRs' costs, and writes bench/results/cdr.json. With a local
 * server it also prints the CPU time each phase cost per 1,000 CDRs (this process, and the
 * PostgreSQL backends of the bench database from /proc): steadier than rates on a loaded machine.
 *
 * Environment: BENCH_DATABASE_URL (default TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres),
 * BENCH_CUSTOMERS, BENCH_CDRS, BENCH_BATCH, BENCH_CONCURRENCY, BENCH_POOL, BENCH_DB_NAME (the database
 * the bench drops and re-creates, default tollgate_bench_cdr).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { sql } from 'kysely';
import type { AddressInfo } from 'node:net';
import { buildApp } from '../src/server/app.js';
import { systemActor } from '../src/server/platform/context.js';
import { openDatabase, type Database } from '../src/server/platform/db/database.js';
import { migrateToLatest } from '../src/server/platform/db/migrate.js';
import { ensureFirstAdmin } from '../src/server/modules/auth/index.js';

const DB_NAME = process.env.BENCH_DB_NAME ?? 'tollgate_bench_cdr';
const env = process.env;
const serverUrl =
  env.BENCH_DATABASE_URL || env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const CUSTOMERS = Number(env.BENCH_CUSTOMERS ?? 100_000);
const CDRS = Number(env.BENCH_CDRS ?? 1_000_000);
const BATCH = Number(env.BENCH_BATCH ?? 1000);
const CONCURRENCY = Number(env.BENCH_CONCURRENCY ?? 4);
const POOL = Number(env.BENCH_POOL ?? 10);
const EMAIL = 'bench-cdr@example.com';
const PASSWORD = 'bench-cdr-password-1';
/** The CDRs start at the current month's first day: they land in its partition, not in DEFAULT. */
const T0 = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), 1);

async function recreateDatabase(): Promise<string> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${DB_NAME}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${DB_NAME}`;
  return url.toString();
}

/** Customer i (0-based) sends from 10.(i >> 16).(i >> 8 & 255).(i & 255). */
const ipOf = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

async function seed(database: Database): Promise<void> {
  const db = database.db;
  const g = await sql<{ id: number }>`
    INSERT INTO rate_groups (name, currency) VALUES ('bench retail', 'USD') RETURNING id`.execute(db);
  const group = g.rows[0].id;
  await sql`
    INSERT INTO rates (rate_group_id, prefix, rate_per_min, connect_fee, initial_increment, billing_increment, effective_from)
    VALUES (${group}, '1', 0.01, 0, 6, 6, '2026-01-01'), (${group}, '44', 0.02, 0, 1, 1, '2026-01-01'),
           (${group}, '442', 0.012, 0.01, 30, 6, '2026-01-01'), (${group}, '49', 0.06, 0, 60, 60, '2026-01-01'),
           (${group}, '33', 0.0333, 0.001, 1, 1, '2026-01-01')`.execute(db);
  await sql`
    INSERT INTO accounts (account_number, name, country, timezone, currency, mode, unlimited_credit, rate_group_id)
    SELECT (2000000000 + g)::text, 'Bench ' || g, 'US', 'UTC', 'USD', 'postpaid', true, ${group}
      FROM generate_series(0, ${CUSTOMERS - 1}) g`.execute(db);
  await sql`
    INSERT INTO trunks (account_id, name) SELECT id, 'Main' FROM accounts WHERE account_number LIKE '2%'`.execute(
    db,
  );
  await sql`
    INSERT INTO hosts (trunk_id, account_id, cidr)
    SELECT t.id, t.account_id,
           ('10.' || ((n >> 16) & 255) || '.' || ((n >> 8) & 255) || '.' || (n & 255) || '/32')::cidr
      FROM (SELECT t.*, (a.account_number::bigint - 2000000000) AS n FROM trunks t JOIN accounts a ON a.id = t.account_id) t`.execute(
    db,
  );
}

const NUMBERS = ['1', '44', '442', '49', '33'];

function cdrOf(i: number) {
  const billsec = i % 5 === 0 ? 0 : (i * 7919) % 600;
  const start = T0 + i * 10;
  return {
    callId: `bench-${i}@sw`,
    leg: 'A',
    sourceIp: ipOf((i * 7) % CUSTOMERS),
    callingNumber: '15550001111',
    calledNumber: `${NUMBERS[i % NUMBERS.length]}${String(2_000_000_000 + i)}`,
    startedAt: new Date(start).toISOString(),
    ...(billsec > 0 ? { answeredAt: new Date(start + 3000).toISOString() } : {}),
    endedAt: new Date(start + 3000 + billsec * 1000).toISOString(),
    durationSec: billsec + 3,
    billsec,
    disposition: billsec > 0 ? 'ANSWERED' : 'NO ANSWER',
    sipCode: billsec > 0 ? 200 : 487,
    hangupCause: 'NORMAL_CLEARING',
  };
}

/**
 * CPU seconds used so far by the PostgreSQL backends connected to the bench database, read from
 * /proc (a local server only; null elsewhere). With this process's own CPU time it gives the work
 * a phase costs, which on a loaded machine is steadier than its wall time.
 */
async function backendTicks(database: Database): Promise<Map<number, number> | null> {
  const r = await sql<{ pid: number }>`SELECT pid FROM pg_stat_activity WHERE datname = ${DB_NAME}`.execute(
    database.db,
  );
  const out = new Map<number, number>();
  for (const { pid } of r.rows) {
    try {
      const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      out.set(pid, Number(f[11]) + Number(f[12])); // utime + stime, in clock ticks
    } catch {
      return null;
    }
  }
  return out;
}

async function cpuOf(
  database: Database,
  run: () => Promise<void>,
): Promise<{ nodeMs: number; pgMs: number | null }> {
  const before = await backendTicks(database);
  const c0 = process.cpuUsage();
  await run();
  const c = process.cpuUsage(c0);
  const after = await backendTicks(database);
  let pgMs: number | null = null;
  if (before && after) {
    pgMs = 0;
    for (const [pid, t] of after) pgMs += ((t - (before.get(pid) ?? 0)) * 1000) / 100; // USER_HZ = 100
  }
  return { nodeMs: Math.round((c.user + c.system) / 1000), pgMs };
}

async function inParallel(batches: number, run: (b: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < batches) await run(next++);
    }),
  );
}

async function main() {
  const url = await recreateDatabase();
  const database = await openDatabase({ databaseUrl: url, poolSize: POOL });
  await migrateToLatest(database.db);
  const s0 = performance.now();
  await seed(database);
  const seedMs = performance.now() - s0;
  await ensureFirstAdmin(
    { actor: systemActor, db: database.db, now: () => new Date() },
    { email: EMAIL, password: PASSWORD, generate: () => PASSWORD },
  );
  const app = await buildApp({
    config: {
      logLevel: 'silent',
      sessionTtlHours: 12,
      cookieSecure: false,
      trustProxy: false,
      serveUi: false,
    },
    database,
    logger: false,
    loginAttemptsPerMinute: 10_000,
    callAuth: { sweepIntervalMs: 0 },
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/api/v1`;
  const login = await fetch(`${base}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: EMAIL, password: PASSWORD }),
  });
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  const keyRes = await fetch(`${base}/api-keys`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
    body: JSON.stringify({ name: 'bench switch', role: 'switch' }),
  });
  const { key } = (await keyRes.json()) as { key: string };
  await app.callAuth.engine.loader.sync();
  if (env.BENCH_NO_NOTIFY)
    await sql`ALTER TABLE accounts DISABLE TRIGGER accounts_call_auth_upd`.execute(database.db);

  const batches = Math.ceil(CDRS / BATCH);
  const bodies = (b: number) =>
    Array.from({ length: Math.min(BATCH, CDRS - b * BATCH) }, (_, k) => cdrOf(b * BATCH + k));

  // 1. Intake over HTTP.
  let created = 0;
  const i0 = performance.now();
  const intakeCpu = await cpuOf(database, () =>
    inParallel(batches, async (b) => {
      const r = await fetch(`${base}/cdrs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({ cdrs: bodies(b) }),
      });
      if (r.status !== 200) throw new Error(`batch ${b}: ${r.status} ${await r.text()}`);
      const out = (await r.json()) as { created: number; refused: number };
      if (out.refused) throw new Error(`batch ${b}: ${out.refused} refused`);
      created += out.created;
    }),
  );
  const intakeMs = performance.now() - i0;

  // 2. The floor: the same rows, raw, into a bare table.
  await sql`CREATE TABLE cdr_raw (LIKE cdrs INCLUDING DEFAULTS)`.execute(database.db);
  await sql`ALTER TABLE cdr_raw DROP COLUMN id`.execute(database.db);
  const r0 = performance.now();
  const rawCpu = await cpuOf(database, () =>
    inParallel(batches, async (b) => {
      const rows = bodies(b);
      const col = <T>(f: (c: ReturnType<typeof cdrOf>) => T) => rows.map(f);
      await sql`
      INSERT INTO cdr_raw (call_id, leg, status, source_ip, calling_number, called_number, started_at,
        answered_at, ended_at, duration_sec, billsec, disposition, sip_code, hangup_cause)
      SELECT * FROM unnest(${col((c) => c.callId)}::text[], ${col((c) => c.leg)}::text[],
        ${col(() => 'rated')}::text[], ${col((c) => c.sourceIp)}::text[], ${col((c) => c.callingNumber)}::text[],
        ${col((c) => c.calledNumber)}::text[], ${col((c) => c.startedAt)}::timestamptz[],
        ${col((c) => c.answeredAt ?? null)}::timestamptz[], ${col((c) => c.endedAt)}::timestamptz[],
        ${col((c) => c.durationSec)}::numeric[], ${col((c) => c.billsec)}::numeric[],
        ${col((c) => c.disposition)}::text[], ${col((c) => c.sipCode)}::int[], ${col((c) => c.hangupCause)}::text[])`.execute(
        database.db,
      );
    }),
  );
  const rawMs = performance.now() - r0;

  const check = await sql<{ cdrs: number; cost: string; ledger: string }>`
    SELECT (SELECT count(*)::int FROM cdrs) AS cdrs, (SELECT coalesce(sum(cost), 0)::text FROM cdrs) AS cost,
           (SELECT coalesce(-sum(amount), 0)::text FROM ledger_entries WHERE type = 'CALL') AS ledger`.execute(
    database.db,
  );
  await app.close();
  await database.close();

  const per1000 = (ms: number | null) => (ms === null ? null : Math.round((ms * 1000) / CDRS));
  const intakeRate = CDRS / (intakeMs / 1000);
  const rawRate = CDRS / (rawMs / 1000);
  const result = {
    when: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    loadAverage: os.loadavg().map((l) => Number(l.toFixed(2))),
    customers: CUSTOMERS,
    cdrs: CDRS,
    batch: BATCH,
    concurrency: CONCURRENCY,
    seedMs: Math.round(seedMs),
    intake: { ms: Math.round(intakeMs), perSec: Math.round(intakeRate), created },
    raw: { ms: Math.round(rawMs), perSec: Math.round(rawRate) },
    ratio: Number((intakeRate / rawRate).toFixed(3)),
    /** CPU milliseconds per 1,000 CDRs: this process (server + client) and the PostgreSQL backends. */
    cpuPer1000: {
      intake: { node: per1000(intakeCpu.nodeMs), postgres: per1000(intakeCpu.pgMs) },
      raw: { node: per1000(rawCpu.nodeMs), postgres: per1000(rawCpu.pgMs) },
    },
    ledgerMatchesCosts: check.rows[0].cost === check.rows[0].ledger,
    stored: check.rows[0].cdrs,
  };
  console.log(
    `cdr intake: ${CDRS} CDRs over ${CUSTOMERS} customers, batches of ${BATCH} x ${CONCURRENCY} in flight\n` +
      `  intake over HTTP (rated, stored once, debited): ${result.intake.perSec} CDRs/s (${result.intake.ms} ms)\n` +
      `  raw batched INSERT, bare table:                 ${result.raw.perSec} CDRs/s (${result.raw.ms} ms)\n` +
      `  ratio ${result.ratio} (target >= 0.4); target >= 20,000 CDRs/s\n` +
      `  CPU ms per 1,000 CDRs (node / postgres): intake ${result.cpuPer1000.intake.node} / ${result.cpuPer1000.intake.postgres},` +
      ` raw ${result.cpuPer1000.raw.node} / ${result.cpuPer1000.raw.postgres}\n` +
      `  ledger CALL sum = CDR costs: ${result.ledgerMatchesCosts} (${check.rows[0].ledger}); stored ${result.stored}\n` +
      `  load average ${result.loadAverage.join(' ')} on ${result.cpus} CPUs`,
  );
  if (!result.ledgerMatchesCosts || result.stored !== CDRS || created !== CDRS) {
    console.error('cdr bench: the ledger does not match the CDRs');
    process.exitCode = 1;
  }
  const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'cdr.json'), JSON.stringify(result, null, 2) + '\n');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

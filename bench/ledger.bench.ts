/**
 * Ledger posting throughput on PostgreSQL: `npm run bench:ledger`.
 *
 * Runs the real posting use cases (postRefill / postCharge: row lock, key check, insert, balance,
 * outbox) against its own database `tollgate_bench_ledger` (dropped and re-created), first across
 * many accounts, then on one hot account, and ends with a reconciliation that must be clean.
 *
 * Environment: BENCH_DATABASE_URL (default: TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres)
 * names the server; BENCH_ACCOUNTS, BENCH_POSTINGS, BENCH_HOT_POSTINGS, BENCH_CONCURRENCY tune the run.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { sql } from 'kysely';
import { openDatabase, type Database } from '../src/server/platform/db/database.js';
import { migrateToLatest } from '../src/server/platform/db/migrate.js';
import type { Ctx } from '../src/server/platform/context.js';
import { ledgerService, reconcileLedger } from '../src/server/modules/ledger/index.js';

const DB_NAME = 'tollgate_bench_ledger';
const env = process.env;
const serverUrl =
  env.BENCH_DATABASE_URL || env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const ACCOUNTS = Number(env.BENCH_ACCOUNTS ?? 2000);
const POSTINGS = Number(env.BENCH_POSTINGS ?? 30_000);
const HOT_POSTINGS = Number(env.BENCH_HOT_POSTINGS ?? 10_000);
const CONCURRENCY = Number(env.BENCH_CONCURRENCY ?? 64);
const POOL = Number(env.BENCH_POOL ?? 24);

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

async function seedAccounts(database: Database, n: number): Promise<number[]> {
  const rows = await sql<{ id: number }>`
    INSERT INTO accounts (account_number, name, country, timezone, currency, mode, credit_limit)
    SELECT (1000000000 + g)::text, 'Bench ' || g, 'US', 'America/New_York', 'USD',
           CASE WHEN g % 2 = 0 THEN 'postpaid' ELSE 'prepaid' END,
           CASE WHEN g % 2 = 0 THEN 1000 ELSE 0 END
      FROM generate_series(1, ${n}) g
    RETURNING id`.execute(database.db);
  return rows.rows.map((r) => Number(r.id));
}

interface Result {
  name: string;
  postings: number;
  seconds: number;
  perSecond: number;
  p50ms: number;
  p95ms: number;
  p99ms: number;
}

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

/** `total` postings by `concurrency` workers; `pick(i)` names the account of posting i. */
async function run(
  name: string,
  ctx: Ctx,
  total: number,
  concurrency: number,
  pick: (i: number) => number,
  tag: string,
): Promise<Result> {
  const latencies: number[] = new Array(total);
  let next = 0;
  const t0 = performance.now();
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= total) return;
      const id = pick(i);
      const s = performance.now();
      if (i % 2 === 0)
        await ledgerService.postRefill(ctx, 'customer', id, `${tag}-${i}`, {
          amount: '1.25',
          reason: 'bench refill',
          method: 'card',
        });
      else
        await ledgerService.postCharge(ctx, 'customer', id, `${tag}-${i}`, {
          amount: '0.75',
          reason: 'bench charge',
        });
      latencies[i] = performance.now() - s;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - t0) / 1000;
  const sorted = latencies.sort((a, b) => a - b);
  return {
    name,
    postings: total,
    seconds: Number(seconds.toFixed(2)),
    perSecond: Math.round(total / seconds),
    p50ms: Number(pct(sorted, 0.5).toFixed(2)),
    p95ms: Number(pct(sorted, 0.95).toFixed(2)),
    p99ms: Number(pct(sorted, 0.99).toFixed(2)),
  };
}

async function main(): Promise<void> {
  // Other processes share the cores: the load average says how much of the machine we had.
  const loadBefore = Number(os.loadavg()[0].toFixed(2));
  const url = await recreateDatabase();
  const database = await openDatabase({ databaseUrl: url, poolSize: POOL });
  try {
    await migrateToLatest(database.db);
    const ids = await seedAccounts(database, ACCOUNTS);
    const ctx: Ctx = {
      actor: { kind: 'admin', userId: null, apiKeyId: null, label: 'bench' },
      db: database.db,
      now: () => new Date(),
    };
    // Warm-up: connections, plans, JIT of the hot paths.
    await run('warm-up', ctx, 2000, CONCURRENCY, (i) => ids[i % ids.length], 'warm');

    let seed = 42;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    const many = await run(
      `many accounts (${ACCOUNTS})`,
      ctx,
      POSTINGS,
      CONCURRENCY,
      () => ids[rnd() % ids.length],
      'many',
    );
    const hotId = ids[0];
    const hot = await run('one hot account', ctx, HOT_POSTINGS, CONCURRENCY, () => hotId, 'hot');

    const recon = await reconcileLedger(ctx);
    const counts = await sql<{ entries: number; events: number }>`
      SELECT (SELECT count(*) FROM ledger_entries)::int AS entries,
             (SELECT count(*) FROM outbox_events)::int AS events`.execute(database.db);
    const expectedEntries = 2000 + POSTINGS + HOT_POSTINGS;
    const pgVersion = (await sql<{ v: string }>`SELECT version() AS v`.execute(database.db)).rows[0].v;

    const machine = {
      loadAverage1m: { before: loadBefore, after: Number(os.loadavg()[0].toFixed(2)) },
      cpu: os.cpus()[0]?.model ?? 'unknown',
      cores: os.cpus().length,
      memoryGb: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      postgres: pgVersion.split(',')[0],
    };
    const report = {
      at: new Date().toISOString(),
      machine,
      settings: { accounts: ACCOUNTS, concurrency: CONCURRENCY, pool: POOL },
      results: [many, hot],
      targets: { manyAccountsPerSecond: 5000, hotAccountPerSecond: 2000 },
      reconcile: {
        ok: recon.ok,
        checkedAccounts: recon.checkedAccounts,
        checkedEntries: recon.checkedEntries,
      },
      entries: counts.rows[0].entries,
      outboxEvents: counts.rows[0].events,
    };
    console.log(
      `\nLedger posting bench on ${machine.postgres}, ${machine.cores} x ${machine.cpu}, ${machine.node}, ` +
        `load average ${loadBefore} -> ${machine.loadAverage1m.after}, concurrency ${CONCURRENCY}`,
    );
    console.table([many, hot]);
    console.log(
      `targets: many >= 5000/s (${many.perSecond >= 5000 ? 'met' : 'MISSED'}), ` +
        `hot >= 2000/s (${hot.perSecond >= 2000 ? 'met' : 'MISSED'})`,
    );
    console.log(
      `reconcile: ${recon.ok ? 'clean' : 'DIFFERENCES'} over ${recon.checkedAccounts} accounts and ` +
        `${recon.checkedEntries} entries (expected ${expectedEntries})`,
    );
    const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'ledger.json'), JSON.stringify(report, null, 2) + '\n');
    if (!recon.ok || counts.rows[0].entries !== expectedEntries) {
      console.error('The ledger does not reconcile after the bench.');
      process.exitCode = 1;
    }
  } finally {
    await database.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

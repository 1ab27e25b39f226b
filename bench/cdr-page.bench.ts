/**
 * The customer's CDRs tab, first page, on a large partitioned CDR table: `npm run bench:cdr-page`
 * (issue 13: "the CDRs tab's first page on 10,000,000 CDRs p99 <= 20 ms").
 *
 * In its own database `tollgate_bench_cdr_page` (dropped and re-created; BENCH_REUSE=1 keeps the
 * data of a previous run): BENCH_CUSTOMERS customers (default 100,000) and BENCH_CDRS CDRs (default
 * 10,000,000) over the 12 months up to now, generated set-based (generate_series, one INSERT per
 * month partition), each customer's calls spread over the year. Then the real list use case
 * (`listCustomerCdrs`, no HTTP: the customer check and the page query) for a random customer:
 *   - first page: 50 newest CDRs;
 *   - filtered: answered calls to destination "44" in the last 30 days;
 * each BENCH_ITERATIONS times (default 200) after 20 warm-up calls, p50 / p99. The floor, in the
 * same run, is the bare round trip of one primary-key read of an account (what any page pays).
 * Target: p99 <= 20 ms. Also the dashboard's 30-day chart and top destinations (hourly summaries)
 * and, once, the chart from the raw CDRs. Writes bench/results/cdr-page.json.
 *
 * Environment: BENCH_DATABASE_URL (default TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres),
 * BENCH_CUSTOMERS, BENCH_CDRS, BENCH_ITERATIONS, BENCH_REUSE, BENCH_EXPLAIN.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { sql } from 'kysely';
import type { Ctx } from '../src/server/platform/context.js';
import { openDatabase, type Database } from '../src/server/platform/db/database.js';
import { migrateToLatest } from '../src/server/platform/db/migrate.js';
import { addMonths, createMonth, monthOf } from '../src/server/modules/cdrs/cdrs.partitions.repository.js';
import { searchCdrsPage } from '../src/server/modules/cdrs/cdrs.search.repository.js';
import { listCustomerCdrs } from '../src/server/modules/cdrs/cdrs.search.service.js';
import { getTopDestinations, getUsage } from '../src/server/modules/dashboard/dashboard.usage.service.js';

const DB_NAME = 'tollgate_bench_cdr_page';
const env = process.env;
const serverUrl =
  env.BENCH_DATABASE_URL || env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const CUSTOMERS = Number(env.BENCH_CUSTOMERS ?? 100_000);
const CDRS = Number(env.BENCH_CDRS ?? 10_000_000);
const ITERATIONS = Number(env.BENCH_ITERATIONS ?? 200);
const WARMUP = 20;
const REUSE = env.BENCH_REUSE === '1';
const TARGET_P99_MS = 20;

async function openBenchDatabase(): Promise<{ url: string; fresh: boolean }> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  let fresh = true;
  try {
    const has = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [DB_NAME]);
    if (REUSE && has.rowCount) fresh = false;
    else {
      await admin.query(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
      await admin.query(`CREATE DATABASE ${DB_NAME}`);
    }
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${DB_NAME}`;
  return { url: url.toString(), fresh };
}

const secs = (t0: number) => ((performance.now() - t0) / 1000).toFixed(1);

/** 12 months of CDRs ending in the current month, one set-based INSERT per month partition. */
async function generate(database: Database, now: Date): Promise<void> {
  const db = database.db;
  let t = performance.now();
  await sql`
    INSERT INTO accounts (account_number, name, country, timezone, currency, mode, unlimited_credit)
    SELECT (3000000000 + g)::text, 'Bench ' || g, 'US', 'UTC', 'USD', 'postpaid', true
      FROM generate_series(0, ${CUSTOMERS - 1}) g`.execute(db);
  console.log(`customers: ${CUSTOMERS.toLocaleString()} in ${secs(t)} s`);
  const first = Number(
    (await sql<{ id: number }>`SELECT min(id) AS id FROM accounts WHERE account_number LIKE '3%'`.execute(db))
      .rows[0]!.id,
  );
  const last = monthOf(now);
  const months = Array.from({ length: 12 }, (_, i) => addMonths(last, i - 11));
  for (const m of months) await db.transaction().execute((tx) => createMonth(tx, m));
  const perMonth = Math.ceil(CDRS / 12);
  t = performance.now();
  for (const [i, m] of months.entries()) {
    const lo = i * perMonth + 1;
    const hi = Math.min(CDRS, (i + 1) * perMonth);
    if (hi < lo) break;
    // The current month only up to now: the tab's newest calls are today's.
    const end = i === 11 ? now.toISOString() : `${addMonths(m, 1)}T00:00:00Z`;
    const t1 = performance.now();
    await sql`
      INSERT INTO cdrs (call_id, leg, account_id, status, reason, no_reservation, source_ip, calling_number,
        called_number, started_at, answered_at, ended_at, duration_sec, billsec, disposition, sip_code,
        hangup_cause, rate_prefix, rate_per_min, connect_fee, charged_sec, cost)
      SELECT 'bench-' || g, 'A', ${first} + (g % ${CUSTOMERS}),
             CASE WHEN g % 20 = 0 THEN 'denied' ELSE 'rated' END,
             CASE WHEN g % 20 = 0 THEN 'INSUFFICIENT_BALANCE' END, true, '10.0.0.1', '15551230000',
             (ARRAY['4420','1212','4930','3314'])[1 + g % 4] || lpad((g % 9999991)::text, 7, '0'),
             s.at, CASE WHEN g % 5 <> 0 THEN s.at + interval '3 s' END, s.at + make_interval(secs => 3 + g % 600),
             3 + g % 600, CASE WHEN g % 5 <> 0 THEN g % 600 ELSE 0 END,
             CASE WHEN g % 5 <> 0 THEN 'ANSWERED' ELSE 'NO ANSWER' END, CASE WHEN g % 5 <> 0 THEN 200 ELSE 487 END,
             'NORMAL_CLEARING', '44', 0.02, 0, CASE WHEN g % 5 <> 0 THEN g % 600 ELSE 0 END,
             CASE WHEN g % 5 <> 0 THEN round((g % 600) * 0.02 / 60, 6) ELSE 0 END
        FROM generate_series(${lo}::bigint, ${hi}::bigint) g,
             LATERAL (SELECT ${`${m}T00:00:00Z`}::timestamptz
                      + ((g - ${lo})::float8 / ${hi - lo + 1})
                        * extract(epoch FROM ${end}::timestamptz - ${`${m}T00:00:00Z`}::timestamptz)
                        * interval '1 second' AS at) s`.execute(db);
    console.log(`  ${m.slice(0, 7)}: ${(hi - lo + 1).toLocaleString()} CDRs in ${secs(t1)} s`);
  }
  console.log(`CDRs: ${CDRS.toLocaleString()} in ${secs(t)} s`);
  t = performance.now();
  // What autovacuum does to an insert-only table (PostgreSQL 13+: autovacuum_vacuum_insert_threshold)
  // long before a year of CDRs has accumulated: statistics and the visibility map, so the tab's
  // index-only scans read no heap pages.
  await sql`VACUUM (ANALYZE) accounts`.execute(db);
  await sql`VACUUM (ANALYZE) cdrs`.execute(db);
  console.log(`VACUUM (ANALYZE) in ${secs(t)} s`);
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;

async function measure(name: string, fn: (i: number) => Promise<unknown>) {
  for (let i = 0; i < WARMUP; i++) await fn(i);
  const times: number[] = [];
  for (let i = 0; i < ITERATIONS; i++) {
    const t0 = performance.now();
    await fn(WARMUP + i);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const r = { name, p50: quantile(times, 0.5), p99: quantile(times, 0.99), max: times[times.length - 1]! };
  console.log(
    `${name.padEnd(44)} p50 ${r.p50.toFixed(2)} ms   p99 ${r.p99.toFixed(2)} ms   max ${r.max.toFixed(2)} ms`,
  );
  return r;
}

async function main() {
  const { url, fresh } = await openBenchDatabase();
  const database = await openDatabase({ databaseUrl: url, poolSize: 4 });
  const now = new Date();
  const load = () =>
    os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ');
  console.log(
    `cdr-page bench: ${CDRS.toLocaleString()} CDRs, ${CUSTOMERS.toLocaleString()} customers; ${os.cpus().length} CPUs, load ${load()}`,
  );
  try {
    await migrateToLatest(database.db);
    const tg = performance.now();
    if (fresh) await generate(database, now);
    else console.log('reusing the generated data (BENCH_REUSE=1)');
    const generationSec = fresh ? Number(secs(tg)) : null;
    const ids = (
      await sql<{ id: number }>`SELECT id FROM accounts WHERE account_number LIKE '3%' ORDER BY id`.execute(
        database.db,
      )
    ).rows.map((r) => Number(r.id));
    const ctx: Ctx = {
      actor: { kind: 'admin', userId: null, apiKeyId: null, label: 'bench' },
      db: database.db,
      now: () => now,
    };
    // The same random customers for every case.
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed / 2 ** 31);
    const picks = Array.from({ length: WARMUP + ITERATIONS }, () => ids[Math.floor(rnd() * ids.length)]!);
    const from = new Date(now.getTime() - 30 * 86_400_000).toISOString();

    if (env.BENCH_EXPLAIN === '1') {
      const plan = await sql<{ 'QUERY PLAN': string }>`
        EXPLAIN (ANALYZE, BUFFERS) SELECT c.id FROM cdrs c LEFT JOIN accounts a ON a.id = c.account_id
         WHERE c.account_id = ${picks[0]} ORDER BY c.started_at DESC, c.id DESC LIMIT 51`.execute(
        database.db,
      );
      console.log(plan.rows.map((r) => r['QUERY PLAN']).join('\n'));
    }

    const floor = await measure('floor: one account by primary key', (i) =>
      sql`SELECT id, name FROM accounts WHERE id = ${picks[i]}`.execute(database.db),
    );
    const firstPage = await measure('CDRs tab, first page (50)', async (i) => {
      const p = await listCustomerCdrs(ctx, picks[i]!, { limit: 50 });
      if (!p.data.length) throw new Error(`customer ${picks[i]} has no CDRs`);
    });
    const pageOnly = await measure('  of which the page query alone', (i) =>
      searchCdrsPage(database.db, ctx.actor, { accountId: picks[i]! }, { limit: 50, after: null }),
    );
    const filtered = await measure('CDRs tab, answered to 44*, last 30 days', (i) =>
      listCustomerCdrs(ctx, picks[i]!, { limit: 50, from, destination: '44', answeredOnly: true }),
    );
    // The dashboard over the same CDRs (issue 13): the traffic chart and top destinations of the
    // last 30 days read from the hourly summaries; once, the same chart from the raw CDRs (what it
    // read before the summaries) for comparison.
    const chart = await measure('dashboard, 30-day chart (hourly summaries)', () =>
      getUsage(ctx, { days: 30, timezone: 'America/New_York' }),
    );
    const top = await measure('dashboard, top destinations 30 days', () =>
      getTopDestinations(ctx, { days: 30, timezone: 'America/New_York' }),
    );
    const tr = performance.now();
    await getUsage(ctx, { days: 30, timezone: 'Asia/Kolkata' });
    console.log(
      `dashboard, 30-day chart from raw CDRs (a half-hour zone), once: ${(performance.now() - tr).toFixed(0)} ms`,
    );
    const rows = [floor, firstPage, pageOnly, filtered, chart, top];
    console.log(
      `\nfirst page p99 ${firstPage.p99.toFixed(2)} ms (target <= ${TARGET_P99_MS} ms: ${firstPage.p99 <= TARGET_P99_MS ? 'met' : 'MISSED'}), ` +
        `${(firstPage.p99 / floor.p99).toFixed(1)}x the floor's p99 ${floor.p99.toFixed(2)} ms; ` +
        `filtered p99 ${filtered.p99.toFixed(2)} ms (${filtered.p99 <= TARGET_P99_MS ? 'met' : 'MISSED'}); load ${load()}`,
    );
    const out = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results');
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(
      path.join(out, 'cdr-page.json'),
      JSON.stringify(
        { cdrs: CDRS, customers: CUSTOMERS, iterations: ITERATIONS, generationSec, load: os.loadavg(), rows },
        null,
        2,
      ),
    );
  } finally {
    await database.close();
  }
}

await main();

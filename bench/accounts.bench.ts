/**
 * Accounts benchmark: 1,000,000 customers under 1,000 resellers on PostgreSQL, then the customer
 * grid (keyset pages, filtered searches, capped totals) measured through the real service,
 * `accountsService.listAccounts`, with admin and reseller actors.
 *
 *   npm run bench:accounts
 *
 * Environment:
 *   DATABASE_URL       the bench database (its name must contain "bench"; it is dropped and
 *                      recreated). Default postgres://postgres@127.0.0.1:5432/tollgate_bench_accounts
 *   BENCH_REUSE=1      keep the database if it already holds the data (skip generation)
 *   BENCH_CUSTOMERS    customers to generate (default 1000000)
 *   BENCH_ITERATIONS   timed calls per case (default 200, after 10 warm-up calls)
 *   BENCH_ONLY         run only the cases whose name contains this text
 *   BENCH_EXPLAIN=1    print EXPLAIN (ANALYZE, BUFFERS) of each case's page and count queries
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { Kysely, PostgresDialect, type CompiledQuery } from 'kysely';
import type { DB } from '../src/server/db/schema.js';
import { openDatabase } from '../src/server/platform/db/database.js';
import { migrateToLatest } from '../src/server/platform/db/migrate.js';
import type { Actor, Ctx } from '../src/server/platform/context.js';
import { accountsService } from '../src/server/modules/accounts/index.js';
import type { ListAccountsQuery, SortField } from '../src/server/modules/accounts/accounts.schemas.js';
import { generateAccounts, RARE_COMPANY_WORD } from './accounts-data.js';

const DEFAULT_URL = 'postgres://postgres@127.0.0.1:5432/tollgate_bench_accounts';
const RESELLERS = 1000;
const TOP_LEVEL_RESELLERS = 900;
const KEYSET_TARGET_MS = 10;
const SEARCH_TARGET_MS = 50;
const GENERATION_TARGET_MS = 60_000;
const WARMUP = 10;

const env = process.env;
const dbUrl = new URL(env.DATABASE_URL || DEFAULT_URL);
const dbName = decodeURIComponent(dbUrl.pathname.slice(1));
const customers = Number(env.BENCH_CUSTOMERS ?? 1_000_000);
const iterations = Number(env.BENCH_ITERATIONS ?? 200);
const only = env.BENCH_ONLY ?? '';
const explain = env.BENCH_EXPLAIN === '1';

if (!/^[a-z0-9_]+$/.test(dbName) || !dbName.includes('bench')) {
  throw new Error(`Refusing to drop and recreate "${dbName}": the bench database name must contain "bench".`);
}

function log(line: string): void {
  process.stdout.write(line + '\n');
}

async function withServer<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const url = new URL(dbUrl);
  url.pathname = '/postgres';
  const c = new pg.Client({ connectionString: url.toString() });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

async function hasData(): Promise<boolean> {
  const exists = await withServer(async (c) => {
    const r = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [dbName]);
    return r.rowCount === 1;
  });
  if (!exists) return false;
  const c = new pg.Client({ connectionString: dbUrl.toString() });
  await c.connect();
  try {
    const r = await c.query<{ n: string }>(`SELECT count(*) AS n FROM accounts WHERE NOT is_reseller`);
    return Number(r.rows[0].n) === customers;
  } catch {
    return false;
  } finally {
    await c.end();
  }
}

async function prepareDatabase(): Promise<Record<string, number> | null> {
  if (env.BENCH_REUSE === '1' && (await hasData())) {
    log(`reusing ${dbName} (${customers} customers already there)`);
    return null;
  }
  await withServer(async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${dbName}`);
  });
  const database = await openDatabase({ databaseUrl: dbUrl.toString(), poolSize: 1 });
  await migrateToLatest(database.db);
  await database.close();

  const clients: [pg.Client, pg.Client] = [
    new pg.Client({ connectionString: dbUrl.toString() }),
    new pg.Client({ connectionString: dbUrl.toString() }),
  ];
  for (const c of clients) await c.connect();
  try {
    log(`generating ${customers} customers under ${RESELLERS} resellers ...`);
    const t = await generateAccounts(clients, {
      resellers: RESELLERS,
      topLevelResellers: TOP_LEVEL_RESELLERS,
      customers,
      seed: 0.42,
    });
    const s = (ms: number) => (ms / 1000).toFixed(1) + ' s';
    log(
      `generated in ${s(t.totalMs)} (rows ${s(t.loadMs)}, indexes and users ${s(t.indexMs)}, analyze ${s(t.analyzeMs)})` +
        (t.totalMs <= GENERATION_TARGET_MS ? '  [ok <= 60 s]' : '  [MISSED 60 s]'),
    );
    return { ...t };
  } finally {
    for (const c of clients) await c.end();
  }
}

// ---------------------------------------------------------------------------------------------

/**
 * The list query as the route accepts it. (`Static<ListAccountsQuery>` types `sort` as undefined:
 * TypeBox cannot see through `Type.Union(SORTABLE.map(...))`, so the bench states it itself.)
 */
type Query = Omit<ListAccountsQuery, 'sort'> & { sort?: SortField };

interface Case {
  name: string;
  group: 'keyset' | 'search';
  actor: Actor;
  query: Query;
  /** When set, each timed call takes the next of these cursors (deep pages). */
  cursors?: string[];
}

interface Result {
  name: string;
  group: Case['group'];
  p50: number;
  p95: number;
  p99: number;
  max: number;
  rows: number;
  total: string;
  targetMs: number;
  ok: boolean;
  /** Server-side execution time (EXPLAIN ANALYZE, TIMING OFF, median of 5) of the page's queries. */
  dbPageMs: number;
  /** The same for the capped count. */
  dbCountMs: number;
}

function percentile(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

const round = (ms: number) => Math.round(ms * 100) / 100;

async function main(): Promise<void> {
  const generation = await prepareDatabase();

  const database = await openDatabase({ databaseUrl: dbUrl.toString(), poolSize: 10 });
  const captured: CompiledQuery[] = [];
  // Same pool; this executor only also records the SQL it runs (for BENCH_EXPLAIN).
  const recording = new Kysely<DB>({
    dialect: new PostgresDialect({ pool: database.pool }),
    log: (e) => {
      if (e.level === 'query') captured.push(e.query);
    },
  });
  const ctxOf = (actor: Actor, db = database.db): Ctx => ({ actor, db, now: () => new Date() });
  const list = (actor: Actor, query: Query, db = database.db) =>
    accountsService.listAccounts(ctxOf(actor, db), 'customer', query as ListAccountsQuery);

  const admin: Actor = { kind: 'admin', userId: null, apiKeyId: null, label: 'bench admin' };
  const { rows: subtrees } = await database.pool.query<{ id: number; n: string; nested: boolean }>(`
    SELECT r.id, count(c.id) AS n, bool_or(c.is_reseller) AS nested
      FROM accounts r JOIN accounts c ON c.ancestor_ids @> ARRAY[r.id] AND c.deleted_at IS NULL
     WHERE r.is_reseller GROUP BY r.id ORDER BY count(c.id) DESC, r.id`);
  const resellerActor = (id: number, label: string): Actor => ({
    kind: 'reseller',
    userId: id,
    accountId: id,
    label,
    impersonatorUserId: null,
  });
  // Resellers of every size: the biggest (~3 % of all customers), the 11th (~5,000: where the
  // cheapest plan changes from "walk the sort index" to "collect the subtree and sort"), the
  // median, the smallest, and one with sub-resellers.
  const big = subtrees[0];
  const mid = subtrees[10];
  const median = subtrees[Math.floor(subtrees.length / 2)];
  const small = subtrees[subtrees.length - 1];
  const nested = subtrees.find((s) => s.nested)!;
  const rBig = resellerActor(big.id, 'big reseller');
  const rMid = resellerActor(mid.id, 'mid reseller');
  const rMedian = resellerActor(median.id, 'median reseller');
  const rSmall = resellerActor(small.id, 'small reseller');
  const rNested = resellerActor(nested.id, 'reseller with sub-resellers');
  log(
    `resellers: big #${big.id} (${big.n} accounts), mid #${mid.id} (${mid.n}), median #${median.id} ` +
      `(${median.n}), small #${small.id} (${small.n}), with sub-resellers #${nested.id} (${nested.n})`,
  );

  const sample = await database.pool.query<{ account_number: string; first_name: string; last_name: string }>(
    `SELECT account_number, first_name, last_name FROM accounts
      WHERE NOT is_reseller AND deleted_at IS NULL ORDER BY id OFFSET $1 LIMIT 1`,
    [Math.floor(customers * 0.37)],
  );
  const someNumber = sample.rows[0].account_number;
  const person = `${sample.rows[0].first_name}.${sample.rows[0].last_name}`.toLowerCase();
  const dayMs = 86_400_000;
  const rangeFrom = new Date(Date.now() - 200 * dayMs);

  /** Cursors of successive pages, walked through the service itself. */
  async function cursorsFor(actor: Actor, query: Query, pages: number): Promise<string[]> {
    const out: string[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < pages; i++) {
      const page = await list(actor, { ...query, limit: 500, ...(cursor ? { cursor } : {}) });
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
      out.push(cursor);
    }
    return out;
  }

  const cases: Case[] = [];
  const keyset = (name: string, actor: Actor, query: Query) =>
    cases.push({ name, group: 'keyset', actor, query });
  const deep = async (name: string, actor: Actor, query: Query, pages = 60) => {
    if (only && !name.includes(only)) return;
    cases.push({ name, group: 'keyset', actor, query, cursors: await cursorsFor(actor, query, pages) });
  };
  const search = (name: string, actor: Actor, query: Query) =>
    cases.push({ name, group: 'search', actor, query });

  // Keyset pages: first pages and deep pages (cursors up to 30,000 rows in), four sort orders.
  keyset('admin, created desc, first page', admin, {});
  await deep('admin, created desc, deep pages', admin, {});
  keyset('admin, name asc, first page', admin, { sort: 'name' });
  await deep('admin, name asc, deep pages', admin, { sort: 'name' });
  keyset('admin, account number asc, first page', admin, { sort: 'accountNumber' });
  await deep('admin, account number asc, deep pages', admin, { sort: 'accountNumber' });
  keyset('admin, balance desc, first page', admin, { sort: 'balance', order: 'desc' });
  await deep('admin, balance desc, deep pages', admin, { sort: 'balance', order: 'desc' });
  keyset('admin, created desc, 100 per page', admin, { limit: 100 });
  for (const r of [rBig, rMid, rMedian, rSmall, rNested]) {
    keyset(`${r.label}, created desc, first page`, r, {});
    keyset(`${r.label}, name asc, first page`, r, { sort: 'name' });
    keyset(`${r.label}, account number asc, first page`, r, { sort: 'accountNumber' });
    keyset(`${r.label}, balance desc, first page`, r, { sort: 'balance', order: 'desc' });
  }
  await deep(`big reseller, created desc, deep pages`, rBig, {}, 40);
  await deep(`big reseller, name asc, deep pages`, rBig, { sort: 'name' }, 40);
  await deep(`mid reseller, balance desc, deep pages`, rMid, { sort: 'balance', order: 'desc' }, 40);
  await deep(`reseller with sub-resellers, name asc, deep pages`, rNested, { sort: 'name' }, 40);

  // Filtered searches.
  search('q name fragment "garcia" (common)', admin, { q: 'garcia' });
  search('q name fragment "sofia tanaka"', admin, { q: 'sofia tanaka' });
  search(`q account-number prefix (8 digits)`, admin, { q: someNumber.slice(0, 8) });
  search(`q whole account number`, admin, { q: someNumber });
  search(`q account-number prefix (4 digits)`, admin, { q: someNumber.slice(0, 4) });
  search(`q email fragment "${person}"`, admin, { q: person });
  search('q email fragment "@yahoo" (common)', admin, { q: '@yahoo' });
  search(`q rare term "${RARE_COMPANY_WORD.toLowerCase()}"`, admin, { q: RARE_COMPANY_WORD.toLowerCase() });
  search('q common term "telecom"', admin, { q: 'telecom' });
  search('q no match "zzqxv"', admin, { q: 'zzqxv' });
  search('q "garcia", sort name', admin, { q: 'garcia', sort: 'name' });
  search('q "garcia", sort balance desc', admin, { q: 'garcia', sort: 'balance', order: 'desc' });
  search('status inactive + mode postpaid', admin, { status: 'inactive', mode: 'postpaid' });
  search('status inactive + mode postpaid, sort name', admin, {
    status: 'inactive',
    mode: 'postpaid',
    sort: 'name',
  });
  search('company contains "atlas"', admin, { company: 'atlas' });
  search(`company contains "${RARE_COMPANY_WORD.toLowerCase()}" (rare)`, admin, {
    company: RARE_COMPANY_WORD.toLowerCase(),
  });
  search('name contains "tanaka"', admin, { name: 'tanaka' });
  search('account-number filter, 6-digit prefix', admin, { accountNumber: someNumber.slice(0, 6) });
  search('role provider (5 %)', admin, { role: 'provider' });
  search('reseller filter (big), created desc', admin, { resellerId: big.id });
  search('reseller filter (small), created desc', admin, { resellerId: small.id });
  search('reseller filter (big), name asc', admin, { resellerId: big.id, sort: 'name' });
  search('created range (one week)', admin, {
    createdFrom: rangeFrom.toISOString(),
    createdTo: new Date(rangeFrom.getTime() + 7 * dayMs).toISOString(),
  });
  search('created range (one week), sort name', admin, {
    createdFrom: rangeFrom.toISOString(),
    createdTo: new Date(rangeFrom.getTime() + 7 * dayMs).toISOString(),
    sort: 'name',
  });
  search('big reseller: q "garcia"', rBig, { q: 'garcia' });
  search('big reseller: q no match "zzqxv"', rBig, { q: 'zzqxv' });
  search('small reseller: q "garcia"', rSmall, { q: 'garcia' });
  search('big reseller: status inactive + mode postpaid', rBig, { status: 'inactive', mode: 'postpaid' });
  search('median reseller: company contains "atlas"', rMedian, { company: 'atlas' });
  search('big reseller: created range (one week)', rBig, {
    createdFrom: rangeFrom.toISOString(),
    createdTo: new Date(rangeFrom.getTime() + 7 * dayMs).toISOString(),
  });

  const results: Result[] = [];
  const loadBefore = os.loadavg();
  for (const c of cases) {
    if (only && !c.name.includes(only)) continue;
    const queryAt = (i: number): Query =>
      c.cursors && c.cursors.length > 0 ? { ...c.query, cursor: c.cursors[i % c.cursors.length] } : c.query;
    for (let i = 0; i < WARMUP; i++) await list(c.actor, queryAt(i));
    // What the database itself spends, without the client, the pool or the CPU queue: each
    // statement of one call re-run under EXPLAIN ANALYZE (TIMING OFF keeps its overhead small).
    captured.length = 0;
    await list(c.actor, queryAt(0), recording);
    if (explain) log(`\n=== ${c.name}`);
    let dbPageMs = 0;
    let dbCountMs = 0;
    for (const q of captured) {
      const runs: number[] = [];
      for (let i = 0; i < 5; i++) {
        const r = await database.pool.query(
          `EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) ${q.sql}`,
          q.parameters as unknown[],
        );
        runs.push(
          (r.rows[0] as { 'QUERY PLAN': { 'Execution Time': number }[] })['QUERY PLAN'][0]['Execution Time'],
        );
      }
      runs.sort((a, b) => a - b);
      if (/^select count\(\*\)/i.test(q.sql)) dbCountMs += runs[2];
      else dbPageMs += runs[2];
      if (explain) {
        const plan = await database.pool.query(
          `EXPLAIN (ANALYZE, BUFFERS) ${q.sql}`,
          q.parameters as unknown[],
        );
        log(q.sql.replace(/\s+/g, ' ').slice(0, 300) + ' ...');
        log(plan.rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n'));
      }
    }
    const times: number[] = [];
    let last: Awaited<ReturnType<typeof list>> | null = null;
    for (let i = 0; i < iterations; i++) {
      const q = queryAt(i);
      const t = performance.now();
      last = await list(c.actor, q);
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    const targetMs = c.group === 'keyset' ? KEYSET_TARGET_MS : SEARCH_TARGET_MS;
    const r: Result = {
      name: c.name + (c.cursors ? ` (${c.cursors.length} cursors)` : ''),
      group: c.group,
      p50: round(percentile(times, 50)),
      p95: round(percentile(times, 95)),
      p99: round(percentile(times, 99)),
      max: round(times[times.length - 1]),
      rows: last!.data.length,
      total: last!.totalCapped ? `${last!.total}+` : String(last!.total),
      targetMs,
      ok: percentile(times, 99) <= targetMs,
      dbPageMs: round(dbPageMs),
      dbCountMs: round(dbCountMs),
    };
    results.push(r);
    log(
      `${r.ok ? 'ok  ' : 'MISS'} ${r.name.padEnd(58)} p50 ${r.p50.toFixed(2).padStart(7)}  p95 ${r.p95
        .toFixed(2)
        .padStart(
          7,
        )}  p99 ${r.p99.toFixed(2).padStart(7)} ms  rows ${String(r.rows).padStart(3)}  total ${r.total}  db ${r.dbPageMs}+${r.dbCountMs} ms`,
    );
  }

  const loadAfter = os.loadavg();
  const version = (await database.pool.query<{ v: string }>(`SELECT current_setting('server_version') AS v`))
    .rows[0].v;
  await recording.destroy().catch(() => {});
  await database.close().catch(() => {});

  const table = [
    '| case | p50 ms | p95 ms | p99 ms | rows | total | db page + count ms |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...results.map(
      (r) =>
        `| ${r.ok ? '' : '**MISS** '}${r.name} | ${r.p50.toFixed(2)} | ${r.p95.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.rows} | ${r.total} | ${r.dbPageMs.toFixed(2)} + ${r.dbCountMs.toFixed(2)} |`,
    ),
  ].join('\n');
  log('\n' + table);
  const missed = results.filter((r) => !r.ok);
  log(
    `\n${results.length - missed.length}/${results.length} cases within target ` +
      `(keyset p99 <= ${KEYSET_TARGET_MS} ms, search p99 <= ${SEARCH_TARGET_MS} ms); PostgreSQL ${version}; ` +
      `${os.cpus().length} CPUs; ${iterations} calls per case; load average ${loadBefore[0].toFixed(1)} ` +
      `before, ${loadAfter[0].toFixed(1)} after (1 min)`,
  );

  const dir = path.join(import.meta.dirname, 'results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `accounts-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(
    file,
    JSON.stringify(
      {
        at: new Date().toISOString(),
        postgres: version,
        cpus: os.cpus().length,
        customers,
        resellers: RESELLERS,
        iterations,
        loadAverage: { before: loadBefore, after: loadAfter },
        generation,
        results,
      },
      null,
      2,
    ),
  );
  log(`results written to ${path.relative(process.cwd(), file)}`);
  if (missed.length > 0 || (generation && generation.totalMs > GENERATION_TARGET_MS)) process.exitCode = 1;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

/**
 * npm run bench:import — the bulk-work benchmark on PostgreSQL (issue 6):
 *   1. import IMPORT_ROWS customers (default 1,000,000) from a CSV file, through the HTTP upload and
 *      the background job, in skipInvalid mode;
 *   2. export them all through GET /customers/export;
 *   3. mass create 10,000 customers.
 * It uses its own database (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/tollgate_bench_import),
 * dropped and created afresh. Figures go to stdout; copy them to bench/README.md.
 */
import fs from 'node:fs';
import os from 'node:os';
import v8 from 'node:v8';
import path from 'node:path';
import { once } from 'node:events';
import { Session } from 'node:inspector/promises';
import { Readable } from 'node:stream';
import pg from 'pg';
import { sql } from 'kysely';
import { buildApp } from '../src/server/app.js';
import { openDatabase } from '../src/server/platform/db/database.js';
import { migrateToLatest } from '../src/server/platform/db/migrate.js';
import { systemActor } from '../src/server/platform/context.js';
import { ensureFirstAdmin } from '../src/server/modules/auth/index.js';
import { createJobRunner } from '../src/server/platform/jobs/index.js';
import { jobHandlers } from '../src/server/job-handlers.js';
import { IMPORT_CHUNKS_AT_ONCE } from '../src/server/modules/imports/index.js';

const ROWS = Number(process.env.IMPORT_ROWS ?? 1_000_000);
const MASS = Number(process.env.MASS_CREATE_COUNT ?? 10_000);
/** BENCH_EXPORT_ONLY=1: keep the database of an earlier run and time the export BENCH_EXPORT_RUNS times. */
const EXPORT_ONLY = process.env.BENCH_EXPORT_ONLY === '1';
/** BENCH_IMPORT_ONLY=1: the import and its floor only (no export, no mass create): for a loaded machine. */
const IMPORT_ONLY = process.env.BENCH_IMPORT_ONLY === '1';
const EXPORT_RUNS = IMPORT_ONLY ? 0 : Number(process.env.BENCH_EXPORT_RUNS ?? (EXPORT_ONLY ? 3 : 1));
const URL_ = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/tollgate_bench_import';
const EMAIL = 'bench@example.com';
const PASSWORD = 'bench-password-1';

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
const mb = (b: number) => `${Math.round(b / 1024 / 1024)} MB`;
const rate = (n: number, ms: number) => Math.round((n * 1000) / ms).toLocaleString('en-US');

/**
 * BENCH_IMPORT_PROFILE=1: every statement's wall time and its backend's CPU time (from /proc, so
 * the PostgreSQL server must run on this machine), summed by statement shape, plus this process's
 * CPU: where an import's time goes, in figures a loaded machine inflates less than wall times.
 */
const PROFILE = process.env.BENCH_IMPORT_PROFILE === '1';
/** BENCH_IMPORT_CPU_PROFILE=file: a V8 CPU profile of this process during the import (upload and run). */
const CPU_PROFILE = process.env.BENCH_IMPORT_CPU_PROFILE;
interface Spent {
  n: number;
  wallMs: number;
  cpuMs: number;
}
const spent = new Map<string, Spent>();
const TICK_MS = 10; // USER_HZ = 100 on Linux
function backendCpuMs(pid: number): number {
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const parts = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return (Number(parts[11]) + Number(parts[12])) * TICK_MS;
  } catch {
    return 0;
  }
}
function statementLabel(text: string): string {
  return text.replace(/\s+/g, ' ').replace(/\$\d+/g, '?').trim().slice(0, 90);
}
if (PROFILE) {
  const proto = pg.Client.prototype as unknown as {
    query: (...args: unknown[]) => unknown;
    __pid?: number;
  };
  const original = proto.query;
  proto.query = function (this: pg.Client & { __pid?: number; __pidP?: Promise<void> }, ...args: unknown[]) {
    const first = args[0] as string | { text: string };
    const text = typeof first === 'string' ? first : first?.text;
    if (
      typeof text !== 'string' ||
      typeof args[args.length - 1] === 'function' ||
      text.includes('pg_backend_pid')
    )
      return original.apply(this, args);
    const ready =
      this.__pidP ??
      (this.__pidP = (original.call(this, 'SELECT pg_backend_pid() AS p') as Promise<pg.QueryResult>).then(
        (r) => void (this.__pid = Number(r.rows[0].p)),
      ));
    return ready.then(async () => {
      const pid = this.__pid!;
      const c0 = backendCpuMs(pid);
      const t0 = performance.now();
      try {
        return await (original.apply(this, args) as Promise<unknown>);
      } finally {
        const label = statementLabel(text);
        const s = spent.get(label) ?? { n: 0, wallMs: 0, cpuMs: 0 };
        s.n++;
        s.wallMs += performance.now() - t0;
        s.cpuMs += backendCpuMs(pid) - c0;
        spent.set(label, s);
      }
    });
  };
}
function printProfile(title: string, cpu: NodeJS.CpuUsage) {
  if (!PROFILE) return;
  const rows = [...spent.entries()].sort((a, b) => b[1].wallMs - a[1].wallMs);
  const total = rows.reduce((t, [, s]) => ({ wall: t.wall + s.wallMs, cpu: t.cpu + s.cpuMs }), {
    wall: 0,
    cpu: 0,
  });
  console.log(
    `profile (${title}): statements ${(total.wall / 1000).toFixed(1)} s wall, ${(total.cpu / 1000).toFixed(1)} s backend CPU; ` +
      `this process ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU`,
  );
  for (const [label, s] of rows.slice(0, 25))
    console.log(
      `  ${(s.wallMs / 1000).toFixed(2).padStart(7)} s wall ${(s.cpuMs / 1000).toFixed(2).padStart(7)} s cpu ${String(s.n).padStart(6)}x  ${label}`,
    );
  spent.clear();
}

async function resetDatabase() {
  const url = new URL(URL_);
  const name = url.pathname.slice(1);
  url.pathname = '/postgres';
  const c = new pg.Client({ connectionString: url.toString() });
  await c.connect();
  await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
}

/** The CSV file, written as a stream: ASTPP-like columns, unique numbers and names. */
async function writeCsv(file: string, rows: number) {
  const out = fs.createWriteStream(file);
  const write = async (s: string) => {
    if (!out.write(s)) await once(out, 'drain');
  };
  await write(
    'account_number,name,company_name,first_name,last_name,main_email,phone,city,country,timezone,currency,mode,credit_limit,call_limit\r\n',
  );
  let buf = '';
  for (let i = 0; i < rows; i++) {
    const n = 2_000_000_000 + i;
    const mode = i % 3 === 0 ? 'postpaid' : 'prepaid';
    buf += `${n},Customer ${n},"Company ${i % 5000}, Ltd",First${i},Last${i},c${n}@example.com,+1 555 ${String(i % 10000).padStart(4, '0')},Springfield,US,America/Chicago,USD,${mode},${mode === 'postpaid' ? '100.50' : ''},${i % 50}\r\n`;
    if (buf.length > 1 << 16) {
      await write(buf);
      buf = '';
    }
  }
  await write(buf);
  out.end();
  await once(out, 'finish');
}

async function main() {
  console.log(
    `bench:import — ${ROWS.toLocaleString('en-US')} rows, ${os.cpus().length} CPUs (${os.cpus()[0]?.model}), ` +
      `load average ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}, heap limit ${mb(v8.getHeapStatistics().heap_size_limit)}`,
  );
  if (!EXPORT_ONLY) await resetDatabase();
  const database = await openDatabase({ databaseUrl: URL_, poolSize: 10 });
  await migrateToLatest(database.db);
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
    loginAttemptsPerMinute: 1000,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address() as { port: number };
  const base = `http://127.0.0.1:${address.port}/api/v1`;
  const login = await fetch(`${base}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: EMAIL, password: PASSWORD }),
  });
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  const headers = { cookie, 'x-csrf-token': csrfToken };
  // As main.ts wires it on PostgreSQL; BENCH_IMPORT_CHUNKS=n writes n chunks at once instead (1: one
  // at a time, as before issue 16; 2: the pairs of issue 16's second pass).
  const runner = createJobRunner({
    db: database.db,
    handlers: jobHandlers({
      importChunksAtOnce: Number(process.env.BENCH_IMPORT_CHUNKS ?? IMPORT_CHUNKS_AT_ONCE),
    }),
  });

  if (!EXPORT_ONLY) {
    const file = path.join(os.tmpdir(), `tollgate-bench-import-${ROWS}.csv`);
    if (!fs.existsSync(file)) await writeCsv(file, ROWS);
    const bytes = fs.statSync(file).size;
    console.log(`file: ${file} (${mb(bytes)})`);

    // 1. Import: upload (parse + store in chunks), then the job (validate + write).
    const session = CPU_PROFILE ? new Session() : null;
    if (session) {
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.start');
    }
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const up = await fetch(`${base}/customer-imports?fileName=bench.csv`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'text/csv' },
      body: Readable.toWeb(fs.createReadStream(file)) as ReadableStream,
      duplex: 'half',
    } as RequestInit);
    const imp = (await up.json()) as { id: number; rowCount: number };
    if (up.status !== 201) throw new Error(`upload: ${up.status} ${JSON.stringify(imp)}`);
    const uploadMs = performance.now() - t0;
    const t1 = performance.now();
    const started = await fetch(`${base}/customer-imports/${imp.id}/start`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: '{}',
    });
    if (started.status !== 202) throw new Error(`start: ${started.status} ${await started.text()}`);
    await runner.runUntilIdle();
    const runMs = performance.now() - t1;
    const importMs = performance.now() - t0;
    const result = (await (await fetch(`${base}/customer-imports/${imp.id}`, { headers })).json()) as {
      status: string;
      progress: { created: number; rejected: number };
    };
    if (result.status !== 'done' || result.progress.created !== ROWS)
      throw new Error(`import ended ${JSON.stringify(result)}`);
    const importRss = peakRss;
    printProfile('import', process.cpuUsage(cpu0));
    if (session) {
      const { profile } = await session.post('Profiler.stop');
      fs.writeFileSync(CPU_PROFILE!, JSON.stringify(profile));
      session.disconnect();
    }
    console.log(
      `import: ${ROWS.toLocaleString('en-US')} rows in ${(importMs / 1000).toFixed(1)} s = ${rate(ROWS, importMs)} rows/s ` +
        `(upload ${(uploadMs / 1000).toFixed(1)} s = ${rate(ROWS, uploadMs)} rows/s; run ${(runMs / 1000).toFixed(1)} s = ${rate(ROWS, runMs)} rows/s); peak RSS ${mb(importRss)}`,
    );

    // The floor, in the same run on the same machine: a plain INSERT ... SELECT of the same rows
    // into a copy of the accounts table with all its indexes and constraints (no validation, no
    // users, no ledger): what the database alone costs for these rows.
    await sql`DROP TABLE IF EXISTS accounts_floor`.execute(database.db);
    await sql`CREATE TABLE accounts_floor (LIKE accounts INCLUDING ALL)`.execute(database.db);
    const cols = (
      await sql<{ c: string }>`
        SELECT quote_ident(column_name) AS c FROM information_schema.columns
        WHERE table_schema = current_schema() AND table_name = 'accounts' AND is_generated = 'NEVER'
        ORDER BY ordinal_position`.execute(database.db)
    ).rows
      .map((r) => r.c)
      .join(', ');
    const tf = performance.now();
    const copied = await sql`
      INSERT INTO accounts_floor (${sql.raw(cols)}) OVERRIDING SYSTEM VALUE
      SELECT ${sql.raw(cols)} FROM accounts WHERE import_id = ${imp.id}`.execute(database.db);
    const floorMs = performance.now() - tf;
    await sql`DROP TABLE accounts_floor`.execute(database.db);
    printProfile('floor and setup', process.cpuUsage(cpu0));
    const floorRows = Number(copied.numAffectedRows ?? 0);
    const ratio = ROWS / importMs / (floorRows / floorMs);
    console.log(
      `floor: INSERT ... SELECT of ${floorRows.toLocaleString('en-US')} rows into an indexed copy of accounts in ` +
        `${(floorMs / 1000).toFixed(1)} s = ${rate(floorRows, floorMs)} rows/s; import / floor = ${(ratio * 100).toFixed(1)}% (target >= 50%)`,
    );
  }

  // 2. Export everything (streamed).
  for (let run = 0; run < EXPORT_RUNS; run++) {
    const rssBeforeExport = process.memoryUsage().rss;
    peakRss = 0;
    const t0 = performance.now();
    const ex = await fetch(`${base}/customers/export`, { headers });
    let exBytes = 0;
    let lines = 0;
    for await (const chunk of ex.body as unknown as AsyncIterable<Uint8Array>) {
      exBytes += chunk.length;
      // Counted natively, so the client (in this process) takes as little as possible of the
      // thread the server's export runs on.
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
    }
    const exportMs = performance.now() - t0;
    const exported = lines - 1;
    console.log(
      `export: ${exported.toLocaleString('en-US')} rows (${mb(exBytes)}) in ${(exportMs / 1000).toFixed(1)} s = ${rate(exported, exportMs)} rows/s; RSS ${mb(rssBeforeExport)} before, peak ${mb(peakRss)} during`,
    );
  }

  if (!EXPORT_ONLY && !IMPORT_ONLY) {
    // 3. Mass create.
    const t0 = performance.now();
    const mc = await fetch(`${base}/customer-mass-creates`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({
        count: MASS,
        startPrefix: '9',
        accountNumberLength: 10,
        generatePin: true,
        currency: 'USD',
        country: 'US',
        timezone: 'UTC',
      }),
    });
    const started2 = (await mc.json()) as { massCreate: { id: number }; downloadKey: string };
    if (mc.status !== 202) throw new Error(`mass create: ${mc.status} ${JSON.stringify(started2)}`);
    await runner.runUntilIdle();
    const massMs = performance.now() - t0;
    const dl = await fetch(`${base}/customer-mass-creates/${started2.massCreate.id}/result`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ downloadKey: started2.downloadKey }),
    });
    const csvRows = (await dl.text()).trimEnd().split('\r\n').length - 1;
    if (csvRows !== MASS) throw new Error(`mass create result has ${csvRows} rows`);
    console.log(
      `mass create: ${MASS.toLocaleString('en-US')} accounts in ${(massMs / 1000).toFixed(1)} s = ${rate(MASS, massMs)} accounts/s (argon2id hashing dominates)`,
    );
  }

  console.log(
    `load average at the end: ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  clearInterval(sampler);
  await app.close();
  await database.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

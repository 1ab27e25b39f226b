/**
 * Call authorization under load: `npm run bench:auth` (issue 12).
 *
 * 1. Generates 100,000 customers, 10,000 hosts (each on its own trunk) and 1,000,000 rates
 *    straight into PostgreSQL (bench/auth-data.ts) in its own database `tollgate_bench_auth`.
 * 2. Measures the decision state: loaded in this process between two full GCs (heap it takes),
 *    then at the start of the real server process (`src/server/main.ts`, as an operator runs it):
 *    the load time its log reports and the process's memory once listening.
 * 3. Drives a FIXED rate (default 10,000/s for BENCH_SECONDS, default 60) from a separate load
 *    generator process (bench/auth-load.ts: open loop, latency from the due time, keep-alive) at
 *    a bare Fastify route (bench/auth-floor.ts, the floor) and at the real decision API with a
 *    realistic mix (allowed + end, a replay, an extension, a refusal of each kind). When the floor
 *    or the API cannot sustain the rate, each one's maximum sustainable rate is searched and the
 *    ratio of the two maxima is reported.
 * 4. The same against a server with REDIS_URL (default 5,000/s).
 * Prints a summary table; writes bench/results/auth.json and bench/results-recorded/auth-<time>.{txt,json}.
 *
 * Environment: BENCH_DATABASE_URL (default TEST_DATABASE_URL, else postgres://postgres:postgres@127.0.0.1:5432/postgres),
 * BENCH_REDIS_URL (default TEST_REDIS_URL, else redis://127.0.0.1:6379; "none" skips that part),
 * BENCH_SECONDS (60), AUTH_RATE (10000), AUTH_REDIS_RATE (5000), AUTH_CUSTOMERS (100000),
 * AUTH_HOSTS (10000), AUTH_RATES (1000000), AUTH_RATE_GROUPS (10), AUTH_RESELLERS (100),
 * AUTH_CONNECTIONS (64, keep-alive connections of the load generator), BENCH_STEP_SECONDS (search
 * step length, default min(10, BENCH_SECONDS)), BENCH_SUSTAIN_P99_MS (50: p99 bound of a sustained
 * rate in the max-rate search), BENCH_REUSE=1 (keep the generated database).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { Redis } from 'ioredis';
import { openDatabase } from '../src/server/platform/db/database.js';
import { migrateToLatest } from '../src/server/platform/db/migrate.js';
import { StateLoader } from '../src/server/modules/call-auth/call-auth.loader.js';
import { BENCH_SWITCH_KEY, generateAuthData, type AuthBenchSizes } from './auth-data.js';
import type { LoadConfig, LoadResult } from './auth-load.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const env = process.env;
const DB_NAME = 'tollgate_bench_auth';
const serverUrl =
  env.BENCH_DATABASE_URL || env.TEST_DATABASE_URL || 'postgres://postgres:postgres@127.0.0.1:5432/postgres';
const redisBase = env.BENCH_REDIS_URL || env.TEST_REDIS_URL || 'redis://127.0.0.1:6379';
const num = (name: string, fallback: number) => {
  const v = Number(env[name] ?? fallback);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`${name} must be a positive number`);
  return v;
};
const SECONDS = num('BENCH_SECONDS', 60);
const RATE = num('AUTH_RATE', 10_000);
const REDIS_RATE = num('AUTH_REDIS_RATE', 5_000);
const CONNECTIONS = num('AUTH_CONNECTIONS', 64);
const STEP_SECONDS = num('BENCH_STEP_SECONDS', Math.min(10, SECONDS));
const sizes: AuthBenchSizes = {
  customers: num('AUTH_CUSTOMERS', 100_000),
  hosts: num('AUTH_HOSTS', 10_000),
  rates: num('AUTH_RATES', 1_000_000),
  rateGroups: num('AUTH_RATE_GROUPS', 10),
  resellers: num('AUTH_RESELLERS', 100),
};
const TARGETS = { p99Ms: 5, ratio: 0.5, redisP99Ms: 10, loadSec: 10 };
/**
 * "Sustained" for the max-rate search: keeping up (>= 97 % of the offered rate answered, no
 * error) with p99 from the due time under this bound, i.e. no queue building up. Looser than the
 * latency targets on purpose: on a shared machine neither server holds p99 <= 5 ms at any rate,
 * and the ratio compares throughput. The targets are judged separately, on the fixed-rate runs.
 */
const SUSTAIN_P99_MS = num('BENCH_SUSTAIN_P99_MS', 50);

const log: string[] = [];
function say(line = ''): void {
  log.push(line);
  process.stdout.write(line + '\n');
}

function dbUrl(name: string): string {
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

async function prepareDatabase(): Promise<{ generatedMs: number | null }> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    const exists = (await admin.query(`SELECT 1 FROM pg_database WHERE datname = $1`, [DB_NAME])).rowCount;
    if (env.BENCH_REUSE === '1' && exists) return { generatedMs: null };
    await admin.query(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${DB_NAME}`);
  } finally {
    await admin.end();
  }
  const database = await openDatabase({ databaseUrl: dbUrl(DB_NAME) });
  try {
    await migrateToLatest(database.db);
  } finally {
    await database.close();
  }
  const c = new pg.Client({ connectionString: dbUrl(DB_NAME) });
  await c.connect();
  try {
    say(`Generating ${JSON.stringify(sizes)}:`);
    return { generatedMs: await generateAuthData(c, sizes) };
  } finally {
    await c.end();
  }
}

/** The heap the decision state takes: loaded here between two full collections. */
async function measureStateHeap(): Promise<{ heapMb: number; loadMs: number }> {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  const database = await openDatabase({ databaseUrl: dbUrl(DB_NAME) });
  try {
    gc();
    const before = process.memoryUsage().heapUsed;
    let loader: StateLoader | null = new StateLoader({ db: database.db });
    await loader.reloadAll();
    gc();
    const after = process.memoryUsage().heapUsed;
    const loadMs = loader.lastLoadMs;
    loader = null;
    gc();
    return { heapMb: (after - before) / 2 ** 20, loadMs };
  } finally {
    await database.close();
  }
}

interface Proc {
  child: ChildProcess;
  out: () => string;
  port: number;
}

const children: ChildProcess[] = [];

function startProcess(
  args: string[],
  extraEnv: Record<string, string>,
  ready: RegExp,
  timeoutMs = 180_000,
): Promise<Proc> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: root,
    env: { ...process.env, ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${args[0]} did not start:\n${out.slice(-4000)}`)),
      timeoutMs,
    );
    const onData = (d: Buffer) => {
      // Keep the start of the log (the load line) and a bounded tail.
      if (out.length < 200_000) out += d.toString();
      const m = ready.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, out: () => out, port: Number(m[1]) });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${args[0]} exited (${code}) before it was ready:\n${out.slice(-4000)}`));
    });
  });
}

async function stopProcess(p: Proc): Promise<void> {
  if (p.child.exitCode !== null) return;
  const exited = new Promise((r) => p.child.once('exit', r));
  p.child.kill('SIGTERM');
  const timer = setTimeout(() => p.child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}

function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

interface ServerStart {
  proc: Proc;
  startMs: number;
  stateLoadMs: number | null;
  heapAfterLoadMb: number | null;
  rssMb: number;
}

async function startTollgate(extraEnv: Record<string, string>): Promise<ServerStart> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tollgate-bench-auth-'));
  const t = performance.now();
  const proc = await startProcess(
    ['src/server/main.ts'],
    {
      DATABASE_URL: dbUrl(DB_NAME),
      PORT: '0',
      HOST: '127.0.0.1',
      SERVE_UI: 'false',
      LOG_LEVEL: 'info',
      DATA_DIR: dataDir,
      TOLLGATE_SECRET_KEY: 'bench-secret-key-0123456789abcdef0123456789',
      ...extraEnv,
    },
    /listening on http:\/\/localhost:(\d+)/,
  );
  const startMs = performance.now() - t;
  const line = proc
    .out()
    .split('\n')
    .find((l) => l.includes('call authorization state loaded'));
  const parsed = line ? (JSON.parse(line) as { ms?: number; heapUsedMb?: number }) : null;
  return {
    proc,
    startMs,
    stateLoadMs: parsed?.ms ?? null,
    heapAfterLoadMb: parsed?.heapUsedMb ?? null,
    rssMb: rssMb(proc.child.pid!),
  };
}

let runNo = 0;
function load(origin: string, target: 'auth' | 'floor', rate: number, seconds: number): Promise<LoadResult> {
  const cfg: LoadConfig = {
    origin,
    target,
    key: BENCH_SWITCH_KEY,
    rate,
    seconds,
    warmupSeconds: Math.min(3, Math.max(1, seconds / 10)),
    connections: CONNECTIONS,
    sizes,
    tag: `r${Date.now().toString(36)}-${++runNo}`,
    seed: 12345 + runNo,
  };
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/auth-load.ts', JSON.stringify(cfg)], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) =>
    child.on('exit', (code) => {
      const line = out.trim().split('\n').pop();
      if (code !== 0 || !line) reject(new Error(`load generator failed (${code}): ${out}`));
      else resolve(JSON.parse(line) as LoadResult);
    }),
  );
}

/** Sustained: nearly everything answered, no error, p99 within the latency objective. */
const sustained = (r: LoadResult, p99Ms: number) =>
  r.errors === 0 &&
  r.completed >= 0.99 * r.scheduled &&
  r.achievedRate >= 0.97 * r.offeredRate &&
  r.p99 <= p99Ms;

/** The highest rate that is sustained (binary search below `hi`, in short steps). */
async function maxSustainable(
  origin: string,
  target: 'auth' | 'floor',
  hi: number,
  p99Ms: number,
): Promise<{ rate: number; steps: LoadResult[] }> {
  const steps: LoadResult[] = [];
  let lo = 0;
  let best = 0;
  let upper = hi;
  for (let i = 0; i < 6; i++) {
    const rate = Math.round(lo === 0 && i === 0 ? hi / 2 : (lo + upper) / 2);
    const r = await load(origin, target, rate, STEP_SECONDS);
    steps.push(r);
    say(
      `    ${target} at ${rate}/s: achieved ${r.achievedRate}/s, p99 ${r.p99} ms, errors ${r.errors} -> ` +
        (sustained(r, p99Ms) ? 'sustained' : 'not sustained'),
    );
    if (sustained(r, p99Ms)) {
      best = Math.max(best, rate);
      lo = rate;
    } else upper = rate;
    if (upper - lo <= hi / 50) break;
  }
  return { rate: best, steps };
}

const fmt = (r: LoadResult) => ({
  offered: r.offeredRate,
  achieved: r.achievedRate,
  p50: r.p50,
  p99: r.p99,
  p999: r.p999,
  max: r.max,
  errors: r.errors,
  senderLagMs: r.senderLagMs,
});

async function redisReachable(url: string): Promise<boolean> {
  if (url === 'none') return false;
  const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2000 });
  try {
    await r.connect();
    // The bench's server uses the default key prefix: start from empty counters.
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', 'tg:ca:*', 'COUNT', 1000);
      if (keys.length) await r.del(...keys);
      cursor = next;
    } while (cursor !== '0');
    return true;
  } catch {
    return false;
  } finally {
    r.disconnect();
  }
}

async function main(): Promise<void> {
  const loadBefore = os.loadavg().map((x) => Number(x.toFixed(2)));
  const started = new Date();
  say(
    `Call authorization bench, ${started.toISOString()}: ${os.cpus().length} x ${os.cpus()[0]?.model ?? '?'}, ` +
      `Node ${process.version}, load average ${loadBefore.join(' ')}`,
  );
  const { generatedMs } = await prepareDatabase();
  say(
    generatedMs === null
      ? 'Data: reused (BENCH_REUSE=1)'
      : `Data generated in ${(generatedMs / 1000).toFixed(1)} s`,
  );

  const state = await measureStateHeap();
  say(
    `Decision state in this process: ${state.heapMb.toFixed(1)} MB of heap, loaded in ${(state.loadMs / 1000).toFixed(2)} s`,
  );

  const floor = await startProcess(
    ['bench/auth-floor.ts'],
    {},
    /floor listening on http:\/\/localhost:(\d+)/,
  );
  const floorOrigin = `http://127.0.0.1:${floor.port}`;
  const results: Record<string, unknown> = {};
  let exitCode = 0;
  try {
    // ---- process memory: counters and reservations in the server ----
    const mem = await startTollgate({});
    say(
      `Server (memory counters): listening after ${(mem.startMs / 1000).toFixed(1)} s, state loaded in ` +
        `${mem.stateLoadMs === null ? '?' : (mem.stateLoadMs / 1000).toFixed(2) + ' s'}, heap ${mem.heapAfterLoadMb ?? '?'} MB, RSS ${mem.rssMb.toFixed(0)} MB`,
    );
    const origin = `http://127.0.0.1:${mem.proc.port}`;
    say(`  floor at ${RATE}/s for ${SECONDS} s ...`);
    const floorRun = await load(floorOrigin, 'floor', RATE, SECONDS);
    say(`  decisions at ${RATE}/s for ${SECONDS} s ...`);
    const authRun = await load(origin, 'auth', RATE, SECONDS);
    let floorMax: number | null = null;
    let authMax: number | null = null;
    let ratio: number;
    let ratioBasis: string;
    if (sustained(floorRun, SUSTAIN_P99_MS) && sustained(authRun, SUSTAIN_P99_MS)) {
      ratio = authRun.achievedRate / floorRun.achievedRate;
      ratioBasis = `both sustained ${RATE}/s`;
    } else {
      say(
        `  ${RATE}/s not sustained by both: searching each one's max sustainable rate (p99 <= ${SUSTAIN_P99_MS} ms)`,
      );
      floorMax = (await maxSustainable(floorOrigin, 'floor', RATE, SUSTAIN_P99_MS)).rate;
      authMax = (await maxSustainable(origin, 'auth', RATE, SUSTAIN_P99_MS)).rate;
      ratio = floorMax > 0 ? authMax / floorMax : 0;
      ratioBasis = `max sustainable rates (p99 <= ${SUSTAIN_P99_MS} ms): decisions ${authMax}/s, floor ${floorMax}/s`;
    }
    const memoryServerRssMb = rssMb(mem.proc.child.pid!);
    await stopProcess(mem.proc);
    results.memory = {
      server: {
        startSec: mem.startMs / 1000,
        stateLoadSec: mem.stateLoadMs === null ? null : mem.stateLoadMs / 1000,
        heapAfterLoadMb: mem.heapAfterLoadMb,
        rssAfterStartMb: mem.rssMb,
        rssAfterLoadMb: memoryServerRssMb,
      },
      floor: floorRun,
      auth: authRun,
      floorMax,
      authMax,
      ratio,
      ratioBasis,
    };

    // ---- Redis: counters and reservations shared by instances ----
    let redisSummary: { auth: LoadResult; max: number | null; start: ServerStart } | null = null;
    const redisUrl = redisBase === 'none' ? 'none' : redisBase;
    if (await redisReachable(redisUrl)) {
      const red = await startTollgate({ REDIS_URL: redisUrl });
      say(
        `Server (REDIS_URL): listening after ${(red.startMs / 1000).toFixed(1)} s, state loaded in ` +
          `${red.stateLoadMs === null ? '?' : (red.stateLoadMs / 1000).toFixed(2) + ' s'}`,
      );
      const o = `http://127.0.0.1:${red.proc.port}`;
      say(`  decisions with Redis at ${REDIS_RATE}/s for ${SECONDS} s ...`);
      const r = await load(o, 'auth', REDIS_RATE, SECONDS);
      let max: number | null = null;
      if (!sustained(r, SUSTAIN_P99_MS)) {
        say(
          `  ${REDIS_RATE}/s not sustained: searching the max sustainable rate (p99 <= ${SUSTAIN_P99_MS} ms)`,
        );
        max = (await maxSustainable(o, 'auth', REDIS_RATE, SUSTAIN_P99_MS)).rate;
      }
      await stopProcess(red.proc);
      redisSummary = { auth: r, max, start: red };
      results.redis = {
        auth: r,
        max,
        stateLoadSec: red.stateLoadMs === null ? null : red.stateLoadMs / 1000,
      };
    } else {
      say(`Redis part skipped: ${redisUrl} not reachable (BENCH_REDIS_URL)`);
      results.redis = null;
    }

    // ---- summary ----
    const loadAfter = os.loadavg().map((x) => Number(x.toFixed(2)));
    say('');
    say(`Summary (load average before ${loadBefore.join(' ')}, after ${loadAfter.join(' ')}):`);
    const rows: Record<string, unknown>[] = [
      { run: `floor (bare Fastify) ${RATE}/s`, ...fmt(floorRun) },
      { run: `decisions, memory ${RATE}/s`, ...fmt(authRun) },
    ];
    if (redisSummary) rows.push({ run: `decisions, Redis ${REDIS_RATE}/s`, ...fmt(redisSummary.auth) });
    console.table(rows);
    for (const row of rows) log.push(JSON.stringify(row));
    const mark = (ok: boolean) => (ok ? 'met' : 'MISSED');
    const loadSec = mem.stateLoadMs === null ? NaN : mem.stateLoadMs / 1000;
    say(
      `state load at server start: ${loadSec.toFixed(2)} s (target < ${TARGETS.loadSec} s: ${mark(loadSec < TARGETS.loadSec)})`,
    );
    say(
      `state memory: ${state.heapMb.toFixed(1)} MB of heap (measured between full GCs); server heap after load ` +
        `${mem.heapAfterLoadMb ?? '?'} MB, RSS ${mem.rssMb.toFixed(0)} MB at start, ${memoryServerRssMb.toFixed(0)} MB after the runs`,
    );
    say(
      `decisions p99 at ${RATE}/s: ${authRun.p99} ms (target <= ${TARGETS.p99Ms} ms: ${mark(authRun.p99 <= TARGETS.p99Ms)})`,
    );
    say(
      `throughput ratio decisions / floor: ${ratio.toFixed(2)} (${ratioBasis}; target >= ${TARGETS.ratio}: ${mark(ratio >= TARGETS.ratio)})`,
    );
    if (redisSummary) {
      const r = redisSummary.auth;
      say(
        `Redis: ${r.achievedRate}/s achieved of ${REDIS_RATE}/s, p99 ${r.p99} ms (target ${REDIS_RATE}/s with p99 <= ` +
          `${TARGETS.redisP99Ms} ms: ${mark(sustained(r, TARGETS.redisP99Ms))})` +
          (redisSummary.max !== null ? `; max sustainable ${redisSummary.max}/s` : ''),
      );
    }
    say(`decision mix (memory run): ${JSON.stringify(authRun.outcomes)}`);
    if (authRun.errors > 0 || (redisSummary?.auth.errors ?? 0) > 0)
      say('Some requests failed (HTTP errors or no answer): see the errors column.');

    const report = {
      at: started.toISOString(),
      machine: {
        cpu: os.cpus()[0]?.model ?? 'unknown',
        cores: os.cpus().length,
        node: process.version,
        loadAverage: { before: loadBefore, after: loadAfter },
      },
      settings: {
        sizes,
        seconds: SECONDS,
        rate: RATE,
        redisRate: REDIS_RATE,
        connections: CONNECTIONS,
        sustainP99Ms: SUSTAIN_P99_MS,
      },
      generatedSec: generatedMs === null ? null : generatedMs / 1000,
      stateHeapMb: state.heapMb,
      stateLoadInProcessSec: state.loadMs / 1000,
      targets: TARGETS,
      results,
    };
    const stamp = started.toISOString().replace(/[:]/g, '').slice(0, 15);
    fs.mkdirSync(path.join(here, 'results'), { recursive: true });
    fs.writeFileSync(path.join(here, 'results', 'auth.json'), JSON.stringify(report, null, 2) + '\n');
    const recorded = path.join(here, 'results-recorded');
    fs.mkdirSync(recorded, { recursive: true });
    // Formatted as the repository's prettier check expects (recorded files are committed).
    const prettier = await import('prettier');
    fs.writeFileSync(
      path.join(recorded, `auth-${stamp}.json`),
      await prettier.format(JSON.stringify(report), { parser: 'json' }),
    );
    fs.writeFileSync(path.join(recorded, `auth-${stamp}.txt`), log.join('\n') + '\n');
    say(`written: bench/results-recorded/auth-${stamp}.{txt,json}`);
  } catch (err) {
    console.error(err);
    exitCode = 1;
  } finally {
    await stopProcess(floor);
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  }
  process.exit(exitCode);
}

main().catch((err) => {
  console.error(err);
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  process.exit(1);
});

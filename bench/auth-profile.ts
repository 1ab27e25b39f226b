/**
 * A quick look at the decision path under load (`npx tsx bench/auth-profile.ts`), for development:
 * the floor and the decision server (memory counters, or REDIS_URL with PROFILE_REDIS=1) side by
 * side in ONE run, each driven by bench/auth-load.ts at AUTH_RATE (default 6,000/s, above what a
 * loaded machine sustains, so "achieved" is each one's capacity) for BENCH_SECONDS (10). Prints
 * achieved rates, their ratio and percentiles; with PROFILE_DIR the server runs under
 * `node --cpu-prof` and the profile's top self-time entries are printed.
 *
 * Uses the database of `bench:auth` (tollgate_bench_auth); generates it with the AUTH_* sizes when
 * missing or when PROFILE_REGENERATE=1.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { Redis } from 'ioredis';
import { openDatabase } from '../src/server/platform/db/database.js';
import { migrateToLatest } from '../src/server/platform/db/migrate.js';
import { BENCH_SWITCH_KEY, generateAuthData, type AuthBenchSizes } from './auth-data.js';
import type { LoadConfig, LoadResult } from './auth-load.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const env = process.env;
const serverUrl =
  env.BENCH_DATABASE_URL || env.TEST_DATABASE_URL || 'postgres://postgres:postgres@127.0.0.1:5432/postgres';
const DB = 'tollgate_bench_auth';
const n = (k: string, d: number) => Number(env[k] ?? d);
const sizes: AuthBenchSizes = {
  customers: n('AUTH_CUSTOMERS', 20_000),
  hosts: n('AUTH_HOSTS', 2_000),
  rates: n('AUTH_RATES', 100_000),
  rateGroups: n('AUTH_RATE_GROUPS', 10),
  resellers: n('AUTH_RESELLERS', 100),
};
const RATE = n('AUTH_RATE', 6_000);
const SECONDS = n('BENCH_SECONDS', 10);
const profileDir = env.PROFILE_DIR ? path.resolve(env.PROFILE_DIR) : null;
const redisUrl = env.PROFILE_REDIS === '1' ? env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379' : null;

const dbUrl = () => {
  const u = new URL(serverUrl);
  u.pathname = `/${DB}`;
  return u.toString();
};

async function prepare(): Promise<void> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  const exists = (await admin.query(`SELECT 1 FROM pg_database WHERE datname = $1`, [DB])).rowCount;
  if (exists && env.PROFILE_REGENERATE !== '1') {
    await admin.end();
    const d = await openDatabase({ databaseUrl: dbUrl() });
    await migrateToLatest(d.db);
    await d.close();
    return;
  }
  await admin.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${DB}`);
  await admin.end();
  const d = await openDatabase({ databaseUrl: dbUrl() });
  await migrateToLatest(d.db);
  await d.close();
  const c = new pg.Client({ connectionString: dbUrl() });
  await c.connect();
  await generateAuthData(c, sizes);
  await c.end();
}

function start(args: string[], extra: Record<string, string>, ready: RegExp) {
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, ...extra },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise<{ child: ChildProcess; port: number; out: () => string }>((resolve, reject) => {
    const on = (d: Buffer) => {
      if (out.length < 100_000) out += d.toString();
      const m = ready.exec(out);
      if (m) resolve({ child, port: Number(m[1]), out: () => out });
    };
    child.stdout!.on('data', on);
    child.stderr!.on('data', on);
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${out.slice(-3000)}`)));
  });
}

let run = 0;
function load(origin: string, target: 'auth' | 'floor'): Promise<LoadResult> {
  const cfg: LoadConfig = {
    origin,
    target,
    key: BENCH_SWITCH_KEY,
    rate: RATE,
    seconds: SECONDS,
    warmupSeconds: 2,
    connections: n('AUTH_CONNECTIONS', 64),
    sizes,
    tag: `p${Date.now().toString(36)}-${++run}`,
    seed: 777 + run,
  };
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/auth-load.ts', JSON.stringify(cfg)], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) =>
    child.on('exit', (code) => {
      const line = out.trim().split('\n').pop();
      if (code !== 0 || !line) reject(new Error(`load failed: ${out}`));
      else resolve(JSON.parse(line) as LoadResult);
    }),
  );
}

/** CPU time (user + system, ms) a process has used so far. */
function cpuMs(pid: number): number {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const done = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await done;
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

/** Top self-time entries of a .cpuprofile (percent of samples). */
function topOf(file: string, count = 25): string[] {
  const p = JSON.parse(fs.readFileSync(file, 'utf8')) as {
    nodes: ProfileNode[];
    samples: number[];
    timeDeltas: number[];
    endTime: number;
    startTime: number;
  };
  // Only the decision run: the samples of its last BENCH_SECONDS (the server stops right after).
  const from = p.endTime - SECONDS * 1e6;
  const hits = new Map<number, number>();
  let at = p.startTime;
  let total = 0;
  p.samples.forEach((s, i) => {
    at += p.timeDeltas[i] ?? 0;
    if (at < from) return;
    total++;
    hits.set(s, (hits.get(s) ?? 0) + 1);
  });
  const byFn = new Map<string, number>();
  for (const node of p.nodes) {
    const h = hits.get(node.id) ?? 0;
    if (!h) continue;
    const f = node.callFrame;
    const where = f.url
      ? `${f.url.replace(/^.*node_modules\//, '~/').replace(/^.*\/src\//, 'src/')}:${f.lineNumber + 1}`
      : '';
    const key = `${f.functionName || '(anonymous)'} ${where}`;
    byFn.set(key, (byFn.get(key) ?? 0) + h);
  }
  return [...byFn]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([k, v]) => `${((100 * v) / total).toFixed(1).padStart(5)} %  ${k}`);
}

async function main(): Promise<void> {
  console.log(
    `auth profile: ${JSON.stringify(sizes)}, ${RATE}/s x ${SECONDS} s, load ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  await prepare();
  if (redisUrl) {
    const r = new Redis(redisUrl);
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', 'tg:ca:*', 'COUNT', 1000);
      if (keys.length) await r.del(...keys);
      cursor = next;
    } while (cursor !== '0');
    r.disconnect();
  }
  const floor = await start(
    ['--import', 'tsx', 'bench/auth-floor.ts'],
    {},
    /floor listening on http:\/\/localhost:(\d+)/,
  );
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tollgate-auth-profile-'));
  if (profileDir) fs.mkdirSync(profileDir, { recursive: true });
  const t = performance.now();
  const server = await start(
    [
      ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
      '--import',
      'tsx',
      'src/server/main.ts',
    ],
    {
      DATABASE_URL: dbUrl(),
      PORT: '0',
      HOST: '127.0.0.1',
      SERVE_UI: 'false',
      LOG_LEVEL: 'info',
      DATA_DIR: dataDir,
      TOLLGATE_SECRET_KEY: 'bench-secret-key-0123456789abcdef0123456789',
      ...(redisUrl ? { REDIS_URL: redisUrl } : {}),
    },
    /listening on http:\/\/localhost:(\d+)/,
  );
  console.log(`server listening after ${((performance.now() - t) / 1000).toFixed(1)} s`);
  const before = profileDir ? new Set(fs.readdirSync(profileDir)) : new Set<string>();
  try {
    // CPU time per answered request (user + system, from /proc): what each costs, whatever else
    // runs on the machine (the achieved rates depend on what the other processes take).
    const measured = async (port: number, pid: number, target: 'auth' | 'floor') => {
      const c0 = cpuMs(pid);
      const r = await load(`http://127.0.0.1:${port}`, target);
      return { r, cpuPerReq: (cpuMs(pid) - c0) / Math.max(1, r.completed) };
    };
    const f = await measured(floor.port, floor.child.pid!, 'floor');
    const a = await measured(server.port, server.child.pid!, 'auth');
    const row = (m: { r: LoadResult; cpuPerReq: number }) =>
      `achieved ${m.r.achievedRate}/s, p50 ${m.r.p50} ms, p99 ${m.r.p99} ms, errors ${m.r.errors}, ` +
      `CPU ${(m.cpuPerReq * 1000).toFixed(0)} us/request`;
    console.log(`floor:     ${row(f)}`);
    console.log(`decisions: ${row(a)}  ${JSON.stringify(a.r.outcomes)}`);
    console.log(
      `ratio decisions/floor: achieved ${(a.r.achievedRate / f.r.achievedRate).toFixed(2)}, ` +
        `by CPU per request ${(f.cpuPerReq / a.cpuPerReq).toFixed(2)}` +
        (profileDir ? ' (server under --cpu-prof: its CPU includes the profiler)' : ''),
    );
  } finally {
    await stop(server.child);
    await stop(floor.child);
  }
  if (profileDir) {
    const fresh = fs.readdirSync(profileDir).filter((x) => !before.has(x) && x.endsWith('.cpuprofile'));
    for (const file of fresh) {
      console.log(`profile ${file}, top self time:`);
      for (const l of topOf(path.join(profileDir, file))) console.log('  ' + l);
    }
  }
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

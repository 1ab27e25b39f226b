/**
 * The load generator of `bench:auth`, a process of its own: drives a FIXED rate of requests at a
 * server over keep-alive HTTP (undici Pool) and prints one JSON line with the result.
 *
 * Open loop: request i is due at t0 + i / rate whatever happened to the ones before, and its
 * latency is measured from that due time, not from when it was actually sent. A server (or a
 * sender) that falls behind therefore shows up in the percentiles instead of quietly lowering the
 * offered rate (coordinated omission, as wrk2 corrects it).
 *
 * Config: one JSON argument (see LoadConfig). Target `auth` sends the realistic decision mix to
 * /api/v1/calls/...; target `floor` sends the same authorize bodies to the bare route /floor.
 */
import { Pool } from 'undici';
import { BLOCKED_PREFIX, CATEGORY, TECH_PREFIX, hostIp, type AuthBenchSizes } from './auth-data.js';

export interface LoadConfig {
  origin: string;
  target: 'auth' | 'floor';
  key: string;
  rate: number;
  seconds: number;
  warmupSeconds: number;
  connections: number;
  sizes: AuthBenchSizes;
  /** Makes call ids unique across runs against the same server. */
  tag: string;
  seed: number;
}

export interface LoadResult {
  target: string;
  offeredRate: number;
  seconds: number;
  scheduled: number;
  completed: number;
  errors: number;
  achievedRate: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  /** How late the sender itself got (ms behind the schedule at the worst moment). */
  senderLagMs: number;
  outcomes: Record<string, number>;
}

const cfg = JSON.parse(process.argv[2]!) as LoadConfig;
const pool = new Pool(cfg.origin, {
  connections: cfg.connections,
  pipelining: 1,
  keepAliveTimeout: 120_000,
  keepAliveMaxTimeout: 120_000,
});
const headers = { 'content-type': 'application/json', authorization: `Bearer ${cfg.key}` };

let seed = cfg.seed >>> 0 || 1;
/** xorshift32: cheap and deterministic. */
function rnd(): number {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 4294967296;
}
const int = (n: number) => Math.floor(rnd() * n);

const H = cfg.sizes.hosts;
/** A host of this category, among the first `spread` of them (CPS and call limits: a few, hammered). */
function hostOf(category: number, spread = Infinity): number {
  const max = Math.floor((H - category) / 100);
  const q = Math.min(max, spread - 1);
  const h = 100 * int(q + 1) + category;
  return h === 0 ? 100 : h;
}
/** A plain host: category 8..99 (8 and 9 carry a tech prefix). */
function plainHost(): number {
  for (;;) {
    const h = 1 + int(H);
    if (h % 100 >= CATEGORY.techPrefixA) return h;
  }
}
const digits = (n: number) => {
  let s = '';
  for (let i = 0; i < n; i++) s += String(int(10));
  return s;
};
/** A destination with a rate in every group (codes 1..N cover every leading digit 1-9). */
const destination = () => String(1 + int(9)) + digits(10);

let callSeq = 0;
const newCallId = () => `${cfg.tag}-${++callSeq}`;

function authorizeBody(callId: string, h: number | null, called: string): string {
  const ip = h === null ? `192.0.2.${1 + int(250)}` : hostIp(h);
  const prefix = h !== null && (h % 100 === CATEGORY.techPrefixA || h % 100 === CATEGORY.techPrefixB);
  return JSON.stringify({
    callId,
    sourceIp: ip,
    sourcePort: 5060,
    calledNumber: (prefix ? TECH_PREFIX : '') + called,
    callingNumber: '1555' + digits(7),
  });
}

type Req = { path: string; body: string; kind: string; allowedCallId?: string };
/** Allowed calls not yet ended (the ends come from here); a bounded list. */
const pending: string[] = [];
const recent: string[] = [];

function nextRequest(): Req {
  if (cfg.target === 'floor')
    return { path: '/floor', body: authorizeBody('floor', plainHost(), destination()), kind: 'floor' };
  const r = rnd();
  if (r < 0.4 && pending.length > 0) {
    const callId = pending.splice(int(pending.length), 1)[0]!;
    const answered = rnd() < 0.5;
    const body = answered
      ? JSON.stringify({ answered: true, durationSec: 1 + int(240) })
      : JSON.stringify({ answered: false });
    return { path: `/api/v1/calls/${callId}/end`, body, kind: 'end' };
  }
  if (r < 0.84 || (r < 0.86 && pending.length === 0)) {
    const callId = newCallId();
    return {
      path: '/api/v1/calls/authorize',
      body: authorizeBody(callId, plainHost(), destination()),
      kind: 'authorize',
      allowedCallId: callId,
    };
  }
  if (r < 0.85) {
    // A retransmitted INVITE: the same call id again (answers the first decision, reserves nothing).
    const callId = recent[int(recent.length)] ?? newCallId();
    return {
      path: '/api/v1/calls/authorize',
      body: authorizeBody(callId, plainHost(), destination()),
      kind: 'replay',
    };
  }
  if (r < 0.86) {
    const callId = pending[int(pending.length)]!;
    return { path: `/api/v1/calls/${callId}/extend`, body: JSON.stringify({ seq: 1 }), kind: 'extend' };
  }
  // The refusals: 14 % of the mix, one share per reason.
  const which = int(10);
  const callId = newCallId();
  const dest = destination();
  const cases: [number | null, string][] = [
    [null, dest], // AUTH_UNKNOWN_SOURCE
    [hostOf(CATEGORY.blocked), BLOCKED_PREFIX + digits(7)], // DESTINATION_BLOCKED
    [plainHost(), '0' + digits(10)], // NO_RATE
    [hostOf(CATEGORY.noFunds), dest], // INSUFFICIENT_FUNDS
    [hostOf(CATEGORY.accountInactive), dest], // ACCOUNT_INACTIVE
    [hostOf(CATEGORY.hostInactive), dest], // HOST_INACTIVE
    [hostOf(CATEGORY.trunkInactive), dest], // TRUNK_INACTIVE
    [hostOf(CATEGORY.trunkCps, 5), dest], // TRUNK_CPS_LIMIT (after the first each second)
    [hostOf(CATEGORY.customerCps, 5), dest], // CUSTOMER_CPS_LIMIT
    [hostOf(CATEGORY.hostCallLimit, 5), dest], // HOST_CALL_LIMIT (after the first, never ended)
  ];
  const [h, called] = cases[which]!;
  return { path: '/api/v1/calls/authorize', body: authorizeBody(callId, h, called), kind: 'deny-case' };
}

const DECISION = /"decision":"(allow|deny)"(?:.*?"reason":"([A-Z_]+)")?/;

async function run(rate: number, seconds: number, record: boolean): Promise<LoadResult> {
  const total = Math.round(rate * seconds);
  const latencies = new Float64Array(total);
  const outcomes: Record<string, number> = {};
  const count = (k: string) => (outcomes[k] = (outcomes[k] ?? 0) + 1);
  let completed = 0;
  let errors = 0;
  let lastDone = 0;
  let senderLagMs = 0;
  let sent = 0;
  const intervalMs = 1000 / rate;
  const t0 = performance.now() + 5;
  let resolveAll!: () => void;
  const allDone = new Promise<void>((r) => (resolveAll = r));
  const finish = () => {
    if (completed + errors === total) resolveAll();
  };

  const fire = (i: number, due: number) => {
    const req = nextRequest();
    pool
      .request({ origin: cfg.origin, path: req.path, method: 'POST', headers, body: req.body })
      .then(async (res) => {
        const text = await res.body.text();
        const now = performance.now();
        if (res.statusCode !== 200) {
          errors++;
          count(`http ${res.statusCode}`);
        } else {
          latencies[completed++] = now - due;
          lastDone = now;
          if (req.kind === 'floor') count('floor');
          else if (req.kind === 'end') count(text.includes('"ended":true') ? 'end' : 'end (not live)');
          else if (req.kind === 'extend') count(text.includes('"allow"') ? 'extend allow' : 'extend deny');
          else {
            const m = DECISION.exec(text);
            const key = !m ? 'unparsed' : m[1] === 'allow' ? 'allow' : `deny ${m[2]}`;
            count(req.kind === 'replay' ? `replay (${key})` : key);
            if (m?.[1] === 'allow' && req.allowedCallId) {
              if (pending.length < 50_000) pending.push(req.allowedCallId);
              if (recent.length < 1000) recent.push(req.allowedCallId);
              else recent[int(1000)] = req.allowedCallId;
            }
          }
        }
        finish();
      })
      .catch((err: Error) => {
        errors++;
        count(`error ${err.name}`);
        finish();
      });
    void i;
  };

  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (sent < total) {
        const due = t0 + sent * intervalMs;
        if (due > now) break;
        senderLagMs = Math.max(senderLagMs, now - due);
        fire(sent, due);
        sent++;
      }
      if (sent < total) setTimeout(tick, 1);
      else resolve();
    };
    setTimeout(tick, 5);
  });
  const deadline = setTimeout(() => resolveAll(), 30_000);
  await allDone;
  clearTimeout(deadline);

  const done = latencies.subarray(0, completed).sort();
  const at = (p: number) =>
    completed ? Number(done[Math.min(completed - 1, Math.floor(completed * p))]!.toFixed(3)) : NaN;
  const span = Math.max(seconds, (lastDone - t0) / 1000);
  void record;
  return {
    target: cfg.target,
    offeredRate: rate,
    seconds,
    scheduled: total,
    completed,
    errors: errors + (total - completed - errors),
    achievedRate: Math.round(completed / span),
    p50: at(0.5),
    p90: at(0.9),
    p99: at(0.99),
    p999: at(0.999),
    max: completed ? Number(done[completed - 1]!.toFixed(3)) : NaN,
    senderLagMs: Number(senderLagMs.toFixed(1)),
    outcomes,
  };
}

async function main(): Promise<void> {
  if (cfg.warmupSeconds > 0) await run(cfg.rate / 2, cfg.warmupSeconds, false);
  const result = await run(cfg.rate, cfg.seconds, true);
  process.stdout.write(JSON.stringify(result) + '\n');
  await pool.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

import { Redis } from 'ioredis';
import type { Hold, LimitLevel } from './call-auth.decide.js';
import { isDenyReason, type DenyReason } from './call-auth.reasons.js';
import {
  CPS_WINDOW_MS,
  OUTCOME_GRACE_MS,
  fromMicros,
  limitReason,
  slotKey,
  toMicros,
  type AdmitOutcome,
  type CounterStore,
  type EndRequest,
  type LevelUsage,
  type ExtendAnswer,
  type ExtendRequest,
  type ExtendResult,
  type LiveCall,
  type Outcome,
} from './counters.js';

/*
 * The counter store shared by every instance (REDIS_URL). Each operation that checks and changes
 * counters is ONE Lua script, which Redis runs atomically: two instances can never both take the
 * last slot or spend the same money. Layout under the prefix:
 *   call:{callId}   the live call (JSON) until released: while it exists it IS the call's outcome
 *   out:{callId}    the first outcome once nothing is held for the id ("deny:REASON", or "allow:" +
 *                   the call JSON from its unanswered end or release), for OUTCOME_GRACE_MS
 *   holds:{callId}  hash accountId -> micro-units held for the call
 *   held            hash accountId -> micro-units held over all live calls
 *   slots:{level}   sorted set callId -> expiresAt (ms): the level's live calls
 *   cps:{level}     hash tokens, at: the level's CPS token bucket
 *   live            sorted set callId -> expiresAt: what the sweeper scans
 * Times are the deciding instance's clock (ms); instances are expected to run NTP.
 * Money is integer micro-units (exact in Lua's doubles up to 9e9 currency units).
 */

const ADMIT = `
local p, id, now, ttl, callJson, exp = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5], tonumber(ARGV[6])
-- A replay: the call as it stands while it holds something, else the first outcome.
local live = redis.call('GET', p .. 'call:' .. id)
if live then return 'Rallow:' .. live end
local prev = redis.call('GET', p .. 'out:' .. id)
if prev then return 'R' .. prev end
local function deny(reason)
  local v = 'deny:' .. reason
  redis.call('SET', p .. 'out:' .. id, v, 'PX', ttl)
  return v
end
local i = 7
local n = tonumber(ARGV[i]); i = i + 1
local buckets, levels = {}, {}
for l = 1, n do
  local key, cps, cl, rc, rl = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4]
  i = i + 5
  levels[#levels + 1] = key
  if cps ~= '' then
    local c = tonumber(cps)
    if c <= 0 then return deny(rc) end
    local cap = math.max(1, c)
    local b = redis.call('HMGET', p .. 'cps:' .. key, 'tokens', 'at')
    local tokens, at = tonumber(b[1]) or cap, tonumber(b[2]) or now
    local elapsed = now - at
    if elapsed < 0 then elapsed = 0 end
    tokens = math.min(cap, tokens + elapsed / 1000 * c)
    if tokens < 1 then return deny(rc) end
    buckets[#buckets + 1] = { key, tokens }
  end
  if cl ~= '' then
    local zk = p .. 'slots:' .. key
    redis.call('ZREMRANGEBYSCORE', zk, '-inf', now)
    if redis.call('ZCARD', zk) >= tonumber(cl) then return deny(rl) end
  end
end
local m = tonumber(ARGV[i]); i = i + 1
local holds = {}
for h = 1, m do
  local acc, amt, ceil = ARGV[i], tonumber(ARGV[i + 1]), ARGV[i + 2]
  i = i + 3
  if ceil ~= '' and amt > 0 then
    local cur = tonumber(redis.call('HGET', p .. 'held', acc) or '0')
    if cur + amt > tonumber(ceil) then return deny('INSUFFICIENT_FUNDS') end
  end
  holds[#holds + 1] = { acc, ARGV[i - 2] }
end
for _, b in ipairs(buckets) do
  redis.call('HSET', p .. 'cps:' .. b[1], 'tokens', tostring(b[2] - 1), 'at', tostring(now))
  redis.call('PEXPIRE', p .. 'cps:' .. b[1], 3600000)
end
for _, key in ipairs(levels) do
  redis.call('ZADD', p .. 'slots:' .. key, exp, id)
  local sk = p .. 'starts:' .. key
  redis.call('ZADD', sk, now, id)
  redis.call('ZREMRANGEBYSCORE', sk, '-inf', now - ${CPS_WINDOW_MS})
  redis.call('PEXPIRE', sk, ${2 * CPS_WINDOW_MS})
end
for _, h in ipairs(holds) do
  redis.call('HINCRBY', p .. 'held', h[1], h[2])
  redis.call('HINCRBY', p .. 'holds:' .. id, h[1], h[2])
end
redis.call('SET', p .. 'call:' .. id, callJson)
redis.call('ZADD', p .. 'live', exp, id)
return 'allow:' .. callJson
`;

/** Frees a call's holds (shared by end and release). */
const FREE_HOLDS = `
local function freeHolds(p, id)
  local hk = p .. 'holds:' .. id
  local h = redis.call('HGETALL', hk)
  for j = 1, #h, 2 do
    if redis.call('HINCRBY', p .. 'held', h[j], -tonumber(h[j + 1])) == 0 then redis.call('HDEL', p .. 'held', h[j]) end
  end
  redis.call('DEL', hk)
end
local function freeSlots(p, id, call)
  for _, s in ipairs(call.slots) do redis.call('ZREM', p .. 'slots:' .. s, id) end
end
-- Nothing is held for the call any more: its decision is replayed for the grace period.
local function remember(p, id, cj)
  redis.call('SET', p .. 'out:' .. id, 'allow:' .. cj, 'PX', ${OUTCOME_GRACE_MS})
end
`;

const END = `${FREE_HOLDS}
local p, id, answered, endedJson = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local cj = redis.call('GET', p .. 'call:' .. id)
if not cj then return false end
local call = cjson.decode(cj)
if call.endedAt ~= cjson.null then return false end
freeSlots(p, id, call)
freeHolds(p, id)
if answered == '0' then
  redis.call('DEL', p .. 'call:' .. id)
  redis.call('ZREM', p .. 'live', id)
  remember(p, id, cj)
  return cj
end
local i = 5
local n = tonumber(ARGV[i]); i = i + 1
for h = 1, n do
  local acc, amt = ARGV[i], ARGV[i + 1]
  i = i + 2
  redis.call('HINCRBY', p .. 'held', acc, amt)
  redis.call('HINCRBY', p .. 'holds:' .. id, acc, amt)
end
redis.call('SET', p .. 'call:' .. id, endedJson)
return endedJson
`;

const RELEASE = `${FREE_HOLDS}
local p, id = ARGV[1], ARGV[2]
local cj = redis.call('GET', p .. 'call:' .. id)
if not cj then return false end
local call = cjson.decode(cj)
if call.endedAt == cjson.null then freeSlots(p, id, call) end
freeHolds(p, id)
redis.call('DEL', p .. 'call:' .. id)
redis.call('ZREM', p .. 'live', id)
remember(p, id, cj)
return cj
`;

/*
 * ARGV: prefix, id, expiresAt, seq, fromGrantSec, kind ('allow' | 'deny'), the call JSON with the
 * answer recorded (allow: new grant and holds; deny: the refusal), the call JSON with
 * INSUFFICIENT_FUNDS recorded (used when the funds re-check fails), then the holds.
 * Returns 'NOT_LIVE', 'STALE', 'SEEN:' .. call JSON (seq already answered) or 'OK:' .. call JSON.
 */
const EXTEND = `
local p, id, exp, seq, fromGrant, kind, newJson, poorJson = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4], tonumber(ARGV[5]), ARGV[6], ARGV[7], ARGV[8]
local cj = redis.call('GET', p .. 'call:' .. id)
if not cj then return 'NOT_LIVE' end
local call = cjson.decode(cj)
if call.endedAt ~= cjson.null then return 'NOT_LIVE' end
if type(call.extensions) == 'table' then
  for _, e in ipairs(call.extensions) do
    if tostring(e.seq) == seq then return 'SEEN:' .. cj end
  end
end
if tonumber(call.grantSec) ~= fromGrant then return 'STALE' end
if kind == 'deny' then
  redis.call('SET', p .. 'call:' .. id, newJson)
  return 'OK:' .. newJson
end
local i = 9
local n = tonumber(ARGV[i]); i = i + 1
local deltas = {}
for h = 1, n do
  local acc, amt, ceil = ARGV[i], tonumber(ARGV[i + 1]), ARGV[i + 2]
  i = i + 3
  local old = tonumber(redis.call('HGET', p .. 'holds:' .. id, acc) or '0')
  local delta = amt - old
  if ceil ~= '' and delta > 0 then
    local cur = tonumber(redis.call('HGET', p .. 'held', acc) or '0')
    if cur + delta > tonumber(ceil) then
      redis.call('SET', p .. 'call:' .. id, poorJson)
      return 'OK:' .. poorJson
    end
  end
  deltas[#deltas + 1] = { acc, delta, ARGV[i - 2] }
end
for _, d in ipairs(deltas) do
  redis.call('HINCRBY', p .. 'held', d[1], d[2])
  redis.call('HSET', p .. 'holds:' .. id, d[1], d[3])
end
for _, s in ipairs(call.slots) do redis.call('ZADD', p .. 'slots:' .. s, exp, id) end
redis.call('ZADD', p .. 'live', exp, id)
redis.call('SET', p .. 'call:' .. id, newJson)
return 'OK:' .. newJson
`;

/** A refusal decided before the counters: recorded unless the id has an outcome (returned then). */
const DENY = `
local p, id, v, ttl = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
local live = redis.call('GET', p .. 'call:' .. id)
if live then return 'allow:' .. live end
local prev = redis.call('GET', p .. 'out:' .. id)
if prev then return prev end
redis.call('SET', p .. 'out:' .. id, v, 'PX', ttl)
return v
`;

const RESTORE = `
local p, id, callJson, exp = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
if redis.call('EXISTS', p .. 'call:' .. id) == 1 then return 0 end
local call = cjson.decode(callJson)
if call.endedAt == cjson.null then
  for _, s in ipairs(call.slots) do redis.call('ZADD', p .. 'slots:' .. s, exp, id) end
end
local i = 5
local n = tonumber(ARGV[i]); i = i + 1
for h = 1, n do
  redis.call('HINCRBY', p .. 'held', ARGV[i], ARGV[i + 1])
  redis.call('HINCRBY', p .. 'holds:' .. id, ARGV[i], ARGV[i + 1])
  i = i + 2
end
redis.call('SET', p .. 'call:' .. id, callJson)
redis.call('ZADD', p .. 'live', exp, id)
return 1
`;

type Script = (...args: (string | number)[]) => Promise<unknown>;

/** Calls per pipeline when the durable copy is put back (bounded buffers, one round trip each). */
const RESTORE_BATCH = 5_000;

function parseOutcome(v: string): Outcome {
  if (v.startsWith('deny:')) {
    const reason = v.slice(5);
    return { decision: 'deny', reason: isDenyReason(reason) ? reason : 'AUTH_UNKNOWN_SOURCE' };
  }
  return { decision: 'allow', call: JSON.parse(v.slice(6)) as LiveCall };
}

const holdArgs = (holds: readonly Hold[], withCeiling: boolean) => {
  const out: (string | number)[] = [holds.length];
  for (const h of holds) {
    out.push(String(h.accountId), toMicros(h.amount).toString());
    if (withCeiling) out.push(h.ceiling === null ? '' : toMicros(h.ceiling).toString());
  }
  return out;
};

export class RedisCounterStore implements CounterStore {
  readonly kind = 'redis' as const;
  private readonly scripts: Record<
    'caAdmit' | 'caDeny' | 'caEnd' | 'caRelease' | 'caExtend' | 'caRestore',
    Script
  >;

  private constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {
    const defs = {
      caAdmit: ADMIT,
      caDeny: DENY,
      caEnd: END,
      caRelease: RELEASE,
      caExtend: EXTEND,
      caRestore: RESTORE,
    };
    for (const [name, lua] of Object.entries(defs)) redis.defineCommand(name, { numberOfKeys: 0, lua });
    const r = redis as unknown as Record<string, Script>;
    this.scripts = {
      caAdmit: (...a) => r.caAdmit(...a),
      caDeny: (...a) => r.caDeny(...a),
      caEnd: (...a) => r.caEnd(...a),
      caRelease: (...a) => r.caRelease(...a),
      caExtend: (...a) => r.caExtend(...a),
      caRestore: (...a) => r.caRestore(...a),
    };
  }

  /** Connects (failing fast when Redis is unreachable); `prefix` separates deployments and tests. */
  static async connect(url: string, prefix = 'tg:ca:'): Promise<RedisCounterStore> {
    // Auto-pipelining: the commands of concurrent decisions issued in the same tick go out in one
    // write (order kept; each script still runs atomically on its own).
    const redis = new Redis(url, {
      maxRetriesPerRequest: 2,
      enableOfflineQueue: true,
      lazyConnect: true,
      enableAutoPipelining: true,
    });
    await redis.connect();
    return new RedisCounterStore(redis, prefix);
  }

  async replay(callId: string): Promise<Outcome | null> {
    const [out, live] = await this.redis.mget(this.prefix + 'out:' + callId, this.prefix + 'call:' + callId);
    if (live) return { decision: 'allow', call: JSON.parse(live) as LiveCall };
    return out ? parseOutcome(out) : null;
  }

  async recordDeny(callId: string, reason: DenyReason): Promise<Outcome> {
    const v = await this.scripts.caDeny(this.prefix, callId, 'deny:' + reason, OUTCOME_GRACE_MS);
    return parseOutcome(v as string);
  }

  async admit(call: LiveCall, levels: readonly LimitLevel[], now: number): Promise<AdmitOutcome> {
    const args: (string | number)[] = [
      this.prefix,
      call.callId,
      now,
      OUTCOME_GRACE_MS,
      JSON.stringify(call),
      call.expiresAt,
      levels.length,
    ];
    for (const l of levels)
      args.push(
        slotKey(l),
        l.cpsLimit === null ? '' : String(l.cpsLimit),
        l.callLimit === null ? '' : String(l.callLimit),
        limitReason(l.scope, 'cps'),
        limitReason(l.scope, 'calls'),
      );
    args.push(...holdArgs(call.holds, true));
    const v = (await this.scripts.caAdmit(...args)) as string;
    return v.startsWith('R') ? { ...parseOutcome(v.slice(1)), replayed: true } : parseOutcome(v);
  }

  async usage(keys: readonly string[], now: number): Promise<Map<string, LevelUsage>> {
    const out = new Map<string, LevelUsage>();
    if (keys.length === 0) return out;
    const batch = this.redis.pipeline();
    for (const key of keys) {
      batch.zcount(this.prefix + 'slots:' + key, `(${now}`, '+inf');
      batch.zcount(this.prefix + 'starts:' + key, `(${now - CPS_WINDOW_MS}`, '+inf');
    }
    const results = (await batch.exec()) ?? [];
    keys.forEach((key, i) => {
      const [callsErr, calls] = results[2 * i] ?? [null, 0];
      const [cpsErr, cps] = results[2 * i + 1] ?? [null, 0];
      if (callsErr || cpsErr) throw callsErr ?? cpsErr;
      out.set(key, { calls: Number(calls), cps: Number(cps) });
    });
    return out;
  }

  async held(accountIds: readonly number[]): Promise<Map<number, string>> {
    const out = new Map<number, string>();
    if (accountIds.length === 0) return out;
    const values = await this.redis.hmget(this.prefix + 'held', ...accountIds.map(String));
    accountIds.forEach((id, i) => {
      const v = values[i];
      if (v !== null && v !== '0') out.set(id, fromMicros(BigInt(v)));
    });
    return out;
  }

  async extend(callId: string, req: ExtendRequest): Promise<ExtendResult> {
    const current = await this.redis.get(this.prefix + 'call:' + callId);
    if (!current) return { status: 'not-live' };
    const call = JSON.parse(current) as LiveCall;
    const withAnswer = (answer: ExtendAnswer, changes: Partial<LiveCall> = {}): LiveCall => ({
      ...call,
      ...changes,
      extensions: [...(call.extensions ?? []), answer],
    });
    const next = req.next;
    const isDeny = 'reason' in next;
    const updated = isDeny
      ? withAnswer({ seq: req.seq, reason: next.reason })
      : withAnswer(
          { seq: req.seq, grantSec: next.grantSec },
          { grantSec: next.grantSec, expiresAt: next.expiresAt, holds: next.holds },
        );
    const poor = withAnswer({ seq: req.seq, reason: 'INSUFFICIENT_FUNDS' });
    const v = (await this.scripts.caExtend(
      this.prefix,
      callId,
      isDeny ? call.expiresAt : next.expiresAt,
      String(req.seq),
      req.fromGrantSec,
      isDeny ? 'deny' : 'allow',
      JSON.stringify(updated),
      JSON.stringify(poor),
      ...holdArgs(isDeny ? [] : next.holds, true),
    )) as string;
    if (v === 'NOT_LIVE') return { status: 'not-live' };
    if (v === 'STALE') return { status: 'stale' };
    const replayed = v.startsWith('SEEN:');
    const stored = JSON.parse(v.slice(replayed ? 5 : 3)) as LiveCall;
    const answer = stored.extensions?.find((e) => e.seq === req.seq);
    if (!answer) return { status: 'stale' };
    return { status: 'answered', call: stored, answer, replayed };
  }

  async end(callId: string, end: EndRequest) {
    const current = await this.redis.get(this.prefix + 'call:' + callId);
    if (!current) return null;
    const call = JSON.parse(current) as LiveCall;
    if (call.endedAt !== null) return null;
    const holds = (end.answered && end.reprice ? end.reprice(call) : end.holds) ?? call.holds;
    const ended: LiveCall = end.answered
      ? { ...call, endedAt: end.now, answered: true, holds }
      : { ...call, endedAt: end.now, answered: false, holds: [] };
    const v = (await this.scripts.caEnd(
      this.prefix,
      callId,
      end.answered ? '1' : '0',
      JSON.stringify(ended),
      ...holdArgs(end.answered ? holds : [], false),
    )) as string | null;
    return v ? ended : null;
  }

  async release(callId: string): Promise<LiveCall | null> {
    const v = (await this.scripts.caRelease(this.prefix, callId)) as string | null;
    return v ? (JSON.parse(v) as LiveCall) : null;
  }

  private async callsOf(ids: string[]): Promise<LiveCall[]> {
    if (ids.length === 0) return [];
    const values = await this.redis.mget(...ids.map((id) => this.prefix + 'call:' + id));
    return values.filter((v): v is string => v !== null).map((v) => JSON.parse(v) as LiveCall);
  }

  async expired(now: number, limit: number): Promise<LiveCall[]> {
    return this.callsOf(await this.redis.zrangebyscore(this.prefix + 'live', '-inf', now, 'LIMIT', 0, limit));
  }

  async live(): Promise<LiveCall[]> {
    return this.callsOf(await this.redis.zrange(this.prefix + 'live', 0, -1));
  }

  /**
   * Redis keeps its own counters across restarts of the instances, so the durable copy is put
   * back only when Redis lost them (a flushed or new Redis: the epoch key is missing); the first
   * instance to start after that does it.
   */
  async claimRestore(): Promise<boolean> {
    return (await this.redis.set(this.prefix + 'epoch', String(Date.now()), 'NX')) === 'OK';
  }

  /** Set-based: every call in one pipeline per RESTORE_BATCH (one round trip, not one per call). */
  async restore(calls: readonly LiveCall[]): Promise<number> {
    let n = 0;
    for (let i = 0; i < calls.length; i += RESTORE_BATCH) {
      const batch = this.redis.pipeline() as unknown as Record<'caRestore', Script> & {
        exec(): Promise<[Error | null, unknown][] | null>;
      };
      for (const c of calls.slice(i, i + RESTORE_BATCH))
        void batch.caRestore(
          this.prefix,
          c.callId,
          JSON.stringify(c),
          c.expiresAt,
          ...holdArgs(c.holds, false),
        );
      for (const [err, r] of (await batch.exec()) ?? []) {
        if (err) throw err;
        n += Number(r);
      }
    }
    return n;
  }

  /** Test helper: removes every key of this prefix. */
  async clear(): Promise<void> {
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', this.prefix + '*', 'COUNT', 500);
      if (keys.length) await this.redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => {});
  }
}

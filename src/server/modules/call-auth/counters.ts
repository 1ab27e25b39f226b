import type { AllowPlan, Hold, LimitLevel, LimitScope } from './call-auth.decide.js';
import type { DenyReason } from './call-auth.reasons.js';

/*
 * Limit counters and reservations (DOMAIN 3.9, 4 steps 10-11, 5): the only shared mutable state
 * of call authorization. Two implementations with the same contract: process memory (one
 * instance) and Redis (several instances; one Lua script per operation, so each is atomic across
 * instances). No SQL and no disk sync on this path: the durable copy of reservations is written
 * afterwards, in batches, by the journal.
 */

/** A live call as the store keeps it: enough to answer a replay, extend, end, sweep and list it. */
export interface LiveCall {
  callId: string;
  accountId: number;
  trunkId: number | null;
  hostId: number | null;
  sipDeviceId: number | null;
  calledNumber: string;
  callingNumber: string;
  callingName: string | null;
  /** Epoch ms of the authorization. */
  startedAt: number;
  grantSec: number;
  maxSec: number;
  /** Epoch ms: startedAt + grantSec + margin. Past it, the sweeper frees the call. */
  expiresAt: number;
  /** Counter keys of the levels the call holds a slot in (`host:30`, `customer:10` ...). */
  slots: string[];
  holds: Hold[];
  rate: AllowPlan['rate'];
  routes?: AllowPlan['routes'];
  /** Set by the end of the call; an answered call keeps its holds until its CDR is rated. */
  endedAt: number | null;
  /** Every extension answered so far, by the switch's `seq` (a retry gets the same answer). */
  extensions?: ExtendAnswer[];
  answered: boolean | null;
}

/** The answer to extension `seq` of a call: the new total grant, or why it ends at its grant. */
export type ExtendAnswer = { seq: number; grantSec: number } | { seq: number; reason: DenyReason };

/** What an extension asks of the store: a new grant and holds, or a refusal decided before it. */
export interface ExtendRequest {
  seq: number;
  /** The grant the caller decided from: if the call moved on meanwhile, the answer is 'stale'. */
  fromGrantSec: number;
  next: { grantSec: number; expiresAt: number; holds: Hold[] } | { reason: DenyReason };
}

export type ExtendResult =
  | { status: 'answered'; call: LiveCall; answer: ExtendAnswer; replayed: boolean }
  | { status: 'not-live' }
  | { status: 'stale' };

export type Outcome = { decision: 'allow'; call: LiveCall } | { decision: 'deny'; reason: DenyReason };
/** What admit answers: `replayed` when the id had an outcome already (nothing was reserved). */
export type AdmitOutcome = Outcome & { replayed?: boolean };

/** The end of a call as the store is asked for it. */
export interface EndRequest {
  answered: boolean;
  /** The holds an answered call keeps (null: as they are) ... */
  holds: Hold[] | null;
  /** ... or computed from the call as the store has it (its cost, once the duration is known). */
  reprice?: (call: LiveCall) => Hold[];
  now: number;
}

export interface CounterStore {
  readonly kind: 'memory' | 'redis';
  /** The first outcome recorded for this call id, if any (idempotency). */
  replay(callId: string): Promise<Outcome | null>;
  /** Records a refusal decided before the counters; returns the first outcome for the id. */
  recordDeny(callId: string, reason: DenyReason): Promise<Outcome>;
  /**
   * Steps 10 and 11 at once: every level's CPS and call limit checked in order and taken all or
   * nothing (the first failure named), then held + amount <= ceiling for every hold, then the
   * reservation recorded. Returns the first outcome for the id (a replay reserves nothing).
   */
  admit(call: LiveCall, levels: readonly LimitLevel[], now: number): Promise<AdmitOutcome>;
  /**
   * Money held for live calls by one account, read synchronously (absent = nothing held): only a
   * store in this process has it (memory); the decision then runs in one pass.
   */
  heldNow?(accountId: number): string | undefined;
  /** Money held for live calls, per account (decimal strings; absent = nothing held). */
  held(accountIds: readonly number[]): Promise<Map<number, string>>;
  /**
   * Answers extension `seq` of a live, not ended call, atomically: an answer already recorded
   * for `seq` is returned as it was (replayed, nothing reserved); otherwise a refusal is recorded,
   * or the grant and holds are replaced if the funds re-check passes (else INSUFFICIENT_FUNDS is
   * recorded). 'stale' when the call's grant is no longer `fromGrantSec` (decide again).
   */
  extend(callId: string, req: ExtendRequest): Promise<ExtendResult>;
  /**
   * Ends a call: frees its slots; an unanswered call also frees its holds and is gone, an
   * answered one keeps `holds` (reduced to what it cost) until release. Null if not live.
   */
  end(callId: string, end: EndRequest): Promise<LiveCall | null>;
  /** Frees whatever the call still holds (its CDR is rated, or the sweeper gives up on it). */
  release(callId: string): Promise<LiveCall | null>;
  /** Calls whose expiresAt has passed, oldest first. */
  expired(now: number, limit: number): Promise<LiveCall[]>;
  live(): Promise<LiveCall[]>;
  /**
   * What each level uses now (DOMAIN 3.9, shown beside its limits): live calls holding a slot and
   * calls admitted in the last second. One batch for every key (`host:30`, `customer:10` ...).
   */
  usage(keys: readonly string[], now: number): Promise<Map<string, LevelUsage>>;
  /**
   * Whether this instance should rebuild the store from the durable copy now: memory, always (it
   * starts empty); Redis, only when Redis lost its counters, and then only the first instance.
   */
  claimRestore(): Promise<boolean>;
  /** Puts calls back after a restart (from the durable copy); ids already present are skipped. */
  restore(calls: readonly LiveCall[]): Promise<number>;
  close(): Promise<void>;
}

/** A level's live counters: calls holding a slot now, calls admitted in the last second. */
export interface LevelUsage {
  calls: number;
  cps: number;
}

/** The window "current CPS" counts admissions over. */
export const CPS_WINDOW_MS = 1000;

export const slotKey = (l: Pick<LimitLevel, 'scope' | 'id'>) => `${l.scope}:${l.id}`;

const REASONS: Record<LimitScope, { cps: DenyReason; calls: DenyReason }> = {
  host: { cps: 'HOST_CPS_LIMIT', calls: 'HOST_CALL_LIMIT' },
  trunk: { cps: 'TRUNK_CPS_LIMIT', calls: 'TRUNK_CALL_LIMIT' },
  customer: { cps: 'CUSTOMER_CPS_LIMIT', calls: 'CUSTOMER_CALL_LIMIT' },
  reseller: { cps: 'RESELLER_CPS_LIMIT', calls: 'RESELLER_CALL_LIMIT' },
};
export const limitReason = (scope: LimitScope, kind: 'cps' | 'calls') => REASONS[scope][kind];

/** Money as integer micro-units (6 decimals), so sums are exact in both stores. */
export function toMicros(amount: string): bigint {
  const neg = amount.startsWith('-');
  const [int, frac = ''] = (neg ? amount.slice(1) : amount).split('.');
  const v = BigInt(int || '0') * 1_000_000n + BigInt((frac + '000000').slice(0, 6));
  return neg ? -v : v;
}

export function fromMicros(v: bigint): string {
  const neg = v < 0n;
  const abs = neg ? -v : v;
  const s = `${abs / 1_000_000n}.${(abs % 1_000_000n).toString().padStart(6, '0')}`;
  return neg ? `-${s}` : s;
}

/**
 * How long a decision is still replayed once nothing is held for it any more: a refusal from when
 * it was taken, an allowed call from its end (unanswered) or release (CDR rated, or swept). While
 * a call holds a slot or money its decision is the call itself. Covers INVITE retransmissions (an
 * INVITE transaction times out after 32 s, SIP timer B), the switch's retries and CDRs of
 * unanswered calls; it bounds the memory of decisions to what was decided in the last minute.
 */
export const OUTCOME_GRACE_MS = 60_000;

/** One shared outcome per refusal reason: a remembered refusal costs its map entry only. */
const DENIED = new Map<DenyReason, Outcome>();
function denied(reason: DenyReason): Outcome {
  let o = DENIED.get(reason);
  if (!o) DENIED.set(reason, (o = { decision: 'deny', reason }));
  return o;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * One instance: everything in process memory. Each operation runs synchronously to completion
 * (no await between check and take), which is what makes it atomic on one event loop.
 */
export class MemoryCounterStore implements CounterStore {
  readonly kind = 'memory' as const;
  private readonly calls = new Map<string, LiveCall>();
  private readonly outcomes = new Map<string, { outcome: Outcome; until: number }>();
  private readonly slots = new Map<string, Map<string, number>>();
  private readonly buckets = new Map<string, Bucket>();
  private readonly heldMicros = new Map<number, bigint>();
  /** Per level, the times of the admissions of the last CPS window (oldest first). */
  private readonly starts = new Map<string, number[]>();

  constructor(private readonly clock: () => number = Date.now) {}

  async replay(callId: string): Promise<Outcome | null> {
    const live = this.calls.get(callId);
    if (live) return { decision: 'allow', call: live };
    const o = this.outcomes.get(callId);
    return o && o.until > this.clock() ? o.outcome : null;
  }

  /** Remembers an outcome for the grace period (from now), and forgets those past theirs. */
  private remember(callId: string, outcome: Outcome): void {
    const now = this.clock();
    // Re-inserted at the end: insertion order stays expiry order (one grace period for all).
    this.outcomes.delete(callId);
    this.outcomes.set(callId, { outcome, until: now + OUTCOME_GRACE_MS });
    this.forgetOld(now);
  }

  /** Drops outcomes past their grace, oldest first: stops at the first still valid (O(1) amortized). */
  private forgetOld(now: number): void {
    for (const [id, o] of this.outcomes) {
      if (o.until > now) break;
      this.outcomes.delete(id);
    }
  }

  /** How many decisions are remembered beyond the live calls (tests: the memory is bounded). */
  get rememberedOutcomes(): number {
    return this.outcomes.size;
  }

  async recordDeny(callId: string, reason: DenyReason): Promise<Outcome> {
    const first = await this.replay(callId);
    if (first) return first;
    const outcome = denied(reason);
    this.remember(callId, outcome);
    return outcome;
  }

  private liveCount(key: string, now: number): number {
    const set = this.slots.get(key);
    if (!set) return 0;
    for (const [id, exp] of set) if (exp <= now) set.delete(id);
    return set.size;
  }

  private bucket(key: string, cps: number, now: number): Bucket {
    const cap = Math.max(1, cps);
    const b = this.buckets.get(key) ?? { tokens: cap, at: now };
    const tokens = Math.min(cap, b.tokens + ((now - b.at) / 1000) * cps);
    return { tokens, at: now };
  }

  async admit(call: LiveCall, levels: readonly LimitLevel[], now: number): Promise<AdmitOutcome> {
    const first = await this.replay(call.callId);
    if (first) return { ...first, replayed: true };
    const refill = new Map<string, Bucket>();
    for (const l of levels) {
      const key = slotKey(l);
      if (l.cpsLimit !== null) {
        const b = this.bucket(key, l.cpsLimit, now);
        if (l.cpsLimit <= 0 || b.tokens < 1) return this.recordDeny(call.callId, limitReason(l.scope, 'cps'));
        refill.set(key, b);
      }
      if (l.callLimit !== null && this.liveCount(key, now) >= l.callLimit)
        return this.recordDeny(call.callId, limitReason(l.scope, 'calls'));
    }
    for (const h of call.holds) {
      if (h.ceiling === null) continue;
      const amount = toMicros(h.amount);
      if (amount === 0n) continue;
      if ((this.heldMicros.get(h.accountId) ?? 0n) + amount > toMicros(h.ceiling))
        return this.recordDeny(call.callId, 'INSUFFICIENT_FUNDS');
    }
    // Everything passed: take a token and a slot at every level, and hold the money.
    for (const [key, b] of refill) this.buckets.set(key, { tokens: b.tokens - 1, at: b.at });
    for (const key of call.slots) this.started(key, now);
    this.install(call);
    return { decision: 'allow', call };
  }

  private install(call: LiveCall): void {
    for (const key of call.slots) {
      let set = this.slots.get(key);
      if (!set) this.slots.set(key, (set = new Map()));
      set.set(call.callId, call.expiresAt);
    }
    this.addHolds(call.holds, 1n);
    this.calls.set(call.callId, call);
  }

  private addHolds(holds: readonly Hold[], sign: bigint): void {
    for (const h of holds) {
      const v = (this.heldMicros.get(h.accountId) ?? 0n) + sign * toMicros(h.amount);
      if (v === 0n) this.heldMicros.delete(h.accountId);
      else this.heldMicros.set(h.accountId, v);
    }
  }

  private freeSlots(call: LiveCall): void {
    for (const key of call.slots) this.slots.get(key)?.delete(call.callId);
  }

  private started(key: string, now: number): void {
    let times = this.starts.get(key);
    if (!times) this.starts.set(key, (times = []));
    times.push(now);
    while (times.length > 0 && times[0] <= now - CPS_WINDOW_MS) times.shift();
  }

  async usage(keys: readonly string[], now: number): Promise<Map<string, LevelUsage>> {
    const out = new Map<string, LevelUsage>();
    for (const key of keys) {
      const times = this.starts.get(key) ?? [];
      let cps = 0;
      for (let i = times.length - 1; i >= 0 && times[i] > now - CPS_WINDOW_MS; i--) cps++;
      out.set(key, { calls: this.liveCount(key, now), cps });
    }
    return out;
  }

  heldNow(accountId: number): string | undefined {
    const v = this.heldMicros.get(accountId);
    return v === undefined ? undefined : fromMicros(v);
  }

  async held(accountIds: readonly number[]): Promise<Map<number, string>> {
    const out = new Map<number, string>();
    for (const id of accountIds) {
      const v = this.heldMicros.get(id);
      if (v !== undefined) out.set(id, fromMicros(v));
    }
    return out;
  }

  async extend(callId: string, req: ExtendRequest): Promise<ExtendResult> {
    const call = this.calls.get(callId);
    if (!call || call.endedAt !== null) return { status: 'not-live' };
    const seen = call.extensions?.find((e) => e.seq === req.seq);
    if (seen) return { status: 'answered', call, answer: seen, replayed: true };
    if (call.grantSec !== req.fromGrantSec) return { status: 'stale' };
    const next = req.next;
    const record = (answer: ExtendAnswer, changes: Partial<LiveCall> = {}): ExtendResult => {
      const updated: LiveCall = { ...call, ...changes, extensions: [...(call.extensions ?? []), answer] };
      if (changes.holds) {
        this.addHolds(call.holds, -1n);
        this.freeSlots(call);
        this.install(updated);
      } else this.calls.set(callId, updated);
      return { status: 'answered', call: updated, answer, replayed: false };
    };
    if ('reason' in next) return record({ seq: req.seq, reason: next.reason });
    for (let i = 0; i < next.holds.length; i++) {
      const h = next.holds[i];
      if (h.ceiling === null) continue;
      const delta = toMicros(h.amount) - toMicros(call.holds[i]?.amount ?? '0');
      if (delta <= 0n) continue;
      if ((this.heldMicros.get(h.accountId) ?? 0n) + delta > toMicros(h.ceiling))
        return record({ seq: req.seq, reason: 'INSUFFICIENT_FUNDS' });
    }
    return record(
      { seq: req.seq, grantSec: next.grantSec },
      { grantSec: next.grantSec, expiresAt: next.expiresAt, holds: next.holds },
    );
  }

  async end(callId: string, end: EndRequest) {
    const call = this.calls.get(callId);
    if (!call || call.endedAt !== null) return null;
    const holds = end.answered && end.reprice ? end.reprice(call) : end.holds;
    this.freeSlots(call);
    this.addHolds(call.holds, -1n);
    if (!end.answered) {
      this.calls.delete(callId);
      this.remember(callId, { decision: 'allow', call });
      return { ...call, endedAt: end.now, answered: false, holds: [] };
    }
    const ended: LiveCall = {
      ...call,
      endedAt: end.now,
      answered: true,
      slots: [],
      holds: holds ?? call.holds,
    };
    this.addHolds(ended.holds, 1n);
    this.calls.set(callId, ended);
    return ended;
  }

  async release(callId: string): Promise<LiveCall | null> {
    const call = this.calls.get(callId);
    if (!call) return null;
    this.freeSlots(call);
    this.addHolds(call.holds, -1n);
    this.calls.delete(callId);
    this.remember(callId, { decision: 'allow', call });
    return call;
  }

  async expired(now: number, limit: number): Promise<LiveCall[]> {
    const out: LiveCall[] = [];
    for (const c of this.calls.values()) if (c.expiresAt <= now) out.push(c);
    return out.sort((a, b) => a.expiresAt - b.expiresAt).slice(0, limit);
  }

  async live(): Promise<LiveCall[]> {
    return [...this.calls.values()];
  }

  async claimRestore(): Promise<boolean> {
    return true;
  }

  async restore(calls: readonly LiveCall[]): Promise<number> {
    let n = 0;
    for (const c of calls) {
      if (this.calls.has(c.callId)) continue;
      this.install(c);
      n++;
    }
    return n;
  }

  async close(): Promise<void> {}
}

/** The live call an allowed plan becomes, authorized at `now`. */
export function toLiveCall(plan: AllowPlan, now: number, marginSec: number): LiveCall {
  return {
    callId: plan.callId,
    accountId: plan.accountId,
    trunkId: plan.trunkId,
    hostId: plan.hostId,
    sipDeviceId: plan.sipDeviceId,
    calledNumber: plan.calledNumber,
    callingNumber: plan.callingNumber,
    callingName: plan.callingName,
    startedAt: now,
    grantSec: plan.grantSec,
    maxSec: plan.maxSec,
    expiresAt: now + (plan.grantSec + marginSec) * 1000,
    slots: plan.levels.map(slotKey),
    holds: plan.holds,
    rate: plan.rate,
    routes: plan.routes,
    endedAt: null,
    answered: null,
  };
}

import crypto from 'node:crypto';
import { formatMoney, money, type Money } from '../../platform/money.js';
import {
  callCost,
  chargedSeconds,
  effectiveIncrements,
  lookupWithOverrides,
  type RateIndex,
} from '../rating/index.js';
import { translate } from '../localizations/index.js';
import type { DenyReason } from './call-auth.reasons.js';
import { fromMicros, toMicros } from './counters.js';
import {
  parseIp,
  type AccountSnap,
  type CallAuthState,
  type HostSnap,
  type MinProfit,
  type RateGroupSnap,
  type RateRow,
  type RoutePlanSnap,
} from './call-auth.state.js';

/*
 * The call-authorization decision (DOMAIN 4, steps 1 to 9), pure: it reads the in-memory snapshot
 * and the caller's view of live reservations, and touches no database, clock or network. Steps 10
 * and 11 (limits and the reservation) need the shared counters and happen atomically in the
 * counter store, with the plan this function returns.
 */

export interface AuthorizeRequest {
  callId: string;
  sourceIp: string;
  sourcePort?: number;
  sipUsername?: string;
  digestVerified?: boolean;
  calledNumber: string;
  callingNumber: string;
  callingName?: string;
}

/** The rate a call is priced with, frozen at authorization (DOMAIN 5: the CDR uses it). */
export interface RateSnapshot {
  rateId: number;
  rateGroupId: number;
  prefix: string;
  ratePerMin: string;
  connectFee: string;
  includedSeconds: number;
  /** B and I after the fallbacks (rate, then rate group, then 1). */
  initialIncrement: number;
  nextIncrement: number;
  /** The customer's rate override priced the call (rateId is then the override's id). */
  isOverride?: true;
}

export type LimitScope = 'host' | 'trunk' | 'customer' | 'reseller';

/** One level whose counters the call must pass, in checking order (DOMAIN 4 step 10). */
export interface LimitLevel {
  scope: LimitScope;
  id: number;
  callLimit: number | null;
  cpsLimit: number | null;
}

/** Money held for the call on one account: the customer, then each reseller at its buy rate. */
export interface Hold {
  accountId: number;
  /** cost(grantSec) at `rate`, 6 decimals. */
  amount: string;
  /** balance + effective credit limit: held + amount may not exceed it; null = unlimited. */
  ceiling: string | null;
  rate: RateSnapshot;
}

/** An egress route that passed (DOMAIN 4 step 8), in routing order. */
export interface Route {
  trunkId: number;
  providerAccountId: number;
  prefix: string;
  priority: number;
  buyRate: { prefix: string; ratePerMin: string; connectFee: string };
}

export interface AllowPlan {
  callId: string;
  accountId: number;
  trunkId: number | null;
  hostId: number | null;
  sipDeviceId: number | null;
  grantSec: number;
  /** The most any extension may reach: min(trunk max duration, global max). */
  maxSec: number;
  calledNumber: string;
  callingNumber: string;
  callingName: string | null;
  rate: RateSnapshot;
  /** Null without a route plan: the switch routes on its own. */
  routes: Route[] | null;
  levels: LimitLevel[];
  holds: Hold[];
}

export type Decision = { decision: 'deny'; reason: DenyReason } | { decision: 'allow'; plan: AllowPlan };

export interface DecideOptions {
  /** Money already held for live calls of an account (decimal string); absent = none. */
  held?: (accountId: number) => string | null | undefined;
  /** A uniform integer in [0, n): CLI pool modes 1 and 2 replace the CLI with a random entry. */
  pick?: (n: number) => number;
}

const deny = (reason: DenyReason): Decision => ({ decision: 'deny', reason });

/** available = balance + effective credit limit - held (DOMAIN 2.1); null = unlimited credit. */
export function availableFunds(a: AccountSnap, held: string | null | undefined): Money | null {
  const v = availableMicros(a, held);
  return v === null ? null : money(fromMicros(v));
}

/**
 * The same in integer micro-units: every amount is NUMERIC(20,6), so bigint sums are exact, and
 * the decision path does its money arithmetic without decimal.js (issue 12: decimal.js was the
 * largest library cost of a decision after HTTP itself).
 */
function availableMicros(a: AccountSnap, held: string | null | undefined): bigint | null {
  if (a.mode === 'postpaid' && a.unlimitedCredit) return null;
  const credit = a.mode === 'postpaid' ? toMicros(a.creditLimit) : 0n;
  return toMicros(a.balance) + credit - (held ? toMicros(held) : 0n);
}

/** balance + effective credit limit: the ceiling of everything held; null = unlimited. */
export function fundsCeiling(a: AccountSnap): string | null {
  const av = availableMicros(a, null);
  return av === null ? null : fromMicros(av);
}

/**
 * The seconds a balance pays for at a rate (DOMAIN 4 step 9), Infinity when unbounded, 0 when
 * not even the connect fee (or the first block) is covered:
 *   free rate (C = 0, P = 0) -> Infinity whatever the balance;
 *   A = available - C; A < 0 -> 0; P = 0 -> Infinity;
 *   A < p*B -> S; else S + B + floor((A - p*B) / (p*I)) * I, with p = P/60.
 * The division is done as (60A - P*B) / (P*I), exact in integers (P/60 is not).
 */
export function fundedSeconds(rate: RateSnapshot, available: Money | null): number {
  return fundedSecondsMicros(rate, available === null ? null : toMicros(formatMoney(available)));
}

function fundedSecondsMicros(rate: RateSnapshot, available: bigint | null): number {
  const C = toMicros(rate.connectFee);
  const P = toMicros(rate.ratePerMin);
  if (C === 0n && P === 0n) return Infinity;
  if (available === null) return Infinity;
  const A = available - C;
  if (A < 0n) return 0;
  if (P === 0n) return Infinity;
  const S = rate.includedSeconds;
  const B = rate.initialIncrement;
  const I = rate.nextIncrement;
  const rest = A * 60n - P * BigInt(B);
  if (rest < 0n) return S;
  // rest >= 0 and P * I > 0: bigint division truncates, which is the floor here.
  return S + B + Number(rest / (P * BigInt(I))) * I;
}

/**
 * What `holdAmount` computed lately, by rate terms and seconds: it is pure, and the decision path
 * asks it the same few questions thousands of times a second (a grant is one chunk for most calls;
 * decimal arithmetic is the largest cost in a decision). Bounded: emptied when full.
 */
const holdAmounts = new Map<string, string>();
const HOLD_AMOUNTS_MAX = 50_000;

export function holdAmount(rate: RateSnapshot, seconds: number): string {
  const key = `${rate.ratePerMin}|${rate.connectFee}|${rate.includedSeconds}|${rate.initialIncrement}|${rate.nextIncrement}|${seconds}`;
  let amount = holdAmounts.get(key);
  if (amount === undefined) {
    if (holdAmounts.size >= HOLD_AMOUNTS_MAX) holdAmounts.clear();
    holdAmounts.set(key, (amount = costOf(rate, seconds)));
  }
  return amount;
}

function costOf(rate: RateSnapshot, seconds: number): string {
  // Whole seconds (every grant, and the durations switches send): DOMAIN 5's formula in integer
  // micro-units, C + round_half_up(P x charged / 60), the same value callCost gives in decimals.
  if (Number.isSafeInteger(seconds) && seconds >= 0 && rate.includedSeconds >= 0) {
    if (seconds === 0) return '0.000000';
    const { initialIncrement: b, billingIncrement: i } = effectiveIncrements({
      ...rate,
      billingIncrement: rate.nextIncrement,
    });
    const charged = BigInt(chargedSeconds(seconds, rate.includedSeconds, b, i));
    const timed = (toMicros(rate.ratePerMin) * charged * 2n + 60n) / 120n;
    return fromMicros(toMicros(rate.connectFee) + timed);
  }
  return callCost(
    {
      connectFee: rate.connectFee,
      ratePerMin: rate.ratePerMin,
      includedSeconds: rate.includedSeconds,
      initialIncrement: rate.initialIncrement,
      billingIncrement: rate.nextIncrement,
    },
    seconds,
  );
}

/**
 * The group's best row for the number, or the customer's override when it ranks first (DOMAIN 4
 * step 7: longest code, then override before group row). An override's increments of 0 fall back
 * to the selected group's, like a group row's.
 */
export function snapshotRate(
  group: RateGroupSnap,
  number: string,
  at: number,
  overrides?: RateIndex<RateRow> | null,
): RateSnapshot | null {
  const r = overrides
    ? lookupWithOverrides(group.index, overrides, number, at)
    : group.index.lookup(number, at);
  if (!r) return null;
  const inc = effectiveIncrements(r, group);
  const snap: RateSnapshot = {
    rateId: r.id,
    rateGroupId: group.id,
    prefix: r.prefix,
    ratePerMin: r.ratePerMin,
    connectFee: r.connectFee,
    includedSeconds: r.includedSeconds,
    initialIncrement: inc.initialIncrement,
    nextIncrement: inc.billingIncrement,
  };
  if (r.isOverride) snap.isOverride = true;
  return snap;
}

/**
 * Step 8's margin rule on a 60-second reference call priced under each side's full rate (DOMAIN
 * 5): absolute, margin >= value; percent, margin >= value/100 x sell (with sell = 0, only a free
 * buy and a value <= 0 pass). A negative value allows a bounded loss.
 */
export function passesMinProfit(sell: RateSnapshot, buy: RateSnapshot, rule: MinProfit | null): boolean {
  if (!rule) return true;
  const s = money(holdAmount(sell, 60));
  const b = money(holdAmount(buy, 60));
  const margin = s.minus(b);
  if (rule.type === 'absolute') return margin.gte(rule.value);
  if (s.isZero()) return b.isZero() && money(rule.value).lte(0);
  return margin.gte(money(rule.value).dividedBy(100).times(s));
}

/**
 * The plan's routes for a number: per provider trunk its longest matching prefix, in priority
 * order (then the longer prefix, then the trunk id); a trunk that is not active, whose provider
 * is not active, or whose provider has no buy rate for the number is left out; so is one below
 * the margin rule (logged by the caller as MARGIN_BELOW_MIN through `removedByMargin`).
 */
function egressRoutes(
  state: CallAuthState,
  plan: RoutePlanSnap,
  number: string,
  now: number,
  sell: RateSnapshot,
  rule: MinProfit | null,
): { routes: Route[]; removedByMargin: boolean } {
  const best = new Map<number, { prefix: string; priority: number; providerTrunkId: number }>();
  for (const e of plan.entries) {
    if (!number.startsWith(e.prefix)) continue;
    const cur = best.get(e.providerTrunkId);
    if (!cur || e.prefix.length > cur.prefix.length) best.set(e.providerTrunkId, e);
  }
  const ordered = [...best.values()].sort(
    (a, b) =>
      a.priority - b.priority || b.prefix.length - a.prefix.length || a.providerTrunkId - b.providerTrunkId,
  );
  const routes: Route[] = [];
  let removedByMargin = false;
  for (const e of ordered) {
    const t = state.trunks.get(e.providerTrunkId);
    const provider = t ? state.accounts.get(t.accountId) : undefined;
    if (!t || !t.isActive || !provider || accountProblem(provider, now)) continue;
    const group = activeGroup(state, provider.rateGroupId);
    const buy = group ? snapshotRate(group, number, now) : null;
    if (!buy) continue;
    if (!passesMinProfit(sell, buy, rule)) {
      removedByMargin = true;
      continue;
    }
    routes.push({
      trunkId: t.id,
      providerAccountId: provider.id,
      prefix: e.prefix,
      priority: e.priority,
      buyRate: { prefix: buy.prefix, ratePerMin: buy.ratePerMin, connectFee: buy.connectFee },
    });
  }
  return { routes, removedByMargin };
}

/** Step 2's status checks, for the customer and for each reseller above it. */
function accountProblem(a: AccountSnap | undefined, now: number): DenyReason | null {
  if (!a || !a.isActive) return 'ACCOUNT_INACTIVE';
  if (a.validUntil !== null && a.validUntil < now) return 'ACCOUNT_EXPIRED';
  return null;
}

function activeGroup(state: CallAuthState, id: number | null): RateGroupSnap | null {
  if (id === null) return null;
  const g = state.rateGroups.get(id);
  return g && g.isActive ? g : null;
}

/**
 * Step 1, IP path: the hosts whose CIDR holds the address (and whose port matches when both are
 * known) and whose tech prefix begins the number; the longest tech prefix wins, then the longest
 * mask. `(cidr, techPrefix)` is unique among live hosts, so the winner is unique.
 */
export function identifyHost(
  state: CallAuthState,
  sourceIp: string,
  sourcePort: number | undefined,
  calledNumber: string,
): HostSnap | null {
  const ip = parseIp(sourceIp);
  if (!ip) return null;
  let best: HostSnap | null = null;
  for (const h of state.hostIndex.containing(ip)) {
    if (h.port !== null && sourcePort !== undefined && h.port !== sourcePort) continue;
    if (!calledNumber.startsWith(h.techPrefix)) continue;
    if (
      best === null ||
      h.techPrefix.length > best.techPrefix.length ||
      (h.techPrefix.length === best.techPrefix.length && h.bits > best.bits)
    )
      best = h;
  }
  return best;
}

/** The resellers above an account, nearest first; a missing one is reported as undefined. */
function resellersAbove(state: CallAuthState, a: AccountSnap): (AccountSnap | undefined)[] {
  const out: (AccountSnap | undefined)[] = [];
  let parentId = a.parentId;
  for (let depth = 0; parentId !== null && depth < 32; depth++) {
    const p = state.accounts.get(parentId);
    out.push(p);
    if (!p) break;
    parentId = p.parentId;
  }
  return out;
}

const listHas = (list: readonly string[], n: string) => list.includes(n);

/** Decides steps 1 to 9 for one call at epoch-ms `now`. */
export function decide(
  state: CallAuthState,
  req: AuthorizeRequest,
  now: number,
  opts: DecideOptions = {},
): Decision {
  const pick = opts.pick ?? ((n: number) => crypto.randomInt(n));

  // 1. Identify.
  let account: AccountSnap | undefined;
  let host: HostSnap | null = null;
  let deviceId: number | null = null;
  let called = req.calledNumber;
  if (req.sipUsername && req.digestVerified) {
    const device = state.devicesByUsername.get(req.sipUsername.toLowerCase());
    if (!device || !device.isActive) return deny('AUTH_UNKNOWN_SOURCE');
    deviceId = device.id;
    account = state.accounts.get(device.accountId);
  } else {
    host = identifyHost(state, req.sourceIp, req.sourcePort, req.calledNumber);
    if (!host) return deny('AUTH_UNKNOWN_SOURCE');
    called = called.slice(host.techPrefix.length);
    account = state.accounts.get(host.accountId);
  }

  // 2. Account, trunk, host, rate group; then every reseller above.
  const problem = accountProblem(account, now);
  if (problem || !account) return deny(problem ?? 'ACCOUNT_INACTIVE');
  const trunk = host ? state.trunks.get(host.trunkId) : undefined;
  if (host && (!trunk || !trunk.isActive)) return deny('TRUNK_INACTIVE');
  if (host && !host.isActive) return deny('HOST_INACTIVE');
  if (!activeGroup(state, account.rateGroupId)) return deny('NO_RATE_GROUP');
  const resellers = resellersAbove(state, account);
  for (const r of resellers) {
    const rp = accountProblem(r, now);
    if (rp) return deny(rp);
    if (!activeGroup(state, r!.rateGroupId)) return deny('NO_RATE_GROUP');
  }
  const chain = [account, ...(resellers as AccountSnap[])];

  // 3. Speed dial (device calls only).
  if (deviceId !== null && /^[0-9]$/.test(called)) {
    const entry = account.speedDials.find((d) => d.key === Number(called));
    if (entry) called = entry.number;
  }

  // 4. Localization: the first matching rule of each list.
  let calling = req.callingNumber;
  let callingName: string | null = req.callingName ?? null;
  const profile =
    account.localizationId === null ? undefined : state.localizations.get(account.localizationId);
  if (profile) {
    called = translate(profile.destinationRules, called).output;
    calling = translate(profile.callerNumberRules, calling).output;
    if (callingName !== null) callingName = translate(profile.callerNameRules, callingName).output;
  }

  // 5. Blocked codes, after translation: the customer's and every reseller's.
  for (const a of chain)
    if (a.blockedCodes.some((p) => called.startsWith(p))) return deny('DESTINATION_BLOCKED');

  // 6. CLI pool, then the force caller ID (only what is sent; never the rate group).
  let groupId = account.rateGroupId;
  const mode = account.cliPoolMode;
  if (mode !== 0) {
    const isDid = listHas(account.dids, calling);
    const isCallerId = listHas(account.callerIds, calling);
    if (mode === 1 || mode === 2) {
      const pool = mode === 1 ? account.dids : account.callerIds;
      if (!(mode === 1 ? isDid : isCallerId)) {
        if (pool.length === 0) return deny('CLI_POOL_EMPTY');
        calling = pool[pick(pool.length)];
      }
    } else {
      const matches = mode % 3 === 0 ? isDid : mode % 3 === 1 ? isCallerId : isDid || isCallerId;
      if (!matches) {
        if (mode >= 6) return deny('CLI_REJECTED');
        groupId = account.nonCliRateGroupId;
      }
    }
  }
  if (account.forceCallerId) {
    calling = account.forceCallerId.number;
    if (account.forceCallerId.name) callingName = account.forceCallerId.name;
  }

  // 7. Rate: longest prefix in the selected group and the customer's overrides, valid now; then
  // each reseller's buy rate (its own group only).
  const group = activeGroup(state, groupId);
  if (!group) return deny('NO_RATE_GROUP');
  const rate = snapshotRate(group, called, now, account.rateOverrides);
  if (!rate) return deny('NO_RATE');
  const rates = [rate];
  for (const r of resellers as AccountSnap[]) {
    const buy = snapshotRate(activeGroup(state, r.rateGroupId)!, called, now);
    if (!buy) return deny('NO_RATE');
    rates.push(buy);
  }

  // 8. Routes: without a route plan the switch routes on its own, and min profitability is not checked.
  let routes: Route[] | null = null;
  const planId = state.routePlanOf.get(account.id);
  const plan = planId === undefined ? undefined : state.routePlans.get(planId);
  if (plan) {
    const chosen = egressRoutes(state, plan, called, now, rate, trunk?.minProfit ?? account.minProfit);
    if (chosen.routes.length === 0) return deny(chosen.removedByMargin ? 'MIN_PROFITABILITY' : 'NO_ROUTE');
    routes = chosen.routes;
  }

  // 9. Funds: the smallest funded time over the customer and its resellers, then the caps.
  let t = Infinity;
  for (let i = 0; i < chain.length; i++) {
    const seconds = fundedSecondsMicros(rates[i], availableMicros(chain[i], opts.held?.(chain[i].id)));
    if (seconds === 0) return deny('INSUFFICIENT_FUNDS');
    if (seconds < t) t = seconds;
  }
  const settings = state.settings;
  const maxSec = Math.min(trunk?.maxDurationSec ?? Infinity, settings.globalMaxSec);
  const grantSec = Math.min(t, maxSec, settings.grantChunkSec);

  const levels: LimitLevel[] = [];
  if (host && trunk) {
    levels.push({ scope: 'host', id: host.id, callLimit: host.callLimit, cpsLimit: host.cpsLimit });
    levels.push({ scope: 'trunk', id: trunk.id, callLimit: trunk.callLimit, cpsLimit: trunk.cpsLimit });
  }
  levels.push({
    scope: 'customer',
    id: account.id,
    callLimit: account.callLimit,
    cpsLimit: account.cpsLimit,
  });
  for (const r of resellers as AccountSnap[])
    levels.push({ scope: 'reseller', id: r.id, callLimit: r.callLimit, cpsLimit: r.cpsLimit });

  return {
    decision: 'allow',
    plan: {
      callId: req.callId,
      accountId: account.id,
      trunkId: trunk?.id ?? null,
      hostId: host?.id ?? null,
      sipDeviceId: deviceId,
      grantSec,
      maxSec,
      calledNumber: called,
      callingNumber: calling,
      callingName,
      rate,
      routes,
      levels,
      holds: chain.map((a, i) => ({
        accountId: a.id,
        amount: holdAmount(rates[i], grantSec),
        ceiling: fundsCeiling(a),
        rate: rates[i],
      })),
    },
  };
}

/**
 * An extension (DOMAIN 4, "extensions"): steps 9 and 11 again for a live call that holds
 * `grantSec` so far. The call's own holds count as free again, so the new total grant is what the
 * money allows from the start of the call, at most one chunk more, within `maxSec`.
 * Returns the new total grant and holds, or the reason the call must end at its current grant.
 */
export function decideExtension(
  state: CallAuthState,
  call: { grantSec: number; maxSec: number; holds: readonly Hold[] },
  opts: DecideOptions = {},
): { ok: true; grantSec: number; holds: Hold[] } | { ok: false; reason: DenyReason } {
  if (call.grantSec >= call.maxSec) return { ok: false, reason: 'MAX_DURATION_REACHED' };
  let t = Infinity;
  const accounts: AccountSnap[] = [];
  for (const h of call.holds) {
    const a = state.accounts.get(h.accountId);
    if (!a) return { ok: false, reason: 'ACCOUNT_INACTIVE' };
    accounts.push(a);
    const heldByOthers = toMicros(opts.held?.(a.id) ?? '0') - toMicros(h.amount);
    const seconds = fundedSecondsMicros(h.rate, availableMicros(a, fromMicros(heldByOthers)));
    if (seconds < t) t = seconds;
  }
  const grantSec = Math.min(t, call.maxSec, call.grantSec + state.settings.grantChunkSec);
  if (grantSec <= call.grantSec) return { ok: false, reason: 'INSUFFICIENT_FUNDS' };
  return {
    ok: true,
    grantSec,
    holds: call.holds.map((h, i) => ({
      ...h,
      amount: holdAmount(h.rate, grantSec),
      ceiling: fundsCeiling(accounts[i]),
    })),
  };
}

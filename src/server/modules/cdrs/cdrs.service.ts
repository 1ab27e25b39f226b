import crypto from 'node:crypto';
import { Decimal } from 'decimal.js';
import type { Ctx } from '../../platform/context.js';
import { inTransaction } from '../../platform/db/transaction.js';
import { AppError, forbidden } from '../../platform/errors.js';
import { formatMoney } from '../../platform/money.js';
import {
  cdrAccountOf,
  cdrRateOf,
  resellerChainOf,
  releaseCall,
  type CallAuthEngine,
  type CallAuthState,
  type CallOutcome,
  type CdrRate,
} from '../call-auth/index.js';
import { ledgerService, type CallChargeInput, type CallPayableInput } from '../ledger/index.js';
import { callCost, chargedSeconds } from '../rating/index.js';
import { retentionHorizon } from './cdrs.partitions.service.js';
import * as repo from './cdrs.repository.js';
import { checkCdr, type CdrInputValue, type CdrResultItemValue } from './cdrs.schemas.js';

/*
 * CDR intake and exact rating (DOMAIN 5, issue #13), set-based: a batch is rated in memory (the
 * reservation's snapshot, else a fresh lookup in the call-authorization snapshot at the call's
 * start) and written in ONE transaction:
 *   1. the CDR rows, one statement sorted by key: each claims its key in cdr_keys (INSERT ...
 *      ON CONFLICT (call_id, leg) DO NOTHING) and only the claimed ones go into the month-partitioned
 *      cdrs; the rows returned are the CDRs this batch owns; a key stored earlier (in any month)
 *      or by a concurrent batch (another instance) is skipped after that batch ends and answered
 *      as a replay;
 *   2. the CALL entries of the owned CDRs (keyed cdr:<callId>:<leg>, ids chosen here so the CDR
 *      rows reference them), through the ledger's batch posting: accounts locked in id order,
 *      balances chained and moved once per account, with the accounts' firstUsedAt in the same
 *      UPDATE (one new row version per account and batch);
 *   3. the reseller and provider lines, and the customers' daily usage (one grouped upsert, in
 *      key order).
 * Lock order is the same in every batch (CDR keys sorted, accounts by id, usage rows by key), so two batches
 * never deadlock; a deadlock or serialization failure with another writer retries the batch.
 * After the commit the new balances are set in this instance's call-authorization state (its next
 * decision sees the debit; the other instances hear them through the balance notification), then
 * the reservations are released (a crash in between leaves a hold the sweeper frees, never a
 * second charge); a replay releases too, for a batch whose commit outlived its process.
 */

/** The rate a CDR is rated at: the reservation's snapshot, or a fresh lookup at its start. */
interface RatePick {
  rateId: number;
  rateGroupId: number;
  prefix: string;
  connectFee: string;
  ratePerMin: string;
  includedSeconds: number;
  initialIncrement: number;
  billingIncrement: number;
  /** The customer's rate override priced the call (rateId is the override's id). */
  isOverride: boolean;
}

interface Plan {
  accountId: number | null;
  status: 'rated' | 'denied' | 'unrated';
  reason: string | null;
  noReservation: boolean;
  /** The call held money: release it once the CDR is stored. */
  reserved: boolean;
  rate: RatePick | null;
}

function requireSwitchOrAdmin(ctx: Ctx): void {
  if (ctx.actor.kind !== 'switch' && ctx.actor.kind !== 'admin')
    throw forbidden('Only a switch or an admin posts CDRs.');
}

/** Rules beyond the schema: the times in order, answered time only for answered calls. */
function checkConsistency(c: CdrInputValue): { field: string; message: string } | null {
  const started = Date.parse(c.startedAt);
  const ended = Date.parse(c.endedAt);
  if (ended < started) return { field: 'endedAt', message: 'endedAt is before startedAt.' };
  if (c.answeredAt) {
    const answered = Date.parse(c.answeredAt);
    if (answered < started || answered > ended)
      return { field: 'answeredAt', message: 'answeredAt is outside startedAt..endedAt.' };
  } else if (c.billsec > 0) return { field: 'billsec', message: 'billsec > 0 needs answeredAt.' };
  if (c.billsec > c.durationSec) return { field: 'billsec', message: 'billsec exceeds durationSec.' };
  return null;
}

/**
 * A CDR started before the retention horizon is refused (issue 13): its month's raw CDRs and keys
 * are (or are about to be) purged, so it could not be told from a replay and would charge again.
 */
function checkRetention(c: CdrInputValue, horizon: Date | null) {
  if (!horizon || Date.parse(c.startedAt) >= horizon.getTime()) return null;
  return {
    field: 'startedAt',
    code: 'CDR_PAST_RETENTION',
    message: `startedAt is before ${horizon.toISOString()}: raw CDRs of that time are no longer kept.`,
  };
}

const pickOf = (r: CdrRate): RatePick => ({
  rateId: r.rateId,
  rateGroupId: r.rateGroupId,
  prefix: r.prefix,
  connectFee: r.connectFee,
  ratePerMin: r.ratePerMin,
  includedSeconds: r.includedSeconds,
  initialIncrement: r.initialIncrement,
  billingIncrement: r.nextIncrement,
  isOverride: r.isOverride === true,
});

/** How a CDR is rated: from its authorization outcome, else by a fresh lookup (flagged). */
function planFor(state: CallAuthState, outcome: CallOutcome | null, c: CdrInputValue): Plan {
  if (outcome?.decision === 'allow')
    return {
      accountId: outcome.call.accountId,
      status: 'rated',
      reason: null,
      noReservation: false,
      reserved: true,
      rate: pickOf(outcome.call.rate),
    };
  const accountId = cdrAccountOf(state, c);
  if (outcome?.decision === 'deny')
    return {
      accountId,
      status: 'denied',
      reason: outcome.reason,
      noReservation: false,
      reserved: false,
      rate: null,
    };
  if (accountId === null)
    return {
      accountId,
      status: 'unrated',
      reason: 'UNKNOWN_ACCOUNT',
      noReservation: true,
      reserved: false,
      rate: null,
    };
  const found = cdrRateOf(state, accountId, c.calledNumber, Date.parse(c.startedAt));
  if (!found.rate)
    return {
      accountId,
      status: 'unrated',
      reason: 'NO_RATE',
      noReservation: true,
      reserved: false,
      rate: null,
    };
  return {
    accountId,
    status: 'rated',
    reason: null,
    noReservation: true,
    reserved: false,
    rate: pickOf(found.rate),
  };
}

function cdrDto(row: repo.StoredCdr): NonNullable<CdrResultItemValue['cdr']> {
  return {
    id: row.id,
    accountId: row.account_id,
    status: row.status,
    reason: row.reason,
    noReservation: row.no_reservation,
    chargedSec: row.charged_sec,
    cost: formatMoney(row.cost),
  };
}

function callReason(c: CdrInputValue): string {
  return `Call to ${c.calledNumber} (${c.callId}/${c.leg})`;
}

interface Prepared {
  c: CdrInputValue;
  plan: Plan;
  row: repo.CdrRow;
  /** The CALL entry to post when this CDR is new (positive cost, known account). */
  charge: CallChargeInput | null;
  answeredSec: number;
  /** Each reseller's buy-rate line and the provider's cost line (issue 13). */
  lines: repo.CdrLineRow[];
  /** The resellers' CALL entries and the provider's payable entry of those lines. */
  lineCharges: CallChargeInput[];
  payables: CallPayableInput[];
}

/** What rates the lines above a call: the reseller rates and the egress trunks of the batch. */
interface LineContext {
  state: CallAuthState;
  trunks: Map<string, { trunkId: number; accountId: number }>;
}

/**
 * The lines above a rated, answered call: each reseller above the customer at its buy rate (the
 * reservation's hold snapshot, else its rate group at the call's start; without a rate group or a
 * rate: no line, flagged), and the provider of the egress trunk at its rate (flagged when the
 * trunk is unknown or the provider has no rate).
 */
function linesFor(
  ctx: LineContext,
  outcome: CallOutcome | null,
  c: CdrInputValue,
  customerId: number,
): { lines: Omit<repo.CdrLineRow, 'ledgerEntryId' | 'payableEntryId'>[]; flags: string[] } {
  const at = Date.parse(c.startedAt);
  const flags: string[] = [];
  const lines: Omit<repo.CdrLineRow, 'ledgerEntryId' | 'payableEntryId'>[] = [];
  const add = (kind: 'reseller' | 'provider', accountId: number, r: CdrRate) => {
    const rate = pickOf(r);
    const answeredSec = new Decimal(c.billsec).ceil().toNumber();
    lines.push({
      callId: c.callId,
      leg: c.leg,
      kind,
      accountId,
      rateId: rate.rateId,
      rateGroupId: rate.rateGroupId,
      ratePrefix: rate.prefix,
      ratePerMin: rate.ratePerMin,
      connectFee: rate.connectFee,
      includedSeconds: rate.includedSeconds,
      initialIncrement: rate.initialIncrement,
      billingIncrement: rate.billingIncrement,
      chargedSec: chargedSeconds(
        answeredSec,
        rate.includedSeconds,
        rate.initialIncrement,
        rate.billingIncrement,
      ),
      cost: callCost(rate, c.billsec),
    });
  };
  const held = outcome?.decision === 'allow' ? outcome.call.holds.slice(1) : null;
  if (held) for (const h of held) add('reseller', h.accountId, h.rate);
  else
    for (const resellerId of resellerChainOf(ctx.state, customerId)) {
      const found = cdrRateOf(ctx.state, resellerId, c.calledNumber, at);
      if (found.rate) add('reseller', resellerId, found.rate);
      else flags.push(`RESELLER_${found.reason}:${resellerId}`);
    }
  if (c.egressTrunk) {
    const trunk = ctx.trunks.get(c.egressTrunk);
    if (!trunk) flags.push('PROVIDER_TRUNK_UNKNOWN');
    else {
      const found = cdrRateOf(ctx.state, trunk.accountId, c.calledNumber, at);
      if (found.rate) add('provider', trunk.accountId, found.rate);
      else flags.push(`PROVIDER_${found.reason}:${trunk.accountId}`);
    }
  }
  return { lines, flags };
}

/** Rates one CDR in memory: the plan, the exact cost, the row and its charge. */
function prepare(lc: LineContext, outcome: CallOutcome | null, c: CdrInputValue): Prepared {
  const plan = planFor(lc.state, outcome, c);
  const answeredSec = new Decimal(c.billsec).ceil().toNumber();
  const rate = plan.status === 'rated' ? plan.rate : null;
  const cost = rate ? callCost(rate, c.billsec) : formatMoney('0');
  const charged = rate
    ? chargedSeconds(answeredSec, rate.includedSeconds, rate.initialIncrement, rate.billingIncrement)
    : 0;
  const charge =
    plan.accountId !== null && rate && new Decimal(cost).gt(0)
      ? {
          entryId: crypto.randomUUID(),
          accountId: plan.accountId,
          idempotencyKey: `cdr:${c.callId}:${c.leg}`,
          callId: c.callId,
          cost,
          reason: callReason(c),
        }
      : null;
  const row: repo.CdrRow = {
    call_id: c.callId,
    leg: c.leg,
    account_id: plan.accountId,
    status: plan.status,
    reason: plan.reason,
    no_reservation: plan.noReservation,
    source_ip: c.sourceIp,
    sip_username: c.sipUsername ?? null,
    calling_number: c.callingNumber,
    called_number: c.calledNumber,
    started_at: c.startedAt,
    answered_at: c.answeredAt ?? null,
    ended_at: c.endedAt,
    duration_sec: String(c.durationSec),
    billsec: String(c.billsec),
    disposition: c.disposition,
    sip_code: c.sipCode,
    hangup_cause: c.hangupCause,
    egress_trunk: c.egressTrunk ?? null,
    rate_id: rate && !rate.isOverride ? rate.rateId : null,
    rate_override_id: rate?.isOverride ? rate.rateId : null,
    rate_group_id: rate?.rateGroupId ?? null,
    rate_prefix: rate?.prefix ?? null,
    rate_per_min: rate?.ratePerMin ?? null,
    connect_fee: rate?.connectFee ?? null,
    included_seconds: rate?.includedSeconds ?? null,
    initial_increment: rate?.initialIncrement ?? null,
    billing_increment: rate?.billingIncrement ?? null,
    charged_sec: charged,
    cost,
    ledger_entry_id: charge?.entryId ?? null,
    rating_flags: rate?.isOverride ? ['RATE_OVERRIDE'] : [],
  };
  const lines: repo.CdrLineRow[] = [];
  const lineCharges: CallChargeInput[] = [];
  const payables: CallPayableInput[] = [];
  if (rate && plan.accountId !== null && answeredSec > 0) {
    const found = linesFor(lc, outcome, c, plan.accountId);
    row.rating_flags = [...row.rating_flags, ...found.flags];
    for (const l of found.lines) {
      const paid = new Decimal(l.cost).gt(0);
      const key = `cdr:${c.callId}:${c.leg}:${l.kind === 'reseller' ? 'r' : 'p'}${l.accountId}`;
      const entryId = paid ? crypto.randomUUID() : null;
      lines.push({
        ...l,
        ledgerEntryId: l.kind === 'reseller' ? entryId : null,
        payableEntryId: l.kind === 'provider' ? entryId : null,
      });
      if (!entryId) continue;
      const input = {
        entryId,
        accountId: l.accountId,
        idempotencyKey: key,
        callId: c.callId,
        cost: l.cost,
        reason: callReason(c),
      };
      if (l.kind === 'reseller') lineCharges.push(input);
      else payables.push(input);
    }
  }
  return { c, plan, row, charge, answeredSec, lines, lineCharges, payables };
}

const keyOf = (c: { callId: string; leg: string }) => `${c.callId}\u0000${c.leg}`;
const byKey = (a: Prepared, b: Prepared) => {
  const x = keyOf(a.c);
  const y = keyOf(b.c);
  return x < y ? -1 : x > y ? 1 : 0;
};

/**
 * Steps 1-3 of the header, in one transaction; returns the rows this batch created and the new
 * balances of the accounts it charged.
 */
async function writeBatch(
  ctx: Ctx,
  fresh: Prepared[],
): Promise<{ created: repo.StoredCdr[]; balances: Map<number, string> }> {
  return inTransaction(ctx, async (tx) => {
    const created = await repo.insertCdrs(
      tx.db,
      fresh.map((p) => p.row),
    );
    if (!created.length) return { created, balances: new Map() };
    const mine = new Set(created.map((r) => keyOf({ callId: r.call_id, leg: r.leg })));
    const owned = fresh.filter((p) => mine.has(keyOf(p.c)));
    const firsts = new Map<number, string>();
    for (const p of owned) {
      if (p.plan.accountId === null || p.plan.status !== 'rated' || p.answeredSec === 0) continue;
      const at = firsts.get(p.plan.accountId);
      if (at === undefined || Date.parse(p.c.startedAt) < Date.parse(at))
        firsts.set(p.plan.accountId, p.c.startedAt);
    }
    const balances = await ledgerService.postCallChargesInTransaction(
      tx,
      owned.flatMap((p) => (p.charge ? [p.charge, ...p.lineCharges] : p.lineCharges)),
      [...firsts].map(([accountId, at]) => ({ accountId, at })),
    );
    await ledgerService.postCallPayablesInTransaction(
      tx,
      owned.flatMap((p) => p.payables),
    );
    await repo.insertCdrLines(
      tx.db,
      owned.flatMap((p) => p.lines),
    );
    await repo.addDailyUsage(
      tx.db,
      owned.map((p) => p.row),
    );
    return { created, balances };
  });
}

const isRetryable = (err: unknown) => {
  const code = (err as { code?: string })?.code;
  return code === '40P01' || code === '40001';
};

type Answer = { outcome: 'created' | 'replayed'; row: repo.StoredCdr };

/**
 * The well-formed CDRs of a batch: the stored ones answered as replays, the others rated and
 * written together (writeBatch), then the holds of the calls released.
 */
async function intakeBatch(ctx: Ctx, engine: CallAuthEngine, cdrs: CdrInputValue[]): Promise<Answer[]> {
  const first = new Map<string, number>(); // key -> index of its first occurrence in the batch
  cdrs.forEach((c, i) => {
    if (!first.has(keyOf(c))) first.set(keyOf(c), i);
  });
  const unique = [...first.values()].map((i) => cdrs[i]);
  const stored = new Map(
    (await repo.findCdrsByKeys(ctx.db, unique)).map((r) => [keyOf({ callId: r.call_id, leg: r.leg }), r]),
  );
  const todo = unique.filter((c) => !stored.has(keyOf(c)));
  const outcomes = await Promise.all(todo.map((c) => engine.store.replay(c.callId)));
  const egress = [...new Set(todo.flatMap((c) => (c.egressTrunk ? [c.egressTrunk] : [])))];
  const lc: LineContext = {
    state: engine.loader.state,
    trunks: await repo.resolveEgressTrunks(ctx.db, egress),
  };
  const fresh = todo.map((c, i) => prepare(lc, outcomes[i], c)).sort(byKey);
  const created = new Set<string>();
  if (fresh.length) {
    for (let attempt = 0; ; attempt++) {
      try {
        const since = engine.loader.balanceStamp();
        const written = await writeBatch(ctx, fresh);
        engine.loader.applyLocalBalances(written.balances, since);
        for (const row of written.created) {
          const k = keyOf({ callId: row.call_id, leg: row.leg });
          stored.set(k, row);
          created.add(k);
        }
        break;
      } catch (err) {
        if (!isRetryable(err) || attempt >= 3) throw err;
      }
    }
    // Keys a concurrent batch stored first: its rows answer them.
    const missing = fresh.filter((p) => !stored.has(keyOf(p.c))).map((p) => p.c);
    for (const r of await repo.findCdrsByKeys(ctx.db, missing))
      stored.set(keyOf({ callId: r.call_id, leg: r.leg }), r);
  }
  await Promise.all(
    outcomes.map((o, i) => (o?.decision === 'allow' ? releaseCall(engine, todo[i].callId) : null)),
  );
  const seen = new Set<string>();
  return cdrs.map((c) => {
    const k = keyOf(c);
    const row = stored.get(k);
    if (!row) throw new AppError('CDR_NOT_STORED', 'The CDR could not be stored; send it again.');
    const isFirst = !seen.has(k);
    seen.add(k);
    return { outcome: created.has(k) && isFirst ? 'created' : 'replayed', row };
  });
}

/**
 * POST /cdrs: a batch of up to 1,000 CDRs, one result per CDR in order. A malformed CDR is refused
 * with its index and field; the others still commit.
 */
export async function postCdrs(ctx: Ctx, engine: CallAuthEngine, items: readonly unknown[]) {
  requireSwitchOrAdmin(ctx);
  const horizon = await retentionHorizon(ctx);
  const results: CdrResultItemValue[] = new Array(items.length);
  const counts = { created: 0, replayed: 0, refused: 0 };
  const good: { index: number; c: CdrInputValue }[] = [];
  const ids = (raw: Partial<Record<string, unknown>>) => ({
    callId: typeof raw.callId === 'string' ? raw.callId.slice(0, 128) : null,
    leg: typeof raw.leg === 'string' ? raw.leg.slice(0, 16) : null,
  });
  for (let index = 0; index < items.length; index++) {
    const raw = items[index];
    const bad: { field: string; message: string; code?: string } | null =
      checkCdr(raw) ??
      checkConsistency(raw as CdrInputValue) ??
      checkRetention(raw as CdrInputValue, horizon);
    if (!bad) {
      good.push({ index, c: raw as CdrInputValue });
      continue;
    }
    counts.refused++;
    results[index] = {
      index,
      ...ids(raw as Partial<Record<string, unknown>>),
      outcome: 'refused',
      cdr: null,
      error: { code: bad.code ?? 'CDR_INVALID', field: bad.field, message: bad.message },
    };
  }
  if (good.length) {
    const answers = await intakeBatch(
      ctx,
      engine,
      good.map((g) => g.c),
    );
    answers.forEach((a, i) => {
      const index = good[i].index;
      counts[a.outcome]++;
      const raw = items[index] as Partial<Record<string, unknown>>;
      results[index] = { index, ...ids(raw), outcome: a.outcome, cdr: cdrDto(a.row), error: null };
    });
  }
  return { ...counts, results };
}

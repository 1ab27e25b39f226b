import { Decimal } from 'decimal.js';
import type { Ctx } from '../../platform/context.js';
import { inTransaction } from '../../platform/db/transaction.js';
import { isCursorId, isCursorKey } from '../../platform/cursor-keys.js';
import { AppError, forbidden, validationError } from '../../platform/errors.js';
import { formatMoney } from '../../platform/money.js';
import { accountNotFound, findAccount } from '../accounts/index.js';
import { releaseCall, type CallAuthEngine } from '../call-auth/index.js';
import { ledgerService } from '../ledger/index.js';
import { callCost, chargedSeconds, effectiveIncrements, prefixesOf } from '../rating/index.js';
import * as repo from './cdrs.repository.js';
import {
  checkCdr,
  type CdrInputValue,
  type CdrListQueryValue,
  type CdrResultItemValue,
} from './cdrs.schemas.js';

/*
 * CDR intake and exact rating (DOMAIN 5, issue #13). Each CDR is its own transaction: the row,
 * its CALL ledger entry (keyed cdr:<callId>:<leg>) and the account's firstUsedAt commit together;
 * the reservation is released after the commit (a crash in between leaves a hold the sweeper
 * frees, never a second charge). (callId, leg) is unique: a replay answers the stored result.
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

async function planFor(ctx: Ctx, engine: CallAuthEngine, c: CdrInputValue): Promise<Plan> {
  const outcome = await engine.store.replay(c.callId);
  if (outcome?.decision === 'allow') {
    const r = outcome.call.rate;
    return {
      accountId: outcome.call.accountId,
      status: 'rated',
      reason: null,
      noReservation: false,
      reserved: true,
      rate: {
        rateId: r.rateId,
        rateGroupId: r.rateGroupId,
        prefix: r.prefix,
        connectFee: r.connectFee,
        ratePerMin: r.ratePerMin,
        includedSeconds: r.includedSeconds,
        initialIncrement: r.initialIncrement,
        billingIncrement: r.nextIncrement,
      },
    };
  }
  const accountId = await repo.identifyAccount(ctx.db, c.sourceIp, c.sipUsername);
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
  const found = await repo.lookupRate(ctx.db, accountId, prefixesOf(c.calledNumber), new Date(c.startedAt));
  if (!found)
    return {
      accountId,
      status: 'unrated',
      reason: 'NO_RATE',
      noReservation: true,
      reserved: false,
      rate: null,
    };
  const inc = effectiveIncrements(
    {
      connectFee: found.connectFee,
      ratePerMin: found.ratePerMin,
      includedSeconds: found.includedSeconds,
      initialIncrement: found.initialIncrement,
      billingIncrement: found.billingIncrement,
    },
    { initialIncrement: found.groupInitialIncrement, billingIncrement: found.groupBillingIncrement },
  );
  return {
    accountId,
    status: 'rated',
    reason: null,
    noReservation: true,
    reserved: false,
    rate: {
      rateId: found.rateId,
      rateGroupId: found.rateGroupId,
      prefix: found.prefix,
      connectFee: found.connectFee,
      ratePerMin: found.ratePerMin,
      includedSeconds: found.includedSeconds,
      ...inc,
    },
  };
}

type Stored = NonNullable<Awaited<ReturnType<typeof repo.findCdr>>>;

function cdrDto(row: Stored): NonNullable<CdrResultItemValue['cdr']> {
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
  rate: RatePick | null;
  cost: string;
  charged: number;
  answeredSec: number;
}

/** Everything read before the write: the plan (reservation or lookup) and the exact cost. */
async function prepare(ctx: Ctx, engine: CallAuthEngine, c: CdrInputValue): Promise<Prepared> {
  const plan = await planFor(ctx, engine, c);
  const answeredSec = new Decimal(c.billsec).ceil().toNumber();
  const rate = plan.status === 'rated' ? plan.rate : null;
  const cost = rate ? callCost(rate, c.billsec) : formatMoney('0');
  const charged = rate
    ? chargedSeconds(answeredSec, rate.includedSeconds, rate.initialIncrement, rate.billingIncrement)
    : 0;
  return { c, plan, rate, cost, charged, answeredSec };
}

/**
 * Writes one CDR in the caller's transaction: the row, its CALL debit and firstUsedAt. Null when
 * (callId, leg) is already stored (by a concurrent replay, or earlier in the same batch).
 */
async function write(tx: Ctx, p: Prepared): Promise<Stored | null> {
  const { c, plan, rate, cost } = p;
  const row = await repo.insertCdr(tx.db, {
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
    rate_id: rate?.rateId ?? null,
    rate_group_id: rate?.rateGroupId ?? null,
    rate_prefix: rate?.prefix ?? null,
    rate_per_min: rate?.ratePerMin ?? null,
    connect_fee: rate?.connectFee ?? null,
    included_seconds: rate?.includedSeconds ?? null,
    initial_increment: rate?.initialIncrement ?? null,
    billing_increment: rate?.billingIncrement ?? null,
    charged_sec: p.charged,
    cost,
  });
  if (!row) return null;
  if (plan.accountId !== null && rate && new Decimal(cost).gt(0)) {
    const posted = await ledgerService.postCallDebit(tx, {
      accountId: plan.accountId,
      callId: c.callId,
      leg: c.leg,
      cost,
      reason: callReason(c),
    });
    await repo.setLedgerEntry(tx.db, row.id, posted.entry.id);
    row.ledger_entry_id = posted.entry.id;
  }
  if (plan.accountId !== null && rate && p.answeredSec > 0)
    await repo.markFirstUsed(tx.db, plan.accountId, new Date(c.startedAt));
  return row;
}

/** Stores and rates one well-formed CDR in its own transaction; a replay answers the stored row. */
async function intakeOne(
  ctx: Ctx,
  engine: CallAuthEngine,
  c: CdrInputValue,
): Promise<{ outcome: 'created' | 'replayed'; row: Stored }> {
  const earlier = await repo.findCdr(ctx.db, c.callId, c.leg);
  if (earlier) return { outcome: 'replayed', row: earlier };
  const p = await prepare(ctx, engine, c);
  const created = await inTransaction(ctx, (tx) => write(tx, p));
  if (!created) {
    const stored = await repo.findCdr(ctx.db, c.callId, c.leg);
    if (!stored) throw new AppError('CDR_NOT_STORED', 'The CDR could not be stored; send it again.', 503);
    return { outcome: 'replayed', row: stored };
  }
  if (p.plan.reserved) await releaseCall(engine, c.callId);
  return { outcome: 'created', row: created };
}

/** Raised inside the batch transaction to give up on it and take the CDRs one by one. */
class OneByOne extends Error {}

/**
 * The fast path: every new CDR of the batch in ONE transaction (one commit, one disk flush).
 * Null when anything is unusual (a key stored meanwhile or twice in the batch, a refusal, a
 * deadlock with a concurrent batch): the caller then takes the CDRs one by one, where each is
 * answered on its own. Nothing of a failed batch transaction is kept.
 */
async function intakeTogether(
  ctx: Ctx,
  engine: CallAuthEngine,
  cdrs: CdrInputValue[],
): Promise<{ outcome: 'created' | 'replayed'; row: Stored }[] | null> {
  const out: ({ outcome: 'created' | 'replayed'; row: Stored } | null)[] = [];
  const fresh: { at: number; p: Prepared }[] = [];
  for (const c of cdrs) {
    const earlier = await repo.findCdr(ctx.db, c.callId, c.leg);
    if (earlier) out.push({ outcome: 'replayed', row: earlier });
    else {
      fresh.push({ at: out.length, p: await prepare(ctx, engine, c) });
      out.push(null);
    }
  }
  if (fresh.length) {
    try {
      await inTransaction(ctx, async (tx) => {
        for (const f of fresh) {
          const row = await write(tx, f.p);
          if (!row) throw new OneByOne();
          out[f.at] = { outcome: 'created', row };
        }
      });
    } catch {
      return null;
    }
    for (const f of fresh) if (f.p.plan.reserved) await releaseCall(engine, f.p.c.callId);
  }
  return out as { outcome: 'created' | 'replayed'; row: Stored }[];
}

/**
 * POST /cdrs: a batch of up to 1,000 CDRs, one result per CDR in order. A malformed CDR is refused
 * with its index and field; the others still commit.
 */
export async function postCdrs(ctx: Ctx, engine: CallAuthEngine, items: readonly unknown[]) {
  requireSwitchOrAdmin(ctx);
  const results: CdrResultItemValue[] = new Array(items.length);
  const counts = { created: 0, replayed: 0, refused: 0 };
  const good: { index: number; c: CdrInputValue }[] = [];
  const ids = (raw: Partial<Record<string, unknown>>) => ({
    callId: typeof raw.callId === 'string' ? raw.callId.slice(0, 128) : null,
    leg: typeof raw.leg === 'string' ? raw.leg.slice(0, 16) : null,
  });
  const refuse = (index: number, code: string, field: string, message: string) => {
    counts.refused++;
    const raw = items[index] as Partial<Record<string, unknown>>;
    results[index] = { index, ...ids(raw), outcome: 'refused', cdr: null, error: { code, field, message } };
  };
  const answer = (index: number, r: { outcome: 'created' | 'replayed'; row: Stored }) => {
    counts[r.outcome]++;
    const raw = items[index] as Partial<Record<string, unknown>>;
    results[index] = { index, ...ids(raw), outcome: r.outcome, cdr: cdrDto(r.row), error: null };
  };
  for (let index = 0; index < items.length; index++) {
    const raw = items[index];
    const bad = checkCdr(raw) ?? checkConsistency(raw as CdrInputValue);
    if (bad) refuse(index, 'CDR_INVALID', bad.field, bad.message);
    else good.push({ index, c: raw as CdrInputValue });
  }
  const together =
    good.length > 1
      ? await intakeTogether(
          ctx,
          engine,
          good.map((g) => g.c),
        )
      : null;
  if (together) {
    together.forEach((r, i) => answer(good[i].index, r));
    return { ...counts, results };
  }
  for (const { index, c } of good) {
    try {
      answer(index, await intakeOne(ctx, engine, c));
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      refuse(index, err.code, '', err.message);
    }
  }
  return { ...counts, results };
}

function encodeCursor(c: repo.CdrCursor): string {
  return Buffer.from(JSON.stringify([c.startedAt, c.id])).toString('base64url');
}

function decodeCursor(s: string): repo.CdrCursor {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
  } catch {
    v = null;
  }
  if (!Array.isArray(v) || v.length !== 2 || !isCursorKey('time', v[0]) || !isCursorId(v[1]))
    throw validationError('cursor', 'The cursor is not one this list gave out.', 'CDR_BAD_CURSOR');
  return { startedAt: v[0], id: v[1] };
}

const isoOrNull = (d: Date | null) => (d ? d.toISOString() : null);
const moneyOrNull = (v: string | null) => (v === null ? null : formatMoney(v));

/**
 * GET /customers/{id}/cdrs: a customer's CDRs, newest first, keyset paging, optional start-time
 * range [from, to). Scoped: the operator sees every customer, a reseller its subtree, a customer
 * itself; anything else is not found.
 */
export async function listCustomerCdrs(ctx: Ctx, id: number, q: CdrListQueryValue) {
  const account = await findAccount(ctx.db, ctx.actor, 'customer', id);
  if (!account) throw accountNotFound();
  if (ctx.actor.kind === 'customer' && !account.portal_permissions.includes('cdrs'))
    throw new AppError('PORTAL_PERMISSION_REQUIRED', 'This needs the portal permission "cdrs".', 403, {
      permission: 'cdrs',
    });
  const from = q.from ? new Date(q.from) : undefined;
  const to = q.to ? new Date(q.to) : undefined;
  if (from && to && to <= from) throw validationError('to', 'to must be after from.', 'CDR_BAD_DATE_RANGE');
  const page = await repo.listCdrsPage(ctx.db, id, {
    from,
    to,
    limit: q.limit ?? 50,
    cursor: q.cursor ? decodeCursor(q.cursor) : null,
  });
  return {
    data: page.rows.map((r) => ({
      id: r.id,
      callId: r.call_id,
      leg: r.leg,
      status: r.status,
      reason: r.reason,
      noReservation: r.no_reservation,
      callingNumber: r.calling_number,
      calledNumber: r.called_number,
      startedAt: r.started_at.toISOString(),
      answeredAt: isoOrNull(r.answered_at),
      endedAt: r.ended_at.toISOString(),
      billsec: r.billsec,
      disposition: r.disposition,
      sipCode: r.sip_code,
      hangupCause: r.hangup_cause,
      ratePrefix: r.rate_prefix,
      ratePerMin: moneyOrNull(r.rate_per_min),
      connectFee: moneyOrNull(r.connect_fee),
      chargedSec: r.charged_sec,
      cost: formatMoney(r.cost),
    })),
    nextCursor: page.next ? encodeCursor(page.next) : null,
  };
}

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

/** Stores and rates one well-formed CDR; a replay answers the stored row. */
async function intakeOne(
  ctx: Ctx,
  engine: CallAuthEngine,
  c: CdrInputValue,
): Promise<{ outcome: 'created' | 'replayed'; row: Stored }> {
  const earlier = await repo.findCdr(ctx.db, c.callId, c.leg);
  if (earlier) return { outcome: 'replayed', row: earlier };
  const plan = await planFor(ctx, engine, c);
  const d = new Decimal(c.billsec).ceil().toNumber();
  const rate = plan.status === 'rated' ? plan.rate : null;
  const cost = rate ? callCost(rate, c.billsec) : formatMoney('0');
  const charged = rate
    ? chargedSeconds(d, rate.includedSeconds, rate.initialIncrement, rate.billingIncrement)
    : 0;
  const created = await inTransaction(ctx, async (tx) => {
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
      charged_sec: charged,
      cost,
    });
    if (!row) return null; // stored meanwhile by a concurrent replay: answer its row
    if (plan.accountId !== null && rate && new Decimal(cost).gt(0)) {
      const posted = await ledgerService.postCallDebit(tx, {
        accountId: plan.accountId,
        callId: c.callId,
        leg: c.leg,
        cost,
        reason: callReason(c),
      });
      await repo.setLedgerEntry(tx.db, row.id, posted.entry.id);
      await repo.markFirstUsed(tx.db, plan.accountId, new Date(c.startedAt));
      row.ledger_entry_id = posted.entry.id;
    }
    return row;
  });
  if (!created) {
    const stored = await repo.findCdr(ctx.db, c.callId, c.leg);
    if (!stored) throw new AppError('CDR_NOT_STORED', 'The CDR could not be stored; send it again.', 503);
    return { outcome: 'replayed', row: stored };
  }
  if (plan.reserved) await releaseCall(engine, c.callId);
  return { outcome: 'created', row: created };
}

/**
 * POST /cdrs: a batch of up to 1,000 CDRs, one result per CDR in order. A malformed CDR is refused
 * with its index and field; the others still commit.
 */
export async function postCdrs(ctx: Ctx, engine: CallAuthEngine, items: readonly unknown[]) {
  requireSwitchOrAdmin(ctx);
  const results: CdrResultItemValue[] = [];
  const counts = { created: 0, replayed: 0, refused: 0 };
  for (let index = 0; index < items.length; index++) {
    const raw = items[index] as Partial<Record<string, unknown>>;
    const callId = typeof raw.callId === 'string' ? raw.callId.slice(0, 128) : null;
    const leg = typeof raw.leg === 'string' ? raw.leg.slice(0, 16) : null;
    const bad = checkCdr(raw) ?? checkConsistency(raw as CdrInputValue);
    if (bad) {
      counts.refused++;
      results.push({
        index,
        callId,
        leg,
        outcome: 'refused',
        cdr: null,
        error: { code: 'CDR_INVALID', field: bad.field, message: bad.message },
      });
      continue;
    }
    try {
      const r = await intakeOne(ctx, engine, raw as CdrInputValue);
      counts[r.outcome]++;
      results.push({ index, callId, leg, outcome: r.outcome, cdr: cdrDto(r.row), error: null });
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      counts.refused++;
      results.push({
        index,
        callId,
        leg,
        outcome: 'refused',
        cdr: null,
        error: { code: err.code, field: '', message: err.message },
      });
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

import type { Ctx } from '../../platform/context.js';
import { decodeCursor, encodeCursor, isCursorId, isCursorKey } from '../../platform/cursor-keys.js';
import { csvLine, quoteCsvCell, textCsvCell } from '../../platform/csv/csv-cells.js';
import { AppError, validationError } from '../../platform/errors.js';
import { formatMoney } from '../../platform/money.js';
import { requireManager } from '../../platform/tenancy/index.js';
import { accountNotFound, findAccount } from '../accounts/index.js';
import * as repo from './cdrs.search.repository.js';
import type { CdrFilterValue, CdrPageValue, CdrRowDto } from './cdrs.search.schemas.js';

/*
 * The customer's CDRs tab and the CDR search (issue #13): filters, keyset pages, totals per
 * currency, a streamed CSV and one CDR's rating detail. Everything is scoped by the actor.
 */

const badCursor = () =>
  validationError('cursor', 'The cursor is not one this list gave out.', 'CDR_BAD_CURSOR');
const isKey = (v: any): v is [string, number] =>
  Array.isArray(v) && v.length === 2 && isCursorKey('time', v[0]) && isCursorId(v[1]);

function filterOf(q: CdrFilterValue, accountId?: number): repo.CdrFilter {
  const from = q.from ? new Date(q.from) : undefined;
  const to = q.to ? new Date(q.to) : undefined;
  if (from && Number.isNaN(from.getTime())) throw validationError('from', 'Not a valid date-time.');
  if (to && Number.isNaN(to.getTime())) throw validationError('to', 'Not a valid date-time.');
  if (from && to && to <= from) throw validationError('to', 'to must be after from.', 'CDR_BAD_DATE_RANGE');
  return {
    accountId: accountId ?? q.customerId,
    from,
    to,
    destination: q.destination,
    disposition: q.disposition,
    reason: q.reason,
    status: q.status,
    answeredOnly: q.answeredOnly,
    sourceIp: q.sourceIp,
    egressTrunk: q.egressTrunk,
  };
}

/** The customer whose tab is read: in the actor's scope, and a customer needs the "cdrs" permission. */
async function readableCustomer(ctx: Ctx, id: number) {
  const account = await findAccount(ctx.db, ctx.actor, 'customer', id);
  if (!account) throw accountNotFound();
  if (ctx.actor.kind === 'customer' && !account.portal_permissions.includes('cdrs'))
    throw new AppError('PORTAL_PERMISSION_REQUIRED', 'This needs the portal permission "cdrs".', {
      permission: 'cdrs',
    });
  return account;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const moneyOrNull = (v: string | null) => (v === null ? null : formatMoney(v));

function toRow(r: repo.CdrListRow): CdrRowDto {
  return {
    id: r.id,
    callId: r.call_id,
    leg: r.leg,
    accountId: r.account_id,
    accountNumber: r.account_number,
    accountName: r.account_name,
    currency: r.currency,
    status: r.status,
    reason: r.reason,
    noReservation: r.no_reservation,
    sourceIp: r.source_ip,
    callingNumber: r.calling_number,
    calledNumber: r.called_number,
    startedAt: r.started_at.toISOString(),
    answeredAt: iso(r.answered_at),
    endedAt: r.ended_at.toISOString(),
    billsec: r.billsec,
    disposition: r.disposition,
    sipCode: r.sip_code,
    hangupCause: r.hangup_cause,
    egressTrunk: r.egress_trunk,
    ratePrefix: r.rate_prefix,
    ratePerMin: moneyOrNull(r.rate_per_min),
    connectFee: moneyOrNull(r.connect_fee),
    chargedSec: r.charged_sec,
    cost: formatMoney(r.cost),
  };
}

async function page(ctx: Ctx, filter: repo.CdrFilter, q: CdrPageValue) {
  const key = q.cursor ? decodeCursor(q.cursor, isKey, badCursor) : null;
  const p = await repo.searchCdrsPage(ctx.db, ctx.actor, filter, {
    limit: q.limit ?? 50,
    after: key ? { startedAt: key[0], id: key[1] } : null,
  });
  return {
    data: p.rows.map(toRow),
    nextCursor: p.next ? encodeCursor([p.next.startedAt, p.next.id]) : null,
  };
}

async function totals(ctx: Ctx, filter: repo.CdrFilter) {
  const rows = await repo.cdrTotals(ctx.db, ctx.actor, filter);
  return {
    byCurrency: rows.map((r) => ({
      currency: r.currency,
      calls: r.calls,
      answered: r.answered,
      denied: r.denied,
      billsec: r.billsec,
      chargedSec: r.charged_sec,
      cost: formatMoney(r.cost),
    })),
  };
}

const requireSearcher = (ctx: Ctx) =>
  requireManager(ctx, 'The CDR search is for the operator and resellers; customers use their CDRs tab.');

/** GET /customers/{id}/cdrs: a customer's CDRs, newest first, filtered. */
export async function listCustomerCdrs(ctx: Ctx, id: number, q: CdrPageValue) {
  await readableCustomer(ctx, id);
  return page(ctx, filterOf(q, id), q);
}

/** GET /customers/{id}/cdrs/totals. */
export async function customerCdrTotals(ctx: Ctx, id: number, q: CdrFilterValue) {
  await readableCustomer(ctx, id);
  return totals(ctx, filterOf(q, id));
}

/** GET /cdrs: every CDR the actor may see (the operator all, a reseller its subtree). */
export async function searchCdrs(ctx: Ctx, q: CdrPageValue) {
  requireSearcher(ctx);
  return page(ctx, filterOf(q), q);
}

/** GET /cdrs/totals. */
export async function searchCdrTotals(ctx: Ctx, q: CdrFilterValue) {
  requireSearcher(ctx);
  return totals(ctx, filterOf(q));
}

/** GET /cdrs/{id}: one CDR with its rating detail (rate snapshot, charged seconds, ledger entry). */
export async function getCdr(ctx: Ctx, id: number) {
  const r = await repo.findCdrById(ctx.db, ctx.actor, id);
  if (!r) throw new AppError('CDR_NOT_FOUND', 'CDR not found.');
  if (ctx.actor.kind === 'customer' && r.account_id !== null) await readableCustomer(ctx, r.account_id);
  const lines = await repo.findCdrLines(ctx.db, ctx.actor, id);
  return {
    ...toRow(r),
    durationSec: r.duration_sec,
    sipUsername: r.sip_username,
    rateId: r.rate_id,
    rateOverrideId: r.rate_override_id,
    rateGroupId: r.rate_group_id,
    includedSeconds: r.included_seconds,
    initialIncrement: r.initial_increment,
    billingIncrement: r.billing_increment,
    ledgerEntryId: r.ledger_entry_id,
    createdAt: r.created_at.toISOString(),
    ratingFlags: ctx.actor.kind === 'customer' ? [] : (r.rating_flags ?? []),
    lines: lines.map((l) => ({
      kind: l.kind,
      accountId: l.account_id,
      accountNumber: l.account_number,
      accountName: l.account_name,
      currency: l.currency,
      ratePrefix: l.rate_prefix,
      ratePerMin: formatMoney(l.rate_per_min),
      connectFee: formatMoney(l.connect_fee),
      chargedSec: l.charged_sec,
      cost: formatMoney(l.cost),
      ledgerEntryId: l.ledger_entry_id,
      payableEntryId: l.payable_entry_id,
    })),
  };
}

export const CSV_HEADER = [
  'started_at',
  'answered_at',
  'ended_at',
  'account_number',
  'account_name',
  'calling_number',
  'called_number',
  'status',
  'reason',
  'disposition',
  'sip_code',
  'hangup_cause',
  'billsec',
  'charged_sec',
  'rate_prefix',
  'rate_per_min',
  'connect_fee',
  'cost',
  'currency',
  'source_ip',
  'egress_trunk',
  'call_id',
  'leg',
];

function csvRow(r: CdrRowDto): string {
  const t = (v: string | null) => (v === null ? '' : textCsvCell(v));
  const n = (v: string | number | null) => (v === null ? '' : quoteCsvCell(String(v)));
  return csvLine([
    n(r.startedAt),
    n(r.answeredAt),
    n(r.endedAt),
    t(r.accountNumber),
    t(r.accountName),
    t(r.callingNumber),
    t(r.calledNumber),
    t(r.status),
    t(r.reason),
    t(r.disposition),
    n(r.sipCode),
    t(r.hangupCause),
    n(r.billsec),
    n(r.chargedSec),
    t(r.ratePrefix),
    n(r.ratePerMin),
    n(r.connectFee),
    n(r.cost),
    t(r.currency),
    t(r.sourceIp),
    t(r.egressTrunk),
    t(r.callId),
    t(r.leg),
  ]);
}

const EXPORT_PAGE = 1000;

/** The filtered CDRs as CSV, read a page at a time (never held whole); checks run before the first byte. */
async function csv(ctx: Ctx, filter: repo.CdrFilter, name: string) {
  const db = ctx.db;
  const actor = ctx.actor;
  async function* chunks() {
    yield csvLine(CSV_HEADER);
    let after: repo.CdrKey | null = null;
    do {
      const p = await repo.searchCdrsPage(db, actor, filter, { limit: EXPORT_PAGE, after });
      yield p.rows.map((r) => csvRow(toRow(r))).join('');
      after = p.next;
    } while (after);
  }
  const day = ctx.now().toISOString().slice(0, 10);
  return { filename: `${name}_${day}.csv`, chunks: chunks() };
}

/** GET /customers/{id}/cdrs/export. */
export async function exportCustomerCdrs(ctx: Ctx, id: number, q: CdrFilterValue) {
  const account = await readableCustomer(ctx, id);
  return csv(ctx, filterOf(q, id), `cdrs_${account.account_number}`);
}

/** GET /cdrs/export. */
export async function exportCdrSearch(ctx: Ctx, q: CdrFilterValue) {
  requireSearcher(ctx);
  return csv(ctx, filterOf(q), 'cdrs');
}

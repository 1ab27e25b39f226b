import { formatMoney, money } from '../../platform/money.js';
import type { EntryRow, LedgerAccount, ListedEntryRow } from './ledger.repository.js';
import type { LedgerEntryDto, LedgerEntryListedDto } from './ledger.schemas.js';

/** The immutable entry: what a posting (and its replay) answers. */
export function toEntryDto(row: EntryRow): LedgerEntryDto {
  return {
    id: row.id,
    accountId: row.account_id,
    type: row.type,
    amount: row.amount,
    balanceAfter: row.balance_after,
    currency: row.currency,
    reason: row.reason,
    method: row.method,
    externalRef: row.external_ref,
    reversesEntryId: row.reverses_entry_id,
    allowNegative: row.allow_negative,
    idempotencyKey: row.idempotency_key,
    createdBy: row.created_by,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

export function toListedEntryDto(row: ListedEntryRow): LedgerEntryListedDto {
  return { ...toEntryDto(row), reversedByEntryId: row.reversed_by_entry_id };
}

/**
 * DOMAIN 2.1: effective credit limit = 0 for prepaid, creditLimit for postpaid, unlimited (null)
 * when the postpaid account has unlimitedCredit; available = balance + effective limit.
 * (Reservations of live calls come with call authorization and will be subtracted there.)
 */
export function creditPosition(
  a: Pick<LedgerAccount, 'mode' | 'balance' | 'credit_limit' | 'unlimited_credit'>,
): { effectiveCreditLimit: string | null; availableCredit: string | null } {
  if (a.mode === 'postpaid' && a.unlimited_credit)
    return { effectiveCreditLimit: null, availableCredit: null };
  const limit = a.mode === 'postpaid' ? money(a.credit_limit) : money(0);
  return {
    effectiveCreditLimit: formatMoney(limit),
    availableCredit: formatMoney(money(a.balance).plus(limit)),
  };
}

export const CSV_COLUMNS = [
  'created_at',
  'entry_id',
  'type',
  'amount',
  'balance_after',
  'currency',
  'reason',
  'method',
  'external_ref',
  'reverses_entry_id',
  'reversed_by_entry_id',
  'created_by',
] as const;

/** DOMAIN 3.6: a text cell starting with = + - @, a tab or a CR gets a leading ' (formula injection). */
export function escapeCsvText(s: string | null): string {
  if (s === null) return '';
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
}

/** One CSV row; numeric and generated columns are never escaped, free text always is. */
export function toCsvRow(row: ListedEntryRow): string[] {
  return [
    new Date(row.created_at).toISOString(),
    row.id,
    row.type,
    row.amount,
    row.balance_after,
    row.currency,
    escapeCsvText(row.reason),
    escapeCsvText(row.method),
    escapeCsvText(row.external_ref),
    row.reverses_entry_id ?? '',
    row.reversed_by_entry_id ?? '',
    escapeCsvText(row.created_by),
  ];
}

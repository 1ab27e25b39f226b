import type { Ctx } from '../../platform/context.js';
import { formatMoney, money } from '../../platform/money.js';
import type { AccountKind } from '../accounts/index.js';
import { requireOperator } from '../../platform/tenancy/index.js';
import { badCursor, entryNotFound } from './ledger.errors.js';
import { creditPosition, toListedEntryDto } from './ledger.mapper.js';
import * as repo from './ledger.repository.js';
import type { EntryCursor } from './ledger.repository.js';
import { filterOf, readableAccount, type HeldForLiveCalls } from './ledger.rules.js';
import type { EntryFilter } from './ledger.schemas.js';
import { decodeCursor, encodeCursor, isCursorId, isCursorKey } from '../../platform/cursor-keys.js';

// The ledger's use cases, one file each (payments, corrections, opening balances, rated calls,
// CSV export), gathered here: index.ts exposes this file as `ledgerService`, and the reads
// (balance, entries, reconciliation) live here.
export type { PostingHooks, PostingResult } from './ledger.posting.js';
export { fingerprintOf, scopedKey, type HeldForLiveCalls } from './ledger.rules.js';
export { postCharge, postRefill } from './ledger.payments.js';
export { bulkResetBalances, postAdjustment, resetBalance, reverseEntry } from './ledger.corrections.js';
export { postInitialBalancesBulk, postOpeningBalances } from './ledger.opening.js';
export {
  postCallChargesInTransaction,
  postCallPayablesInTransaction,
  type CallChargeInput,
  type CallPayableInput,
} from './ledger.calls.js';
export { exportEntriesCsv } from './ledger.export.js';

/** Whether the account has any entry: its currency is then fixed (DOMAIN 2). */
export async function accountHasLedgerEntries(ctx: Ctx, accountId: number): Promise<boolean> {
  return repo.accountHasEntries(ctx.db, accountId);
}

/** Balance, credit limit and available funds (DOMAIN 2.1). */
export async function getBalance(ctx: Ctx, kind: AccountKind, id: number, heldFor?: HeldForLiveCalls) {
  const a = await readableAccount(ctx, kind, id, 'balance');
  const position = creditPosition(a);
  const held = heldFor ? await heldFor(a.id) : '0';
  return {
    accountId: a.id,
    currency: a.currency,
    mode: a.mode,
    balance: a.balance,
    creditLimit: a.credit_limit,
    unlimitedCredit: a.unlimited_credit,
    ...position,
    heldForLiveCalls: formatMoney(held),
    availableFunds:
      position.availableCredit === null ? null : formatMoney(money(position.availableCredit).minus(held)),
  };
}

const isEntryCursor = (c: any): c is EntryCursor =>
  typeof c === 'object' && c !== null && isCursorId(c.s) && isCursorKey('time', c.t);

/**
 * Charge history (every entry) or, with paymentsOnly, the refill report (PAYMENT entries): one
 * account, newest first, optional [from, to) range and types, keyset pages.
 */
export async function listEntries(
  ctx: Ctx,
  kind: AccountKind,
  id: number,
  query: EntryFilter,
  opts: { paymentsOnly: boolean },
) {
  const account = await readableAccount(ctx, kind, id, opts.paymentsOnly ? 'paymentHistory' : 'balance');
  const page = await repo.listEntriesPage(ctx.db, account.id, filterOf(query, opts.paymentsOnly), {
    limit: query.limit ?? 50,
    cursor: query.cursor ? decodeCursor(query.cursor, isEntryCursor, badCursor) : null,
  });
  return { data: page.rows.map(toListedEntryDto), nextCursor: page.next ? encodeCursor(page.next) : null };
}

export async function getEntry(ctx: Ctx, kind: AccountKind, id: number, entryId: string) {
  const account = await readableAccount(ctx, kind, id, 'balance');
  const row = await repo.findEntry(ctx.db, account.id, entryId);
  if (!row) throw entryNotFound();
  return toListedEntryDto(row);
}

const RECONCILE_MAX_ROWS = 1000;

/** Recomputes every balance from the ledger and lists the accounts that differ (admins only). */
export async function reconcileLedger(ctx: Ctx) {
  requireOperator(ctx, 'Only an operator admin may reconcile the ledger.');
  const r = await repo.reconcileBalances(ctx.db, RECONCILE_MAX_ROWS + 1);
  const rows = r.rows.slice(0, RECONCILE_MAX_ROWS);
  return {
    ok: r.rows.length === 0,
    checkedAt: ctx.now().toISOString(),
    checkedAccounts: r.accounts,
    checkedEntries: r.entries,
    differences: rows.map((d) => ({
      accountId: Number(d.account_id),
      accountNumber: d.account_number,
      cachedBalance: formatMoney(d.cached_balance),
      ledgerBalance: formatMoney(d.ledger_balance),
      difference: formatMoney(d.difference),
      lastBalanceAfter: d.last_balance_after === null ? null : formatMoney(d.last_balance_after),
      chainBreaks: Number(d.chain_breaks),
      currencyMismatches: Number(d.currency_mismatches),
    })),
    truncated: r.rows.length > RECONCILE_MAX_ROWS,
  };
}

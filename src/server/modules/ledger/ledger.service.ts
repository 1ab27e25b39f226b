import crypto from 'node:crypto';
import { pipeline, Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { LedgerEntryType } from '../../db/schema.js';
import type { Actor, Ctx } from '../../platform/context.js';
import { AppError, forbidden, validationError } from '../../platform/errors.js';
import { currencyMinorUnits, formatMoney, money, type Money } from '../../platform/money.js';
import type { AccountKind } from '../accounts/index.js';
import { accountNotFound, requireManager, requireOperator } from '../../platform/tenancy/index.js';
import {
  amountNotPositive,
  amountPrecision,
  badCursor,
  badDateRange,
  entryAlreadyReversed,
  entryNotFound,
  entryNotReversible,
  insufficientFunds,
  portalPermissionRequired,
} from './ledger.errors.js';
import { CSV_COLUMNS, creditPosition, toCsvRow, toListedEntryDto } from './ledger.mapper.js';
import {
  post,
  postAllInTransaction,
  postCallCharges,
  type PostingHooks,
  type PostingRequest,
  type PostingResult,
} from './ledger.posting.js';
import * as repo from './ledger.repository.js';
import type { EntryCursor, LedgerAccount } from './ledger.repository.js';
import type {
  AdjustmentInput,
  ChargeInput,
  EntryFilter,
  LedgerEntryDto,
  RefillInput,
  ReversalInput,
} from './ledger.schemas.js';
import { decodeCursor, encodeCursor, isCursorId, isCursorKey } from '../../platform/cursor-keys.js';

export type { PostingHooks, PostingResult };

/**
 * Client keys are scoped to the tenant that sends them: the operator's staff share one space, each
 * reseller has its own, so two resellers using "invoice-1001" never collide. System keys
 * (open:..., later cdr:..., scc:...) never start with these prefixes.
 */
export function scopedKey(actor: Actor, clientKey: string): string {
  switch (actor.kind) {
    case 'admin':
    case 'system':
      return `op:${clientKey}`;
    case 'reseller':
      return `reseller:${actor.accountId}:${clientKey}`;
    case 'customer':
      return `customer:${actor.accountId}:${clientKey}`;
    case 'switch':
      return `switch:${actor.apiKeyId}:${clientKey}`;
    case 'anonymous':
      throw forbidden();
  }
}

/** A stable hash of what was asked; amounts normalized so "10" and "10.00" are the same request. */
export function fingerprintOf(parts: (string | number | null)[]): string {
  return crypto.createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

const requirePoster = (ctx: Ctx) => requireManager(ctx, 'Customers cannot post to the ledger.');

function requireKey(clientKey: string | undefined): string {
  if (!clientKey)
    throw new AppError('VALIDATION_FAILED', 'The Idempotency-Key header is required.', {
      field: 'idempotency-key',
    });
  return clientKey;
}

function cleanReason(reason: string | undefined, fallback?: string): string {
  const r = reason?.trim();
  if (r) return r;
  if (fallback) return fallback;
  throw validationError('reason', 'A reason is required.');
}

function cleanOptional(s: string | undefined): string | null {
  const t = s?.trim();
  return t ? t : null;
}

function positiveAmount(s: string, field = 'amount'): Money {
  const a = money(s);
  if (!a.gt(0)) throw amountNotPositive(field);
  return a;
}

/** Balances, opening balances and call costs carry six decimals (NUMERIC(20,6)). */
const BALANCE_PLACES = 6;

/** Manual amounts respect the currency's minor unit; rated call charges may carry 6 places. */
function checkMinorUnits(amount: Money, currency: string, field = 'amount'): void {
  const places = currencyMinorUnits(currency);
  if (amount.decimalPlaces() > places) throw amountPrecision(field, currency, places);
}

/** Refill: a PAYMENT entry (+amount) and a "payment received" outbox event. */
export async function postRefill(
  ctx: Ctx,
  kind: AccountKind,
  accountId: number,
  clientKey: string | undefined,
  input: RefillInput,
  hooks?: PostingHooks,
): Promise<PostingResult> {
  requirePoster(ctx);
  const key = requireKey(clientKey);
  const amount = positiveAmount(input.amount);
  const reason = cleanReason(input.reason);
  const method = cleanOptional(input.method);
  const externalRef = cleanOptional(input.externalRef);
  return post(
    ctx,
    {
      kind,
      accountId,
      idempotencyKey: scopedKey(ctx.actor, key),
      fingerprint: fingerprintOf(['refill', accountId, formatMoney(amount), reason, method, externalRef]),
      draft: (account) => {
        checkMinorUnits(amount, account.currency);
        return { type: 'PAYMENT', amount, reason, method, externalRef };
      },
    },
    hooks,
  );
}

/**
 * Post charge: a CHARGE entry storing -amount. Capped like a call (DOMAIN 3.16): a charge beyond the
 * available funds of the locked account (balance + effective credit - live reservations) is refused
 * with INSUFFICIENT_FUNDS, unless `allowNegative` is set, which the entry records. The check runs on
 * the locked row, so concurrent charges can never overdraw together. The money held for live
 * calls comes from call authorization (`heldFor`, wired in app.ts; read under the lock).
 */
export async function postCharge(
  ctx: Ctx,
  kind: AccountKind,
  accountId: number,
  clientKey: string | undefined,
  input: ChargeInput,
  hooks?: PostingHooks,
  heldFor?: HeldForLiveCalls,
): Promise<PostingResult> {
  requirePoster(ctx);
  const key = requireKey(clientKey);
  const amount = positiveAmount(input.amount);
  const reason = cleanReason(input.reason);
  const externalRef = cleanOptional(input.externalRef);
  const allowNegative = input.allowNegative ?? false;
  return post(
    ctx,
    {
      kind,
      accountId,
      idempotencyKey: scopedKey(ctx.actor, key),
      fingerprint: fingerprintOf([
        'charge',
        accountId,
        formatMoney(amount),
        reason,
        externalRef,
        allowNegative ? 'allow-negative' : null,
      ]),
      draft: async (account) => {
        checkMinorUnits(amount, account.currency);
        const { availableCredit } = creditPosition(account);
        if (!allowNegative && availableCredit !== null) {
          const held = heldFor ? await heldFor(account.id) : '0';
          const available = formatMoney(money(availableCredit).minus(held));
          if (money(available).lt(amount)) throw insufficientFunds(available, account.currency);
        }
        return { type: 'CHARGE', amount: amount.neg(), reason, externalRef, allowNegative };
      },
    },
    hooks,
  );
}

/** Adjustment: a signed correction that is neither a payment nor a fee (ADJUSTMENT, either sign). */
export async function postAdjustment(
  ctx: Ctx,
  kind: AccountKind,
  accountId: number,
  clientKey: string | undefined,
  input: AdjustmentInput,
): Promise<PostingResult> {
  requirePoster(ctx);
  const key = requireKey(clientKey);
  const amount = money(input.amount);
  if (amount.isZero()) throw validationError('amount', 'An adjustment cannot be zero.', 'AMOUNT_ZERO');
  const reason = cleanReason(input.reason);
  const externalRef = cleanOptional(input.externalRef);
  return post(ctx, {
    kind,
    accountId,
    idempotencyKey: scopedKey(ctx.actor, key),
    fingerprint: fingerprintOf(['adjustment', accountId, formatMoney(amount), reason, externalRef]),
    draft: (account) => {
      checkMinorUnits(amount, account.currency);
      return { type: 'ADJUSTMENT', amount, reason, externalRef };
    },
  });
}

const DEFAULT_RESET_REASON = 'Balance reset';

/**
 * Reset balance (DOMAIN 3.16): a BALANCE_RESET entry of -balance, read under the lock, so the
 * balance becomes exactly 0 whatever was posted just before. A reset of a zero balance still posts
 * (a zero entry) so the action and its actor stay on record.
 */
export async function resetBalance(
  ctx: Ctx,
  kind: AccountKind,
  accountId: number,
  clientKey: string | undefined,
  input: { reason?: string },
): Promise<PostingResult> {
  requirePoster(ctx);
  const key = requireKey(clientKey);
  const reason = cleanReason(input.reason, DEFAULT_RESET_REASON);
  return post(ctx, {
    kind,
    accountId,
    idempotencyKey: scopedKey(ctx.actor, key),
    fingerprint: fingerprintOf(['reset', accountId, reason]),
    draft: (account) => ({ type: 'BALANCE_RESET', amount: money(account.balance).neg(), reason }),
  });
}

/**
 * Bulk reset (DOMAIN 3.1): one transaction and one result per id, at most 1,000 ids. Each row's
 * key is derived from the request's key and the id, so retrying the whole bulk request is safe.
 */
export async function bulkResetBalances(
  ctx: Ctx,
  kind: AccountKind,
  ids: number[],
  clientKey: string | undefined,
  input: { reason?: string },
) {
  requirePoster(ctx);
  const key = requireKey(clientKey);
  const results: {
    id: number;
    ok: boolean;
    entry?: LedgerEntryDto;
    error?: { code: string; message: string };
  }[] = [];
  for (const id of ids) {
    try {
      const r = await resetBalance(ctx, kind, id, `bulk:${key}:${id}`, input);
      results.push({ id, ok: true, entry: r.entry });
    } catch (err) {
      if (err instanceof AppError && err.status < 500)
        results.push({ id, ok: false, error: { code: err.code, message: err.message } });
      else throw err;
    }
  }
  const succeeded = results.filter((r) => r.ok).length;
  return { results, succeeded, failed: results.length - succeeded };
}

/**
 * Reversal: a REVERSAL entry of -amount linked to the entry it undoes. An entry is reversed at most
 * once (checked under the account lock, and by a unique index); a reversal is never reversed.
 */
export async function reverseEntry(
  ctx: Ctx,
  kind: AccountKind,
  accountId: number,
  entryId: string,
  clientKey: string | undefined,
  input: ReversalInput,
  hooks?: PostingHooks,
): Promise<PostingResult> {
  requirePoster(ctx);
  const key = requireKey(clientKey);
  const reason = cleanReason(input.reason);
  return post(
    ctx,
    {
      kind,
      accountId,
      idempotencyKey: scopedKey(ctx.actor, key),
      fingerprint: fingerprintOf(['reversal', accountId, entryId, reason]),
      alone: true,
      draft: async (account, tx) => {
        const target = await repo.findEntry(tx.db, account.id, entryId);
        if (!target) throw entryNotFound();
        if (target.type === 'REVERSAL')
          throw entryNotReversible('A reversal cannot be reversed; post a new entry instead.');
        if (money(target.amount).isZero()) throw entryNotReversible('This entry moved no money.');
        if (target.reversed_by_entry_id) throw entryAlreadyReversed(target.reversed_by_entry_id);
        return { type: 'REVERSAL', amount: money(target.amount).neg(), reason, reversesEntryId: target.id };
      },
    },
    hooks,
  );
}

type OpeningType = 'INITIAL_BALANCE' | 'TEST_CREDIT';

/**
 * The posting of one opening entry of an account just created in the caller's transaction. Its key
 * is derived from the account (`open:<accountId>:<type>`), so posting it again (a resumed import
 * chunk, a retried job) replays the first entry instead of posting twice.
 */
function openingRequest(accountId: number, type: OpeningType, amount: Money, field: string): PostingRequest {
  return {
    kind: null,
    accountId,
    idempotencyKey: `open:${accountId}:${type}`,
    fingerprint: fingerprintOf(['open', accountId, type, formatMoney(amount)]),
    draft: (account: LedgerAccount) => {
      if (type === 'TEST_CREDIT' && account.mode !== 'prepaid')
        throw validationError(
          field,
          'Test credit is for prepaid accounts; a postpaid account gets a creditLimit.',
        );
      if (type === 'TEST_CREDIT' && amount.lt(0)) throw amountNotPositive(field);
      // DOMAIN 3.16: test credit is a manual amount (the currency's minor unit); an opening balance
      // (create, import, migration) carries the six decimals of a balance.
      if (type === 'TEST_CREDIT') checkMinorUnits(amount, account.currency, field);
      else if (amount.decimalPlaces() > BALANCE_PLACES)
        throw amountPrecision(field, account.currency, BALANCE_PLACES);
      return {
        type,
        amount,
        reason: type === 'INITIAL_BALANCE' ? 'Opening balance' : 'Test credit',
      };
    },
  };
}

/**
 * Opening entries of a new account, in the caller's (account creation) transaction, DOMAIN 3.2:
 * an opening balance is an INITIAL_BALANCE entry (either sign), never written to the account;
 * test credit is a TEST_CREDIT entry and applies to prepaid accounts (postpaid ones get creditLimit).
 */
export async function postOpeningBalances(
  ctx: Ctx,
  accountId: number,
  input: { initialBalance?: string; testCredit?: string },
): Promise<void> {
  const reqs: PostingRequest[] = [];
  if (input.initialBalance !== undefined && !money(input.initialBalance).isZero())
    reqs.push(openingRequest(accountId, 'INITIAL_BALANCE', money(input.initialBalance), 'initialBalance'));
  if (input.testCredit !== undefined && !money(input.testCredit).isZero())
    reqs.push(openingRequest(accountId, 'TEST_CREDIT', money(input.testCredit), 'testCredit'));
  // The account was just created in this transaction by this actor: no scope lookup needed.
  await postAllInTransaction(ctx, reqs);
}

/** Postings per statement of the bulk path (each carries two bind parameters per lookup). */
const OPENING_SLICE = 5_000;

/**
 * Opening balances of many accounts created in the caller's transaction (CSV import, mass create,
 * DOMAIN 3.4 and 3.5): one INITIAL_BALANCE entry per non-zero amount, posted a slice at a time
 * (one lock, one key lookup and one insert per slice instead of per account). Same keys as
 * postOpeningBalances, so a replayed slice posts nothing twice. The caller validates the amounts
 * first (format, currency minor units): a refusal here throws and rolls the caller back.
 */
export async function postInitialBalancesBulk(
  ctx: Ctx,
  items: { accountId: number; initialBalance: string }[],
  field = 'balance',
): Promise<number> {
  const reqs = items
    .map((i) => ({ accountId: i.accountId, amount: money(i.initialBalance) }))
    .filter((i) => !i.amount.isZero())
    .map((i) => openingRequest(i.accountId, 'INITIAL_BALANCE', i.amount, field));
  for (let i = 0; i < reqs.length; i += OPENING_SLICE)
    await postAllInTransaction(ctx, reqs.slice(i, i + OPENING_SLICE));
  return reqs.length;
}

/** Whether the account has any entry: its currency is then fixed (DOMAIN 2). */
export async function accountHasLedgerEntries(ctx: Ctx, accountId: number): Promise<boolean> {
  return repo.accountHasEntries(ctx.db, accountId);
}

type PortalPermission = 'balance' | 'paymentHistory';

/** An account the actor may read; a customer also needs the portal permission (DOMAIN 3.14). */
async function readableAccount(
  ctx: Ctx,
  kind: AccountKind,
  id: number,
  permission: PortalPermission,
): Promise<LedgerAccount> {
  const account = await repo.findLedgerAccount(ctx.db, ctx.actor, kind, id, {
    includeDeleted: ctx.actor.kind === 'admin',
  });
  if (!account) throw accountNotFound();
  if (ctx.actor.kind === 'customer' && !account.portal_permissions.includes(permission))
    throw portalPermissionRequired(permission);
  return account;
}

/** Balance, credit limit and available funds (DOMAIN 2.1). */
/** Money an account has held for its live calls; call authorization provides it (app.ts). */
export type HeldForLiveCalls = (accountId: number) => Promise<string>;

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

function filterOf(q: EntryFilter, paymentsOnly: boolean) {
  const from = q.from ? new Date(q.from) : undefined;
  const to = q.to ? new Date(q.to) : undefined;
  if (from && Number.isNaN(from.getTime())) throw validationError('from', 'Not a valid date-time.');
  if (to && Number.isNaN(to.getTime())) throw validationError('to', 'Not a valid date-time.');
  if (from && to && to <= from) throw badDateRange();
  const types: LedgerEntryType[] | undefined = paymentsOnly ? ['PAYMENT'] : q.type;
  return { from, to, types };
}

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

const EXPORT_PAGE = 1000;

/**
 * The same rows as listEntries, as a streamed CSV (read page by page, never held whole). Scope and
 * filters are checked before the first byte, so a refusal is still a proper 4xx.
 */
export async function exportEntriesCsv(
  ctx: Ctx,
  kind: AccountKind,
  id: number,
  query: EntryFilter,
  opts: { paymentsOnly: boolean },
): Promise<{ filename: string; stream: Readable }> {
  const account = await readableAccount(ctx, kind, id, opts.paymentsOnly ? 'paymentHistory' : 'balance');
  const filter = filterOf(query, opts.paymentsOnly);
  const db = ctx.db;
  async function* rows() {
    let cursor: EntryCursor | null = null;
    do {
      const page = await repo.listEntriesPage(db, account.id, filter, { limit: EXPORT_PAGE, cursor });
      for (const r of page.rows) yield toCsvRow(r);
      cursor = page.next;
    } while (cursor);
  }
  const csv = stringify({ header: true, columns: [...CSV_COLUMNS] });
  const stream = pipeline(Readable.from(rows()), csv, () => {});
  const day = ctx.now().toISOString().slice(0, 10);
  const name = opts.paymentsOnly ? 'refills' : 'ledger';
  return { filename: `${name}_${account.account_number}_${day}.csv`, stream };
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

/** Rated calls are posted by the system on behalf of the switch or admin that sent the CDR. */
function systemActorFor(ctx: Ctx): Actor {
  return { kind: 'system', label: `cdr:${ctx.actor.label}`.slice(0, 100) };
}

/** One rated call (or one reseller line of it) to charge in a CDR batch. */
export interface CallChargeInput {
  /** The entry id the CDR row references (chosen by the caller). */
  entryId: string;
  accountId: number;
  /** `cdr:<callId>:<leg>` for the customer, `cdr:<callId>:<leg>:r<resellerId>` for a reseller. */
  idempotencyKey: string;
  callId: string;
  cost: string;
  reason: string;
}

/**
 * The CDR intake's batch posting (issue #13): every charge of a batch of new CDRs, in the caller's
 * transaction, one lock statement and one append (postCallCharges). `firstUsed` are the accounts'
 * first rated calls of the batch: their first_used_at is set (where still null) in the same
 * statement that moves the balances. Returns each charged account's new balance.
 */
export async function postCallChargesInTransaction(
  tx: Ctx,
  inputs: readonly CallChargeInput[],
  firstUsed: readonly { accountId: number; at: string }[] = [],
): Promise<Map<number, string>> {
  const charges = inputs.map((i) => {
    const cost = money(i.cost);
    if (cost.lte(0) || cost.decimalPlaces() > BALANCE_PLACES) throw amountNotPositive('cost');
    return {
      id: i.entryId,
      accountId: i.accountId,
      idempotencyKey: i.idempotencyKey,
      fingerprint: fingerprintOf([i.idempotencyKey, i.accountId, formatMoney(cost)]),
      cost,
      reason: i.reason,
      externalRef: i.callId.slice(0, 100),
    };
  });
  return postCallCharges({ ...tx, actor: systemActorFor(tx) }, charges, firstUsed);
}

/** One provider cost of a rated call, owed to the provider (payable ledger). */
export interface CallPayableInput {
  entryId: string;
  accountId: number;
  /** `cdr:<callId>:<leg>:p<providerId>`. */
  idempotencyKey: string;
  callId: string;
  cost: string;
  reason: string;
}

/**
 * The provider costs of a batch of new CDRs, in the caller's transaction (issue 13, DOMAIN 3.7):
 * one append to the payable ledger. Like the call charges, their keys belong to CDR rows this
 * transaction inserted, so a key already present rolls the batch back.
 */
export async function postCallPayablesInTransaction(
  tx: Ctx,
  inputs: readonly CallPayableInput[],
): Promise<void> {
  if (!inputs.length) return;
  const rows = inputs.map((i) => {
    const cost = money(i.cost);
    if (cost.lte(0) || cost.decimalPlaces() > BALANCE_PLACES) throw amountNotPositive('cost');
    return {
      id: i.entryId,
      accountId: i.accountId,
      amount: formatMoney(cost),
      idempotencyKey: i.idempotencyKey,
      reason: i.reason.slice(0, 500) || 'Call cost',
      externalRef: i.callId.slice(0, 100),
      createdAt: tx.now(),
    };
  });
  const written = await repo.appendPayables(tx.db, rows);
  if (written !== rows.length)
    throw new AppError('KEY_TAKEN', 'A provider cost key is already posted; the batch was not applied.');
}

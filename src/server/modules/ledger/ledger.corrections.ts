import type { Ctx } from '../../platform/context.js';
import { AppError, validationError } from '../../platform/errors.js';
import { formatMoney, money } from '../../platform/money.js';
import type { AccountKind } from '../accounts/index.js';
import { entryAlreadyReversed, entryNotFound, entryNotReversible } from './ledger.errors.js';
import { post, type PostingHooks, type PostingResult } from './ledger.posting.js';
import * as repo from './ledger.repository.js';
import {
  checkMinorUnits,
  cleanOptional,
  cleanReason,
  fingerprintOf,
  requireKey,
  requirePoster,
  scopedKey,
} from './ledger.rules.js';
import type { AdjustmentInput, LedgerEntryDto, ReversalInput } from './ledger.schemas.js';

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

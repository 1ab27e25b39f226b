import type { Ctx } from '../../platform/context.js';
import { formatMoney, money } from '../../platform/money.js';
import type { AccountKind } from '../accounts/index.js';
import { insufficientFunds } from './ledger.errors.js';
import { creditPosition } from './ledger.mapper.js';
import { post, type PostingHooks, type PostingResult } from './ledger.posting.js';
import {
  checkMinorUnits,
  cleanOptional,
  cleanReason,
  fingerprintOf,
  positiveAmount,
  requireKey,
  requirePoster,
  scopedKey,
  type HeldForLiveCalls,
} from './ledger.rules.js';
import type { ChargeInput, RefillInput } from './ledger.schemas.js';

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

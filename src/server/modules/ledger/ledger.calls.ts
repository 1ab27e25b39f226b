import type { Actor, Ctx } from '../../platform/context.js';
import { AppError } from '../../platform/errors.js';
import { formatMoney, money } from '../../platform/money.js';
import { amountNotPositive } from './ledger.errors.js';
import { postCallCharges } from './ledger.posting.js';
import * as repo from './ledger.repository.js';
import { BALANCE_PLACES, fingerprintOf } from './ledger.rules.js';

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

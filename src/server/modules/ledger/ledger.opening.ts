import type { Ctx } from '../../platform/context.js';
import { validationError } from '../../platform/errors.js';
import { formatMoney, money, type Money } from '../../platform/money.js';
import { amountNotPositive, amountPrecision } from './ledger.errors.js';
import { postAllInTransaction, type PostingRequest } from './ledger.posting.js';
import type { LedgerAccount } from './ledger.repository.js';
import { BALANCE_PLACES, checkMinorUnits, fingerprintOf } from './ledger.rules.js';

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

import { currencyMinorUnits, money } from '../../platform/money.js';
import { AppError, conflict, notFound, validationError } from '../../platform/errors.js';

/** The header that makes a posting safe to retry. */
export const IDEMPOTENCY_HEADER = 'idempotency-key';

/** The entry does not exist, or belongs to another account or to an account out of scope. */
export const entryNotFound = () => notFound('LEDGER_ENTRY_NOT_FOUND', 'Ledger entry not found.');

/** The Idempotency-Key was already used for a different request (other account, amount or text). */
export const idempotencyKeyReused = () =>
  conflict(
    'IDEMPOTENCY_KEY_REUSED',
    IDEMPOTENCY_HEADER,
    'This Idempotency-Key was already used for a different request; use a new key.',
  );

/** An entry is reversed at most once. */
export const entryAlreadyReversed = (reversalId: string | null) =>
  new AppError('ENTRY_ALREADY_REVERSED', 'This entry has already been reversed.', {
    field: 'entryId',
    reversalEntryId: reversalId,
  });

/** A reversal, or a reset that moved nothing, has nothing to undo: post a new entry instead. */
export const entryNotReversible = (why: string) =>
  new AppError('ENTRY_NOT_REVERSIBLE', why, { field: 'entryId' });

/** The amount has more decimals than the account currency's minor unit allows (JPY 0, USD 2, KWD 3). */
export const amountPrecision = (field: string, currency: string, places: number) =>
  validationError(
    field,
    `${currency} amounts have at most ${places} decimal place${places === 1 ? '' : 's'}.`,
    'AMOUNT_PRECISION',
  );

/** The amount must be above zero (charges are stored negated by the server). */
export const amountNotPositive = (field = 'amount') =>
  validationError(field, 'The amount must be greater than zero.', 'AMOUNT_NOT_POSITIVE');

/** The resulting balance would not fit NUMERIC(20,6). */
export const balanceOutOfRange = (field = 'amount') =>
  validationError(field, 'The resulting balance would be out of range.', 'BALANCE_OUT_OF_RANGE');

/** A customer reading its own history lacks the portal permission for it (DOMAIN 3.14). */
export const portalPermissionRequired = (permission: string) =>
  new AppError('PORTAL_PERMISSION_REQUIRED', `This needs the portal permission "${permission}".`, {
    permission,
  });

/** The `to` bound of a date range is not after `from`. */
export const badDateRange = () => validationError('to', '`to` must be after `from`.', 'INVALID_DATE_RANGE');

/** The cursor was not issued by this server. */
export { invalidCursor as badCursor } from '../../platform/cursor-keys.js';

/**
 * A manual charge beyond the available funds (balance + effective credit - live reservations) of the
 * account, without allowNegative (DOMAIN 3.16).
 */
export const insufficientFunds = (available: string, currency: string) =>
  new AppError(
    'INSUFFICIENT_FUNDS',
    `The charge exceeds the available funds of ${money(available).toFixed(Math.max(currencyMinorUnits(currency), money(available).decimalPlaces()))} ${currency}; allow a negative balance to post it anyway.`,
    {
      field: 'amount',
      available,
      currency,
    },
  );

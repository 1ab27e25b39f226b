import { AppError, conflict } from '../../platform/errors.js';

export { accountNotFound } from '../../platform/tenancy/index.js';
/** The account number is taken by another account, live or deleted: numbers are never reused. */
export const accountNumberTaken = () =>
  conflict(
    'ACCOUNT_NUMBER_TAKEN',
    'accountNumber',
    'This account number is already used by another account.',
  );
/** Another live account under the same owner has this name (case-insensitive). */
export const accountNameTaken = () =>
  conflict('ACCOUNT_NAME_TAKEN', 'name', 'Another account of the same owner already has this name.');
/** The portal username (login) is used by another live user. */
export const portalUsernameTaken = () =>
  conflict('PORTAL_USERNAME_TAKEN', 'portalUsername', 'This portal username is already in use.');
/** The PIN is used by another live account. */
export const pinTaken = () => conflict('PIN_TAKEN', 'pin', 'This PIN is already used by another account.');
/** Deleting an account with money on it needs the balance quoted back as confirmation. */
export const balanceConfirmationRequired = (balance: string) =>
  new AppError(
    'BALANCE_CONFIRMATION_REQUIRED',
    `The account balance is ${balance}; pass confirmBalance=${balance} to delete it.`,
    { field: 'confirmBalance', balance },
  );
/** The currency is fixed once the account has a ledger entry (DOMAIN 2). */

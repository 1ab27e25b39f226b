import { AppError } from '../../platform/errors.js';

/** Wrong login or password; never says which. */
export const invalidCredentials = () =>
  new AppError('INVALID_CREDENTIALS', 'The login or password is wrong.', { field: 'password' });
/** Too many failed logins for this user: locked for a while (DOMAIN 3.14: 5 failures, 15 minutes). */
export const accountLocked = (until: Date) =>
  new AppError('ACCOUNT_LOCKED', 'Too many failed sign-ins. Try again later.', {
    until: until.toISOString(),
  });
/** Too many sign-in attempts from this address. */
export const loginRateLimited = (retryAfterSec: number) =>
  new AppError('RATE_LIMITED', 'Too many sign-in attempts. Slow down.', { retryAfterSec });
/** No valid session cookie or API key. */
export const unauthenticated = () => new AppError('UNAUTHENTICATED', 'Sign in first.');
/** A cookie-authenticated change without the session's CSRF token in X-CSRF-Token. */
export const csrfInvalid = () =>
  new AppError('CSRF_TOKEN_INVALID', 'Missing or wrong X-CSRF-Token header.', { field: 'x-csrf-token' });
/** The API key does not exist or was revoked. */
export const apiKeyNotFound = () => new AppError('API_KEY_NOT_FOUND', 'API key not found.');

/**
 * Every failure a user can cause has a stable code. Services throw AppError; the HTTP layer maps
 * the code to a status in one place (platform/http/error-handler.ts).
 */
export type ErrorCode =
  | 'VALIDATION_FAILED'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'INVALID_CREDENTIALS'
  | 'ACCOUNT_LOCKED'
  | 'CSRF_TOKEN_INVALID'
  | 'RATE_LIMITED'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'PRECONDITION_FAILED'
  | string;

export interface ErrorDetails {
  /** The field at fault, as the client named it (`creditLimit`, `address.city`). */
  field?: string;
  [key: string]: unknown;
}

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly status: number,
    readonly details: ErrorDetails = {},
  ) {
    super(message);
  }
}

export const validationError = (field: string, message: string, code = 'VALIDATION_FAILED') =>
  new AppError(code, message, 400, { field });

export const notFound = (code: string, message: string) => new AppError(code, message, 404);

export const conflict = (code: string, field: string | undefined, message: string) =>
  new AppError(code, message, 409, field ? { field } : {});

export const forbidden = (message = 'You may not do this.', code = 'FORBIDDEN') =>
  new AppError(code, message, 403);

/** Postgres unique violations carry the index name: we map each to the API field it protects. */
export function isUniqueViolation(err: unknown, indexName?: string): boolean {
  const e = err as { code?: string; constraint?: string };
  return e?.code === '23505' && (indexName === undefined || e.constraint === indexName);
}

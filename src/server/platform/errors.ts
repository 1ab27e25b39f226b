/**
 * Every failure a user can cause has a stable code. Services throw AppError; its status comes from
 * the one table below (ERROR_STATUS), and the HTTP layer (platform/http/error-handler.ts) answers it.
 */
/**
 * Every error code the API answers with and its HTTP status, once (issue 11): a closed list, so a
 * code that is not here fails the typecheck. An input error (validationError, naming the field at
 * fault) is a 400 whatever its code: e.g. ROUTE_PLAN_NOT_FOUND is a 404 on its own path and a 400
 * when a body's routePlanId names a plan that does not exist.
 */
export const ERROR_STATUS = {
  // 400: the input is wrong
  ACCOUNT_NOT_CUSTOMER: 400,
  AMOUNT_NOT_POSITIVE: 400,
  AMOUNT_PRECISION: 400,
  AMOUNT_ZERO: 400,
  BALANCE_OUT_OF_RANGE: 400,
  CDR_BAD_CURSOR: 400,
  CDR_BAD_DATE_RANGE: 400,
  CSV_EMPTY: 400,
  CSV_MALFORMED: 400,
  DEFAULT_NOT_ALLOWED: 400,
  DID_POOL_MISMATCH: 400,
  FILE_REQUIRED: 400,
  INSUFFICIENT_FUNDS: 400,
  INVALID_BOOLEAN: 400,
  INVALID_CIDR: 400,
  INVALID_CURSOR: 400,
  INVALID_DATE_RANGE: 400,
  INVALID_MAPPING: 400,
  INVALID_NUMBER: 400,
  INVALID_TIMESTAMP: 400,
  LOCALIZATION_OWNER_MISMATCH: 400,
  LOW_BALANCE_PERCENT_NOT_ALLOWED: 400,
  MAIL_TEMPLATE_UNKNOWN_VARIABLE: 400,
  PASSWORD_COLUMN_MISMATCH: 400,
  PREFERENCE_TOO_LARGE: 400,
  RATE_DECK_INVALID: 400,
  RATE_GROUP_CURRENCY_MISMATCH: 400,
  RATE_GROUP_INACTIVE: 400,
  RATE_GROUP_OWNER_MISMATCH: 400,
  RESELLER_NOT_FOUND: 400,
  ROUTE_PLAN_DUPLICATE_ENTRY: 400,
  ROUTE_PLAN_TRUNK_INVALID: 400,
  UNKNOWN_EXPORT_COLUMN: 400,
  UNKNOWN_IMPORT_COLUMN: 400,
  VALIDATION_FAILED: 400,
  // 401: not signed in
  INVALID_CREDENTIALS: 401,
  UNAUTHENTICATED: 401,
  // 403: not allowed
  CSRF_TOKEN_INVALID: 403,
  DOWNLOAD_KEY_INVALID: 403,
  FORBIDDEN: 403,
  PIN_EXPORT_FORBIDDEN: 403,
  PORTAL_PERMISSION_REQUIRED: 403,
  PREFERENCES_NEED_USER: 403,
  // 404: not found (or not in scope)
  ACCOUNT_NOT_FOUND: 404,
  API_KEY_NOT_FOUND: 404,
  BLOCKED_CODE_NOT_FOUND: 404,
  CALLER_ID_NOT_FOUND: 404,
  CALL_ALARM_NOT_FOUND: 404,
  CDR_NOT_FOUND: 404,
  DID_NOT_FOUND: 404,
  FORCE_CALLER_ID_NOT_FOUND: 404,
  HOST_NOT_FOUND: 404,
  IMPORT_NOT_FOUND: 404,
  JOB_NOT_FOUND: 404,
  LEDGER_ENTRY_NOT_FOUND: 404,
  LOCALIZATION_NOT_FOUND: 404,
  MAIL_NOT_FOUND: 404,
  MAIL_TEMPLATE_NOT_FOUND: 404,
  MASS_CREATE_NOT_FOUND: 404,
  NOT_FOUND: 404,
  RATE_GROUP_NOT_FOUND: 404,
  RATE_NOT_FOUND: 404,
  RATE_OVERRIDE_NOT_FOUND: 404,
  ROUTE_NOT_FOUND: 404,
  ROUTE_PLAN_NOT_FOUND: 404,
  SIP_DEVICE_NOT_FOUND: 404,
  SPEED_DIAL_NOT_FOUND: 404,
  TEMPLATE_NOT_FOUND: 404,
  TRUNK_NOT_FOUND: 404,
  USER_NOT_FOUND: 404,
  // 409: conflicts with the current state
  ACCOUNT_HAS_TRUNKS: 409,
  ACCOUNT_NAME_TAKEN: 409,
  ACCOUNT_NUMBER_TAKEN: 409,
  BALANCE_CONFIRMATION_REQUIRED: 409,
  BLOCKED_CODE_TAKEN: 409,
  CALLER_ID_TAKEN: 409,
  CONFLICT: 409,
  CURRENCY_LOCKED: 409,
  DID_ALREADY_ASSIGNED: 409,
  DID_TAKEN: 409,
  ENTRY_ALREADY_REVERSED: 409,
  ENTRY_NOT_REVERSIBLE: 409,
  FORCE_CALLER_ID_ACTIVE_EXISTS: 409,
  HOST_ALREADY_IN_USE: 409,
  IDEMPOTENCY_KEY_REUSED: 409,
  IMPORT_WRONG_STATE: 409,
  JOB_NOT_FAILED: 409,
  KEY_TAKEN: 409,
  LOCALIZATION_IN_USE: 409,
  LOCALIZATION_NAME_TAKEN: 409,
  LOGIN_TAKEN: 409,
  MAIL_STILL_PENDING: 409,
  MAIL_TEMPLATE_REQUIRED: 409,
  MASS_CREATE_RESULT_NOT_READY: 409,
  NOT_LINKED_TO_TEMPLATE: 409,
  NUMBER_CAPACITY_EXCEEDED: 409,
  PIN_TAKEN: 409,
  PORTAL_USERNAME_TAKEN: 409,
  RATE_ALREADY_EXISTS: 409,
  RATE_GROUP_IN_USE: 409,
  RATE_GROUP_NAME_TAKEN: 409,
  RATE_OVERRIDE_ALREADY_EXISTS: 409,
  RATE_OVERRIDE_LIMIT: 409,
  ROUTE_PLAN_NAME_TAKEN: 409,
  SIP_USERNAME_TAKEN: 409,
  TEMPLATE_NAME_TAKEN: 409,
  TEMPLATE_VERSION_CHANGED: 409,
  TOO_MANY_PREFERENCES: 409,
  TRUNK_NAME_TAKEN: 409,
  // 410: gone
  MASS_CREATE_RESULT_GONE: 410,
  // 412: precondition failed
  PRECONDITION_FAILED: 412,
  // 413: too large
  BODY_TOO_LARGE: 413,
  IMPORT_TOO_LARGE: 413,
  // 415: unsupported media type
  UNSUPPORTED_MEDIA_TYPE: 415,
  // 423: locked
  ACCOUNT_LOCKED: 423,
  // 429: too many requests
  RATE_LIMITED: 429,
  // 503: not available now
  CDR_NOT_STORED: 503,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface ErrorDetails {
  /** The field at fault, as the client named it (`creditLimit`, `address.city`). */
  field?: string;
  [key: string]: unknown;
}

export class AppError extends Error {
  readonly status: number;
  /** `input`: the caller's input is at fault (a 400, see ERROR_STATUS). */
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetails = {},
    input = false,
  ) {
    super(message);
    this.status = input ? 400 : ERROR_STATUS[code];
  }
}

export const validationError = (field: string, message: string, code: ErrorCode = 'VALIDATION_FAILED') =>
  new AppError(code, message, { field }, true);

export const notFound = (code: ErrorCode, message: string) => new AppError(code, message);

export const conflict = (code: ErrorCode, field: string | undefined, message: string) =>
  new AppError(code, message, field ? { field } : {});

export const forbidden = (message = 'You may not do this.', code: ErrorCode = 'FORBIDDEN') =>
  new AppError(code, message);

/** Postgres unique violations carry the index name: we map each to the API field it protects. */
export function isUniqueViolation(err: unknown, indexName?: string): boolean {
  const e = err as { code?: string; constraint?: string };
  return e?.code === '23505' && (indexName === undefined || e.constraint === indexName);
}

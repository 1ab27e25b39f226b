/**
 * Why a call is refused (DOMAIN 4) and the SIP answer each reason gets by default. An admin may
 * change the code and text per reason (call_auth_reasons); the reason itself is what the CDR keeps.
 */
export const DENY_REASONS = {
  AUTH_UNKNOWN_SOURCE: { sipCode: 403, sipReason: 'Forbidden' },
  ACCOUNT_INACTIVE: { sipCode: 403, sipReason: 'Account inactive' },
  ACCOUNT_EXPIRED: { sipCode: 403, sipReason: 'Account expired' },
  TRUNK_INACTIVE: { sipCode: 403, sipReason: 'Trunk inactive' },
  HOST_INACTIVE: { sipCode: 403, sipReason: 'Host inactive' },
  DESTINATION_BLOCKED: { sipCode: 403, sipReason: 'Destination blocked' },
  CLI_REJECTED: { sipCode: 403, sipReason: 'Caller ID rejected' },
  CLI_POOL_EMPTY: { sipCode: 403, sipReason: 'Caller ID pool empty' },
  NO_RATE_GROUP: { sipCode: 404, sipReason: 'No rate group' },
  NO_RATE: { sipCode: 404, sipReason: 'No rate' },
  NO_ROUTE: { sipCode: 503, sipReason: 'No route' },
  MIN_PROFITABILITY: { sipCode: 503, sipReason: 'No profitable route' },
  INSUFFICIENT_FUNDS: { sipCode: 402, sipReason: 'Insufficient funds' },
  HOST_CPS_LIMIT: { sipCode: 503, sipReason: 'Host CPS limit' },
  HOST_CALL_LIMIT: { sipCode: 503, sipReason: 'Host call limit' },
  TRUNK_CPS_LIMIT: { sipCode: 503, sipReason: 'Trunk CPS limit' },
  TRUNK_CALL_LIMIT: { sipCode: 503, sipReason: 'Trunk call limit' },
  CUSTOMER_CPS_LIMIT: { sipCode: 503, sipReason: 'Customer CPS limit' },
  CUSTOMER_CALL_LIMIT: { sipCode: 503, sipReason: 'Customer call limit' },
  /** Not in DOMAIN's table: a reseller above the customer is at its own limit. */
  RESELLER_CPS_LIMIT: { sipCode: 503, sipReason: 'Reseller CPS limit' },
  RESELLER_CALL_LIMIT: { sipCode: 503, sipReason: 'Reseller call limit' },
  /** Extensions only: the call reached its trunk's or the global maximum duration. */
  MAX_DURATION_REACHED: { sipCode: 503, sipReason: 'Maximum duration reached' },
  /** Extensions only: the call is not live (ended, swept, or never allowed). */
  CALL_NOT_LIVE: { sipCode: 481, sipReason: 'Call does not exist' },
} as const satisfies Record<string, SipAnswer>;

export type DenyReason = keyof typeof DENY_REASONS;
export const DENY_REASON_CODES = Object.keys(DENY_REASONS) as DenyReason[];

export interface SipAnswer {
  sipCode: number;
  sipReason: string;
}

export function isDenyReason(s: string): s is DenyReason {
  return Object.prototype.hasOwnProperty.call(DENY_REASONS, s);
}

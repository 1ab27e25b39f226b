import { sql, type RawBuilder } from 'kysely';

/*
 * "Below its low-balance threshold" (DOMAIN 3.15) as SQL over an accounts row, for lists and
 * counts: the same arithmetic as notifications/balance-state.ts (metricOf, thresholdOf,
 * classify != OK; low-balance-filter.test.ts holds the two together), computed
 * live for every account, whether or not its alerts are on. The state machine's stored state only
 * exists for accounts whose alerts are on and lags up to one sweep; a list filter and a dashboard
 * count must agree with each other and with the balances on screen, so they read this instead.
 *
 * metric    = balance + (postpaid ? credit_limit : 0); postpaid with unlimited credit never counts
 * threshold = the settings' amount, or credit_limit x percent / 100 where a percent applies (else 0);
 *             no settings row = the defaults (amount 5)
 * counted   when metric <= threshold (LOW or ZERO)
 */

/** Default threshold amount when an account has no notification settings row (the migration's). */
const DEFAULT_THRESHOLD = '5';

/** True when the account row `alias` is below its low-balance threshold (LOW or ZERO). */
export function belowLowBalanceThreshold(alias = 'a'): RawBuilder<boolean> {
  const a = (c: string) => sql.ref(`${alias}.${c}`);
  return sql<boolean>`(
    NOT (${a('mode')} = 'postpaid' AND ${a('unlimited_credit')})
    AND ${a('balance')} + CASE WHEN ${a('mode')} = 'postpaid' THEN ${a('credit_limit')} ELSE 0 END
      <= COALESCE((
        SELECT CASE
          WHEN ns.threshold_type = 'amount' THEN ns.threshold_amount
          WHEN ${a('mode')} = 'postpaid' AND ${a('credit_limit')} > 0 AND ns.threshold_percent IS NOT NULL
            THEN ${a('credit_limit')} * ns.threshold_percent / 100
          ELSE 0 END
        FROM notification_settings ns WHERE ns.account_id = ${a('id')}
      ), ${DEFAULT_THRESHOLD}::numeric)
  )`;
}

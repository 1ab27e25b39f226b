import type { Migration } from 'kysely';
import * as m20261124_1300 from './2026_11_24_1300_create_accounts.js';
import * as m20261124_1400 from './2026_11_24_1400_user_preferences.js';
import * as m20261124_1410 from './2026_11_24_1410_create_ledger.js';
import * as m20261124_1420 from './2026_11_24_1420_create_connectivity.js';
import * as m20261124_1421 from './2026_11_24_1421_create_rating.js';
import * as m20261124_1430 from './2026_11_24_1430_create_jobs.js';
import * as m20261124_1431 from './2026_11_24_1431_create_customer_templates.js';
import * as m20261124_1432 from './2026_11_24_1432_create_customer_imports.js';
import * as m20261124_1433 from './2026_11_24_1433_create_customer_mass_creates.js';
import * as m20261124_1434 from './2026_11_24_1434_mass_create_sip_devices.js';
import * as m20261203_0700 from './2026_12_03_0700_ledger_allow_negative.js';
import * as m20261203_0900 from './2026_12_03_0900_create_call_auth.js';
import * as m20261203_0901 from './2026_12_03_0901_create_route_plans.js';
import * as m20261203_1100 from './2026_12_03_1100_create_notifications.js';
import * as m20261203_1300 from './2026_12_03_1300_create_cdrs.js';
import * as m20261204_0400 from './2026_12_04_0400_create_cdr_lines.js';
import * as m20261204_0401 from './2026_12_04_0401_create_cdr_daily_usage.js';
import * as m20261204_0300 from './2026_12_04_0300_api_keys_notify.js';
import * as m20261204_0100 from './2026_12_04_0100_sign_in_notification.js';
import * as m20261204_0500 from './2026_12_04_0500_dashboard_day_indexes.js';
import * as m20261205_0200 from './2026_12_05_0200_partition_cdrs.js';
import * as m20261205_0201 from './2026_12_05_0201_create_system_settings.js';
import * as m20261205_0500 from './2026_12_05_0500_create_customer_rate_overrides.js';
import * as m20261205_0501 from './2026_12_05_0501_call_auth_alarm_acknowledge.js';
import * as m20261205_0300 from './2026_12_05_0300_cdr_daily_usage_country.js';
import * as m20261205_0100 from './2026_12_05_0100_call_auth_balance_notify.js';
import * as m20261205_0600 from './2026_12_05_0600_call_auth_notify_batches.js';
import * as m20261205_0700 from './2026_12_05_0700_call_auth_account_batches.js';
import * as m20261205_0701 from './2026_12_05_0701_cdrs_rate_override.js';
import * as m20261206_0500 from './2026_12_06_0500_cdr_hourly_rollup.js';

/** Every migration, by name; names sort in the order they run. */
export const migrations: Record<string, Migration> = {
  '2026_11_24_1300_create_accounts': m20261124_1300,
  '2026_11_24_1400_user_preferences': m20261124_1400,
  '2026_11_24_1410_create_ledger': m20261124_1410,
  '2026_11_24_1420_create_connectivity': m20261124_1420,
  '2026_11_24_1421_create_rating': m20261124_1421,
  '2026_11_24_1430_create_jobs': m20261124_1430,
  '2026_11_24_1431_create_customer_templates': m20261124_1431,
  '2026_11_24_1432_create_customer_imports': m20261124_1432,
  '2026_11_24_1433_create_customer_mass_creates': m20261124_1433,
  '2026_11_24_1434_mass_create_sip_devices': m20261124_1434,
  '2026_12_03_0700_ledger_allow_negative': m20261203_0700,
  '2026_12_03_0900_create_call_auth': m20261203_0900,
  '2026_12_03_0901_create_route_plans': m20261203_0901,
  '2026_12_03_1100_create_notifications': m20261203_1100,
  '2026_12_03_1300_create_cdrs': m20261203_1300,
  '2026_12_04_0400_create_cdr_lines': m20261204_0400,
  '2026_12_04_0401_create_cdr_daily_usage': m20261204_0401,
  '2026_12_04_0300_api_keys_notify': m20261204_0300,
  '2026_12_04_0100_sign_in_notification': m20261204_0100,
  '2026_12_04_0500_dashboard_day_indexes': m20261204_0500,
  '2026_12_05_0200_partition_cdrs': m20261205_0200,
  '2026_12_05_0201_create_system_settings': m20261205_0201,
  '2026_12_05_0500_create_customer_rate_overrides': m20261205_0500,
  '2026_12_05_0501_call_auth_alarm_acknowledge': m20261205_0501,
  '2026_12_05_0300_cdr_daily_usage_country': m20261205_0300,
  '2026_12_05_0100_call_auth_balance_notify': m20261205_0100,
  '2026_12_05_0600_call_auth_notify_batches': m20261205_0600,
  '2026_12_05_0700_call_auth_account_batches': m20261205_0700,
  '2026_12_05_0701_cdrs_rate_override': m20261205_0701,
  '2026_12_06_0500_cdr_hourly_rollup': m20261206_0500,
};

/**
 * The customer CSV format (DOMAIN 3.6): one catalogue for the export, the import's header mapping
 * and the mass-create result, so the three never drift apart.
 */

/** How a cell is written and read: only `text` cells get the formula guard. */
export type CsvValueType = 'text' | 'code' | 'number' | 'boolean' | 'list' | 'timestamp';

export interface CustomerCsvColumn {
  /** The header the export writes (snake_case). */
  name: string;
  type: CsvValueType;
  /** Written by the export for information; the importer reads it only where stated. */
  exportOnly: boolean;
  /** Further header spellings the importer recognises, ASTPP's included. */
  aliases: string[];
}

const col = (
  name: string,
  type: CsvValueType,
  aliases: string[] = [],
  exportOnly = false,
): CustomerCsvColumn => ({ name, type, aliases, exportOnly });

/** Every export column, in the order of DOMAIN 3.6. */
export const CUSTOMER_EXPORT_COLUMNS: readonly CustomerCsvColumn[] = [
  col('account_number', 'code', ['Account', 'Account Number', 'Account No', 'Number']),
  col('name', 'text', ['Name', 'Account Name', 'Customer Name']),
  col('roles', 'list', ['Roles', 'Role']),
  col('status', 'code', ['Status']),
  col('mode', 'code', ['Mode', 'Account Type', 'Terms']),
  col('currency', 'code', ['Currency']),
  col('company_name', 'text', ['Company', 'Company Name']),
  col('first_name', 'text', ['First Name']),
  col('last_name', 'text', ['Last Name']),
  col('main_email', 'text', ['Email', 'Main Email', 'E-mail']),
  col('noc_email', 'list', ['NOC Email', 'NOC Emails']),
  col('billing_email', 'list', ['Billing Email', 'Billing Emails']),
  col('rates_email', 'list', ['Rates Email', 'Rates Emails']),
  col('notification_email', 'list', ['Notification Email', 'Notification Emails']),
  col('phone', 'text', ['Phone', 'Telephone']),
  col('address1', 'text', ['Address', 'Address 1', 'Address Line 1']),
  col('address2', 'text', ['Address 2', 'Address Line 2']),
  col('city', 'text', ['City']),
  col('province', 'text', ['Province/State', 'Province', 'State']),
  col('zip', 'text', ['Zip/Postal Code', 'Zip', 'Postal Code', 'Zip Code']),
  col('country', 'code', ['Country']),
  col('timezone', 'code', ['Timezone', 'Time Zone']),
  col('tax_id', 'text', ['Tax ID', 'Tax Number', 'VAT Number']),
  col('reference', 'text', ['Reference']),
  col('reseller', 'code', ['Reseller']),
  // References travel by name (DOMAIN 3.5): a name is unique within the account's owner, so it
  // means the same record in another database, where an id would point at whatever has that id.
  col('rate_group', 'text', ['Rate Group', 'Rategroup', 'Tariff', 'Rate Group Name']),
  col('non_cli_rate_group', 'text', ['Non CLI Rate Group']),
  col('cli_pool_mode', 'number', ['CLI Pool', 'CLI Pool Mode']),
  col('localization', 'text', ['Localization', 'Localization Name']),
  col('call_limit', 'number', ['Concurrent Calls', 'CC', 'Call Limit']),
  col('cps_limit', 'number', ['CPS', 'CPS Limit']),
  col('credit_limit', 'number', ['Credit Limit']),
  col('unlimited_credit', 'boolean', ['Unlimited Credit']),
  col('min_profit_type', 'code', ['Min Profitability Type']),
  col('min_profit_value', 'number', ['Min Profitability', 'Min Profitability Value']),
  col('allow_local_calls', 'boolean', ['Local Calls', 'Allow Local Calls']),
  col('local_call_price_per_min', 'number', ['Local Call Charge', 'Local Call Price']),
  col('billing_schedule', 'code', ['Billing Schedule']),
  col('billing_day', 'number', ['Billing Day']),
  col('generate_zero_invoice', 'boolean', ['Generate Zero Invoice', 'Zero Amount Invoice']),
  col('invoice_note', 'text', ['Invoice Note']),
  col('notifications_enabled', 'boolean', ['Notifications', 'Notifications Enabled']),
  col('online_payment', 'boolean', ['Online Payment']),
  col('portal_permissions', 'list', ['Portal Permissions']),
  col('valid_until', 'timestamp', ['Expiry Date', 'Expiry', 'Valid Until']),
  col('portal_username', 'text', ['Username', 'Portal Username', 'Login']),
  // Export-only: the importer reads `balance` only as an opening balance or a consistency check.
  col('balance', 'number', ['Balance'], true),
  col('first_used', 'timestamp', ['First Used'], true),
  col('created_at', 'timestamp', ['Created Date', 'Created'], true),
];

/** Columns an import file may carry that the export never writes (credentials and devices). */
export const CUSTOMER_IMPORT_ONLY_COLUMNS: readonly CustomerCsvColumn[] = [
  col('password', 'text', ['Password', 'Portal Password']),
  col('pin', 'code', ['PIN']),
  col('sip_username', 'text', ['SIP Username', 'SIP User']),
  col('sip_password', 'text', ['SIP Password', 'SIP Secret']),
  // Where a file says so, references by id in this database (the columns above take names).
  col('rate_group_id', 'number', ['Rate Group ID']),
  col('non_cli_rate_group_id', 'number', ['Non CLI Rate Group ID']),
  col('localization_id', 'number', ['Localization ID']),
];

export const CUSTOMER_EXPORT_COLUMN_NAMES = CUSTOMER_EXPORT_COLUMNS.map((c) => c.name);

const BY_NAME = new Map(
  [...CUSTOMER_EXPORT_COLUMNS, ...CUSTOMER_IMPORT_ONLY_COLUMNS].map((c) => [c.name, c] as const),
);

export function customerCsvColumn(name: string): CustomerCsvColumn | undefined {
  return BY_NAME.get(name);
}

/** Header matching ignores case, spaces and punctuation: `First Name` = `first_name` = `FIRSTNAME`. */
export function normalizeHeader(header: string): string {
  return header.toLowerCase().replace(/[^a-z0-9]/g, '');
}

const BY_HEADER = new Map<string, string>();
for (const c of [...CUSTOMER_EXPORT_COLUMNS, ...CUSTOMER_IMPORT_ONLY_COLUMNS]) {
  for (const h of [c.name, ...c.aliases]) {
    const key = normalizeHeader(h);
    if (!BY_HEADER.has(key)) BY_HEADER.set(key, c.name);
  }
}

/** The column a file header means, or null when we do not recognise it. */
export function columnForHeader(header: string): string | null {
  return BY_HEADER.get(normalizeHeader(header)) ?? null;
}

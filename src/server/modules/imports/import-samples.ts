/**
 * Sample files for the import page, one per layout the importer reads: ours (the export's columns,
 * DOMAIN 3.6) and ASTPP's (its sample's column order, DOMAIN 3.5). Built from the column catalogue,
 * so a renamed or dropped column breaks the module load and its test, never the operator's file;
 * import-samples.test.ts dry-runs each one and expects no error.
 */
import { CUSTOMER_EXPORT_COLUMN_NAMES } from '../exports/index.js';
import { CreateAccountBody } from '../accounts/index.js';
import { csvLine, quoteCsvCell, textCsvCell } from '../../platform/csv/csv-cells.js';
import { autoMapHeaders, importColumn } from './import-rows.js';

export type SampleLayout = 'tollgate' | 'astpp';
export const SAMPLE_LAYOUTS: readonly SampleLayout[] = ['tollgate', 'astpp'];

/** Two customers: a prepaid one with an opening balance, a postpaid one with a credit limit. */
const OURS: Record<string, [string, string]> = {
  account_number: ['5550100001', '5550100002'],
  name: ['Acme Telecom', 'Jane Smith'],
  roles: ['customer', 'customer'],
  status: ['active', 'active'],
  mode: ['prepaid', 'postpaid'],
  currency: ['USD', 'EUR'],
  company_name: ['Acme Telecom Ltd', ''],
  first_name: ['John', 'Jane'],
  last_name: ['Doe', 'Smith'],
  main_email: ['ops@acme.example.com', 'jane.smith@example.com'],
  noc_email: ['noc@acme.example.com;oncall@acme.example.com', ''],
  billing_email: ['billing@acme.example.com', ''],
  rates_email: ['', ''],
  notification_email: ['', ''],
  phone: ['(212) 555-0100', '030 5550 0200'],
  address1: ['100 Main Street', 'Hauptstrasse 5'],
  address2: ['Suite 400', ''],
  city: ['New York', 'Berlin'],
  province: ['NY', ''],
  zip: ['10001', '10115'],
  country: ['US', 'DE'],
  timezone: ['America/New_York', 'Europe/Berlin'],
  tax_id: ['', 'DE123456789'],
  reference: ['CRM-1001', ''],
  reseller: ['', ''],
  rate_group: ['', ''],
  non_cli_rate_group: ['', ''],
  cli_pool_mode: ['0', '0'],
  localization: ['', ''],
  call_limit: ['10', '5'],
  cps_limit: ['2', '1'],
  credit_limit: ['0', '500'],
  unlimited_credit: ['false', 'false'],
  min_profit_type: ['', ''],
  min_profit_value: ['', ''],
  allow_local_calls: ['false', 'false'],
  local_call_price_per_min: ['0', '0'],
  billing_schedule: ['monthly', 'monthly'],
  billing_day: ['1', '1'],
  generate_zero_invoice: ['false', 'false'],
  invoice_note: ['', 'Net 30'],
  notifications_enabled: ['true', 'true'],
  online_payment: ['false', 'false'],
  portal_permissions: ['', ''],
  valid_until: ['', ''],
  portal_username: ['', ''],
  balance: ['25.00', '0'],
  first_used: ['', ''],
  created_at: ['', ''],
};

/** ASTPP's sample, in its column order; currency, country and time zone are its batch defaults. */
const ASTPP: [string, [string, string]][] = [
  ['Account', ['5550200001', '5550200002']],
  ['Password', ['Sample-pass-2026', 'Sample-pass-2027']],
  ['First Name', ['John', 'Maria']],
  ['Last Name', ['Doe', 'Garcia']],
  ['Company', ['Acme Telecom Ltd', '']],
  ['Phone', ['(212) 555-0100', '(305) 555-0199']],
  ['Mobile', ['', '']],
  ['Email', ['john.doe@example.com', 'maria.garcia@example.com']],
  ['Address', ['100 Main Street', '22 Ocean Drive']],
  ['City', ['New York', 'Miami']],
  ['Province/State', ['NY', 'FL']],
  ['Zip/Postal Code', ['10001', '33139']],
  ['Balance', ['25.00', '0']],
  ['Credit Limit', ['0', '0']],
  ['SIP Username', ['5550200001', '']],
  ['SIP Password', ['Sip-secret-2026x', '']],
  ['Concurrent Calls', ['10', '2']],
  ['CPS', ['2', '1']],
];

function headersAndRows(layout: SampleLayout): { headers: string[]; rows: string[][] } {
  if (layout === 'astpp')
    return {
      headers: ASTPP.map(([h]) => h),
      rows: [0, 1].map((i) => ASTPP.map(([, v]) => v[i]!)),
    };
  const headers = [...CUSTOMER_EXPORT_COLUMN_NAMES];
  return { headers, rows: [0, 1].map((i) => headers.map((h) => OURS[h]![i]!)) };
}

// A column added to the catalogue without a sample value fails here, at load, and in the test.
for (const name of CUSTOMER_EXPORT_COLUMN_NAMES)
  if (!OURS[name] || !importColumn(name)) throw new Error(`import sample: no value for column ${name}`);

/**
 * What the import page tells about a layout: its headers, and the required fields its file does not
 * carry, which the batch defaults must give (ASTPP sets currency, country and zone per batch).
 */
export function sampleLayouts() {
  const required = (CreateAccountBody.required ?? []) as string[];
  return SAMPLE_LAYOUTS.map((id) => {
    const { headers } = headersAndRows(id);
    const mapped = new Set(autoMapHeaders(headers).filter((c): c is string => c !== null));
    const needsDefaults = required
      .filter((f) => f !== 'name') // the importer names a row from its company, person or number
      .map((f) => importColumnOfField(f))
      .filter((c): c is string => c !== null && !mapped.has(c));
    return {
      id,
      label: id === 'astpp' ? "ASTPP's layout" : 'Tollgate layout (as exported)',
      fileName: `customers-sample-${id}.csv`,
      headers,
      needsDefaults,
    };
  });
}

function importColumnOfField(field: string): string | null {
  for (const name of CUSTOMER_EXPORT_COLUMN_NAMES) if (importColumn(name)?.field === field) return name;
  return null;
}

/** The sample file of a layout: UTF-8, CRLF, RFC 4180, text cells formula-guarded like an export. */
export function sampleCsv(layout: SampleLayout): { fileName: string; text: string } {
  const { headers, rows } = headersAndRows(layout);
  const text = csvLine(headers.map(quoteCsvCell)) + rows.map((r) => csvLine(r.map(textCsvCell))).join('');
  return { fileName: `customers-sample-${layout}.csv`, text };
}

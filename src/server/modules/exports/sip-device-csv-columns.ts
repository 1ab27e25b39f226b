/**
 * The SIP device CSV format: one file per object type, as a migrating operator moves them
 * (resellers, then customers, then their SIP devices). A device names its customer by account
 * number; the secret is never exported, and an import file may carry it in a `secret` column.
 */
import { normalizeHeader, type CustomerCsvColumn, type CsvValueType } from './customer-csv-columns.js';

const col = (
  name: string,
  type: CsvValueType,
  aliases: string[] = [],
  exportOnly = false,
): CustomerCsvColumn => ({ name, type, aliases, exportOnly });

/** Every SIP device export column, in order. */
export const SIP_DEVICE_EXPORT_COLUMNS: readonly CustomerCsvColumn[] = [
  col('account_number', 'code', ['Account', 'Account Number', 'Customer', 'Customer Account']),
  col('username', 'text', ['SIP Username', 'Username', 'SIP User', 'User']),
  col('caller_id_name', 'text', ['Caller ID Name', 'CID Name', 'Effective Caller ID Name']),
  col('caller_id_number', 'code', ['Caller ID Number', 'CID Number', 'Effective Caller ID Number']),
  col('status', 'code', ['Status']),
  col('codecs', 'list', ['Codecs', 'Allow']),
  col('voicemail_enabled', 'boolean', ['Voicemail', 'Voicemail Enabled']),
  col('created_at', 'timestamp', ['Created Date', 'Created'], true),
];

/** Import-only: the device secret (encrypted at upload, never stored in clear, never exported). */
export const SIP_DEVICE_IMPORT_ONLY_COLUMNS: readonly CustomerCsvColumn[] = [
  col('secret', 'text', ['Secret', 'SIP Password', 'SIP Secret', 'Password']),
];

export const SIP_DEVICE_EXPORT_COLUMN_NAMES = SIP_DEVICE_EXPORT_COLUMNS.map((c) => c.name);

const BY_HEADER = new Map<string, string>();
for (const c of [...SIP_DEVICE_EXPORT_COLUMNS, ...SIP_DEVICE_IMPORT_ONLY_COLUMNS])
  for (const h of [c.name, ...c.aliases]) {
    const key = normalizeHeader(h);
    if (!BY_HEADER.has(key)) BY_HEADER.set(key, c.name);
  }

/** The SIP device column a file header means, or null. */
export function sipDeviceColumnForHeader(header: string): string | null {
  return BY_HEADER.get(normalizeHeader(header)) ?? null;
}

const BY_NAME = new Map(
  [...SIP_DEVICE_EXPORT_COLUMNS, ...SIP_DEVICE_IMPORT_ONLY_COLUMNS].map((c) => [c.name, c] as const),
);
export function sipDeviceCsvColumn(name: string): CustomerCsvColumn | undefined {
  return BY_NAME.get(name);
}

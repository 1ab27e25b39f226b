import { api, withQuery } from '../api/http.js';
import type { AccountResource } from '../accounts/types.js';
import type * as Wire from '../../server/api-types.js';

export const ENTRY_TYPES = [
  'PAYMENT',
  'TEST_CREDIT',
  'INITIAL_BALANCE',
  'CHARGE',
  'CALL',
  'RECURRING',
  'TAX',
  'SHORT_CALL_CHARGE',
  'BALANCE_RESET',
  'ADJUSTMENT',
  'REVERSAL',
] as const;
export type EntryType = (typeof ENTRY_TYPES)[number];

export const ENTRY_TYPE_NAMES: Record<EntryType, string> = {
  PAYMENT: 'Refill',
  TEST_CREDIT: 'Test credit',
  INITIAL_BALANCE: 'Initial balance',
  CHARGE: 'Charge',
  CALL: 'Call',
  RECURRING: 'Recurring fee',
  TAX: 'Tax',
  SHORT_CALL_CHARGE: 'Short call charge',
  BALANCE_RESET: 'Balance reset',
  ADJUSTMENT: 'Adjustment',
  REVERSAL: 'Reversal',
};

export type LedgerEntry = Wire.LedgerEntryDto;

export type BalanceSummary = Wire.BalanceSummaryDto;

export type BulkResetResult = Wire.BulkResetResultDto;

/** Ledger resources exist for customers and resellers (providers are customers with a role). */
export const ledgerBase = (resource: AccountResource) =>
  resource === 'resellers' ? 'resellers' : 'customers';

/** One key per dialog opening: a double click or a retry of the same posting never posts twice. */
export const newIdempotencyKey = (): string => crypto.randomUUID();

const keyed = (key: string) => ({ 'idempotency-key': key });

export const ledgerApi = {
  refill: (resource: AccountResource, id: number, key: string, body: Record<string, string>) =>
    api<LedgerEntry>('POST', `/${ledgerBase(resource)}/${id}/refills`, { body, headers: keyed(key) }),
  charge: (resource: AccountResource, id: number, key: string, body: Record<string, string | boolean>) =>
    api<LedgerEntry>('POST', `/${ledgerBase(resource)}/${id}/charges`, { body, headers: keyed(key) }),
  reset: (resource: AccountResource, id: number, key: string, reason?: string) =>
    api<LedgerEntry>('POST', `/${ledgerBase(resource)}/${id}/balance-resets`, {
      body: reason ? { reason } : {},
      headers: keyed(key),
    }),
  bulkReset: (resource: AccountResource, ids: number[], key: string, reason?: string) =>
    api<BulkResetResult>('POST', `/${ledgerBase(resource)}/balance-resets/bulk`, {
      body: reason ? { ids, reason } : { ids },
      headers: keyed(key),
    }),
  reverse: (resource: AccountResource, id: number, entryId: string, key: string, reason: string) =>
    api<LedgerEntry>('POST', `/${ledgerBase(resource)}/${id}/ledger-entries/${entryId}/reversal`, {
      body: { reason },
      headers: keyed(key),
    }),
  balance: (resource: AccountResource, id: number) =>
    api<BalanceSummary>('GET', `/${ledgerBase(resource)}/${id}/balance`),
  exportUrl: (
    resource: AccountResource,
    id: number,
    kind: 'ledger-entries' | 'refills',
    q: { from?: string; to?: string; type?: string },
  ) => withQuery(`/api/v1/${ledgerBase(resource)}/${id}/${kind}/export`, q),
};

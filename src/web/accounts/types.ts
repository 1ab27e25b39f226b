import type * as Wire from '../../server/api-types.js';

/** An account as the API returns it (customers, providers and resellers share the shape). */
export type Account = Wire.AccountDto;

export type AccountResource = 'customers' | 'providers' | 'resellers';

export const KIND_OF: Record<AccountResource, Account['kind']> = {
  customers: 'customer',
  providers: 'provider',
  resellers: 'reseller',
};

export const SINGULAR: Record<AccountResource, string> = {
  customers: 'Customer',
  providers: 'Provider',
  resellers: 'Reseller',
};

export const isAccountResource = (r: string): r is AccountResource =>
  r === 'customers' || r === 'providers' || r === 'resellers';

/** An account as the API returns it (customers, providers and resellers share the shape). */
export interface Account {
  id: number;
  kind: 'customer' | 'provider' | 'reseller';
  accountNumber: string;
  isReseller: boolean;
  roles: string[];
  resellerId: number | null;
  resellerName: string | null;
  trunkCount: number;
  name: string;
  status: 'active' | 'inactive';
  portalUsername: string | null;
  hasPassword: boolean;
  pin: string | null;
  validUntil: string | null;
  firstUsedAt: string | null;
  companyName: string | null;
  firstName: string | null;
  lastName: string | null;
  mainEmail: string | null;
  nocEmails: string[];
  billingEmails: string[];
  ratesEmails: string[];
  notificationEmails: string[];
  phone: string | null;
  address1: string | null;
  address2: string | null;
  city: string | null;
  province: string | null;
  zip: string | null;
  country: string;
  timezone: string;
  taxId: string | null;
  reference: string | null;
  callLimit: number | null;
  cpsLimit: string | null;
  localizationId: number | null;
  localizationName: string | null;
  allowLocalCalls: boolean;
  localCallPricePerMin: string;
  minProfitability: { type: 'percent' | 'absolute'; value: string } | null;
  notificationsEnabled: boolean;
  onlinePayment: boolean;
  portalPermissions: string[];
  mode: 'prepaid' | 'postpaid';
  currency: string;
  creditLimit: string;
  unlimitedCredit: boolean;
  balance: string;
  availableCredit: string | null;
  rateGroupId: number | null;
  nonCliRateGroupId: number | null;
  rateGroupName: string | null;
  nonCliRateGroupName: string | null;
  cliPoolMode: number;
  billingSchedule: 'daily' | 'monthly';
  billingDay: number;
  generateZeroInvoice: boolean;
  invoiceNote: string | null;
  /** The template the customer was created by (or re-applied from), and the version applied. */
  templateId: number | null;
  templateVersion: number | null;
  createdAt: string;
  updatedAt: string;
}

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

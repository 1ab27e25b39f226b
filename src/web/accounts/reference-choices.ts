import { countryCodes } from '../../server/platform/reference-data.js';

/** Choices for the country, currency and time zone inputs (the server validates the same lists). */
const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });
const currencyNames = new Intl.DisplayNames(['en'], { type: 'currency' });

export const COUNTRY_CHOICES = countryCodes()
  .map((id) => ({ id, name: `${regionNames.of(id) ?? id} (${id})` }))
  .sort((a, b) => a.name.localeCompare(b.name));

export const CURRENCY_CHOICES = Intl.supportedValuesOf('currency').map((id) => ({
  id,
  name: `${id} · ${currencyNames.of(id) ?? id}`,
}));

export const TIMEZONE_CHOICES = [...new Set(['UTC', ...Intl.supportedValuesOf('timeZone')])].map((id) => ({
  id,
  name: id.replace(/_/g, ' '),
}));

export const CLI_POOL_CHOICES = [
  { id: 0, name: 'Disable' },
  { id: 1, name: 'DID (CLI match, else a random allocated DID)' },
  { id: 2, name: 'Caller ID (CLI match, else a random allocated caller ID)' },
  { id: 3, name: 'Use NON-CLI Rate Group (if CLI does not match a DID)' },
  { id: 4, name: 'Use NON-CLI Rate Group (if CLI does not match a caller ID)' },
  { id: 5, name: 'Use NON-CLI Rate Group (if CLI matches neither DID nor caller ID)' },
  { id: 6, name: 'Reject Call (if CLI does not match a DID)' },
  { id: 7, name: 'Reject Call (if CLI does not match a caller ID)' },
  { id: 8, name: 'Reject Call (if CLI matches neither DID nor caller ID)' },
];

export const PORTAL_PERMISSION_CHOICES = [
  { id: 'accountSummary', name: 'Account Summary' },
  { id: 'balance', name: 'Balance' },
  { id: 'paymentHistory', name: 'Payment History' },
  { id: 'payments.online', name: 'Online Payment' },
  { id: 'invoices', name: 'Invoices' },
  { id: 'cdrs', name: "CDR's List" },
  { id: 'reports', name: 'Summary Report' },
  { id: 'rateTable', name: 'Rate Table' },
  { id: 'trunks.view', name: 'Trunks' },
  { id: 'trunks.manageHosts', name: 'Trunk Hosts (IP self-management)' },
  { id: 'products', name: 'Products' },
  { id: 'dids.view', name: 'DIDs' },
  { id: 'dids.request', name: 'DID Request' },
  { id: 'cliBlocking', name: 'CID Blocking' },
  { id: 'sipTrace', name: 'SIP Packet Search' },
  { id: 'sipDevices.manage', name: 'SIP Devices' },
  { id: 'speedDial.manage', name: 'Speed Dial' },
];

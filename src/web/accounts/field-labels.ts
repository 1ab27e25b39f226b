/*
 * The account form's labels for the API's field names, so the audit history, the import preview
 * and its errors speak the form's words (`Credit Limit`, not `creditLimit`).
 */

export const ACCOUNT_FIELD_LABELS: Record<string, string> = {
  accountNumber: 'Account Number',
  name: 'Name',
  roles: 'Type',
  status: 'Status',
  resellerId: 'Reseller',
  resellerName: 'Reseller',
  portalUsername: 'Username',
  password: 'Password',
  pin: 'Pin',
  validUntil: 'Expiry Date',
  companyName: 'Company Name',
  firstName: 'First Name',
  lastName: 'Last Name',
  mainEmail: 'Main Email',
  nocEmails: 'NOC Email',
  billingEmails: 'Billing Email',
  ratesEmails: 'Rates Email',
  notificationEmails: 'Notification Email',
  phone: 'Phone',
  address1: 'Address 1',
  address2: 'Address 2',
  city: 'City',
  province: 'Province',
  zip: 'Zip Code',
  country: 'Country',
  timezone: 'Timezone',
  taxId: 'Tax ID',
  reference: 'Reference',
  callLimit: 'Concurrent Calls',
  cpsLimit: 'CPS',
  localizationId: 'Localization',
  localizationName: 'Localization',
  allowLocalCalls: 'Allow Local Calls',
  localCallPricePerMin: 'Local Call Price per Minute',
  minProfitability: 'Min Profitability',
  notificationsEnabled: 'Notifications',
  onlinePayment: 'Payment Gateway Permission',
  portalPermissions: 'Permissions (Self Service Portal)',
  mode: 'Account Type',
  currency: 'Currency',
  creditLimit: 'Credit Limit',
  unlimitedCredit: 'Unlimited Credit',
  balance: 'Balance',
  availableCredit: 'Available Credit',
  rateGroupId: 'Rate Group',
  rateGroupName: 'Rate Group',
  nonCliRateGroupId: 'NON-CLI Rate Group',
  nonCliRateGroupName: 'NON-CLI Rate Group',
  cliPoolMode: 'CLI Pool',
  billingSchedule: 'Billing Schedule',
  billingDay: 'Billing Day',
  generateZeroInvoice: 'Generate Invoice for zero amount',
  invoiceNote: 'Invoice Note',
  templateId: 'Template',
  templateVersion: 'Template Version',
  createSipDevice: 'Create SIP Device',
  sipUsername: 'SIP Username',
  sipPassword: 'SIP Password',
  openingBalance: 'Opening Balance',
  testCredit: 'Test Credit',
  initialBalance: 'Initial Balance',
};

/** `creditLimit` -> `Credit Limit`; `nocEmails.1` -> `NOC Email`; unknown names are spelled out. */
export function fieldLabel(apiField: string): string {
  const head = apiField.split('.')[0];
  if (ACCOUNT_FIELD_LABELS[head]) return ACCOUNT_FIELD_LABELS[head];
  // CSV columns are snake_case (`main_email`, `rate_group`): the form's field of the same name.
  const camel = head.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
  if (ACCOUNT_FIELD_LABELS[camel]) return ACCOUNT_FIELD_LABELS[camel];
  if (ACCOUNT_FIELD_LABELS[camel + 'Id']) return ACCOUNT_FIELD_LABELS[camel + 'Id'];
  if (ACCOUNT_FIELD_LABELS[camel + 's']) return ACCOUNT_FIELD_LABELS[camel + 's'];
  const words = head.replace(/_/g, ' ').replace(/([a-z0-9])([A-Z])/g, '$1 $2');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Amounts of the account's currency, shown with two decimals. */
export const MONEY_FIELDS = new Set(['creditLimit', 'balance', 'availableCredit']);
/** Per-minute prices, shown with up to six decimals. */
export const RATE_FIELDS = new Set(['localCallPricePerMin']);

/**
 * A validation message in the form's words: the schema's `Must match format "email"` becomes
 * `Not a valid email address`; field names inside a message become labels.
 */
export function humanMessage(message: string): string {
  const format = /must match format "([^"]+)"/i.exec(message);
  if (format) {
    const what: Record<string, string> = {
      email: 'Not a valid email address.',
      'date-time': 'Not a valid date and time.',
      date: 'Not a valid date (YYYY-MM-DD).',
    };
    return what[format[1]] ?? `Not a valid ${format[1]}.`;
  }
  if (/must match pattern/i.test(message)) return 'Not in the expected format.';
  if (/must be (integer|number)/i.test(message)) return 'Must be a number.';
  if (/must be boolean/i.test(message)) return 'Must be yes or no.';
  const tooLong = /must NOT have more than (\d+) characters/i.exec(message);
  if (tooLong) return `At most ${tooLong[1]} characters.`;
  return message.replace(/\b([a-z]+[A-Z][A-Za-z0-9]*)\b/g, (w) =>
    ACCOUNT_FIELD_LABELS[w] ? ACCOUNT_FIELD_LABELS[w] : w,
  );
}

// No imports: the admin UI's bundle reads this list too (src/web/templates/template-form.ts).

/**
 * The setting fields a template carries (DOMAIN 3.3): every setting of the create form that exists
 * today. Excluded by rule: account number, name, emails, credentials, PIN, test credit, balance,
 * hosts and devices; and by choice: status, validity and the customer's own identity and address
 * (company, names, phone, address, tax id, reference), which describe one customer, not a kind.
 */
export const TEMPLATE_FIELDS = [
  'roles',
  'country',
  'timezone',
  'currency',
  'mode',
  'creditLimit',
  'unlimitedCredit',
  'callLimit',
  'cpsLimit',
  'localizationId',
  'allowLocalCalls',
  'localCallPricePerMin',
  'minProfitability',
  'rateGroupId',
  'nonCliRateGroupId',
  'cliPoolMode',
  'billingSchedule',
  'billingDay',
  'generateZeroInvoice',
  'invoiceNote',
  'notificationsEnabled',
  'onlinePayment',
  'portalPermissions',
] as const;
export type TemplateField = (typeof TEMPLATE_FIELDS)[number];

import { endOfDayIn } from '../format/format.js';
import type { Account } from './types.js';

/*
 * The account form edits a few API fields in another shape: email lists as one comma-separated
 * text, min profitability as a type and a value. These helpers convert both ways and map the
 * field a server error names to the input that shows it.
 */

const EMAIL_LISTS = ['nocEmails', 'billingEmails', 'ratesEmails', 'notificationEmails'] as const;

const SERVER_TO_FORM: Record<string, string> = {
  minProfitability: 'minProfitabilityValue',
  'minProfitability.value': 'minProfitabilityValue',
  'minProfitability.type': 'minProfitabilityType',
};

/** `nocEmails.1` -> `nocEmails`; `minProfitability.value` -> `minProfitabilityValue`. */
export function formFieldOf(serverField: string): string {
  return SERVER_TO_FORM[serverField] ?? serverField.split('.')[0];
}

export function splitEmails(v: unknown): string[] {
  if (Array.isArray(v)) return v.map(String);
  if (typeof v !== 'string') return [];
  return v
    .split(/[,;\s]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

export type AccountFormValues = Record<string, unknown>;

/** API record -> form values. */
export function toFormValues(a: Partial<Account>): AccountFormValues {
  const v: AccountFormValues = { ...a };
  for (const k of EMAIL_LISTS) v[k] = (a[k] ?? []).join(', ');
  v.minProfitabilityType = a.minProfitability?.type ?? '';
  v.minProfitabilityValue = a.minProfitability?.value ?? '';
  return v;
}

const blankToNull = (v: unknown) => (v === '' || v === undefined ? null : v);

/** The fields an operator edits; everything else in the record is read-only (balance never). */
const EDITABLE = [
  'name',
  'roles',
  'status',
  'portalUsername',
  'pin',
  'validUntil',
  'companyName',
  'firstName',
  'lastName',
  'mainEmail',
  'nocEmails',
  'billingEmails',
  'ratesEmails',
  'notificationEmails',
  'phone',
  'address1',
  'address2',
  'city',
  'province',
  'zip',
  'country',
  'timezone',
  'taxId',
  'reference',
  'callLimit',
  'cpsLimit',
  'allowLocalCalls',
  'localCallPricePerMin',
  'minProfitability',
  'notificationsEnabled',
  'onlinePayment',
  'portalPermissions',
  'mode',
  'currency',
  'creditLimit',
  'unlimitedCredit',
  'cliPoolMode',
  'rateGroupId',
  'nonCliRateGroupId',
  'localizationId',
  'billingSchedule',
  'billingDay',
  'generateZeroInvoice',
  'invoiceNote',
] as const;

const REFERENCES = ['rateGroupId', 'nonCliRateGroupId', 'localizationId'] as const;

const NULLABLE_TEXT = new Set([
  'pin',
  'validUntil',
  'companyName',
  'firstName',
  'lastName',
  'mainEmail',
  'phone',
  'address1',
  'address2',
  'city',
  'province',
  'zip',
  'taxId',
  'reference',
  'cpsLimit',
  'invoiceNote',
]);

/** Form values -> API body (every editable field; create also sends number, owner, password). */
export function toApiBody(
  values: AccountFormValues,
  opts: { isCreate: boolean; kind: Account['kind'] },
): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const k of EDITABLE) {
    if (values[k] !== undefined) body[k] = values[k];
  }
  for (const k of EMAIL_LISTS) if (values[k] !== undefined) body[k] = splitEmails(values[k]);
  for (const k of NULLABLE_TEXT) if (k in body) body[k] = blankToNull(body[k]);
  // A date typed in the form means "until the end of that day" in the account's own time zone.
  if (typeof body.validUntil === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(body.validUntil))
    body.validUntil = endOfDayIn(body.validUntil, String(values.timezone || 'UTC'));
  body.callLimit = values.callLimit === '' || values.callLimit == null ? null : Number(values.callLimit);
  body.cliPoolMode = Number(values.cliPoolMode ?? 0);
  for (const k of REFERENCES)
    if (k in body) body[k] = body[k] === '' || body[k] == null ? null : Number(body[k]);
  body.billingDay = Number(values.billingDay ?? 1);
  body.minProfitability =
    values.minProfitabilityType && values.minProfitabilityValue !== ''
      ? { type: values.minProfitabilityType, value: String(values.minProfitabilityValue) }
      : null;
  if (body.mode === 'prepaid') {
    body.creditLimit = '0';
    body.unlimitedCredit = false;
  }
  if (!body.allowLocalCalls) delete body.localCallPricePerMin;
  if (body.portalUsername === '' || body.portalUsername == null) delete body.portalUsername;
  if (opts.kind === 'reseller') delete body.roles;
  if (opts.isCreate) {
    if (values.accountNumber) body.accountNumber = values.accountNumber;
    if (values.password) body.password = values.password;
    if (values.createSipDevice === true) body.createSipDevice = true;
    // Sent only once the operator touched the Notification Setting step (else: the defaults).
    if (values.notificationSettings && opts.kind === 'customer')
      body.notificationSettings = values.notificationSettings;
    const testCredit = String(values.testCredit ?? '').trim();
    if (body.mode === 'prepaid' && testCredit !== '' && Number(testCredit) > 0) body.testCredit = testCredit;
    if (values.resellerId !== undefined && values.resellerId !== '')
      body.resellerId = values.resellerId === null ? null : Number(values.resellerId);
  }
  return body;
}

/** Only what changed, so an edit never sends a field it did not touch (and never the balance). */
export function changedFields(
  next: Record<string, unknown>,
  previous: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(next)) {
    const before = previous[k] === undefined ? null : previous[k];
    if (JSON.stringify(v) !== JSON.stringify(before)) out[k] = v;
  }
  return out;
}

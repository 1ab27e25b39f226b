import { toApiBody, toFormValues, type AccountFormValues } from '../accounts/form-fields.js';
import type { Account } from '../accounts/types.js';
import { TEMPLATE_FIELDS } from '../../server/modules/templates/template-fields.js';

/** The setting fields a customer template carries (one list with the server's). */
export { TEMPLATE_FIELDS };

/** Labels of the account form, for the re-apply diff. */
export const FIELD_LABELS: Record<string, string> = {
  roles: 'Type',
  country: 'Country',
  timezone: 'Timezone',
  currency: 'Currency',
  mode: 'Account Type',
  creditLimit: 'Credit Limit',
  unlimitedCredit: 'Unlimited Credit',
  callLimit: 'Concurrent Calls',
  cpsLimit: 'CPS',
  localizationId: 'Localization',
  allowLocalCalls: 'Allow Local Calls',
  localCallPricePerMin: 'Local Call Price per Minute',
  minProfitability: 'Min Profitability',
  rateGroupId: 'Rate Group',
  nonCliRateGroupId: 'Non-CLI Rate Group',
  cliPoolMode: 'CLI Pool',
  billingSchedule: 'Billing Schedule',
  billingDay: 'Billing Day',
  generateZeroInvoice: 'Generate Invoice for zero amount',
  invoiceNote: 'Invoice Note',
  notificationsEnabled: 'Notifications',
  onlinePayment: 'Payment Gateway Permission',
  portalPermissions: 'Portal Permissions',
};

const MONEY_INPUTS = ['creditLimit', 'localCallPricePerMin', 'minProfitabilityValue'];

/** A template's settings as values of the account form (money as typed: `100.00`, not `100.000000`). */
export function templateFormValues(settings: Record<string, unknown>): AccountFormValues {
  const values = toFormValues(settings as Partial<Account>);
  for (const k of MONEY_INPUTS) {
    const v = values[k];
    if (typeof v === 'string' && /^-?[0-9]+\.[0-9]+$/.test(v)) values[k] = trimDecimal(v);
  }
  return values;
}

/**
 * Form values -> the template's full settings, shaped as the account API shapes them. Fields the
 * form has no input for (localization) keep the template's saved value: a PATCH replaces the
 * settings as a whole.
 */
export function templateSettingsOf(
  values: AccountFormValues,
  saved: Record<string, unknown>,
): Record<string, unknown> {
  const body = toApiBody(values, { isCreate: false, kind: 'customer' });
  const out: Record<string, unknown> = {};
  for (const f of TEMPLATE_FIELDS) {
    if (body[f] !== undefined) out[f] = body[f];
    else if (values[f] !== undefined) out[f] = values[f] === '' ? null : values[f];
    else if (saved[f] !== undefined) out[f] = saved[f];
  }
  return out;
}

/** A setting value as a person reads it in the re-apply diff. */
export function displayValue(value: unknown): string {
  if (value === null || value === undefined || value === '') return '(empty)';
  if (Array.isArray(value)) return value.length ? value.join(', ') : '(none)';
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  if (typeof value === 'object') {
    const m = value as { type?: unknown; value?: unknown };
    if (m.type !== undefined && m.value !== undefined) {
      const v = displayValue(m.value);
      return m.type === 'percent' ? `${v} %` : `${v} per minute`;
    }
    return JSON.stringify(value);
  }
  if (typeof value === 'string' && /^-?[0-9]+\.[0-9]+$/.test(value)) return trimDecimal(value);
  return String(value as string | number);
}

/** '100.000000' -> '100.00', '0.015000' -> '0.015': money as stored, without the padding. */
function trimDecimal(v: string): string {
  const [int, frac] = v.split('.');
  const kept = frac.replace(/0+$/, '');
  return `${int}.${kept.padEnd(2, '0')}`;
}

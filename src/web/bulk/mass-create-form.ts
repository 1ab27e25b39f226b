/**
 * The Mass Create form's values -> the body of POST /customer-mass-creates. Money stays a decimal
 * string; the balance goes only with prepaid and the credit limit only with postpaid (the server
 * refuses a balance on postpaid); blank optional fields are left out.
 */
export function massCreateBody(values: Record<string, unknown>): Record<string, unknown> {
  const text = (k: string) => (values[k] === undefined || values[k] === null ? '' : String(values[k]).trim());
  const int = (k: string) => (text(k) === '' ? undefined : Number(text(k)));
  const mode = text('mode') || 'prepaid';
  const body: Record<string, unknown> = {
    count: int('count'),
    startPrefix: text('startPrefix'),
    accountNumberLength: int('accountNumberLength'),
    generatePin: Boolean(values.generatePin),
    createSipDevices: Boolean(values.createSipDevices),
    validDays: int('validDays') ?? null,
    currency: text('currency'),
    country: text('country'),
    timezone: text('timezone'),
    mode,
    cliPoolMode: int('cliPoolMode') ?? 0,
    rateGroupId: int('rateGroupId') ?? null,
    nonCliRateGroupId: int('nonCliRateGroupId') ?? null,
    billingSchedule: text('billingSchedule') || 'monthly',
  };
  if (body.generatePin && int('pinLength') !== undefined) body.pinLength = int('pinLength');
  if (mode === 'prepaid' && text('balance') !== '') body.balance = text('balance');
  if (mode === 'postpaid' && text('creditLimit') !== '') body.creditLimit = text('creditLimit');
  if (body.billingSchedule === 'monthly' && int('billingDay') !== undefined)
    body.billingDay = int('billingDay');
  if (text('resellerId') !== '') body.resellerId = int('resellerId');
  return body;
}

import { describe, expect, it } from 'vitest';
import { displayValue, templateFormValues, templateSettingsOf } from './template-form.js';

const SAVED = {
  roles: ['customer'],
  country: 'US',
  timezone: 'America/New_York',
  currency: 'USD',
  mode: 'postpaid',
  creditLimit: '50',
  unlimitedCredit: false,
  callLimit: 10,
  cpsLimit: null,
  localizationId: 7,
  allowLocalCalls: false,
  localCallPricePerMin: '0',
  minProfitability: { type: 'percent', value: '5' },
  rateGroupId: 3,
  nonCliRateGroupId: null,
  cliPoolMode: 0,
  billingSchedule: 'monthly',
  billingDay: 5,
  generateZeroInvoice: false,
  invoiceNote: null,
  notificationsEnabled: true,
  onlinePayment: false,
  portalPermissions: ['balance'],
};

describe('template form mapping', () => {
  it('round-trips every template field through the account form unchanged', () => {
    expect(templateSettingsOf(templateFormValues(SAVED), SAVED)).toEqual(SAVED);
  });

  it('shows stored money without its padding, still as a decimal string', () => {
    const values = templateFormValues({
      ...SAVED,
      creditLimit: '100.000000',
      localCallPricePerMin: '0.012500',
    });
    expect(values).toMatchObject({ creditLimit: '100.00', localCallPricePerMin: '0.0125' });
  });

  it('takes edited values, keeps fields the form has no input for, and never adds other fields', () => {
    const values: Record<string, unknown> = {
      ...templateFormValues(SAVED),
      callLimit: '25',
      minProfitabilityType: '',
      name: 'x',
    };
    delete values.localizationId;
    const out = templateSettingsOf(values, SAVED);
    expect(out.callLimit).toBe(25);
    expect(out.minProfitability).toBeNull();
    expect(out.localizationId).toBe(7);
    expect(out).not.toHaveProperty('name');
    expect(out).not.toHaveProperty('status');
  });

  it('clears the credit when the template turns prepaid; money stays a decimal string', () => {
    const out = templateSettingsOf({ ...templateFormValues(SAVED), mode: 'prepaid' }, SAVED);
    expect(out).toMatchObject({ mode: 'prepaid', creditLimit: '0', unlimitedCredit: false });
  });

  it('shows diff values as a person reads them', () => {
    expect(displayValue(null)).toBe('(empty)');
    expect(displayValue(['a', 'b'])).toBe('a, b');
    expect(displayValue(true)).toBe('Yes');
    expect(displayValue({ type: 'percent', value: '5.000000' })).toBe('5.00 %');
    expect(displayValue('100.000000')).toBe('100.00');
    expect(displayValue('0.015000')).toBe('0.015');
    expect(displayValue('monthly')).toBe('monthly');
  });
});

import { describe, expect, it } from 'vitest';
import { generateAccountNumber } from './account-number.js';
import { changedFields, formFieldOf, splitEmails, toApiBody, toFormValues } from './form-fields.js';
import { dateIn, endOfDayIn } from '../format/format.js';

describe('account form mapping', () => {
  it('generates 10-digit account numbers that never start with 0', () => {
    for (let i = 0; i < 200; i++) expect(generateAccountNumber()).toMatch(/^[1-9][0-9]{9}$/);
  });

  it('maps server error fields to the inputs that show them', () => {
    expect(formFieldOf('accountNumber')).toBe('accountNumber');
    expect(formFieldOf('nocEmails.1')).toBe('nocEmails');
    expect(formFieldOf('minProfitability.value')).toBe('minProfitabilityValue');
    expect(formFieldOf('nonCliRateGroupId')).toBe('nonCliRateGroupId');
  });

  it('splits email lists typed with commas, semicolons or spaces', () => {
    expect(splitEmails('a@x.io, b@x.io;c@x.io  d@x.io,')).toEqual(['a@x.io', 'b@x.io', 'c@x.io', 'd@x.io']);
    expect(splitEmails('')).toEqual([]);
  });

  it('builds a create body: blanks become null, prepaid has no credit, min profitability as an object', () => {
    const body = toApiBody(
      {
        name: 'Acme',
        accountNumber: '1234567890',
        password: '',
        companyName: '',
        nocEmails: 'noc@acme.io, noc2@acme.io',
        callLimit: '30',
        cpsLimit: '',
        mode: 'prepaid',
        creditLimit: '99',
        unlimitedCredit: true,
        minProfitabilityType: 'percent',
        minProfitabilityValue: '-2.5',
        cliPoolMode: '0',
        billingDay: '15',
        resellerId: '',
        validUntil: '2027-01-31',
        timezone: 'Europe/Paris',
        testCredit: '5.50',
      },
      { isCreate: true, kind: 'customer' },
    );
    // Prepaid: the test credit the API posts as a TEST_CREDIT entry at creation.
    expect(body.testCredit).toBe('5.50');
    expect(body).toMatchObject({
      name: 'Acme',
      accountNumber: '1234567890',
      companyName: null,
      nocEmails: ['noc@acme.io', 'noc2@acme.io'],
      callLimit: 30,
      cpsLimit: null,
      creditLimit: '0',
      unlimitedCredit: false,
      minProfitability: { type: 'percent', value: '-2.5' },
      cliPoolMode: 0,
      billingDay: 15,
      // The end of 31 January in Paris (UTC+1).
      validUntil: '2027-01-31T22:59:59.000Z',
    });
    expect(body).not.toHaveProperty('password');
    expect(body).not.toHaveProperty('resellerId');
  });

  it('sends only what changed on edit, never the balance', () => {
    const record = {
      id: 1,
      name: 'Acme',
      balance: '12.000000',
      nocEmails: ['noc@acme.io'],
      billingEmails: [],
      ratesEmails: [],
      notificationEmails: [],
      callLimit: null,
      minProfitability: null,
      mode: 'postpaid',
      creditLimit: '10.000000',
      cliPoolMode: 0,
      billingDay: 1,
    };
    const values = { ...toFormValues(record as never), name: 'Acme Ltd' };
    const patch = changedFields(toApiBody(values, { isCreate: false, kind: 'customer' }), record);
    expect(patch).toEqual({ name: 'Acme Ltd' });
  });

  it('converts dates at the edge of a day in the account time zone', () => {
    expect(endOfDayIn('2026-07-01', 'America/New_York')).toBe('2026-07-02T03:59:59.000Z');
    expect(dateIn('2026-07-02T03:59:59.000Z', 'America/New_York')).toBe('2026-07-01');
    expect(endOfDayIn('2026-01-01', 'UTC')).toBe('2026-01-01T23:59:59.000Z');
  });
});

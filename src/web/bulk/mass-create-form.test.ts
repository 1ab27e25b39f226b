import { describe, expect, it } from 'vitest';
import { massCreateBody } from './mass-create-form.js';

const BASE = {
  count: '5',
  startPrefix: ' 77 ',
  accountNumberLength: '8',
  generatePin: false,
  pinLength: '6',
  validDays: '',
  currency: 'USD',
  country: 'US',
  timezone: 'UTC',
  mode: 'prepaid',
  balance: '12.50',
  creditLimit: '100',
  cliPoolMode: 0,
  rateGroupId: '',
  billingSchedule: 'monthly',
  billingDay: 3,
};

describe('mass create body', () => {
  it('sends numbers as integers, money as decimal strings, and the balance only for prepaid', () => {
    expect(massCreateBody(BASE)).toEqual({
      count: 5,
      startPrefix: '77',
      accountNumberLength: 8,
      generatePin: false,
      createSipDevices: false,
      validDays: null,
      currency: 'USD',
      country: 'US',
      timezone: 'UTC',
      mode: 'prepaid',
      balance: '12.50',
      cliPoolMode: 0,
      rateGroupId: null,
      nonCliRateGroupId: null,
      billingSchedule: 'monthly',
      billingDay: 3,
    });
  });

  it('sends the credit limit only for postpaid, the PIN length only with PINs, no day when daily', () => {
    const body = massCreateBody({
      ...BASE,
      mode: 'postpaid',
      generatePin: true,
      pinLength: '8',
      billingSchedule: 'daily',
      validDays: '30',
      rateGroupId: 4,
    });
    expect(body).toMatchObject({ creditLimit: '100', pinLength: 8, validDays: 30, rateGroupId: 4 });
    expect(body).not.toHaveProperty('balance');
    expect(body).not.toHaveProperty('billingDay');
  });
});

import crypto from 'node:crypto';
import { expect } from 'vitest';
import type { Client, TestApp } from '../../../../test/app.js';

/** A settings body with everything off; override what the test is about. */
export function settingsBody(over: { lowBalance?: Record<string, unknown>; [k: string]: unknown } = {}) {
  const { lowBalance, ...rest } = over;
  return {
    lowBalance: {
      enabled: false,
      thresholdType: 'amount',
      amount: '5',
      percent: null,
      schedule: 'daily',
      sendAt: '09:00',
      repeatDays: 3,
      recipient: 'partner',
      disableTrunksAfterDays: null,
      ...lowBalance,
    },
    sendTrunkUpdate: false,
    paymentReceivedAlert: false,
    zeroBalanceNotification: false,
    ...rest,
  };
}

export async function putSettings(c: Client, customerId: number, body: unknown) {
  const res = await c.request('PUT', `/api/v1/customers/${customerId}/notification-settings`, body);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

export async function post(
  c: Client,
  customerId: number,
  what: 'refills' | 'charges' | 'adjustments',
  amount: string,
) {
  const body: Record<string, unknown> = { amount, reason: `test ${what}` };
  if (what === 'charges') body.allowNegative = true;
  const res = await c.request('POST', `/api/v1/customers/${customerId}/${what}`, body, {
    'idempotency-key': crypto.randomUUID(),
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

export async function mailsOf(t: TestApp, accountId: number) {
  return t.database.db
    .selectFrom('mails')
    .selectAll()
    .where('account_id', '=', accountId)
    .orderBy('id')
    .execute();
}

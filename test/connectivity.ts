import { expect } from 'vitest';
import { Client, customerBody, type TestApp } from './app.js';

let seq = 0;

/** A reseller with a signed-in portal client. */
export async function makeReseller(t: TestApp, admin: Client) {
  seq++;
  const username = `reseller-${seq}-${Math.random().toString(36).slice(2, 7)}`;
  const res = await admin.post(
    '/api/v1/resellers',
    customerBody({ portalUsername: username, password: 'reseller-pass-1' }),
  );
  expect(res.statusCode, res.body).toBe(201);
  const client = await Client.login(t.app, username, 'reseller-pass-1');
  return { account: res.json(), client };
}

/** A customer created by `by` (admin or a reseller's client). */
export async function makeCustomer(by: Client, over: Record<string, unknown> = {}) {
  const res = await by.post('/api/v1/customers', customerBody(over));
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

export async function ok(
  resPromise: Promise<{ statusCode: number; body: string; json(): any }>,
  status = 200,
) {
  const res = await resPromise;
  expect(res.statusCode, res.body).toBe(status);
  return status === 204 ? null : res.json();
}

import { adminLogin, Client, createTestApp, customerBody, type TestApp } from './app.js';
import { ok } from './connectivity.js';
import type { DbKind } from './databases.js';

/*
 * The setup the call-path tests share (call authorization, CDR intake, the dashboard's usage): an
 * app on the test's clock without the sweeper's timer, the admin signed in, a switch's API key, rate
 * groups with their rates, and customers reachable from a source address (a trunk with one host).
 */

export interface CallPathApp extends TestApp {
  admin: Client;
  /** The switch's client (an API key with the switch role). */
  sw: Client;
}

/** The app as the call-path tests drive it; `now` reads the test's own clock variable. */
export async function startCallPathApp(
  kind: DbKind,
  opts: { now: () => Date; switchKeyName?: string },
): Promise<CallPathApp> {
  const t = await createTestApp(kind, { now: opts.now, callAuth: { sweepIntervalMs: 0 } });
  const admin = await adminLogin(t.app);
  const { key } = await ok(
    admin.post('/api/v1/api-keys', { name: opts.switchKeyName ?? 'kamailio', role: 'switch' }),
    201,
  );
  return { ...t, admin, sw: Client.withApiKey(t.app, key) };
}

/** A rate group and its rates (each the body of POST /rate-groups/:id/rates); the group's answer. */
export async function makeRateGroup(
  admin: Client,
  group: { name: string; currency: string },
  rates: Record<string, unknown>[] = [],
) {
  const g = await ok(admin.post('/api/v1/rate-groups', group), 201);
  for (const rate of rates) await ok(admin.post(`/api/v1/rate-groups/${g.id}/rates`, rate), 201);
  return g;
}

/** A trunk with one host on an account, so calls from `cidr` are the account's. */
export async function addTrunkWithHost(by: Client, accountId: number, cidr: string, name = 'Main') {
  const trunk = await ok(by.post(`/api/v1/customers/${accountId}/trunks`, { name }), 201);
  const host = await ok(by.post(`/api/v1/trunks/${trunk.id}/hosts`, { cidr }), 201);
  return { trunk, host };
}

/** A customer (customerBody with `over`) reachable from `cidr` through its trunk. */
export async function makeCallingCustomer(admin: Client, over: Record<string, unknown>, cidr: string) {
  const customer = await ok(admin.post('/api/v1/customers', customerBody(over)), 201);
  const { trunk, host } = await addTrunkWithHost(admin, customer.id, cidr);
  return { customer, trunk, host };
}

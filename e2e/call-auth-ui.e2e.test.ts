import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { Client, customerBody } from '../test/app.js';
import { systemActor } from '../src/server/platform/context.js';
import { sweepExpiredCalls } from '../src/server/modules/call-auth/call-auth.service.js';
import {
  ADMIN,
  SCREENSHOTS,
  chromiumAvailable,
  launchBrowser,
  openPage,
  screenshotter,
  startUiServer,
  type UiServer,
} from './harness.js';

/*
 * Issue 12 in the admin UI, with calls taken through the real decision API (a switch API key over
 * HTTP): the Live Calls page and its alarms, what live calls hold on the customer's page, current
 * calls beside each limit, route plans and a customer's plan, the SIP answer of a refusal reason.
 */

const NAME = 'Live Calls Browser Co';
const PROVIDER = 'Carrier Browser Ltd';
const DIR = path.join(SCREENSHOTS, 'call-auth');

describe.runIf(chromiumAvailable())('call authorization in the admin UI', () => {
  let server: UiServer;
  let browser: Browser;
  let page: Page;
  let admin: Client;
  let switchKey: string;
  let customer: { id: number; name: string; accountNumber: string };
  let providerTrunk: { id: number };
  let seq = 0;
  const pageErrors: string[] = [];
  const url = (hash: string) => `${server.baseUrl}/#${hash}`;
  const shot = screenshotter(DIR, () => page);
  const json = async (res: Promise<{ statusCode: number; body: string }>, status = 200) => {
    const r = await res;
    if (r.statusCode !== status) throw new Error(`${r.statusCode}: ${r.body}`);
    return JSON.parse(r.body || 'null');
  };
  /** A call decision asked the way a switch asks: HTTP with its API key. */
  const authorize = async (body: Record<string, unknown> = {}) => {
    const res = await fetch(`${server.baseUrl}/api/v1/calls/authorize`, {
      method: 'POST',
      headers: { authorization: `Bearer ${switchKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        callId: `ui-call-${++seq}@kamailio`,
        sourceIp: '192.0.2.10',
        sourcePort: 5060,
        calledNumber: '441234567',
        callingNumber: '15551230000',
        ...body,
      }),
    });
    expect(res.status).toBe(200);
    return (await res.json()) as Record<string, unknown>;
  };
  const synced = () => server.app.callAuth.engine.loader.sync();

  beforeAll(async () => {
    fs.rmSync(DIR, { recursive: true, force: true });
    server = await startUiServer();
    browser = await launchBrowser();
    page = await openPage(browser, pageErrors);
    admin = await Client.login(server.app, ADMIN.email, ADMIN.password);
    switchKey = (await json(admin.post('/api/v1/api-keys', { name: 'kamailio', role: 'switch' }), 201)).key;
    const yesterday = new Date(Date.now() - 86_400_000).toISOString();
    const sell = await json(admin.post('/api/v1/rate-groups', { name: 'UI retail', currency: 'USD' }), 201);
    await json(
      admin.post(`/api/v1/rate-groups/${sell.id}/rates`, {
        prefix: '44',
        ratePerMin: '0.06',
        initialIncrement: 1,
        billingIncrement: 1,
        effectiveFrom: yesterday,
      }),
      201,
    );
    const buy = await json(admin.post('/api/v1/rate-groups', { name: 'UI buy', currency: 'USD' }), 201);
    await json(
      admin.post(`/api/v1/rate-groups/${buy.id}/rates`, {
        prefix: '44',
        ratePerMin: '0.02',
        effectiveFrom: yesterday,
      }),
      201,
    );
    customer = await json(
      admin.post(
        '/api/v1/customers',
        customerBody({ name: NAME, rateGroupId: sell.id, initialBalance: '10', callLimit: 5 }),
      ),
      201,
    );
    const trunk = await json(
      admin.post(`/api/v1/customers/${customer.id}/trunks`, { name: 'Main SBC', callLimit: 3 }),
      201,
    );
    await json(admin.post(`/api/v1/trunks/${trunk.id}/hosts`, { cidr: '192.0.2.0/24' }), 201);
    const provider = await json(
      admin.post(
        '/api/v1/customers',
        customerBody({ name: PROVIDER, roles: ['customer', 'provider'], rateGroupId: buy.id }),
      ),
      201,
    );
    providerTrunk = await json(
      admin.post(`/api/v1/customers/${provider.id}/trunks`, { name: 'UK A-Z' }),
      201,
    );
    await json(admin.post(`/api/v1/customers/${provider.id}/trunks`, { name: 'UK backup' }), 201);
    await synced();
    // A call whose BYE got lost: the sweeper, an hour later, frees it and raises a MISSING_END alarm.
    expect((await authorize({ callId: 'lost-bye@kamailio', calledNumber: '447700900' })).decision).toBe(
      'allow',
    );
    const later = new Date(Date.now() + 3_600_000);
    expect(
      await sweepExpiredCalls(
        { actor: systemActor, db: server.database.db, now: () => later },
        server.app.callAuth.engine,
      ),
    ).toBe(1);
    // Two live calls.
    for (let i = 0; i < 2; i++) expect((await authorize()).decision).toBe('allow');

    await page.goto(url('/login'));
    await page.getByLabel('Email or username').fill(ADMIN.email);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('Live Calls lists the calls the switch was granted, refreshes itself, and shows the alarms', async () => {
    await page.getByRole('menuitem', { name: 'Live Calls' }).click();
    await page.getByRole('heading', { name: 'Live Calls', level: 1 }).waitFor();
    const table = page.getByRole('table', { name: 'Live calls' });
    await page.getByTestId('live-count').getByText('2 calls').waitFor();
    const rows = table.getByRole('row');
    expect(await rows.count()).toBe(3);
    const first = rows.nth(1);
    for (const text of [
      `${NAME} (${customer.accountNumber})`,
      'Main SBC',
      '192.0.2.0/24',
      '441234567',
      '5m',
      '$0.30',
    ])
      await first.getByText(text, { exact: true }).waitFor();
    await first.getByText('Live', { exact: true }).waitFor();
    // The alarm of the lost BYE.
    const alarms = page.getByRole('table', { name: 'Alarms' });
    await alarms.getByText('Missing end').waitFor();
    await alarms.getByText('lost-bye@kamailio').waitFor();
    await alarms.getByText('447700900').waitFor();
    await shot('live-calls');
    // A new call appears without a reload (the page polls every 5 s).
    expect((await authorize({ calledNumber: '442071234' })).decision).toBe('allow');
    await table.getByText('442071234').waitFor({ timeout: 12_000 });
    await page.getByTestId('live-count').getByText('3 calls').waitFor();
    await shot('live-calls-refreshed');
  });

  it("the customer's page shows what live calls hold and the funds left", async () => {
    await page.goto(url(`/customers/${customer.id}`));
    await page.getByRole('heading', { name: NAME, level: 1 }).waitFor();
    // Three calls of 300 s at 0.06/min: 3 x 0.30 held out of 10.00.
    await expect.poll(() => page.getByTestId('held').textContent()).toBe('$0.90');
    expect(await page.getByTestId('available-funds').textContent()).toBe('$9.10');
    await shot('customer-held-for-live-calls');
  });

  it('Customer Limit and Host show the calls now beside each limit', async () => {
    await page.goto(url('/limits/customers'));
    await page.getByLabel('Customer name').fill(NAME);
    const row = page.getByRole('row').filter({ hasText: NAME });
    await row.getByRole('cell', { name: '3 / 5', exact: true }).waitFor();
    await row.getByRole('button', { name: 'Trunks (1)' }).click();
    const trunks = page.getByRole('table', { name: `Trunks of ${NAME}` });
    await trunks.getByRole('cell', { name: '3 / 3', exact: true }).waitFor();
    await shot('customer-limit-current-calls');
    await page.goto(url('/limits/hosts'));
    await page.getByLabel('Customer', { exact: true }).fill(NAME);
    const hostRow = page.getByRole('row').filter({ hasText: '192.0.2.0/24' });
    // Customer 3 / 5, trunk 3 / 3, host 3 / No limit.
    await hostRow.getByRole('cell', { name: '3 / 5', exact: true }).waitFor();
    await hostRow.getByRole('cell', { name: '3 / 3', exact: true }).waitFor();
    await hostRow.getByRole('cell', { name: '3 / No limit', exact: true }).first().waitFor();
    await shot('host-current-calls');
  });

  it('route plans: create with errors shown at the field, edit the entries, give one to the customer', async () => {
    await page.getByRole('menuitem', { name: 'Route Plans' }).click();
    await page.getByRole('heading', { name: 'Route Plans', level: 1 }).waitFor();
    await page.getByText('No route plans yet.').waitFor();
    await page.getByRole('button', { name: 'Add route plan' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name').fill('UK');
    await dialog.getByLabel('Prefix 1').fill('44x');
    await dialog.getByRole('button', { name: 'Add', exact: true }).click();
    await dialog.getByText('Digits only, 1 to 20.').waitFor();
    await dialog.getByText('Choose a provider trunk.').waitFor();
    await shot('route-plan-local-errors');
    await dialog.getByLabel('Prefix 1').fill('44');
    await dialog.getByLabel('Trunk 1').click();
    await page.getByRole('option', { name: `${PROVIDER} — UK A-Z` }).click();
    // The same trunk twice for one prefix: the server's refusal lands on the second entry's prefix.
    await dialog.getByRole('button', { name: 'Add entry' }).click();
    await dialog.getByLabel('Trunk 2').click();
    await page.getByRole('option', { name: `${PROVIDER} — UK A-Z` }).click();
    await dialog.getByRole('button', { name: 'Add', exact: true }).click();
    await dialog.getByText('This prefix already lists this trunk.').waitFor();
    await shot('route-plan-server-error');
    await dialog.getByLabel('Trunk 2').click();
    await page.getByRole('option', { name: `${PROVIDER} — UK backup` }).click();
    await dialog.getByRole('button', { name: 'Add', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    const plans = page.getByRole('table', { name: 'Route plans' });
    await plans.getByText(`44 → 1. ${PROVIDER} — UK A-Z`).waitFor();
    await plans.getByText(`44 → 2. ${PROVIDER} — UK backup`).waitFor();
    // Edit: a more specific prefix for mobiles, backup only.
    await plans.getByRole('button', { name: 'Edit' }).click();
    await dialog.getByRole('button', { name: 'Add entry' }).click();
    await dialog.getByLabel('Prefix 3').fill('447');
    await dialog.getByLabel('Priority 3').fill('1');
    await dialog.getByLabel('Trunk 3').click();
    await page.getByRole('option', { name: `${PROVIDER} — UK backup` }).click();
    await shot('route-plan-edit');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    await plans.getByText(`447 → 1. ${PROVIDER} — UK backup`).waitFor();
    await shot('route-plans');
    const [plan] = (await json(admin.get('/api/v1/route-plans'))).data;
    expect(plan.entries).toHaveLength(3);

    // The customer's Routing tab gives it the plan; the next decision carries its routes.
    await page.goto(url(`/customers/${customer.id}/routing`));
    await page.getByRole('heading', { name: 'Routing' }).waitFor();
    await page.getByLabel('Route plan').click();
    await page.getByRole('option', { name: 'UK' }).click();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved: the next call decision uses it.').waitFor();
    await shot('customer-routing');
    expect(await json(admin.get(`/api/v1/customers/${customer.id}/route-plan`))).toEqual({
      customerId: customer.id,
      routePlanId: plan.id,
    });
    await synced();
    // The trunk's 3 calls are all taken: one hangs up first.
    const end = await fetch(`${server.baseUrl}/api/v1/calls/ui-call-2@kamailio/end`, {
      method: 'POST',
      headers: { authorization: `Bearer ${switchKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ answered: false }),
    });
    expect(await end.json()).toEqual({ callId: 'ui-call-2@kamailio', ended: true });
    const d = await authorize({ calledNumber: '441234999' });
    expect(d.decision).toBe('allow');
    expect((d.routes as { trunkId: number }[]).map((r) => r.trunkId)[0]).toBe(providerTrunk.id);
    expect(d.routes).toHaveLength(2);
  });

  it('the SIP answer of a refusal reason is set on its own page, errors at the field', async () => {
    await page.getByRole('menuitem', { name: 'Refusal Reasons' }).click();
    await page.getByRole('heading', { name: 'Refusal Reasons', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Edit NO_RATE', exact: true }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('SIP code').fill('399');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.getByText('A SIP code from 400 to 699.').waitFor();
    expect(await dialog.getByLabel('SIP code').getAttribute('aria-invalid')).toBe('true');
    // A blank text passes the browser; the server's refusal lands on the field.
    await dialog.getByLabel('SIP code').fill('404');
    await dialog.getByLabel('SIP text').fill(' ');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => dialog.getByLabel('SIP text').getAttribute('aria-invalid')).toBe('true');
    expect(await dialog.getByLabel('SIP code').getAttribute('aria-invalid')).toBe('false');
    await shot('reason-error');
    await dialog.getByLabel('SIP code').fill('404');
    await dialog.getByLabel('SIP text').fill('No Route To Destination');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    const row = page.getByRole('row').filter({ hasText: 'NO_RATE' });
    await row.getByText('No Route To Destination').waitFor();
    await shot('refusal-reasons');
    await synced();
    expect(await authorize({ calledNumber: '3312345678' })).toMatchObject({
      decision: 'deny',
      reason: 'NO_RATE',
      sipCode: 404,
      sipReason: 'No Route To Destination',
    });
    expect(pageErrors).toEqual([]);
  });
});

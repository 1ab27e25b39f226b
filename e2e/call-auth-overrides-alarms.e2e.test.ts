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
  fieldByLabel,
  launchBrowser,
  openPage,
  screenshotter,
  startUiServer,
  type UiServer,
} from './harness.js';

/*
 * Issue 12, the rest: a customer's Rate overrides tab (an override added in the browser prices the
 * next call) and the sweeper's alarms acknowledged from Live Calls (who and when, listed apart).
 */

const NAME = 'Override Browser Co';
const DIR = path.join(SCREENSHOTS, 'call-auth-overrides-alarms');

describe.runIf(chromiumAvailable())('rate overrides and alarm acknowledge in the admin UI', () => {
  let server: UiServer;
  let browser: Browser;
  let page: Page;
  let admin: Client;
  let switchKey: string;
  let customer: { id: number; name: string };
  let seq = 0;
  const pageErrors: string[] = [];
  const url = (hash: string) => `${server.baseUrl}/#${hash}`;
  const shot = screenshotter(DIR, () => page);
  const json = async (res: Promise<{ statusCode: number; body: string }>, status = 200) => {
    const r = await res;
    if (r.statusCode !== status) throw new Error(`${r.statusCode}: ${r.body}`);
    return JSON.parse(r.body || 'null');
  };
  const authorize = async (body: Record<string, unknown> = {}) => {
    const res = await fetch(`${server.baseUrl}/api/v1/calls/authorize`, {
      method: 'POST',
      headers: { authorization: `Bearer ${switchKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        callId: `ovr-ui-${++seq}@kamailio`,
        sourceIp: '192.0.2.10',
        calledNumber: '441234567',
        callingNumber: '15551230000',
        ...body,
      }),
    });
    expect(res.status).toBe(200);
    return (await res.json()) as { decision: string; rate?: { prefix: string; ratePerMin: string } };
  };

  beforeAll(async () => {
    fs.rmSync(DIR, { recursive: true, force: true });
    server = await startUiServer();
    browser = await launchBrowser();
    page = await openPage(browser, pageErrors);
    admin = await Client.login(server.app, ADMIN.email, ADMIN.password);
    switchKey = (await json(admin.post('/api/v1/api-keys', { name: 'kamailio', role: 'switch' }), 201)).key;
    const group = await json(admin.post('/api/v1/rate-groups', { name: 'UI retail', currency: 'USD' }), 201);
    await json(
      admin.post(`/api/v1/rate-groups/${group.id}/rates`, {
        prefix: '44',
        ratePerMin: '0.06',
        effectiveFrom: new Date(Date.now() - 86_400_000).toISOString(),
      }),
      201,
    );
    customer = await json(
      admin.post(
        '/api/v1/customers',
        customerBody({ name: NAME, rateGroupId: group.id, initialBalance: '10' }),
      ),
      201,
    );
    const trunk = await json(
      admin.post(`/api/v1/customers/${customer.id}/trunks`, { name: 'Main SBC' }),
      201,
    );
    await json(admin.post(`/api/v1/trunks/${trunk.id}/hosts`, { cidr: '192.0.2.0/24' }), 201);
    await server.app.callAuth.engine.loader.sync();
    // Two calls whose BYE got lost: the sweeper, an hour later, raises two MISSING_END alarms.
    for (const id of ['lost-a@kamailio', 'lost-b@kamailio'])
      expect((await authorize({ callId: id, calledNumber: '447700900' })).decision).toBe('allow');
    const later = new Date(Date.now() + 3_600_000);
    expect(
      await sweepExpiredCalls(
        { actor: systemActor, db: server.database.db, now: () => later },
        server.app.callAuth.engine,
      ),
    ).toBe(2);

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

  it("the customer's Rate overrides tab adds an override that prices the next call", async () => {
    expect((await authorize()).rate).toMatchObject({ prefix: '44', ratePerMin: '0.060000' });
    await page.goto(url(`/customers/${customer.id}`));
    await page.getByRole('heading', { name: NAME, level: 1 }).waitFor();
    await page.getByRole('link', { name: 'Rate overrides' }).click();
    await page.getByRole('heading', { name: 'Rate overrides', level: 2 }).waitFor();
    await page.getByText("No rate overrides: every call is priced by the customer's rate group.").waitFor();
    await page.getByRole('button', { name: 'Add rate override' }).click();
    const dialog = page.getByRole('dialog');
    await fieldByLabel(page, 'Code').fill('4412x');
    await fieldByLabel(page, 'Rate per minute').fill('0.015');
    await dialog.getByRole('button', { name: 'Add', exact: true }).click();
    // The server's refusal lands at its field.
    await dialog
      .locator('#prefix-helper-text, p')
      .filter({ hasText: /pattern|digits/i })
      .first()
      .waitFor();
    await fieldByLabel(page, 'Code').fill('4412');
    await fieldByLabel(page, 'Destination').fill('UK Leeds (special)');
    await fieldByLabel(page, 'Effective from').fill(new Date(Date.now() - 60_000).toISOString());
    await shot('rate-override-add');
    await dialog.getByRole('button', { name: 'Add', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    const table = page.getByRole('table', { name: 'Rate overrides' });
    await table.getByText('UK Leeds (special)').waitFor();
    await table.getByText('$0.015').waitFor();
    await shot('rate-overrides-tab');
    await server.app.callAuth.engine.loader.sync();
    expect((await authorize()).rate).toMatchObject({ prefix: '4412', ratePerMin: '0.015000' });
    expect((await authorize({ calledNumber: '447700900' })).rate).toMatchObject({ prefix: '44' });
  });

  it('Live Calls: an alarm is acknowledged with a click and moves to the acknowledged list', async () => {
    await page.getByRole('menuitem', { name: 'Live Calls' }).click();
    await page.getByRole('heading', { name: 'Live Calls', level: 1 }).waitFor();
    const open = page.getByRole('table', { name: 'Open alarms' });
    await open.getByText('lost-a@kamailio').waitFor();
    await open.getByText('lost-b@kamailio').waitFor();
    await shot('alarms-open');
    const row = open.getByRole('row').filter({ hasText: 'lost-a@kamailio' });
    await row.getByRole('button', { name: 'Acknowledge' }).click();
    const done = page.getByRole('table', { name: 'Acknowledged alarms' });
    await done.getByText('lost-a@kamailio').waitFor();
    await done.getByText(`by user:${ADMIN.email}`, { exact: false }).waitFor();
    expect(await open.getByText('lost-a@kamailio').count()).toBe(0);
    await open.getByText('lost-b@kamailio').waitFor();
    await shot('alarms-acknowledged', true);
    const acked = (await json(admin.get('/api/v1/call-auth/alarms?acknowledged=true'))).data;
    expect(acked.map((a: { callId: string }) => a.callId)).toEqual(['lost-a@kamailio']);
    expect(pageErrors).toEqual([]);
  });
});

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { Client, customerBody } from '../test/app.js';
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

const DIR = path.join(SCREENSHOTS, 'cdrs');

/*
 * The CDRs tab and the CDR search (issue #13) in Chromium: the tab lists the customer's calls with
 * their outcome, filters by destination with totals that follow, opens a call's rating detail; the
 * search finds calls across customers and narrows to one customer.
 */
describe.runIf(chromiumAvailable())('CDRs in the admin UI', () => {
  let server: UiServer;
  let browser: Browser;
  let page: Page;
  let admin: Client;
  let london: any;
  let paris: any;
  const pageErrors: string[] = [];
  const url = (hash: string) => `${server.baseUrl}/#${hash}`;
  const shot = screenshotter(DIR, () => page);
  let n = 0;

  async function cdr(
    accountId: number,
    calledNumber: string,
    billsec: number,
    over: Record<string, unknown> = {},
  ) {
    n++;
    const started = new Date(Date.UTC(2026, 10, 30, 14, 0, 0) + n * 97_000);
    await server.database.db
      .insertInto('cdrs')
      .values({
        call_id: `ui-${n}@sw`,
        leg: 'A',
        account_id: accountId,
        status: 'rated',
        source_ip: '192.0.2.10',
        calling_number: '12125550100',
        called_number: calledNumber,
        started_at: started,
        answered_at: billsec > 0 ? new Date(started.getTime() + 4000) : null,
        ended_at: new Date(started.getTime() + 4000 + billsec * 1000),
        duration_sec: String(billsec + 4),
        billsec: String(billsec),
        disposition: billsec > 0 ? 'ANSWERED' : 'NO ANSWER',
        sip_code: billsec > 0 ? 200 : 487,
        hangup_cause: 'NORMAL_CLEARING',
        rate_prefix: calledNumber.slice(0, 4),
        rate_per_min: '0.012000',
        connect_fee: '0.010000',
        initial_increment: 30,
        billing_increment: 6,
        charged_sec: billsec > 0 ? Math.max(30, 30 + Math.ceil((billsec - 30) / 6) * 6) : 0,
        cost: billsec > 0 ? '0.019600' : '0',
        ...over,
      } as any)
      .execute();
  }

  beforeAll(async () => {
    fs.rmSync(DIR, { recursive: true, force: true });
    server = await startUiServer();
    browser = await launchBrowser();
    page = await openPage(browser, pageErrors);
    admin = await Client.login(server.app, ADMIN.email, ADMIN.password);
    const make = async (name: string, currency: string) => {
      const r = await admin.post('/api/v1/customers', customerBody({ name, currency }));
      if (r.statusCode !== 201) throw new Error(r.body);
      return JSON.parse(r.body);
    };
    london = await make('London Calling Ltd', 'USD');
    paris = await make('Paris Voix SARL', 'EUR');
    for (let i = 0; i < 8; i++) await cdr(london.id, `44207946${String(i).padStart(4, '0')}`, 47);
    await cdr(london.id, '442079469999', 0);
    await cdr(london.id, '9005551234', 0, {
      status: 'denied',
      reason: 'BLOCKED_DESTINATION',
      disposition: 'REJECTED',
      sip_code: 403,
      rate_prefix: null,
      rate_per_min: null,
      connect_fee: null,
    });
    for (let i = 0; i < 3; i++) await cdr(paris.id, `3314000000${i}`, 125, { cost: '0.035000' });
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

  it("lists the customer's calls in the CDRs tab, with totals, a destination filter and the rating detail", async () => {
    await page.goto(url(`/customers/${london.id}/cdrs`));
    await page.getByRole('heading', { name: 'CDRs', level: 2 }).waitFor();
    const table = page.getByRole('table', { name: 'CDRs' });
    await expect.poll(() => table.locator('tbody tr').count()).toBe(10);
    await page.getByText('BLOCKED_DESTINATION').waitFor();
    const totals = page.getByLabel('Totals');
    await expect.poll(() => totals.textContent()).toContain('10 calls, 8 answered, 1 refused');
    expect(await totals.textContent()).toContain('$0.16'); // 8 x 0.0196 = 0.1568
    await shot('cdrs-tab');

    await page.getByLabel('Destination starts with').fill('900');
    await expect.poll(() => table.locator('tbody tr').count()).toBe(1);
    await expect.poll(() => totals.textContent()).toContain('1 calls, 0 answered, 1 refused');
    await page.getByLabel('Destination starts with').fill('');
    await page.getByLabel('Answered only').check();
    await expect.poll(() => table.locator('tbody tr').count()).toBe(8);

    await table
      .getByRole('button', { name: /CDR \d+ detail/ })
      .first()
      .click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('Charged seconds').waitFor();
    expect(await dialog.textContent()).toContain('30/6');
    expect(await dialog.textContent()).toContain('$0.0196');
    await shot('cdr-detail');
    await dialog.getByRole('button', { name: 'Close' }).click();

    const href = await page.getByRole('link', { name: 'Export CSV' }).getAttribute('href');
    expect(href).toBe(`/api/v1/customers/${london.id}/cdrs/export?answeredOnly=true`);
  });

  it('searches CDRs across customers and narrows to one', async () => {
    await page.goto(url('/cdrs'));
    await page.getByRole('heading', { name: 'CDR search', level: 1 }).waitFor();
    const table = page.getByRole('table', { name: 'CDR search' });
    await expect.poll(() => table.locator('tbody tr').count()).toBe(13);
    const totals = page.getByLabel('Totals');
    await expect.poll(() => totals.textContent()).toContain('€0.11'); // 3 x 0.035 = 0.105 EUR
    await shot('cdr-search');
    await page.getByLabel('Customer ID').fill(String(paris.id));
    await expect.poll(() => table.locator('tbody tr').count()).toBe(3);
    await table
      .getByRole('link', { name: /Paris Voix SARL/ })
      .first()
      .waitFor();
    await shot('cdr-search-one-customer');
    expect(pageErrors).toEqual([]);
  });
});

import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { Browser, Page } from 'playwright-core';
import { Client, customerBody } from '../test/app.js';
import { createJobRunner, type JobRunner } from '../src/server/platform/jobs/index.js';
import { jobHandlers } from '../src/server/job-handlers.js';
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
 * Issue 17, the rest of the working day: sign-in asks /auth/me once; the dashboard's money, low
 * balance and today cards; the import page's column list and sample files. Screenshots at
 * 1440x900 in e2e/screenshots/operator-day-home.
 */

const DIR = path.join(SCREENSHOTS, 'operator-day-home');

describe.runIf(chromiumAvailable())('the operator home page, sign-in and import help', () => {
  let server: UiServer;
  let browser: Browser;
  let page: Page;
  let runner: JobRunner;
  let admin: Client;
  const pageErrors: string[] = [];
  const url = (hash: string) => `${server.baseUrl}/#${hash}`;
  const shot = screenshotter(DIR, () => page);
  const ok = async (r: Promise<{ statusCode: number; body: string; json(): any }>) => {
    const res = await r;
    if (res.statusCode >= 300) throw new Error(res.body);
    return res.json();
  };
  const pay = (id: number, amount: string) =>
    ok(
      admin.request(
        'POST',
        `/api/v1/customers/${id}/refills`,
        { amount, reason: 'Wire transfer' },
        { 'idempotency-key': crypto.randomUUID() },
      ),
    );

  beforeAll(async () => {
    fs.rmSync(DIR, { recursive: true, force: true });
    server = await startUiServer();
    runner = createJobRunner({ db: server.database.db, handlers: jobHandlers(), pollMs: 100 });
    runner.start();
    browser = await launchBrowser();
    page = await openPage(browser, pageErrors, { timeoutMs: 30_000, acceptDownloads: true });
    admin = await Client.login(server.app, ADMIN.email, ADMIN.password);
    const db = server.database.db;
    // USD: a rich prepaid (paid 1,250.50 today), a low prepaid (3.00), a postpaid 1,000 limit owing 400.
    const rich = await ok(admin.post('/api/v1/customers', customerBody({ name: 'Harbor Telecom' })));
    await pay(rich.id, '1250.50');
    const low = await ok(admin.post('/api/v1/customers', customerBody({ name: 'Low Funds LLC' })));
    await pay(low.id, '3');
    const owing = await ok(
      admin.post(
        '/api/v1/customers',
        customerBody({ name: 'Metro Calls', mode: 'postpaid', creditLimit: '1000' }),
      ),
    );
    await sql`UPDATE accounts SET balance = -400 WHERE id = ${owing.id}`.execute(db);
    // EUR: a postpaid in overdraft beyond its limit (zero), a reseller and a provider (not customers).
    const eur = await ok(
      admin.post(
        '/api/v1/customers',
        customerBody({
          name: 'Rhein Voice GmbH',
          currency: 'EUR',
          country: 'DE',
          timezone: 'Europe/Berlin',
          mode: 'postpaid',
          creditLimit: '200',
        }),
      ),
    );
    await sql`UPDATE accounts SET balance = -250.75 WHERE id = ${eur.id}`.execute(db);
    await ok(admin.post('/api/v1/resellers', customerBody({ name: 'Some Reseller' })));
    await ok(admin.post('/api/v1/providers', customerBody({ name: 'Some Carrier' })));
    // Two calls today, one answered and rated.
    for (const [callId, answered, cost] of [
      ['home-1', true, '0.420000'],
      ['home-2', false, '0'],
    ] as const)
      await sql`INSERT INTO cdrs (call_id, leg, account_id, status, no_reservation, source_ip, calling_number,
            called_number, started_at, answered_at, ended_at, duration_sec, billsec, disposition, sip_code,
            hangup_cause, charged_sec, cost)
          VALUES (${callId}, 'a', ${rich.id}, ${answered ? 'rated' : 'denied'}, false, '192.0.2.10', '12125550100',
            '442071234567', now(), ${answered ? sql`now()` : null}, now(), 60, ${answered ? 60 : 0},
            ${answered ? 'ANSWERED' : 'NO ANSWER'}, ${answered ? 200 : 487}, 'NORMAL_CLEARING', ${answered ? 60 : 0},
            ${cost})`.execute(db);
  });

  afterAll(async () => {
    await runner?.stop();
    await browser?.close();
    await server?.close();
  });

  it('the sign-in page asks /auth/me once, not three or four times', async () => {
    const asked: string[] = [];
    page.on('request', (r) => {
      if (new URL(r.url()).pathname === '/api/v1/auth/me') asked.push(r.url());
    });
    await page.goto(server.baseUrl + '/');
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await page.waitForTimeout(1500); // anything late would be counted too
    expect(asked).toHaveLength(1);
    await shot('sign-in');
    await page.getByLabel('Email or username').fill(ADMIN.email);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
  });

  it('the dashboard shows balances and credit per currency, low balance, today, and a chart that agrees with its card', async () => {
    await page.goto(url('/'));
    const money = page.getByRole('table', { name: 'Balances and credit' });
    await money.waitFor();
    // Never added across currencies: one row each, in the currency's format.
    await expect
      .poll(() => money.locator('tbody tr').allInnerTexts())
      .toEqual(['EUR\t1\t-€250.75\t€250.75\t€200.00', 'USD\t3\t$853.50\t$400.00\t$1,000.00']);
    const payments = page.getByRole('table', { name: "Today's payments" });
    await expect.poll(() => payments.locator('tbody tr').allInnerTexts()).toEqual(['USD\t2\t$1,253.50']);
    const calls = page.getByRole('table', { name: "Today's calls" });
    await expect.poll(() => calls.locator('tbody tr').allInnerTexts()).toEqual(['USD\t2\t1\t$0.42']);
    // Low Funds (3 <= 5) and Rhein Voice (-250.75 + 200 <= 0).
    await page.getByRole('link', { name: 'Low balance: 2' }).waitFor();
    await page.getByRole('link', { name: 'Customers: 4' }).waitFor();
    // The chart counts the 4 customers of its card, not the reseller and the provider.
    await page.getByRole('img', { name: /Customers created per day: 4 in 30 days/ }).waitFor();
    await shot('dashboard');
    await page.getByRole('link', { name: 'Low balance: 2' }).click();
    await expect
      .poll(() => page.locator('table tbody tr').allInnerTexts())
      .toEqual([expect.stringContaining('Rhein Voice GmbH'), expect.stringContaining('Low Funds LLC')]);
    await page.getByLabel('At or below low-balance threshold').waitFor();
    await shot('low-balance-list');
  });

  it('the import page names the columns it reads and offers a sample in our layout and in ASTPP’s', async () => {
    await page.goto(url('/import-customers'));
    const list = page.getByRole('list', { name: 'Accepted columns' });
    await list.waitFor();
    const items = await list.getByRole('listitem').allInnerTexts();
    expect(items.length).toBeGreaterThan(40);
    expect(items.some((t) => t.startsWith('account_number Account Number'))).toBe(true);
    expect(items.some((t) => t.includes('call_limit') && t.includes('Concurrent Calls'))).toBe(true);
    await shot('import-columns', true);
    const note = page.getByText(/ASTPP's layout has no .* column/);
    await note.waitFor();
    expect(await note.innerText()).toMatch(/currency/i);
    for (const [name, file, header] of [
      ['Sample: Tollgate layout (as exported)', 'customers-sample-tollgate.csv', 'account_number,name,roles'],
      ["Sample: ASTPP's layout", 'customers-sample-astpp.csv', 'Account,Password,First Name'],
    ]) {
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('link', { name }).click(),
      ]);
      expect(download.suggestedFilename()).toBe(file);
      const text = fs.readFileSync((await download.path())!, 'utf8');
      expect(text.startsWith(header)).toBe(true);
      expect(text.trim().split('\r\n')).toHaveLength(3);
    }
  });

  it('no page error on the way', () => {
    expect(pageErrors).toEqual([]);
  });
});

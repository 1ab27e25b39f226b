import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

const DIR = path.join(SCREENSHOTS, 'bulk');

/** Rows 2, 3 and 6 are good (one with a quoted comma); 4 has a bad email, 5 a bad currency. */
const CSV = [
  'Name,Company Name,Email,Currency,Country,Timezone',
  'Good One,"Acme, Inc.",one@acme.example,USD,US,America/New_York',
  'Good Two,Beta Ltd,two@beta.example,EUR,FR,Europe/Paris',
  'Bad Email,Gamma,not-an-email,USD,US,America/New_York',
  'Bad Currency,Delta,four@delta.example,ZZZZ,US,America/New_York',
  'Good Three,"Quote ""Q"", LLC",three@q.example,USD,US,America/Chicago',
].join('\r\n');

describe.runIf(chromiumAvailable())('bulk import and export in the admin UI', () => {
  let server: UiServer;
  let browser: Browser;
  let page: Page;
  let runner: JobRunner;
  const pageErrors: string[] = [];
  const url = (hash: string) => `${server.baseUrl}/#${hash}`;
  const shot = screenshotter(DIR, () => page);

  beforeAll(async () => {
    fs.rmSync(DIR, { recursive: true, force: true });
    server = await startUiServer();
    // As main.ts does: the background runner that works imports and mass creates.
    runner = createJobRunner({ db: server.database.db, handlers: jobHandlers(), pollMs: 100 });
    runner.start();
    browser = await launchBrowser();
    page = await openPage(browser, pageErrors, { acceptDownloads: true, timeoutMs: 30_000 });
    const admin = await Client.login(server.app, ADMIN.email, ADMIN.password);
    const r = await admin.post('/api/v1/customers', customerBody({ name: 'Already There' }));
    if (r.statusCode !== 201) throw new Error(r.body);
    await page.goto(url('/login'));
    await page.getByLabel('Email or username').fill(ADMIN.email);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await runner?.stop();
    await server?.close();
  });

  it('imports a file of good rows, bad rows and quoted commas, and lists the rejected rows', async () => {
    await page.goto(url('/customers?filter=%7B%7D'));
    await page.getByRole('cell', { name: 'Already There' }).first().waitFor();
    await shot('list');
    await page.getByRole('button', { name: 'More' }).click();
    await page.getByRole('menuitem', { name: 'Import Customers' }).click();
    await page.getByRole('heading', { name: 'Import Customers', level: 1 }).waitFor();
    await page
      .locator('input[type=file]')
      .setInputFiles({ name: 'customers.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV) });
    await page.getByRole('button', { name: 'Upload' }).click();
    const mapping = page.getByRole('table', { name: 'Column mapping' });
    await mapping.waitFor();
    await page.getByText('Columns (5 rows in customers.csv)').waitFor();
    await expect
      .poll(() => page.getByLabel('Column for Company Name').textContent())
      .toContain('company_name');
    await shot('import-mapping', true);

    await page.getByRole('button', { name: 'Dry run' }).click();
    const dryErrors = page.getByRole('table', { name: 'Dry run errors' });
    await dryErrors.waitFor();
    await page.getByText('Dry run: 3 would be created, 2 rejected').waitFor();
    await page
      .getByRole('table', { name: 'First rows' })
      .getByRole('cell', { name: 'Acme, Inc.' })
      .first()
      .waitFor();
    await shot('import-dry-run', true);

    await page.getByRole('button', { name: 'Start import' }).click();
    const bar = page.getByRole('progressbar', { name: 'Import progress' });
    await bar.waitFor();
    await expect.poll(() => bar.getAttribute('aria-valuenow')).toBe('100');
    const rejected = page.getByRole('table', { name: 'Rejected rows' });
    await rejected.waitFor();
    await page.getByRole('status').filter({ hasText: 'Created 3' }).waitFor();
    const rowsText = await rejected.locator('tbody tr').allTextContents();
    expect(rowsText.some((t) => t.startsWith('4') && /main_email|email/i.test(t))).toBe(true);
    expect(rowsText.some((t) => t.startsWith('5') && /currency/i.test(t))).toBe(true);
    await shot('import-done', true);

    const href = await page.getByRole('link', { name: 'Download rejected rows (CSV)' }).getAttribute('href');
    const rejectedCsv = await page.evaluate(async (h) => (await fetch(h!)).text(), href);
    expect(rejectedCsv).toContain('Bad Email');
    expect(rejectedCsv).toContain('Bad Currency');
    expect(rejectedCsv).not.toContain('Good One');
  });

  it('exports the filtered list with the visible columns', async () => {
    await page.goto(url(`/customers?filter=${encodeURIComponent(JSON.stringify({ company: 'Acme' }))}`));
    await page.getByRole('cell', { name: 'Acme, Inc.' }).first().waitFor();
    await shot('list-filtered');
    await page.getByRole('button', { name: 'More' }).click();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('menuitem', { name: 'Export' }).click(),
    ]);
    const csv = fs.readFileSync((await download.path())!, 'utf8');
    const lines = csv.trim().split(/\r?\n/);
    expect(lines[0]).toContain('account_number');
    expect(lines[0]).toContain('company_name');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('"Acme, Inc."');
    expect(pageErrors).toEqual([]);
  });
});

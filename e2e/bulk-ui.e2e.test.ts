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
      page.getByRole('menuitem', { name: 'Export', exact: true }).click(),
    ]);
    const csv = fs.readFileSync((await download.path())!, 'utf8');
    const lines = csv.trim().split(/\r?\n/);
    expect(lines[0]).toContain('account_number');
    expect(lines[0]).toContain('company_name');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('"Acme, Inc."');
    expect(pageErrors).toEqual([]);
  });

  it('moves resellers and SIP devices: export and import beside the existing buttons', async () => {
    const admin = await Client.login(server.app, ADMIN.email, ADMIN.password);
    const parent = (await admin.post('/api/v1/resellers', customerBody({ name: 'Parent Wholesale' }))).json();
    const child = await admin.post(
      '/api/v1/resellers',
      customerBody({ name: 'Child Retail', resellerId: parent.id }),
    );
    expect(child.statusCode, child.body).toBe(201);
    const owner = (await admin.post('/api/v1/customers', customerBody({ name: 'Desk Owner' }))).json();
    const device = await admin.post(`/api/v1/customers/${owner.id}/sip-devices`, {
      username: 'desk-owner-1',
      codecs: ['PCMU', 'G722'],
    });
    expect(device.statusCode, device.body).toBe(201);

    // Resellers: the export beside Create, parents first, the parent by account number.
    await page.goto(url('/resellers?filter=%7B%7D'));
    await page.getByRole('cell', { name: 'Child Retail' }).first().waitFor();
    await shot('resellers-list');
    const [resellerDownload] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Export Resellers' }).click(),
    ]);
    expect(resellerDownload.suggestedFilename()).toMatch(/^Resellers_\d{4}-\d{2}-\d{2}\.csv$/);
    const resellers = fs
      .readFileSync((await resellerDownload.path())!, 'utf8')
      .trim()
      .split(/\r?\n/);
    expect(resellers[0]!.split(',')[0]).toBe('account_number');
    expect(resellers[1]).toContain('Parent Wholesale');
    expect(resellers[2]).toContain(`Child Retail`);
    expect(resellers[2]).toContain(`,${parent.accountNumber},`);

    // The import: a file with the child before its parent (new numbers), ordered by the importer.
    const header = 'account_number,name,reseller,country,timezone,currency';
    const file = [
      header,
      '7300000002,Moved Child,7300000001,US,America/New_York,USD',
      '7300000001,Moved Parent,,US,America/New_York,USD',
    ].join('\r\n');
    await page.getByRole('link', { name: 'Import Resellers' }).click();
    await page.getByRole('heading', { name: 'Import Resellers', level: 1 }).waitFor();
    await page
      .locator('input[type=file]')
      .setInputFiles({ name: 'resellers.csv', mimeType: 'text/csv', buffer: Buffer.from(file) });
    await page.getByRole('button', { name: 'Upload' }).click();
    await page.getByText('Columns (2 rows in resellers.csv)').waitFor();
    await page.getByRole('button', { name: 'Dry run' }).click();
    await page.getByText('Dry run: 2 would be created, 0 rejected').waitFor();
    // The child's reseller is the parent's number (a row of the file, no id yet): once as the
    // parent's account number, once as the child's reseller.
    const firstRows = page.getByRole('table', { name: 'First rows' });
    await expect.poll(() => firstRows.getByRole('cell', { name: '7300000001', exact: true }).count()).toBe(2);
    expect(await firstRows.textContent()).not.toMatch(/-\d/);
    await shot('resellers-import-dry-run', true);
    await page.getByRole('button', { name: 'Start import' }).click();
    await page.getByRole('status').filter({ hasText: 'Created 2' }).waitFor();
    await shot('resellers-import-done', true);
    const moved = (await admin.get('/api/v1/resellers?accountNumber=7300000002')).json().data[0];
    const movedParent = (await admin.get('/api/v1/resellers?accountNumber=7300000001')).json().data[0];
    expect(moved.resellerId).toBe(movedParent.id);

    // SIP devices: exported from the customer list's More menu, never with the secret.
    await page.goto(url('/customers?filter=%7B%7D'));
    await page.getByRole('cell', { name: 'Desk Owner' }).first().waitFor();
    await page.getByRole('button', { name: 'More' }).click();
    await shot('customers-more-menu');
    const [deviceDownload] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('menuitem', { name: 'Export SIP Devices' }).click(),
    ]);
    const devices = fs.readFileSync((await deviceDownload.path())!, 'utf8');
    expect(devices).toContain(`${owner.accountNumber},desk-owner-1,,,active,PCMU;G722,false,`);
    expect(devices).not.toContain(device.json().secret);

    // And imported back: a second device for the same customer, without a secret (a warning).
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'More' }).click();
    await page.getByRole('menuitem', { name: 'Import SIP Devices' }).click();
    await page.getByRole('heading', { name: 'Import SIP Devices', level: 1 }).waitFor();
    const deviceFile = devices.replace('desk-owner-1', 'desk-owner-2');
    await page
      .locator('input[type=file]')
      .setInputFiles({ name: 'devices.csv', mimeType: 'text/csv', buffer: Buffer.from(deviceFile) });
    await page.getByRole('button', { name: 'Upload' }).click();
    await page.getByText('Columns (1 rows in devices.csv)').waitFor();
    await shot('devices-import-mapping', true);
    await page.getByRole('button', { name: 'Start import' }).click();
    await page.getByRole('status').filter({ hasText: 'Created 1' }).waitFor();
    await page
      .getByRole('table', { name: 'Warnings' })
      .getByText(/random secret/)
      .waitFor();
    await shot('devices-import-done', true);
    const list = (await admin.get(`/api/v1/customers/${owner.id}/sip-devices`)).json().data;
    expect(list.map((d: { username: string }) => d.username)).toEqual(['desk-owner-1', 'desk-owner-2']);
    expect(pageErrors).toEqual([]);
  });
});

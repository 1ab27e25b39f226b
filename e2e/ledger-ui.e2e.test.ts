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

const NAME = 'Ledger Browser Co';
const DIR = path.join(SCREENSHOTS, 'ledger');

describe.runIf(chromiumAvailable())('balance ledger in the admin UI', () => {
  let server: UiServer;
  let browser: Browser;
  let page: Page;
  let id: number;
  const pageErrors: string[] = [];
  const url = (hash: string) => `${server.baseUrl}/#${hash}`;
  const shot = screenshotter(DIR, () => page);
  const openRowMenu = async (action: string) => {
    await page.goto(url(`/customers?filter=${encodeURIComponent(JSON.stringify({ q: NAME }))}`));
    await page.getByRole('button', { name: `Actions for ${NAME}` }).click();
    await page.getByRole('menuitem', { name: action }).click();
  };

  beforeAll(async () => {
    fs.rmSync(DIR, { recursive: true, force: true });
    server = await startUiServer();
    browser = await launchBrowser();
    page = await openPage(browser, pageErrors);
    const admin = await Client.login(server.app, ADMIN.email, ADMIN.password);
    const r = await admin.post('/api/v1/customers', customerBody({ name: NAME, timezone: 'Asia/Tokyo' }));
    if (r.statusCode !== 201) throw new Error(r.body);
    id = (JSON.parse(r.body) as { id: number }).id;
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

  it('refills from the row menu, with a confirmation, once even on a double click', async () => {
    await openRowMenu('Refill');
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Amount (USD)').fill('25.50');
    await dialog.getByRole('button', { name: 'Refill…' }).click();
    await dialog.getByText('Say why; it is shown in the history.').waitFor();
    await dialog.getByLabel('Reason').fill('Wire received');
    await dialog.getByLabel('Reference').fill('BANK-42');
    await shot('refill-form');
    await dialog.getByRole('button', { name: 'Refill…' }).click();
    const confirm = page.getByRole('button', { name: 'Refill $25.50' });
    await shot('refill-confirm');
    await confirm.dblclick();
    await page.getByText(`Refilled ${NAME} $25.50; balance $25.50`).waitFor();
    // The list shows the new balance.
    await page.getByRole('cell', { name: '$25.50' }).first().waitFor();
    await shot('list-after-refill');
    const admin = await Client.login(server.app, ADMIN.email, ADMIN.password);
    const entries = JSON.parse((await admin.get(`/api/v1/customers/${id}/ledger-entries`)).body) as {
      data: unknown[];
    };
    expect(entries.data).toHaveLength(1);
  });

  it('shows the balance (a prepaid account has no credit limit line), and the refill in both tabs', async () => {
    await page.goto(url(`/customers/${id}`));
    await page.getByRole('heading', { name: NAME, level: 1 }).waitFor();
    const balance = page.getByRole('group', { name: 'Balance' });
    await expect.poll(() => balance.textContent()).toContain('Balance: $25.50');
    expect(await balance.textContent()).not.toContain('Credit limit');
    expect(await balance.textContent()).not.toContain('Available:');
    // What live calls hold (none here) and the funds left to call with (issue 12).
    await expect.poll(() => balance.textContent()).toContain('Held for live calls: $0.00');
    expect(await balance.textContent()).toContain('Available funds: $25.50');

    await page.getByRole('link', { name: 'Refill Report' }).click();
    const report = page.getByRole('table', { name: 'Refill Report' });
    await report.getByRole('cell', { name: 'Wire received' }).waitFor();
    await report.getByRole('cell', { name: 'BANK-42' }).waitFor();
    await report.getByRole('cell', { name: 'cash' }).waitFor();
    // Days and times are the viewer's (named once, in the app bar), not the account's Tokyo.
    await page.getByTestId('viewer-zone').getByText('Times in America/New York').waitFor();
    expect(await page.getByText('Asia/Tokyo').count()).toBe(0);
    await shot('refill-report');
    const href = await page.getByRole('link', { name: 'Export CSV' }).getAttribute('href');
    expect(href).toMatch(new RegExp(`^/api/v1/customers/${id}/refills/export\\?from=`));
    const csv = await page.evaluate(async (h) => (await fetch(h!)).text(), href);
    expect(csv).toContain('Wire received');

    await page.getByRole('link', { name: 'Charge History' }).click();
    const history = page.getByRole('table', { name: 'Charge History' });
    await history.getByRole('cell', { name: 'Wire received' }).waitFor();
    await shot('charge-history');
  });

  it('posts a charge and resets the balance, each after a confirmation', async () => {
    await openRowMenu('Post Charge');
    let dialog = page.getByRole('dialog');
    // Beyond the available funds: refused with the amount available, unless explicitly allowed.
    await dialog.getByLabel('Amount (USD)').fill('500');
    await dialog.getByLabel('Reason').fill('Setup fee');
    await shot('charge-form');
    await dialog.getByRole('button', { name: 'Post Charge…' }).click();
    await page.getByRole('button', { name: 'Charge $500.00' }).click();
    await page.getByText('The charge exceeds the available funds of 25.50 USD').waitFor();
    await shot('charge-refused');
    await page.getByRole('button', { name: 'Cancel' }).click();
    dialog = page.getByRole('dialog');
    await dialog.getByLabel('Allow beyond the available funds (the balance may go negative)').waitFor();
    await dialog.getByLabel('Amount (USD)').fill('5.25');
    await dialog.getByLabel('Reason').fill('Setup fee');
    await dialog.getByRole('button', { name: 'Post Charge…' }).click();
    await page.getByRole('button', { name: 'Charge $5.25' }).click();
    await page.getByText(`Charged ${NAME} $5.25; balance $20.25`).waitFor();

    await openRowMenu('Reset Balance');
    dialog = page.getByRole('dialog');
    await dialog.getByText('The balance of $20.25 is brought to zero').waitFor();
    await shot('reset-confirm');
    await dialog.getByRole('button', { name: 'Reset Balance' }).click();
    await page.getByText(`Balance of ${NAME} reset to $0.00`).waitFor();

    await page.goto(url(`/customers/${id}/charges`));
    const history = page.getByRole('table', { name: 'Charge History' });
    await history.getByRole('cell', { name: 'Balance reset' }).first().waitFor();
    await history.getByRole('cell', { name: 'Setup fee' }).waitFor();
    await expect.poll(() => history.locator('tbody tr').count()).toBe(3);
    await expect
      .poll(() => page.getByRole('group', { name: 'Balance' }).textContent())
      .toContain('Balance: $0.00');
    // The type filter narrows the history.
    await page.getByRole('combobox', { name: 'Type' }).click();
    await page.getByRole('option', { name: 'Charge', exact: true }).click();
    await expect.poll(() => history.locator('tbody tr').count()).toBe(1);
    await page.getByRole('listbox').waitFor({ state: 'detached' });
    await history.getByRole('cell', { name: 'Setup fee' }).waitFor();
    await shot('charge-history-filtered');
    expect(pageErrors).toEqual([]);
  });
});

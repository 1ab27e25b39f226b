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

/*
 * Issue 17: what a new operator meets in a working day. Each test walks one bug of the issue and
 * fails if it comes back; the screenshots (1440x900) land in e2e/screenshots/operator-day.
 */

const DIR = path.join(SCREENSHOTS, 'operator-day');

/** As the grid shows an instant: one line, the viewer's zone, the zone not repeated. */
const shown = (iso: string, timeZone: string) =>
  new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(
    new Date(iso),
  );

describe.runIf(chromiumAvailable())("an operator's working day in the admin UI", () => {
  let server: UiServer;
  let browser: Browser;
  let page: Page;
  let runner: JobRunner;
  let admin: Client;
  const pageErrors: string[] = [];
  const ids: Record<string, number> = {};
  const created: Record<string, string> = {};
  const url = (hash: string) => `${server.baseUrl}/#${hash}`;
  const shot = screenshotter(DIR, () => page);
  const rows = () => page.locator('table tbody tr');
  const openList = (resource: string, filter: Record<string, unknown> = {}) =>
    page.goto(url(`/${resource}?filter=${encodeURIComponent(JSON.stringify(filter))}`));
  const ok = async (r: Promise<{ statusCode: number; body: string; json(): any }>) => {
    const res = await r;
    if (res.statusCode >= 300) throw new Error(res.body);
    return res.json();
  };

  beforeAll(async () => {
    fs.rmSync(DIR, { recursive: true, force: true });
    server = await startUiServer();
    runner = createJobRunner({ db: server.database.db, handlers: jobHandlers(), pollMs: 100 });
    runner.start();
    browser = await launchBrowser();
    page = await openPage(browser, pageErrors, { timeoutMs: 30_000 });
    admin = await Client.login(server.app, ADMIN.email, ADMIN.password);

    const north = await ok(
      admin.post(
        '/api/v1/resellers',
        customerBody({ name: 'North Reseller', portalUsername: 'north-res', password: 'north-res-pass-1' }),
      ),
    );
    ids.north = north.id;
    await ok(admin.post('/api/v1/rate-groups', { name: 'Operator Retail', currency: 'USD' }));
    await ok(admin.post('/api/v1/localizations', { name: 'Operator Loc' }));
    const nc = await ok(
      admin.post(
        '/api/v1/customers',
        customerBody({ name: 'North Customer', resellerId: north.id, mode: 'postpaid', creditLimit: '500' }),
      ),
    );
    ids.northCustomer = nc.id;
    for (const [key, name, timezone] of [
      ['tokyo', 'Tokyo Co', 'Asia/Tokyo'],
      ['paris', 'Paris Co', 'Europe/Paris'],
    ]) {
      const c = await ok(admin.post('/api/v1/customers', customerBody({ name, timezone })));
      ids[key] = c.id;
      created[key] = c.createdAt;
    }

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

  it('an admin adds a rate group and a localization for a reseller; its customer is offered only those', async () => {
    await page.goto(url('/rate-groups'));
    await page.getByRole('button', { name: 'Add rate group' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add rate group' });
    await dialog.getByLabel('Name').fill('North Deck');
    await dialog.getByRole('combobox', { name: 'Owner' }).click();
    await page.getByRole('option', { name: /^North Reseller/ }).click();
    await shot('add-rate-group-for-reseller');
    await dialog.getByRole('button', { name: 'Add' }).click();
    await page.getByRole('heading', { name: 'North Deck', level: 1 }).waitFor();
    await page.goto(url('/rate-groups'));
    await page.getByRole('row', { name: /North Deck\s*North Reseller/ }).waitFor();

    await page.goto(url('/localizations'));
    await page.getByRole('button', { name: 'Add localization' }).click();
    const locDialog = page.getByRole('dialog', { name: 'Add localization' });
    await locDialog.getByLabel('Name').fill('North Loc');
    await locDialog.getByRole('combobox', { name: 'Owner' }).click();
    await page.getByRole('option', { name: /^North Reseller/ }).click();
    await locDialog.getByRole('button', { name: 'Add' }).click();
    await page.waitForURL(/#\/localizations\/\d+$/);
    ids.northLoc = Number(page.url().split('/').pop());

    await page.goto(url(`/customers/${ids.northCustomer}`));
    await page.getByRole('combobox', { name: 'Rate Group', exact: true }).click();
    await page.getByRole('option', { name: 'North Deck (USD)' }).waitFor();
    expect(await page.getByRole('option', { name: 'Operator Retail (USD)' }).count()).toBe(0);
    await shot('reseller-customer-rate-groups');
    await page.getByRole('option', { name: 'North Deck (USD)' }).click();
    await page.getByRole('combobox', { name: 'Localization' }).click();
    await page.getByRole('option', { name: 'North Loc' }).waitFor();
    expect(await page.getByRole('option', { name: 'Operator Loc' }).count()).toBe(0);
    await page.getByRole('option', { name: 'North Loc' }).click();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Changes saved').waitFor();
    const saved = await ok(admin.get(`/api/v1/customers/${ids.northCustomer}`));
    expect(saved).toMatchObject({ rateGroupName: 'North Deck', localizationName: 'North Loc' });
  });

  it('the grid names rate groups and localizations, and shows instants in the viewer’s zone, named once', async () => {
    await openList('customers');
    await page.getByRole('cell', { name: 'Tokyo Co', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Columns' }).click();
    const chooser = page.locator('[id="customers.datatable-columnsSelector"]');
    await chooser.getByLabel('Rate Group').click();
    await chooser.getByLabel('Localization').click();
    await page.keyboard.press('Escape');
    const north = rows().filter({ hasText: 'North Customer' });
    await expect.poll(() => north.textContent()).toContain('North Deck');
    expect(await north.textContent()).toContain('North Loc');

    // Tokyo and Paris accounts, made a moment apart, read in the same (New York) zone.
    await page.getByTestId('viewer-zone').getByText('Times in America/New York').waitFor();
    for (const key of ['tokyo', 'paris']) {
      const row = rows().filter({ hasText: key === 'tokyo' ? 'Tokyo Co' : 'Paris Co' });
      const text = (await row.textContent()) ?? '';
      expect(text).toContain(shown(created[key], 'America/New_York'));
      expect(text).not.toMatch(/GMT|EST|EDT|JST|CET/);
    }
    await shot('grid-viewer-zone');

    await page.getByTestId('viewer-zone').click();
    const zoneDialog = page.getByRole('dialog', { name: 'Show times in' });
    await zoneDialog.getByLabel('Time zone').fill('Asia/Tok');
    await page.getByRole('option', { name: 'Asia/Tokyo' }).click();
    await shot('viewer-zone-dialog');
    await zoneDialog.getByRole('button', { name: 'Save' }).click();
    await page.getByTestId('viewer-zone').getByText('Times in Asia/Tokyo').waitFor();
    await expect
      .poll(() => rows().filter({ hasText: 'Paris Co' }).textContent())
      .toContain(shown(created.paris, 'Asia/Tokyo'));
    // A preference of the user, kept on the server.
    await expect
      .poll(async () => (await admin.get('/api/v1/preferences')).json().data['viewer.timezone'])
      .toBe('Asia/Tokyo');
    await page.getByTestId('viewer-zone').click();
    await page.getByRole('button', { name: "Use the browser's" }).click();
    await page.getByTestId('viewer-zone').getByText('Times in America/New York').waitFor();
  });

  it('the audit history names the action, the actor and the fields as the form does, money as money', async () => {
    await ok(admin.post(`/api/v1/customers/${ids.northCustomer}/sip-devices`, { username: 'north1001' }));
    await ok(admin.patch(`/api/v1/customers/${ids.northCustomer}`, { creditLimit: '750' }));
    await page.goto(url(`/customers/${ids.northCustomer}/audit`));
    const table = page.getByRole('table', { name: 'Audit history' });
    await table.waitFor();
    await expect.poll(() => table.textContent()).toContain('Credit Limit: $500.00 → $750.00');
    const text = (await table.textContent()) ?? '';
    expect(text).toContain('SIP device added');
    expect(text).toContain('Username: north1001');
    expect(text).toContain('Rate Group: — → North Deck');
    expect(text).toContain('Administrator');
    expect(text).not.toContain('user:');
    expect(text).not.toContain('creditLimit');
    expect(text).not.toContain('500.000000');
    expect(text.match(/Account created/g)).toHaveLength(1);
    await shot('audit-history');
  });

  it('a missing account says "not found"; a bad filter in the URL is dropped', async () => {
    await page.goto(url('/customers/99999'));
    await page.getByRole('heading', { name: 'Customer not found', level: 1 }).waitFor();
    await shot('customer-not-found');

    await openList('customers', { status: 'bogus', q: 'Tokyo' });
    await page.getByRole('cell', { name: 'Tokyo Co', exact: true }).waitFor();
    await expect.poll(() => decodeURIComponent(page.url())).not.toContain('bogus');
    expect(decodeURIComponent(page.url())).toContain('Tokyo');
    expect(await page.getByText(/must be equal|must match/i).count()).toBe(0);
  });

  it("the localization editor shows a rule's error at its field; Strip takes no value", async () => {
    await page.goto(url(`/localizations/${ids.northLoc}`));
    const rules = page.getByRole('region', { name: 'Destination rules' });
    await rules.getByRole('button', { name: 'Add rule' }).click();
    await expect.poll(() => rules.getByLabel('Value').isDisabled()).toBe(true);
    await rules.getByLabel('Match').fill('*');
    await expect.poll(() => rules.getByLabel('Characters').isDisabled()).toBe(false);
    await rules.getByLabel('Match').fill('abc');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await rules.getByText("Use '*' or 1 to 20 digits.").waitFor();
    expect(await page.getByRole('alert').filter({ hasText: 'digits' }).count()).toBe(0);
    await shot('localization-rule-error');
  });

  it('the import preview and its errors use the form’s labels', async () => {
    const csv = [
      'Name,Email,Currency,Country,Timezone',
      'Good Import,good@acme.example,USD,US,America/New_York',
      'Bad Import,not-an-email,USD,US,America/New_York',
    ].join('\r\n');
    await page.goto(url('/import-customers'));
    await page
      .locator('input[type=file]')
      .setInputFiles({ name: 'customers.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByRole('button', { name: 'Upload' }).click();
    await page.getByRole('table', { name: 'Column mapping' }).waitFor();
    await page.getByRole('button', { name: 'Dry run' }).click();
    const errors = page.getByRole('table', { name: 'Dry run errors' });
    await errors.waitFor();
    const errorText = (await errors.textContent()) ?? '';
    expect(errorText).toContain('Main Email');
    expect(errorText).not.toContain('mainEmail');
    expect(errorText).not.toContain('main_email');
    expect(errorText).not.toMatch(/must match format/i);
    const preview = page.getByRole('table', { name: 'First rows' });
    await preview.waitFor();
    const head = (await preview.locator('thead').textContent()) ?? '';
    expect(head).not.toMatch(/mainEmail|accountNumber|companyName/);
    await shot('import-dry-run', true);
  });

  it('the default grid fits 1440 px with Status and the row actions; dates on one line; toolbar one row', async () => {
    await page.evaluate(() => localStorage.clear());
    await ok(admin.delete('/api/v1/preferences/customers.datatable')).catch(() => undefined);
    await page.goto(url('/customers'));
    await page.reload();
    await openList('customers');
    await page.getByRole('cell', { name: 'Tokyo Co', exact: true }).waitFor();
    const m = await page.evaluate(() => {
      const wrap = document.querySelector('.RaDataTable-tableWrapper') as HTMLElement;
      const heads = [...document.querySelectorAll('thead th')] as HTMLElement[];
      const right = (label: string) =>
        heads.find((h) => h.textContent?.trim() === label)?.getBoundingClientRect().right ?? Infinity;
      const lines = (el: Element | null) => {
        if (!el) return 0;
        const r = document.createRange();
        r.selectNodeContents(el);
        return new Set([...r.getClientRects()].map((x) => Math.round(x.top))).size;
      };
      return {
        scrollWidth: wrap.scrollWidth,
        clientWidth: wrap.clientWidth,
        statusRight: right('Status'),
        actionsRight: right('Actions'),
        viewport: window.innerWidth,
        dateLines: Math.max(...[...document.querySelectorAll('td.column-createdAt')].map(lines)),
      };
    });
    const tops = async (locs: ReturnType<typeof page.getByRole>[]) =>
      new Set(
        await Promise.all(
          locs.map(async (l) => {
            const b = (await l.boundingBox())!;
            return Math.round((b.y + b.height / 2) / 16); // same row: centres within a few px
          }),
        ),
      ).size;
    const toolbarRows = await tops([
      page.getByRole('link', { name: 'Create Customer' }),
      page.getByRole('button', { name: 'Columns' }),
      page.getByRole('button', { name: 'More' }),
    ]);
    const filterRows = await tops([
      page.getByRole('textbox', { name: 'Search', exact: true }),
      page.getByRole('textbox', { name: 'Company', exact: true }),
      page.getByRole('combobox', { name: 'Status' }),
      page.getByRole('combobox', { name: 'Terms' }),
    ]);
    await shot('grid-default-columns');
    console.log('grid at 1440 px:', JSON.stringify({ ...m, toolbarRows, filterRows }));
    expect(m.scrollWidth).toBeLessThanOrEqual(m.clientWidth);
    expect(m.statusRight).toBeLessThanOrEqual(m.viewport);
    expect(m.actionsRight).toBeLessThanOrEqual(m.viewport);
    expect(m.dateLines).toBe(1);
    expect(toolbarRows).toBe(1);
    expect(filterRows).toBe(1);
    // One word per concept; one case for status chips.
    const text = (await page.locator('table').textContent()) ?? '';
    expect(text).not.toContain('Prepay ');
    expect(text).not.toMatch(/\bactive\b/);
    await page.getByRole('button', { name: 'More' }).click();
    await page.getByRole('menuitem', { name: 'Import Customers' }).waitFor();
    await shot('grid-more-menu');
    await page.keyboard.press('Escape');
  });

  it("the customer page carries the account's actions; a ledger entry is reversed from the charge history", async () => {
    await page.goto(url(`/customers/${ids.northCustomer}`));
    const bar = page.getByRole('toolbar', { name: 'Account actions' });
    for (const name of ['Refill', 'Post Charge', 'Reset Balance', 'Deactivate', 'Change Password', 'More'])
      await bar.getByRole('button', { name, exact: true }).waitFor();
    await shot('customer-page-actions');

    await bar.getByRole('button', { name: 'Refill', exact: true }).click();
    const refill = page.getByRole('dialog');
    await refill.getByLabel(/^Amount/).fill('10');
    // The reason is required and says so.
    expect(await refill.locator('label', { hasText: 'Reason' }).textContent()).toContain('*');
    await refill.getByLabel(/^Reason/).fill('Wire 77');
    await shot('refill-dialog');
    await refill.getByRole('button', { name: 'Refill…' }).click();
    await page.getByRole('button', { name: 'Refill $10.00' }).click();
    const balance = page.getByRole('group', { name: 'Balance' });
    await expect.poll(() => balance.textContent()).toContain('Balance: $10.00');

    await page.getByRole('link', { name: 'Charge History' }).click();
    const history = page.getByRole('table', { name: 'Charge History' });
    await history.getByRole('cell', { name: 'Wire 77' }).waitFor();
    await history
      .getByRole('row')
      .filter({ hasText: 'Wire 77' })
      .getByRole('button', { name: 'Reverse' })
      .click();
    const reverse = page.getByRole('dialog', { name: 'Reverse $10.00?' });
    await reverse.getByLabel(/^Reason/).fill('Posted twice');
    await shot('reverse-dialog');
    await reverse.getByRole('button', { name: 'Reverse' }).click();
    await expect.poll(() => balance.textContent()).toContain('Balance: $0.00');
    await history.getByRole('row').filter({ hasText: 'Wire 77' }).getByText('Reversed').waitFor();
    await shot('charge-history-reversed', true);

    await bar.getByRole('button', { name: 'Deactivate' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Deactivate' }).click();
    await bar.getByRole('button', { name: 'Activate', exact: true }).click();
    await bar.getByRole('button', { name: 'Deactivate' }).waitFor();
    await bar.getByRole('button', { name: 'Change Password' }).click();
    await page
      .getByRole('dialog', { name: /Change the password/ })
      .getByRole('button', { name: 'Cancel' })
      .click();
  });

  it('delete quotes a balance at once; the one-time SIP password has a copy button; no favicon HTML', async () => {
    const key = { 'idempotency-key': `t-${Date.now()}` };
    await ok(
      admin.request('POST', `/api/v1/customers/${ids.tokyo}/refills`, { amount: '5', reason: 'Top-up' }, key),
    );
    await page.goto(url(`/customers/${ids.tokyo}`));
    await page
      .getByRole('toolbar', { name: 'Account actions' })
      .getByRole('button', { name: 'More' })
      .click();
    await page.getByRole('menuitem', { name: 'Delete' }).click();
    await page.getByRole('dialog', { name: 'Tokyo Co has a balance of $5.00' }).waitFor();
    await shot('delete-quotes-balance');
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();

    await page.goto(url(`/customers/${ids.tokyo}/sip-devices`));
    await page.getByRole('button', { name: 'Add SIP device' }).click();
    await page.getByRole('dialog').getByLabel('Username').fill('tokyo-desk');
    await page.getByRole('dialog').getByRole('button', { name: 'Add' }).click();
    await page.getByTestId('sip-secret').waitFor();
    await page.getByRole('button', { name: 'Copy the password' }).waitFor();
    await shot('sip-secret-copy');
    await page.getByRole('button', { name: 'Done' }).click();

    const icon = await fetch(`${server.baseUrl}/favicon.ico`);
    expect(icon.status).toBe(404);
    expect(icon.headers.get('content-type')).not.toContain('text/html');
    const svg = await fetch(`${server.baseUrl}/favicon.svg`);
    expect(svg.status).toBe(200);
    expect(svg.headers.get('content-type')).toContain('image/svg+xml');
  });

  it('no page error on the way', () => {
    expect(pageErrors).toEqual([]);
  });
});

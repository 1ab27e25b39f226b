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

const NAME = 'Trunk Browser Co';
const DIR = path.join(SCREENSHOTS, 'connectivity');

/**
 * The connectivity screens end to end in Chromium: a trunk with two hosts and limits at the three
 * levels, seen side by side in the Host view; a SIP device (its secret shown once); a blocked code;
 * a rate deck uploaded (a bad one first, then a good one) and a number rated against it.
 */
describe.runIf(chromiumAvailable())('connectivity in the admin UI', () => {
  let server: UiServer;
  let browser: Browser;
  let page: Page;
  let admin: Client;
  let id: number;
  const pageErrors: string[] = [];
  const url = (hash: string) => `${server.baseUrl}/#${hash}`;
  const shot = screenshotter(DIR, () => page);

  beforeAll(async () => {
    fs.rmSync(DIR, { recursive: true, force: true });
    server = await startUiServer();
    browser = await launchBrowser();
    page = await openPage(browser, pageErrors);
    admin = await Client.login(server.app, ADMIN.email, ADMIN.password);
    const r = await admin.post(
      '/api/v1/customers',
      customerBody({ name: NAME, callLimit: 100, cpsLimit: '10' }),
    );
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

  it('adds a trunk with limits and two hosts to a customer', async () => {
    await page.goto(url(`/customers/${id}/trunks`));
    await page.getByRole('button', { name: 'Add trunk' }).click();
    let dialog = page.getByRole('dialog');
    await dialog.getByLabel('Trunk name').fill('Main SBC');
    await dialog.getByLabel('Call limit').fill('50');
    await dialog.getByLabel('CPS limit').fill('5');
    await dialog.getByLabel('Tech prefix').fill('77');
    await dialog.getByRole('button', { name: 'Add' }).click();
    await dialog.waitFor({ state: 'detached' });
    const trunks = page.getByRole('table', { name: 'Trunks' });
    await trunks.getByRole('cell', { name: 'Main SBC' }).waitFor();
    await expect(trunks.getByText('Calls 50 · CPS 5').count()).resolves.toBe(1);

    await trunks.getByRole('button', { name: 'Hosts (0)' }).click();
    const hosts = page.getByRole('region', { name: 'Hosts of Main SBC' });
    // A bad address is refused at the field, and nothing is added.
    await hosts.getByRole('button', { name: 'Add host' }).click();
    dialog = page.getByRole('dialog');
    await dialog.getByLabel('IP or CIDR').fill('10.0.0.300');
    await dialog.getByRole('button', { name: 'Add' }).click();
    await dialog.locator('input[name="cidr"][aria-invalid="true"]').waitFor();
    await shot('host-bad-ip');
    await dialog.getByLabel('IP or CIDR').fill('203.0.113.10');
    await dialog.getByLabel('Port').fill('5060');
    await dialog.getByLabel('Call limit').fill('20');
    await dialog.getByLabel('CPS limit').fill('2.5');
    await dialog.getByRole('button', { name: 'Add' }).click();
    await dialog.waitFor({ state: 'detached' });
    await hosts.getByRole('button', { name: 'Add host' }).click();
    dialog = page.getByRole('dialog');
    await dialog.getByLabel('IP or CIDR').fill('2001:db8::/64');
    await dialog.getByLabel('Call limit').fill('80');
    await dialog.getByRole('button', { name: 'Add' }).click();
    await dialog.waitFor({ state: 'detached' });
    await hosts.getByRole('cell', { name: '2001:db8::/64' }).waitFor();
    await hosts.getByRole('cell', { name: '203.0.113.10/32 : 5060' }).waitFor();
    await shot('trunk-with-two-hosts');

    const api = JSON.parse((await admin.get(`/api/v1/customers/${id}/hosts`)).body) as {
      data: { cidr: string; callLimit: number | null; cpsLimit: string | null; techPrefix: string }[];
    };
    expect(api.data.map((h) => [h.cidr, h.callLimit, h.cpsLimit, h.techPrefix]).sort()).toEqual([
      ['2001:db8::/64', 80, null, '77'],
      ['203.0.113.10/32', 20, '2.50', '77'],
    ]);
  });

  it("shows the trunk count in the customer list, linking to the customer's trunks", async () => {
    await page.goto(url(`/customers?filter=${encodeURIComponent(JSON.stringify({ q: NAME }))}`));
    const row = page.locator('table tbody tr').filter({ hasText: NAME });
    const link = row.locator('td.column-trunkCount').getByRole('link', { name: '1', exact: true });
    await link.click();
    await page.waitForURL(new RegExp(`#/customers/${id}/trunks$`));
    await page.getByRole('table', { name: 'Trunks' }).getByRole('cell', { name: 'Main SBC' }).waitFor();
  });

  it('shows the three levels of limits side by side in the Host view', async () => {
    await page.goto(url('/limits/hosts'));
    await page.getByLabel('Customer').fill('Trunk Browser');
    const table = page.getByRole('table', { name: 'Hosts' });
    const row = table.getByRole('row').filter({ hasText: '203.0.113.10/32' });
    await row.waitFor();
    // customer 100 / 10, trunk 50 / 5, host 20 / 2.5
    await expect(row.getByRole('cell').allInnerTexts()).resolves.toEqual([
      '203.0.113.10/32 : 5060',
      NAME,
      'Main SBC',
      'Active',
      // Each level: its calls and CPS now / its limit (no call is up in this suite).
      '0 / 100',
      '0 / 10',
      '0 / 50',
      '0 / 5',
      '0 / 20',
      '0 / 2.5',
    ]);
    const v6 = table.getByRole('row').filter({ hasText: '2001:db8::/64' });
    await expect(v6.getByRole('cell').allInnerTexts()).resolves.toEqual([
      '2001:db8::/64',
      NAME,
      'Main SBC',
      'Active',
      // Each level: its calls and CPS now / its limit (no call is up in this suite).
      '0 / 100',
      '0 / 10',
      '0 / 50',
      '0 / 5',
      '0 / 80',
      '0 / No limit',
    ]);
    await shot('host-view');
    // The IP filter finds a host by an address inside its range.
    await page.getByLabel('IP', { exact: true }).fill('2001:db8::1');
    await table.getByRole('row').filter({ hasText: '203.0.113.10/32' }).waitFor({ state: 'detached' });
    await expect(table.getByRole('row').filter({ hasText: '2001:db8::/64' }).count()).resolves.toBe(1);
  });

  it('shows the customer in the Customer Limit view with its trunks', async () => {
    await page.goto(url('/limits/customers'));
    await page.getByLabel('Customer name').fill('Trunk Browser');
    const table = page.getByRole('table', { name: 'Customer limits' });
    await table.getByRole('button', { name: 'Trunks (1)' }).click();
    const trunks = page.getByRole('table', { name: `Trunks of ${NAME}` });
    await expect(trunks.getByRole('row').nth(1).getByRole('cell').allInnerTexts()).resolves.toEqual([
      'Main SBC',
      'Active',
      '0 / 50',
      '0 / 5',
    ]);
    await table.getByRole('button', { name: 'Edit' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Call limit').fill('120');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    await table.getByRole('cell', { name: '0 / 120' }).waitFor();
    await shot('customer-limit-view');
    const c = JSON.parse((await admin.get(`/api/v1/customers/${id}`)).body) as { callLimit: number };
    expect(c.callLimit).toBe(120);
  });

  it('adds a SIP device, showing its password once and never listing it', async () => {
    await page.goto(url(`/customers/${id}/sip-devices`));
    await page.getByRole('button', { name: 'Add SIP device' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Username').fill('trunkco-desk1');
    await dialog.getByLabel('Caller ID name').fill('Front desk');
    await dialog.getByLabel('Caller ID number').fill('15550001');
    await dialog.getByLabel('Codecs').fill('PCMU, G729');
    await dialog.getByRole('button', { name: 'Add' }).click();
    const secret = await page.getByTestId('sip-secret').innerText();
    expect(secret.length).toBeGreaterThanOrEqual(12);
    await shot('sip-secret-once');
    await page.getByRole('button', { name: 'Done' }).click();
    const table = page.getByRole('table', { name: 'SIP Devices' });
    await table.getByRole('cell', { name: 'trunkco-desk1' }).waitFor();
    await expect(table.getByText('Front desk <15550001>').count()).resolves.toBe(1);
    await expect(table.getByText('PCMU, G729').count()).resolves.toBe(1);
    await expect(page.getByText(secret).count()).resolves.toBe(0);
    // A second device with the same username is refused at the field.
    await page.getByRole('button', { name: 'Add SIP device' }).click();
    await page.getByRole('dialog').getByLabel('Username').fill('trunkco-desk1');
    await page.getByRole('dialog').getByRole('button', { name: 'Add' }).click();
    await page.getByRole('dialog').locator('input[name="username"][aria-invalid="true"]').waitFor();
    await shot('sip-duplicate-username');
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
  });

  it('blocks a destination code', async () => {
    await page.goto(url(`/customers/${id}/blocked-codes`));
    await page.getByRole('button', { name: 'Add blocked code' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Destination prefix').fill('4470');
    await dialog.getByLabel('Label').fill('UK personal numbers');
    await dialog.getByRole('button', { name: 'Add' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('table', { name: 'Blocked Codes' }).getByRole('cell', { name: '4470' }).waitFor();
    await shot('blocked-code');
    const r = JSON.parse((await admin.get(`/api/v1/customers/${id}/blocked-codes`)).body) as {
      data: { prefix: string; label: string }[];
    };
    expect(r.data.map((b) => [b.prefix, b.label])).toEqual([['4470', 'UK personal numbers']]);
  });

  it('uploads a rate deck: a bad file lists its rows and loads nothing, a good one goes live', async () => {
    await page.goto(url('/rate-groups'));
    await page.getByRole('button', { name: 'Add rate group' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name').fill('Retail USD');
    await dialog.getByRole('button', { name: 'Add' }).click();
    await page.getByRole('heading', { name: 'Retail USD', level: 1 }).waitFor();

    const upload = async (name: string, csv: string) => {
      await page
        .getByLabel('Rate deck file')
        .setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(csv) });
      await page.getByRole('button', { name: 'Upload', exact: true }).click();
    };
    await upload(
      'bad.csv',
      'prefix,destination,rate_per_min\n44,United Kingdom,0.0100\n4420,"London, fixed",abc\nxx,Nowhere,0.5\n',
    );
    const errors = page.getByRole('table', { name: 'Rate deck errors' });
    await errors.waitFor();
    await expect(errors.getByRole('row').count()).resolves.toBe(3);
    await expect(errors.getByRole('row').nth(1).getByRole('cell').first().innerText()).resolves.toBe('3');
    await expect(errors.getByRole('row').nth(2).getByRole('cell').first().innerText()).resolves.toBe('4');
    await shot('rate-deck-errors');
    await expect(page.getByText('No rates yet.').count()).resolves.toBe(1);

    await upload(
      'good.csv',
      'prefix,destination,rate_per_min,connect_fee\n44,United Kingdom,0.0100,0\n4420,"London, fixed",0.0080,0.01\n447,UK mobile,0.0300,0\n',
    );
    await page.getByText('Loaded 3 rates').waitFor();
    const rates = page.getByRole('table', { name: 'Rates' });
    await rates.getByRole('cell', { name: 'London, fixed' }).waitFor();
    await expect(rates.getByRole('row').count()).resolves.toBe(4);
    await page.getByLabel('Number', { exact: true }).fill('442071234567');
    await page.getByRole('button', { name: 'Find' }).click();
    await page.getByText(/^4420 London, fixed: \$0\.008\/min/).waitFor();
    await shot('rate-deck-loaded');
  });

  it('lists the hosts on IP Settings, and edits one there', async () => {
    await page.goto(url(`/customers/${id}/ip-settings`));
    const table = page.getByRole('table', { name: 'IP Settings' });
    const row = table.getByRole('row').filter({ hasText: '2001:db8::/64' });
    await row.getByRole('button', { name: 'Edit' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Call limit').fill('40');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    await row.getByText('Calls 40 · CPS No limit').waitFor();
    await expect(table.getByRole('row').count()).resolves.toBe(3);
    await shot('ip-settings');
  });

  it('keeps caller IDs, a forced caller ID and speed-dial keys', async () => {
    await page.goto(url(`/customers/${id}/caller-ids`));
    await page.getByRole('button', { name: 'Add caller ID', exact: true }).click();
    let dialog = page.getByRole('dialog');
    await dialog.getByLabel('Number').fill('15550001');
    await dialog.getByLabel('Description').fill('Main line');
    await dialog.getByRole('button', { name: 'Add' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('table', { name: 'Caller IDs' }).getByRole('cell', { name: 'Main line' }).waitFor();
    // The same number twice is refused at the field.
    await page.getByRole('button', { name: 'Add caller ID', exact: true }).click();
    dialog = page.getByRole('dialog');
    await dialog.getByLabel('Number').fill('15550001');
    await dialog.getByRole('button', { name: 'Add' }).click();
    await dialog.locator('input[name="number"][aria-invalid="true"]').waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('button', { name: 'Add force caller ID' }).click();
    dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name').fill('TRUNKCO');
    await dialog.getByLabel('Number').fill('15559999');
    await dialog.getByRole('button', { name: 'Add' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page
      .getByRole('table', { name: 'Force Caller ID' })
      .getByRole('cell', { name: '15559999' })
      .waitFor();
    await shot('caller-ids');

    await page.goto(url(`/customers/${id}/speed-dial`));
    const keys = page.getByRole('table', { name: 'Speed Dial' });
    await keys.getByRole('row').nth(10).waitFor();
    await expect(keys.getByRole('row').count()).resolves.toBe(11);
    await keys.getByRole('row').filter({ hasText: /^3/ }).getByRole('button', { name: 'Edit' }).click();
    dialog = page.getByRole('dialog');
    await dialog.getByLabel('Number').fill('4420712345');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    await keys.getByRole('cell', { name: '4420712345' }).waitFor();
    await shot('speed-dial');
    const r = JSON.parse((await admin.get(`/api/v1/customers/${id}/speed-dials`)).body) as {
      data: { key: number; number: string }[];
    };
    expect(r.data.map((k) => [k.key, k.number])).toEqual([[3, '4420712345']]);
  });

  it('assigns a DID from the pool and releases it', async () => {
    await page.goto(url('/dids'));
    await page.getByRole('button', { name: 'Add DID' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Number').fill('18005550100');
    await dialog.getByLabel('Monthly fee').fill('1.25');
    await dialog.getByRole('button', { name: 'Add' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('table', { name: 'DIDs' }).getByRole('cell', { name: 'In the pool' }).waitFor();
    await shot('did-pool');

    await page.goto(url(`/customers/${id}/dids`));
    await page.getByRole('button', { name: 'Assign from pool' }).click();
    const assign = page.getByRole('dialog');
    await assign.getByLabel('Number starts with').fill('1800555');
    await assign.getByRole('button', { name: 'Search the pool' }).click();
    await assign.getByText('18005550100').waitFor();
    await assign.getByRole('button', { name: 'Assign' }).click();
    await assign.waitFor({ state: 'detached' });
    const table = page.getByRole('table', { name: 'DIDs' });
    await table.getByRole('cell', { name: '18005550100' }).waitFor();
    await expect(table.getByRole('cell', { name: '$1.25' }).count()).resolves.toBe(1);
    await shot('did-assigned');
    await table.getByRole('button', { name: 'Release' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Release' }).click();
    await page.getByText('No DIDs assigned.').waitFor();
  });

  it('edits localization rules and tries a number step by step', async () => {
    await page.goto(url('/localizations'));
    await page.getByRole('button', { name: 'Add localization' }).click();
    await page.getByRole('dialog').getByLabel('Name').fill('UK national');
    await page.getByRole('dialog').getByRole('button', { name: 'Add' }).click();
    const dest = page.getByRole('region', { name: 'Destination rules' });
    await dest.getByRole('button', { name: 'Add rule' }).click();
    await dest.getByLabel('Match').fill('0');
    await dest.getByLabel('Action').click();
    await page.getByRole('option', { name: 'Replace with' }).click();
    await dest.getByLabel('Value').fill('44');
    await page.getByLabel('Destination', { exact: true }).fill('02071234567');
    await page.getByRole('button', { name: 'Try' }).click();
    await expect(page.getByTestId('preview-Destination').innerText()).resolves.toBe('442071234567');
    await shot('localization-try');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();
    const list = JSON.parse((await admin.get('/api/v1/localizations')).body) as {
      data: { name: string; destinationRules: unknown[] }[];
    };
    expect(list.data.find((l) => l.name === 'UK national')?.destinationRules).toEqual([
      { match: '0', action: 'replace', value: '44' },
    ]);
  });

  it('creates a customer with a rate group, a localization and a SIP device from the create form', async () => {
    const select = async (label: string, option: string) => {
      await page.getByRole('combobox', { name: label, exact: true }).click();
      await page.getByRole('option', { name: option }).click();
    };
    const next = async (title: string) => {
      await page.getByRole('button', { name: 'Next' }).click();
      await page.getByRole('heading', { name: title, level: 2 }).waitFor();
    };
    await page.goto(url('/customers/create'));
    await page.getByRole('heading', { name: 'Basic Info', level: 2 }).waitFor();
    const number = await page.getByRole('textbox', { name: 'Account Number' }).inputValue();
    await page.getByLabel(/^Name\s*\*?$/).fill('Rated Browser Co');
    await page.getByLabel(/^Main Email\s*\*?$/).fill('ops@rated.example');
    await page.getByLabel('Create SIP Device').check();
    await next('Company Info');
    await page.getByLabel(/^Country\s*\*?$/).fill('United States');
    await page.getByRole('option', { name: 'United States (US)' }).click();
    await next('Account Settings');
    await select('Localization', 'UK national');
    await next('Profile');
    await next('Billing Settings');
    await select('Rate Group', 'Retail USD (USD)');
    await shot('create-with-rate-group');
    await page.getByRole('button', { name: 'Submit' }).click();
    await page.waitForURL(/#\/customers\/\d+$/);
    const created = Number(page.url().split('/').pop());
    const secret = await page.getByTestId('created-sip-secret').innerText();
    expect(secret.length).toBeGreaterThanOrEqual(12);
    await shot('created-sip-device-notice');

    const c = JSON.parse((await admin.get(`/api/v1/customers/${created}`)).body) as {
      rateGroupId: number | null;
      localizationId: number | null;
    };
    const groups = JSON.parse((await admin.get('/api/v1/rate-groups')).body) as {
      data: { id: number; name: string }[];
    };
    const locs = JSON.parse((await admin.get('/api/v1/localizations')).body) as {
      data: { id: number; name: string }[];
    };
    expect(c.rateGroupId).toBe(groups.data.find((g) => g.name === 'Retail USD')?.id);
    expect(c.localizationId).toBe(locs.data.find((l) => l.name === 'UK national')?.id);
    const devices = JSON.parse((await admin.get(`/api/v1/customers/${created}/sip-devices`)).body) as {
      data: { username: string }[];
    };
    expect(devices.data.map((d) => d.username)).toEqual([number]);
    // Shown once: a reload of the page no longer has it.
    await page.reload();
    await page.getByRole('heading', { name: 'Rated Browser Co', level: 1 }).waitFor();
    await expect(page.getByTestId('created-sip-secret').count()).resolves.toBe(0);
  });

  it('raised no page errors', () => {
    expect(pageErrors).toEqual([]);
  });
});

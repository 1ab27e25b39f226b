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
  fieldByLabel,
  launchBrowser,
  openPage,
  screenshotter,
  startUiServer,
  type UiServer,
} from './harness.js';

const DIR = path.join(SCREENSHOTS, 'templates');
const MODEL = 'Model Customer';
const TEMPLATE = 'Gold EUR';

describe.runIf(chromiumAvailable())('templates and mass create in the admin UI', () => {
  let server: UiServer;
  let browser: Browser;
  let page: Page;
  let runner: JobRunner;
  let admin: Client;
  let templateId: number;
  let byTemplateId: number;
  const pageErrors: string[] = [];
  const url = (hash: string) => `${server.baseUrl}/#${hash}`;
  const shot = screenshotter(DIR, () => page);
  /** The field labelled exactly `label`, required ("Name *") or not. */
  const field = (label: string) => fieldByLabel(page, label);
  const nextStep = async (title: string) => {
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('heading', { name: title, level: 2 }).waitFor();
  };
  const openList = (filter: Record<string, string> = {}) =>
    page.goto(url(`/customers?filter=${encodeURIComponent(JSON.stringify(filter))}`));

  beforeAll(async () => {
    fs.rmSync(DIR, { recursive: true, force: true });
    server = await startUiServer();
    // As main.ts does: the background runner that works imports and mass creates.
    runner = createJobRunner({ db: server.database.db, handlers: jobHandlers(), pollMs: 100 });
    runner.start();
    browser = await launchBrowser();
    page = await openPage(browser, pageErrors, { acceptDownloads: true, timeoutMs: 30_000 });
    admin = await Client.login(server.app, ADMIN.email, ADMIN.password);
    const r = await admin.post(
      '/api/v1/customers',
      customerBody({
        name: MODEL,
        country: 'FR',
        timezone: 'Europe/Paris',
        currency: 'EUR',
        mode: 'postpaid',
        creditLimit: '100',
        callLimit: 30,
        mainEmail: 'model@example.com',
      }),
    );
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

  it('saves a customer as a template from its row menu and lists it', async () => {
    await openList({ name: MODEL });
    await page.getByRole('cell', { name: MODEL }).first().waitFor();
    await page.getByRole('button', { name: `Actions for ${MODEL}` }).click();
    await page.getByRole('menuitem', { name: 'Save as Template' }).click();
    const dialog = page.getByRole('dialog', { name: `Save ${MODEL} as a template` });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Save as template' }).click();
    await dialog.getByText('Required.').waitFor();
    await dialog.getByLabel('Template Name').fill(TEMPLATE);
    await dialog.getByLabel('Description').fill('Postpaid, euro, 30 calls');
    await shot('save-as-template-dialog');
    await dialog.getByRole('button', { name: 'Save as template' }).click();
    await page.getByText(`Template ${TEMPLATE} saved`).waitFor();
    await dialog.waitFor({ state: 'detached' });

    await page.getByRole('menuitem', { name: 'Customer Templates' }).click();
    await page.getByRole('heading', { name: 'Customer Templates', level: 1 }).waitFor();
    const row = page.getByRole('table', { name: 'Customer templates' }).locator('tbody tr');
    await expect.poll(() => row.count()).toBe(1);
    const cells = await row.first().locator('td').allTextContents();
    expect(cells.slice(0, 4)).toEqual([TEMPLATE, 'Postpaid, euro, 30 calls', '0', '1']);
    await shot('template-list');
    const list = (await admin.get('/api/v1/customer-templates')).json() as { data: { id: number }[] };
    templateId = list.data[0]!.id;
  });

  it('creates a customer by the template: prefilled, edited, linked', async () => {
    await openList();
    await page.getByRole('button', { name: 'More' }).click();
    await page.getByRole('menuitem', { name: 'Create by Template' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create by template' });
    await dialog.waitFor();
    // The only template is chosen already.
    await expect
      .poll(() => dialog.getByRole('combobox', { name: 'Template' }).textContent())
      .toContain(TEMPLATE);
    await shot('choose-template');
    await dialog.getByRole('button', { name: 'Continue' }).click();

    await page.getByRole('heading', { name: 'Create Customer by Template', level: 1 }).waitFor();
    await page
      .getByRole('status')
      .filter({ hasText: `Prefilled from template ${TEMPLATE} (version 1)` })
      .waitFor();
    await field('Name').fill('By Template One');
    await field('Main Email').fill('one@bytemplate.example');
    await shot('create-by-template-basic');
    await nextStep('Company Info');
    expect(await field('Country').inputValue()).toBe('France (FR)');
    await nextStep('Account Settings');
    expect(await field('Concurrent Calls').inputValue()).toBe('30');
    await field('Concurrent Calls').fill('40');
    await shot('create-by-template-settings');
    await nextStep('Profile');
    expect(await field('Timezone').inputValue()).toBe('Europe/Paris');
    await nextStep('Billing Settings');
    expect(await page.getByRole('combobox', { name: /^Account Type/ }).textContent()).toContain('Postpaid');
    expect(await field('Currency').inputValue()).toBe('EUR · Euro');
    expect(Number(await field('Credit Limit').inputValue())).toBe(100);
    await shot('create-by-template-billing');
    await page.getByRole('button', { name: 'Submit' }).click();

    await page.waitForURL(/#\/customers\/\d+$/);
    byTemplateId = Number(page.url().split('/').pop());
    await page.getByRole('heading', { name: 'By Template One', level: 1 }).waitFor();
    await expect
      .poll(() => page.getByTestId('template-link').textContent())
      .toBe(`Template: ${TEMPLATE} (version 1)`);
    await shot('edit-created-by-template');
    const saved = (await admin.get(`/api/v1/customers/${byTemplateId}`)).json();
    expect(saved).toMatchObject({
      name: 'By Template One',
      mainEmail: 'one@bytemplate.example',
      templateId,
      templateVersion: 1,
      callLimit: 40,
      country: 'FR',
      timezone: 'Europe/Paris',
      currency: 'EUR',
      mode: 'postpaid',
      creditLimit: '100.000000',
    });
  });

  it('changes the template, previews the re-apply diff per customer and applies it', async () => {
    // A second linked customer that still matches the template's first version.
    const two = await admin.post(`/api/v1/customer-templates/${templateId}/customers`, {
      name: 'By Template Two',
      mainEmail: 'two@bytemplate.example',
    });
    expect(two.statusCode, two.body).toBe(201);

    await page.goto(url('/customer-templates'));
    await page.getByRole('link', { name: TEMPLATE, exact: true }).click();
    await page.getByRole('heading', { name: `Template: ${TEMPLATE}`, level: 1 }).waitFor();
    await page.getByText('Used by 2 customers').waitFor();
    expect(await field('Concurrent Calls').inputValue()).toBe('30');
    // Fields a template does not carry are not on its page.
    expect(await page.getByLabel(/^Main Email/).count()).toBe(0);
    await field('Concurrent Calls').fill('60');
    await field('Credit Limit').fill('150');
    await shot('template-edit', true);
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Template saved as version 2. No customer changed: use Re-apply.').waitFor();
    expect((await admin.get(`/api/v1/customers/${byTemplateId}`)).json()).toMatchObject({ callLimit: 40 });

    await page.getByRole('button', { name: 'Re-apply to linked customers' }).click();
    const dialog = page.getByRole('dialog', { name: `Re-apply template ${TEMPLATE}` });
    const preview = dialog.getByRole('table', { name: 'Re-apply preview' });
    await preview.waitFor();
    await dialog.getByText('Version 2: 2 of 2 linked customers would change.').waitFor();
    const one = preview.getByRole('row').filter({ hasText: 'By Template One' });
    await expect.poll(() => one.textContent()).toContain('Concurrent Calls: 40 → 60');
    expect(await one.textContent()).toContain('Credit Limit: 100.00 → 150.00');
    const second = preview.getByRole('row').filter({ hasText: 'By Template Two' });
    expect(await second.textContent()).toContain('Concurrent Calls: 30 → 60');
    await shot('reapply-preview');

    // Leave the second customer out: only the first changes.
    await dialog.getByRole('checkbox', { name: 'Apply to By Template Two' }).uncheck();
    await dialog.getByRole('button', { name: 'Apply to 1 customer' }).click();
    const results = dialog.getByRole('table', { name: 'Re-apply results' });
    await results.waitFor();
    await dialog.getByText('Re-applied: 1 succeeded, 0 failed.').waitFor();
    expect(await results.getByRole('row').filter({ hasText: 'By Template One' }).textContent()).toContain(
      'Updated (2 fields)',
    );
    expect(await results.getByRole('row').filter({ hasText: 'By Template Two' }).textContent()).toContain(
      'Not selected',
    );
    await shot('reapply-results');
    expect((await admin.get(`/api/v1/customers/${two.json().id}`)).json()).toMatchObject({ callLimit: 30 });
    // Preview again: only the second still differs; apply it.
    await dialog.getByRole('button', { name: 'Preview again' }).click();
    await dialog.getByText('Version 2: 1 of 2 linked customers would change.').waitFor();
    await dialog.getByRole('button', { name: 'Apply to 1 customer' }).click();
    await dialog.getByText('Re-applied: 1 succeeded, 0 failed.').waitFor();
    expect((await admin.get(`/api/v1/customers/${two.json().id}`)).json()).toMatchObject({ callLimit: 60 });
    await dialog.getByRole('button', { name: 'Close' }).click();

    expect((await admin.get(`/api/v1/customers/${byTemplateId}`)).json()).toMatchObject({
      callLimit: 60,
      creditLimit: '150.000000',
      templateVersion: 2,
      name: 'By Template One',
      mainEmail: 'one@bytemplate.example',
    });
  });

  it('deletes the template: its customers keep their values and lose the link', async () => {
    await page.goto(url('/customer-templates'));
    await page.getByRole('button', { name: `Delete ${TEMPLATE}` }).click();
    const dialog = page.getByRole('dialog', { name: `Delete template ${TEMPLATE}?` });
    await dialog.getByText('2 customers created by it keep their values and lose the link').waitFor();
    await shot('template-delete');
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await page.getByText('No templates yet.').waitFor();
    expect((await admin.get(`/api/v1/customers/${byTemplateId}`)).json()).toMatchObject({
      templateId: null,
      callLimit: 60,
    });
  });

  it('creates a template from scratch and fills its settings on its page', async () => {
    await page.goto(url('/customer-templates'));
    await page.getByRole('button', { name: 'New template' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Template Name').fill('Blank Start');
    await dialog.getByRole('combobox', { name: 'Country' }).click();
    await page.getByRole('option', { name: 'Canada (CA)' }).click();
    await dialog.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'Template: Blank Start', level: 1 }).waitFor();
    await field('Concurrent Calls').fill('15');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText(/Template saved as version 2/).waitFor();
    await shot('template-from-scratch', true);
    const list = (await admin.get('/api/v1/customer-templates')).json().data as {
      name: string;
      settings: Record<string, unknown>;
    }[];
    expect(list.find((t) => t.name === 'Blank Start')?.settings).toMatchObject({
      callLimit: 15,
      country: 'CA',
      currency: 'USD',
      mode: 'prepaid',
    });
  });

  it('mass creates accounts with a prefix: refusal at the field, progress, one-time CSV', async () => {
    await openList();
    await page.getByRole('button', { name: 'More' }).click();
    await page.getByRole('menuitem', { name: 'Mass Create' }).click();
    await page.getByRole('heading', { name: 'Mass Create Customers', level: 1 }).waitFor();

    // Prefix 9999 in 6 digits leaves 2 free digits: 100 numbers, not 500. Refused up front.
    await field('Number of Accounts').fill('500');
    await field('Start Prefix').fill('9999');
    await field('Account Number Length').fill('6');
    await page
      .getByTestId('capacity-hint')
      .filter({ hasText: 'room for 100 more account numbers' })
      .waitFor();
    await page.getByRole('button', { name: 'Create accounts' }).click();
    const count = field('Number of Accounts');
    await expect.poll(() => count.getAttribute('aria-invalid')).toBe('true');
    const helpId = await count.getAttribute('aria-describedby');
    const refusal = 'Prefix "9999" with 6 digits has room for 100 more account numbers.';
    await expect.poll(() => page.locator(`[id="${helpId}"]`).textContent()).toBe(refusal);
    await page.getByRole('alert').filter({ hasText: refusal }).waitFor();
    await shot('mass-create-refused', true);

    await field('Number of Accounts').fill('5');
    await field('Start Prefix').fill('4242');
    await field('Account Number Length').fill('8');
    await page.getByLabel('Generate PIN').check();
    await page.getByLabel('Create SIP Devices').check();
    await field('Balance').fill('2.50');
    await page.getByTestId('capacity-hint').filter({ hasText: 'room for 10,000 more' }).waitFor();
    await shot('mass-create-form', true);
    await page.getByRole('button', { name: 'Create accounts' }).click();

    const bar = page.getByRole('progressbar', { name: 'Mass create progress' });
    await bar.waitFor();
    await expect.poll(() => bar.getAttribute('aria-valuenow'), { timeout: 60_000 }).toBe('100');
    await page.getByRole('status').filter({ hasText: 'Created 5 of 5 accounts (100%)' }).waitFor();
    await page.getByText('It can be downloaded ONCE').waitFor();
    await shot('mass-create-done');

    const button = page.getByRole('button', { name: 'Download accounts and passwords (CSV)' });
    const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
    expect(download.suggestedFilename()).toMatch(/^mass-create-\d+\.csv$/);
    const csv = fs.readFileSync((await download.path())!, 'utf8');
    const [header, ...lines] = csv.trim().split(/\r?\n/);
    const columns = header!.split(',');
    expect(columns.slice(0, 5)).toEqual(['account_number', 'name', 'portal_username', 'password', 'pin']);
    expect(lines).toHaveLength(5);
    const numbers = new Set<string>();
    for (const line of lines) {
      const cells = line.split(',');
      const at = (c: string) => cells[columns.indexOf(c)]!.replace(/^"|"$/g, '');
      expect(at('account_number')).toMatch(/^4242[0-9]{4}$/);
      expect(at('password').length).toBeGreaterThanOrEqual(10);
      expect(at('pin')).toMatch(/^[0-9]{6}$/);
      expect(at('currency')).toBe('USD');
      expect(at('sip_username')).toBe(at('account_number'));
      expect(at('sip_password')).toMatch(/^[A-Za-z0-9]{20}$/);
      numbers.add(at('account_number'));
    }
    expect(numbers.size).toBe(5);
    await page.getByText('Downloaded. The passwords are no longer kept').waitFor();
    expect(await button.isDisabled()).toBe(true);
    await shot('mass-create-downloaded');

    await page.getByRole('link', { name: 'Show the customers' }).click();
    await page.waitForURL(/#\/customers\?.*4242/);
    await expect.poll(() => page.locator('table tbody tr').count()).toBe(5);
    await shot('mass-created-in-list');
    // The page lists it among the recent mass creates, its passwords taken.
    await page.goto(url('/mass-create-customers'));
    const recent = page.getByRole('table', { name: 'Recent mass creates' });
    const last = recent.getByRole('row').filter({ hasText: '4242 / 8' });
    await expect.poll(() => last.textContent()).toContain('5 of 5');
    expect(await last.textContent()).toContain('Downloaded');
    await shot('mass-create-recent', true);
    const created = (await admin.get('/api/v1/customers?accountNumber=4242')).json() as {
      data: { accountNumber: string; balance: string; mainEmail: string | null }[];
    };
    expect(created.data.map((c) => c.accountNumber).sort()).toEqual([...numbers].sort());
    for (const c of created.data) expect(c).toMatchObject({ balance: '2.500000', mainEmail: null });
    expect(pageErrors).toEqual([]);
  });
});

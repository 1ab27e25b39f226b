/**
 * Issue 13: the Settings page (admins) keeps raw CDRs for a number of months. The menu leads there,
 * a value out of range is refused at the field, a good one is saved (the API answers it back), and
 * emptying the field keeps CDRs forever again.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { Client } from '../test/app.js';
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

const DIR = path.join(SCREENSHOTS, 'settings');

describe.runIf(chromiumAvailable())('system settings in the admin UI', () => {
  let server: UiServer;
  let browser: Browser;
  let page: Page;
  let admin: Client;
  const pageErrors: string[] = [];
  const shot = screenshotter(DIR, () => page);

  beforeAll(async () => {
    fs.rmSync(DIR, { recursive: true, force: true });
    server = await startUiServer();
    browser = await launchBrowser();
    page = await openPage(browser, pageErrors);
    admin = await Client.login(server.app, ADMIN.email, ADMIN.password);
    await page.goto(`${server.baseUrl}/#/login`);
    await page.getByLabel('Email or username').fill(ADMIN.email);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const retention = async () => (await admin.get('/api/v1/settings')).json().cdrRetentionMonths;

  it('sets the CDR retention from the menu, refusing a value out of range at the field', async () => {
    await page.getByRole('menuitem', { name: 'Settings' }).click();
    await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
    const field = page.getByLabel('Keep raw CDRs (months)');
    expect(await field.inputValue()).toBe('');
    await field.fill('200');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Whole months from 1 to 120, or empty to keep CDRs forever.').waitFor();
    await shot('refused');
    expect(await retention()).toBeNull();

    await field.fill('18');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();
    await shot('saved');
    expect(await retention()).toBe(18);

    await page.reload();
    await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
    expect(await page.getByLabel('Keep raw CDRs (months)').inputValue()).toBe('18');
    await page.getByLabel('Keep raw CDRs (months)').fill('');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();
    expect(await retention()).toBeNull();
    expect(pageErrors).toEqual([]);
  });
});

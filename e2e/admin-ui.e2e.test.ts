import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { Browser, Page } from 'playwright-core';
import { Client, customerBody } from '../test/app.js';
import {
  ADMIN,
  SCREENSHOTS,
  chromiumAvailable,
  fieldByLabel,
  launchBrowser,
  openPage,
  startUiServer,
  type UiServer,
} from './harness.js';

const NAME = 'Zephyr Telecom Ltd';
const COMPANY = 'Zephyr Telecom';
const TAKEN_NUMBER = '5550000001';

describe.runIf(chromiumAvailable())('admin UI in a real browser', () => {
  let server: UiServer;
  let browser: Browser;
  let page: Page;
  let shotNo = 0;
  let createdId: number;
  const pageErrors: string[] = [];

  const url = (hash: string) => `${server.baseUrl}/#${hash}`;
  /** The viewport; `fullPage` for long forms (it misplaces fixed bars when a dialog is open). */
  const shot = async (name: string, fullPage = false) => {
    shotNo++;
    await page.screenshot({
      path: path.join(SCREENSHOTS, `${String(shotNo).padStart(2, '0')}-${name}.png`),
      fullPage,
    });
  };
  /** The field labelled exactly `label`, required ("Name *") or not. */
  const field = (label: string) => fieldByLabel(page, label);
  /** Keyboard only: put the cursor in a field (as Tab would) and type. */
  const typeInto = async (label: string, text: string) => {
    await field(label).focus();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type(text);
  };
  const chooseFromAutocomplete = async (label: string, text: string, option: string) => {
    await typeInto(label, text);
    await page.getByRole('option', { name: option }).waitFor();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await expect.poll(() => field(label).inputValue()).toBe(option);
  };
  const chooseFromSelect = async (label: string, option: string, presses: number) => {
    await page.getByRole('combobox', { name: new RegExp(`^${label}\\s*\\*?$`) }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('listbox').waitFor();
    for (let i = 0; i < presses; i++) await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.getByRole('combobox', { name: new RegExp(`^${label}\\s*\\*?$`) }).textContent())
      .toContain(option);
  };
  const nextStep = async (title: string) => {
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: title, level: 2 }).waitFor();
  };
  const signIn = async (login: string, password: string) => {
    await page.goto(url('/login'));
    await page.getByLabel('Email or username').fill(login);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  };
  const rows = () => page.locator('table tbody tr');
  /** A list with exactly this filter (react-admin otherwise restores the last one used). */
  const openList = (resource: string, filter: Record<string, string> = {}) =>
    page.goto(url(`/${resource}?filter=${encodeURIComponent(JSON.stringify(filter))}`));

  beforeAll(async () => {
    // Only this suite's own screenshots (the top level): the other suites keep theirs in folders.
    if (fs.existsSync(SCREENSHOTS))
      for (const f of fs.readdirSync(SCREENSHOTS))
        if (f.endsWith('.png')) fs.rmSync(`${SCREENSHOTS}/${f}`, { force: true });
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    server = await startUiServer();
    browser = await launchBrowser();
    page = await openPage(browser, pageErrors);
    page.on('pageerror', (e) => console.error(`page error after screenshot ${shotNo}:`, e.stack));

    // Data through the API: a taken number, two resellers with their own customers, a few others.
    const admin = await Client.login(server.app, ADMIN.email, ADMIN.password);
    const ok = (r: { statusCode: number; body: string }) => {
      if (r.statusCode >= 300) throw new Error(r.body);
      return r;
    };
    ok(
      await admin.post(
        '/api/v1/customers',
        customerBody({ name: 'Existing Number Co', accountNumber: TAKEN_NUMBER }),
      ),
    );
    ok(
      await admin.post(
        '/api/v1/customers',
        customerBody({
          name: 'Admin Own Customer',
          companyName: 'Acme',
          portalUsername: 'own-portal',
          password: 'own-portal-pass-1',
        }),
      ),
    );
    for (const [name, login] of [
      ['North Reseller', 'north-res'],
      ['South Reseller', 'south-res'],
    ])
      ok(
        await admin.post(
          '/api/v1/resellers',
          customerBody({ name, portalUsername: login, password: `${login}-pass-1` }),
        ),
      );
    const north = await Client.login(server.app, 'north-res', 'north-res-pass-1');
    const south = await Client.login(server.app, 'south-res', 'south-res-pass-1');
    ok(await north.post('/api/v1/customers', customerBody({ name: 'North Customer One' })));
    ok(
      await north.post(
        '/api/v1/customers',
        customerBody({ name: 'North Customer Two', mode: 'postpaid', creditLimit: '50' }),
      ),
    );
    ok(await south.post('/api/v1/customers', customerBody({ name: 'South Customer' })));
    for (let i = 1; i <= 12; i++)
      ok(
        await admin.post(
          '/api/v1/customers',
          customerBody({ name: `Paging Customer ${String(i).padStart(2, '0')}`, companyName: 'Paging Co' }),
        ),
      );
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('signs in, shows the user name and the dashboard', async () => {
    await page.goto(server.baseUrl + '/');
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await shot('sign-in');
    await signIn(ADMIN.email, 'wrong-password-123');
    await page.getByRole('alert').filter({ hasText: 'The login or password is wrong.' }).waitFor();
    await signIn(ADMIN.email, ADMIN.password);
    await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Signed in as Administrator' }).waitFor();
    await page.getByRole('table', { name: 'Newest customers' }).waitFor();
    await expect.poll(() => page.getByRole('link', { name: 'Customers: 17' }).count()).toBe(1);
    // The chart counts what its card counts (it once counted resellers and providers too: 19).
    await page.getByRole('img', { name: /Customers created per day: 17 in 30 days/ }).waitFor();
    await shot('dashboard');
  });

  it('creates a customer through every step with the keyboard, with a server error at its field', async () => {
    await openList('customers');
    await page.getByRole('link', { name: 'Create Customer' }).click();
    await page.getByRole('heading', { name: 'Basic Info', level: 2 }).waitFor();
    const generated = await page.getByRole('textbox', { name: 'Account Number' }).inputValue();
    expect(generated).toMatch(/^[1-9][0-9]{9}$/);
    // Regenerate, then replace it with a taken number: the server must refuse it at the field.
    await page.getByRole('button', { name: 'Generate a new account number' }).focus();
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.getByRole('textbox', { name: 'Account Number' }).inputValue())
      .not.toBe(generated);
    await typeInto('Account Number', TAKEN_NUMBER);

    // Next on an empty required field stays on the step and says why, at the field.
    await page.getByRole('button', { name: 'Next' }).focus();
    await page.keyboard.press('Enter');
    await page.getByText('Required').first().waitFor();
    await shot('create-basic-info-validation');

    await typeInto('Name', NAME);
    await typeInto('Main Email', 'ops@zephyr.example');
    await typeInto('NOC Email', 'noc@zephyr.example, noc2@zephyr.example');
    await typeInto('Username', 'zephyr-portal');
    await field('Password').focus();
    await page.keyboard.type('zephyr-secret-1');
    await shot('create-basic-info');
    await field('Name').focus();
    await nextStep('Company Info');

    await typeInto('Company Name', COMPANY);
    await typeInto('Billing Email', 'billing@zephyr.example');
    await typeInto('Tax ID', 'FR-123');
    await typeInto('Address 1', '1 Rue de la Paix');
    await typeInto('City', 'Paris');
    await chooseFromAutocomplete('Country', 'France', 'France (FR)');
    await shot('create-company-info');
    await field('City').focus();
    await nextStep('Account Settings');

    await typeInto('Concurrent Calls', '30');
    await typeInto('CPS', '5');
    await shot('create-account-settings');
    await field('CPS').focus();
    await nextStep('Profile');

    await typeInto('First Name', 'Ada');
    await typeInto('Last Name', 'Lovelace');
    await typeInto('Phone', '+33 1 23 45 67 89');
    await chooseFromAutocomplete('Timezone', 'Europe/Par', 'Europe/Paris');
    await shot('create-profile');
    await field('Phone').focus();
    await nextStep('Billing Settings');

    await chooseFromSelect('Account Type', 'Postpaid', 1);
    await typeInto('Credit Limit', '250');
    await chooseFromAutocomplete('Currency', 'EUR', 'EUR · Euro');
    await typeInto('Reference', 'REF-ZEPHYR');
    await shot('create-billing-settings');
    await page.getByRole('button', { name: 'Submit' }).focus();
    await page.keyboard.press('Enter');

    // 409 ACCOUNT_NUMBER_TAKEN: back on Basic Info, the message under Account Number.
    await page.getByRole('heading', { name: 'Basic Info', level: 2 }).waitFor();
    const numberInput = page.getByRole('textbox', { name: 'Account Number' });
    await expect.poll(() => numberInput.getAttribute('aria-invalid')).toBe('true');
    const helpId = await numberInput.getAttribute('aria-describedby');
    await expect
      .poll(() => page.locator(`[id="${helpId}"]`).textContent())
      .toBe('This account number is already used by another account.');
    await shot('create-server-error-at-field');
    await page.getByRole('button', { name: 'Generate a new account number' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => numberInput.inputValue()).not.toBe(TAKEN_NUMBER);
    const finalNumber = await numberInput.inputValue();
    expect(finalNumber).toMatch(/^[1-9][0-9]{9}$/);
    await expect.poll(() => numberInput.getAttribute('aria-invalid')).toBe('false');
    // The Submit button lives on the last step: walk there with Enter.
    await field('Name').focus();
    for (const title of ['Company Info', 'Account Settings', 'Profile', 'Billing Settings'])
      await nextStep(title);
    await page.getByRole('button', { name: 'Submit' }).focus();
    await page.keyboard.press('Enter');

    await page.waitForURL(/#\/customers\/\d+$/);
    createdId = Number(page.url().split('/').pop());
    await page.getByRole('heading', { name: NAME, level: 1 }).waitFor();
    await page.getByText(`#${finalNumber}`).waitFor();
    // Money in the account's currency.
    await page.getByText('Credit limit: €250.00').waitFor();
    await shot('edit-after-create', true);

    const admin = await Client.login(server.app, ADMIN.email, ADMIN.password);
    const saved = (await admin.get(`/api/v1/customers/${createdId}`)).json();
    expect(saved).toMatchObject({
      name: NAME,
      accountNumber: finalNumber,
      companyName: COMPANY,
      mainEmail: 'ops@zephyr.example',
      nocEmails: ['noc@zephyr.example', 'noc2@zephyr.example'],
      billingEmails: ['billing@zephyr.example'],
      portalUsername: 'zephyr-portal',
      hasPassword: true,
      country: 'FR',
      timezone: 'Europe/Paris',
      city: 'Paris',
      callLimit: 30,
      cpsLimit: '5.00',
      firstName: 'Ada',
      mode: 'postpaid',
      creditLimit: '250.000000',
      currency: 'EUR',
      reference: 'REF-ZEPHYR',
    });
  });

  it('finds it with a filter kept in the URL', async () => {
    await openList('customers');
    await expect.poll(() => rows().count()).toBe(18);
    await shot('customer-list');
    const companyFilter = page.getByRole('textbox', { name: 'Company' });
    await companyFilter.focus();
    await page.keyboard.type('zephyr');
    await page.waitForURL(/filter=.*zephyr/);
    await expect.poll(() => rows().count()).toBe(1);
    await expect.poll(() => rows().first().textContent()).toContain(NAME);
    // A bookmark of the filtered list opens filtered.
    const bookmarked = page.url();
    await page.goto(url('/dashboard'));
    await page.goto(bookmarked);
    await expect.poll(() => rows().count()).toBe(1);
    await expect.poll(() => companyFilter.inputValue()).toBe('zephyr');
    await shot('customer-list-filtered');
  });

  it('pages by cursor: records per page, next and previous, sorted by a column', async () => {
    await openList('customers', { company: 'Paging' });
    await expect.poll(() => rows().count()).toBe(12);
    await page.getByRole('combobox', { name: 'Records per page' }).click();
    await page.getByRole('option', { name: '10', exact: true }).click();
    await expect.poll(() => rows().count()).toBe(10);
    await page.getByText('1–10 of 12 · Page 1').waitFor();
    await page.getByRole('columnheader', { name: 'Name' }).getByRole('button').click();
    await page.waitForURL(/sort=name/);
    await expect.poll(() => rows().first().textContent()).toContain('Paging Customer 01');
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.getByText('11–12 of 12 · Page 2').waitFor();
    await expect.poll(() => rows().count()).toBe(2);
    await expect.poll(() => rows().first().textContent()).toContain('Paging Customer 11');
    expect(await page.getByRole('button', { name: 'Next page' }).isDisabled()).toBe(true);
    await shot('customer-list-page-2');
    await page.getByRole('button', { name: 'Previous page' }).click();
    await expect.poll(() => rows().count()).toBe(10);
    await expect.poll(() => rows().first().textContent()).toContain('Paging Customer 01');
  });

  it('bulk deactivates the selected rows after a confirmation', async () => {
    await openList('customers', { company: 'Paging' });
    await expect.poll(() => rows().count()).toBeGreaterThan(2);
    for (const n of ['03', '04'])
      await rows()
        .filter({ hasText: `Paging Customer ${n}` })
        .getByRole('checkbox')
        .check();
    await page.getByRole('button', { name: 'Deactivate' }).click();
    const dialog = page.getByRole('dialog', { name: 'Deactivate 2 customers?' });
    await dialog.waitFor();
    await shot('bulk-deactivate-confirmation');
    await dialog.getByRole('button', { name: 'Deactivate' }).click();
    await page.getByText('Deactivated 2 customers').waitFor();
    for (const n of ['03', '04'])
      await expect
        .poll(() =>
          rows()
            .filter({ hasText: `Paging Customer ${n}` })
            .textContent(),
        )
        .toContain('Inactive');
    await expect
      .poll(() => rows().filter({ hasText: 'Paging Customer 05' }).textContent())
      .toContain('Active');
  });

  it('lists providers and resellers; Create Provider uses the same stepper', async () => {
    await openList('resellers');
    await expect.poll(() => rows().count()).toBe(2);
    await shot('reseller-list');
    await openList('providers');
    await page.getByText('No Providers yet.').waitFor();
    await openList('customers');
    await page.getByRole('button', { name: 'More' }).click();
    await page.getByRole('menuitem', { name: 'Create Provider' }).click();
    await page.getByRole('heading', { name: 'Create Provider', level: 1 }).waitFor();
    expect(await page.getByRole('checkbox', { name: 'Provider' }).isChecked()).toBe(true);
    expect(await page.getByRole('checkbox', { name: 'Customer' }).isChecked()).toBe(false);
    await shot('create-provider');
  });

  it('hides a column and it stays hidden after a reload (kept on the server for the user)', async () => {
    await openList('customers');
    await page.getByRole('columnheader', { name: 'Company' }).waitFor();
    await page.getByRole('button', { name: 'Columns' }).click();
    await page.locator('[id="customers.datatable-columnsSelector"]').getByLabel('Company').click();
    await shot('columns-chooser');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByRole('columnheader', { name: 'Company' }).count()).toBe(0);
    await page.reload();
    await page.getByRole('columnheader', { name: 'Account Number' }).waitFor();
    await expect.poll(() => page.getByRole('columnheader', { name: 'Company' }).count()).toBe(0);
    const admin = await Client.login(server.app, ADMIN.email, ADMIN.password);
    await expect
      .poll(async () => (await admin.get('/api/v1/preferences')).json().data['customers.datatable'])
      .toContain('companyName');
    await shot('column-hidden-after-reload');
  });

  it('deactivates it from the row menu, after a confirmation', async () => {
    await openList('customers');
    const row = rows().filter({ hasText: NAME });
    await row.getByRole('button', { name: `Actions for ${NAME}` }).click();
    await shot('row-actions-menu');
    await page.getByRole('menuitem', { name: 'Deactivate' }).click();
    const dialog = page.getByRole('dialog', { name: `Deactivate ${NAME}?` });
    await dialog.waitFor();
    await shot('deactivate-confirmation');
    await dialog.getByRole('button', { name: 'Deactivate' }).click();
    await expect.poll(() => row.textContent()).toContain('Inactive');
    await shot('deactivated');
  });

  it('edits a field on the Customer Profile and shows it in the audit history', async () => {
    await openList('customers');
    await rows().filter({ hasText: NAME }).getByText(NAME).click();
    await page.waitForURL(new RegExp(`#/customers/${createdId}$`));
    await page.getByRole('link', { name: 'Customer Profile' }).waitFor();
    await typeInto('City', 'Lyon');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Changes saved').waitFor();
    await shot('edit-profile-saved', true);
    await page.getByRole('link', { name: 'Audit History' }).click();
    await page.getByRole('table', { name: 'Audit history' }).waitFor();
    await expect
      .poll(() => page.getByRole('table', { name: 'Audit history' }).textContent())
      .toContain('Paris → Lyon');
    await shot('audit-history');
    const admin = await Client.login(server.app, ADMIN.email, ADMIN.password);
    expect((await admin.get(`/api/v1/customers/${createdId}`)).json().city).toBe('Lyon');
  });

  it('changes the portal password from the row menu', async () => {
    await openList('customers');
    await rows()
      .filter({ hasText: NAME })
      .getByRole('button', { name: `Actions for ${NAME}` })
      .click();
    await page.getByRole('menuitem', { name: 'Change Password' }).click();
    const dialog = page.getByRole('dialog', { name: `Change the password of ${NAME}` });
    await dialog.getByLabel('New Password').fill('short');
    await dialog.getByLabel('Confirm Password').fill('short');
    await dialog.getByRole('button', { name: 'Change Password' }).click();
    await dialog.getByText('At least 10 characters.').waitFor();
    await dialog.getByLabel('New Password').fill('brand-new-pass-9');
    await dialog.getByLabel('Confirm Password').fill('brand-new-pass-9');
    await shot('change-password');
    await dialog.getByRole('button', { name: 'Change Password' }).click();
    await page.getByText(`Password of ${NAME} changed`).waitFor();
    // The account is inactive now, so check the stored hash through a fresh login after reactivating.
    const admin = await Client.login(server.app, ADMIN.email, ADMIN.password);
    await admin.post(`/api/v1/customers/${createdId}/activate`);
    await Client.login(server.app, 'zephyr-portal', 'brand-new-pass-9');
  });

  it('deletes it, quoting the non-zero balance the server asks to confirm', async () => {
    await sql`UPDATE accounts SET balance = 12.5 WHERE id = ${createdId}`.execute(server.database.db);
    await openList('customers');
    await rows()
      .filter({ hasText: NAME })
      .getByRole('button', { name: `Actions for ${NAME}` })
      .click();
    await page.getByRole('menuitem', { name: 'Delete' }).click();
    await page
      .getByRole('dialog', { name: `Delete ${NAME}?` })
      .getByRole('button', { name: 'Delete' })
      .click();
    const balanceDialog = page.getByRole('dialog', { name: `${NAME} has a balance of €12.50` });
    await balanceDialog.waitFor();
    await shot('delete-balance-confirmation');
    await balanceDialog.getByRole('button', { name: 'Delete with balance €12.50' }).click();
    await expect.poll(() => rows().filter({ hasText: NAME }).count()).toBe(0);
    await shot('deleted');
    const admin = await Client.login(server.app, ADMIN.email, ADMIN.password);
    expect((await admin.get(`/api/v1/customers/${createdId}`)).statusCode).toBe(404);
  });

  it("signs out, and a reseller's sign-in shows only its own customers", async () => {
    await page.getByRole('button', { name: 'Signed in as Administrator' }).click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await signIn('north-res', 'north-res-pass-1');
    await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Signed in as North Reseller' }).waitFor();
    await openList('customers');
    await expect.poll(() => rows().count()).toBe(2);
    const text = await page.locator('table tbody').textContent();
    expect(text).toContain('North Customer One');
    expect(text).toContain('North Customer Two');
    expect(text).not.toContain('South Customer');
    expect(text).not.toContain('Admin Own Customer');
    await shot('reseller-customer-list');
  });

  it('sends an expired session back to sign-in', async () => {
    await page.getByRole('button', { name: 'Next page' }).waitFor();
    await sql`UPDATE sessions SET revoked_at = now() WHERE revoked_at IS NULL`.execute(server.database.db);
    // The next request answers 401: the UI ends the session and shows the sign-in page.
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await shot('session-expired');
  });

  it("refuses a customer's sign-in: this console is for staff and resellers", async () => {
    await signIn('own-portal', 'own-portal-pass-1');
    await page
      .getByRole('alert')
      .filter({ hasText: 'This console is for operator staff and resellers' })
      .waitFor();
    await shot('customer-sign-in-refused');
  });

  it('shows "10,000+" when the server stops counting, and still pages by cursor', async () => {
    await sql`INSERT INTO accounts (account_number, name, country, timezone, currency)
              SELECT (9000000000 + g)::text, 'Bulk ' || g, 'US', 'UTC', 'USD'
              FROM generate_series(1, 10001) g`.execute(server.database.db);
    await signIn(ADMIN.email, ADMIN.password);
    await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
    await openList('customers');
    await page.getByText(/^1–\d+ of 10,000\+ · Page 1$/).waitFor();
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.getByText(/ of 10,000\+ · Page 2$/).waitFor();
    await shot('customer-list-capped-total');
    expect(pageErrors).toEqual([]);
  });
});

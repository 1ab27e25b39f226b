import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { Client, customerBody } from '../test/app.js';
import { systemActor } from '../src/server/platform/context.js';
import { NO_MAIL } from '../src/server/platform/mail/index.js';
import { consumeOutbox, deliverDueMails } from '../src/server/modules/notifications/index.js';
import { createJobRunner, enqueueJob } from '../src/server/platform/jobs/index.js';
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

const NAME = 'Mailbox Telecom';
const DIR = path.join(SCREENSHOTS, 'notifications');

describe.runIf(chromiumAvailable())('notifications in the admin UI', () => {
  let server: UiServer;
  let browser: Browser;
  let page: Page;
  let admin: Client;
  let id: number;
  const pageErrors: string[] = [];
  const url = (hash: string) => `${server.baseUrl}/#${hash}`;
  const shot = screenshotter(DIR, () => page);
  const ctx = () => ({ actor: systemActor, db: server.database.db, now: () => new Date(Date.now() + 1000) });

  beforeAll(async () => {
    fs.rmSync(DIR, { recursive: true, force: true });
    server = await startUiServer();
    browser = await launchBrowser();
    page = await openPage(browser, pageErrors);
    admin = await Client.login(server.app, ADMIN.email, ADMIN.password);
    const r = await admin.post(
      '/api/v1/customers',
      customerBody({ name: NAME, billingEmails: ['pay@mailbox.example'], mainEmail: 'hi@mailbox.example' }),
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

  it('edits a template with its live preview', async () => {
    await page.goto(url('/mail-templates'));
    await page.getByRole('button', { name: 'Low balance' }).click();
    await page.getByRole('heading', { name: 'Low balance', level: 1 }).waitFor();
    await page.getByRole('textbox', { name: 'Subject' }).fill('Careful, {{accountNumber}} has {{balance}}');
    await expect
      .poll(() => page.getByTestId('preview-subject').textContent())
      .toBe('Careful, 4815162342 has 3.500000');
    await page.getByRole('textbox', { name: 'Subject' }).fill('Careful {{nope}}');
    await page.getByText('Unknown variables: {{nope}}').waitFor();
    await page.getByRole('textbox', { name: 'Subject' }).fill('Careful, {{accountNumber}} has {{balance}}');
    await shot('template-editor');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Template saved.').waitFor();
    const t = JSON.parse((await admin.get('/api/v1/mail-templates/low_balance')).body) as { subject: string };
    expect(t.subject).toBe('Careful, {{accountNumber}} has {{balance}}');
  });

  it('shows the payment mail in the Emails tab after a refill, and resends it', async () => {
    const s = await admin.request('PUT', `/api/v1/customers/${id}/notification-settings`, {
      lowBalance: {
        enabled: false,
        thresholdType: 'amount',
        amount: '5',
        percent: null,
        schedule: 'daily',
        sendAt: '09:00',
        repeatDays: 3,
        recipient: 'partner',
        disableTrunksAfterDays: null,
      },
      sendTrunkUpdate: false,
      paymentReceivedAlert: true,
      zeroBalanceNotification: false,
    });
    expect(s.statusCode, s.body).toBe(200);
    const r = await admin.request(
      'POST',
      `/api/v1/customers/${id}/refills`,
      { amount: '42', reason: 'Wire' },
      { 'idempotency-key': crypto.randomUUID() },
    );
    expect(r.statusCode, r.body).toBe(201);
    await consumeOutbox(ctx(), NO_MAIL);
    await deliverDueMails(ctx(), NO_MAIL, { workerId: 'e2e' });
    await page.goto(url(`/customers/${id}/emails`));
    const table = page.getByRole('table', { name: 'Emails' });
    await table.getByRole('button', { name: 'Payment received: 42.000000 USD' }).waitFor();
    await table.getByText('not sent: no SMTP configured').waitFor();
    await shot('emails-tab');
    await table.getByRole('button', { name: /Resend mail/ }).click();
    await page.getByText(/queued again/).waitFor();
    await expect.poll(() => table.locator('tbody tr').count()).toBe(2);
    await page.getByRole('link', { name: 'Notifications' }).click();
    await page.getByRole('heading', { name: 'Alert Threshold', level: 2 }).waitFor();
    await shot('notifications-tab');
  });

  it('sends the welcome letter and a low balance alert from the row menu', async () => {
    for (const [action, text] of [
      ['Send Welcome Letter', `Welcome letter to ${NAME} queued`],
      ['Send Low Balance Alert', `Low balance alert to ${NAME} queued`],
    ] as const) {
      await page.goto(url(`/customers?filter=${encodeURIComponent(JSON.stringify({ q: NAME }))}`));
      await page.getByRole('button', { name: `Actions for ${NAME}` }).click();
      await page.getByRole('menuitem', { name: action }).click();
      await page.getByText(text).waitFor();
    }
    const mails = JSON.parse((await admin.get(`/api/v1/customers/${id}/emails`)).body) as {
      data: { kind: string }[];
    };
    expect(mails.data.slice(0, 2).map((m) => m.kind)).toEqual(['low_balance', 'welcome_letter']);
  });

  it('creates a customer with low-balance settings on the create form; the edit page shows them', async () => {
    const select = async (label: string | RegExp, option: string) => {
      await page.getByRole('combobox', { name: label }).click();
      await page.getByRole('option', { name: option, exact: true }).click();
    };
    const next = async (title: string) => {
      await page.getByRole('button', { name: 'Next' }).click();
      await page.getByRole('heading', { name: title, level: 2 }).waitFor();
    };
    await page.goto(url('/customers/create'));
    await page.getByRole('heading', { name: 'Basic Info', level: 2 }).waitFor();
    await page.getByLabel(/^Name\s*\*?$/).fill('Thresholds Co');
    await page.getByLabel(/^Main Email\s*\*?$/).fill('ops@thresholds.example');
    await next('Company Info');
    await page.getByLabel(/^Country\s*\*?$/).fill('United States');
    await page.getByRole('option', { name: 'United States (US)' }).click();
    await next('Account Settings');
    await next('Profile');
    await next('Billing Settings');
    await select(/^Account Type/, 'Postpaid');
    await page.getByLabel(/^Credit Limit/).fill('200');
    await next('Notification Setting');
    await page.getByLabel('Low balance notification').check();
    await select('Threshold type', 'Percent of credit limit');
    await page.getByLabel('Percent', { exact: true }).fill('25');
    await select('Schedule', 'Hourly');
    await page.getByLabel('Send at minute (00:MM)').fill('00:30');
    await select('Send to', 'Both');
    await page.getByLabel('Zero balance notification').check();
    await page.getByLabel('Sign-in notification (to the main email)').check();
    await shot('create-notification-step');
    await page.getByRole('button', { name: 'Submit' }).click();
    await page.waitForURL(/#\/customers\/\d+$/);
    const created = Number(page.url().split('/').pop());
    const saved = JSON.parse((await admin.get(`/api/v1/customers/${created}/notification-settings`)).body);
    expect(saved).toMatchObject({
      lowBalance: {
        enabled: true,
        thresholdType: 'percent',
        percent: '25',
        schedule: 'hourly',
        sendAt: '00:30',
      },
      zeroBalanceNotification: true,
      signInNotification: true,
      paymentReceivedAlert: false,
    });
    // Reopened: the Notifications tab shows what was chosen on create.
    await page.goto(url(`/customers/${created}/notifications`));
    await page.getByRole('heading', { name: 'Alert Threshold', level: 2 }).waitFor();
    expect(await page.getByLabel('Low balance notification').isChecked()).toBe(true);
    expect(await page.getByLabel('Percent', { exact: true }).inputValue()).toBe('25');
    expect(await page.getByRole('combobox', { name: 'Send to' }).textContent()).toContain('Both');
    expect(await page.getByLabel('Sign-in notification (to the main email)').isChecked()).toBe(true);
    expect(await page.getByLabel('Payment received alert').isChecked()).toBe(false);
    await shot('edit-after-create-notifications');
  });

  it("an admin edits a reseller's template override from the templates page", async () => {
    const r = await admin.post('/api/v1/resellers', customerBody({ name: 'Relay Reseller' }));
    expect(r.statusCode, r.body).toBe(201);
    const resellerId = (JSON.parse(r.body) as { id: number }).id;
    await page.goto(url('/mail-templates'));
    await page.getByRole('combobox', { name: 'Templates of' }).click();
    await page.getByRole('option', { name: /^Relay Reseller/ }).click();
    await page.waitForURL(new RegExp(`reseller=${resellerId}`));
    await page.getByRole('button', { name: 'Payment received' }).click();
    await page.getByRole('heading', { name: 'Payment received', level: 1 }).waitFor();
    await page.getByText("The operator's template (no override yet)").waitFor();
    await page.getByRole('textbox', { name: 'Subject' }).fill('Relay got your {{amount}} {{currency}}');
    await expect
      .poll(() => page.getByTestId('preview-subject').textContent())
      .toBe('Relay got your 100.000000 USD');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Template saved.').waitFor();
    await page.getByText('Override: the customers below this reseller get it.').waitFor();
    await shot('reseller-override');
    const own = JSON.parse(
      (await admin.get(`/api/v1/mail-templates/payment_received?resellerId=${resellerId}`)).body,
    ) as { subject: string; ownerId: number };
    expect(own).toMatchObject({ subject: 'Relay got your {{amount}} {{currency}}', ownerId: resellerId });
    const operator = JSON.parse((await admin.get('/api/v1/mail-templates/payment_received')).body) as {
      subject: string;
    };
    expect(operator.subject).not.toContain('Relay');
    // Back to the operator's: the override is not shown there.
    await page.getByRole('combobox', { name: 'Templates of' }).click();
    await page.getByRole('option', { name: 'Operator (everyone else)' }).click();
    await expect
      .poll(() => page.getByRole('textbox', { name: 'Subject' }).inputValue())
      .toBe(operator.subject);
  });

  it('lists a failed job with its error on the Jobs page and retries it', async () => {
    const jobId = await enqueueJob(server.database.db, {
      kind: 'low-balance.sweep',
      payload: { afterId: 'broken' },
      maxAttempts: 1,
    });
    await createJobRunner({ db: server.database.db, handlers: jobHandlers() }).runUntilIdle();
    await page.goto(url('/jobs'));
    const retry = page.getByRole('button', { name: `Retry job ${jobId}` });
    await retry.waitFor();
    await shot('jobs-page');
    await retry.click();
    await expect.poll(() => retry.count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });
});

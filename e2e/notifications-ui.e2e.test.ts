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

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

/*
 * Issue 13, the dashboard part: the traffic and margin chart with its metric switch, and the top
 * destinations, fed by CDRs posted through the switch API. Per-second rates, no connect fee:
 *
 *   CDR  customer       number   when       billsec  revenue      provider cost (USD)
 *   h1   Harbor (USD)   44...    -1 h       600      0.60         0.20
 *   h2   Harbor         44...    -2 days    300      0.30         0.10
 *   h3   Harbor         33...    -3 h       120      0.10         0.03
 *   h4   Harbor         44...    -30 min      0 (no answer)
 *   e1   Rhein (EUR)    49...    -1 day     240      0.16 EUR     0.04
 *
 * Totals: 5 calls, 4 answered, 21 minutes; USD revenue 1.00, cost 0.37, margin 0.63; EUR revenue
 * 0.16, margin 0.16. Screenshots at 1440x900 in e2e/screenshots/dashboard-usage.
 */

const DIR = path.join(SCREENSHOTS, 'dashboard-usage');

describe.runIf(chromiumAvailable())('the dashboard chart and top destinations', () => {
  let server: UiServer;
  let browser: Browser;
  let page: Page;
  let admin: Client;
  let sw: Client;
  let harbor: any;
  let rhein: any;
  const pageErrors: string[] = [];
  const url = (hash: string) => `${server.baseUrl}/#${hash}`;
  const shot = screenshotter(DIR, () => page);
  const ok = async (r: Promise<{ statusCode: number; body: string; json(): any }>) => {
    const res = await r;
    if (res.statusCode >= 300) throw new Error(res.body);
    return res.json();
  };
  const iso = (ms: number) => new Date(ms).toISOString();

  function cdr(callId: string, sourceIp: string, calledNumber: string, agoMs: number, billsec: number) {
    const started = Date.now() - agoMs;
    return {
      callId,
      leg: 'A',
      sourceIp,
      callingNumber: '12125550100',
      calledNumber,
      startedAt: iso(started),
      ...(billsec > 0 ? { answeredAt: iso(started + 4000) } : {}),
      endedAt: iso(started + 4000 + billsec * 1000),
      durationSec: billsec + 4,
      billsec,
      disposition: billsec > 0 ? 'ANSWERED' : 'NO ANSWER',
      sipCode: billsec > 0 ? 200 : 487,
      hangupCause: 'NORMAL_CLEARING',
      egressTrunk: 'Carrier One',
    };
  }

  beforeAll(async () => {
    fs.rmSync(DIR, { recursive: true, force: true });
    server = await startUiServer();
    browser = await launchBrowser();
    page = await openPage(browser, pageErrors, { timeoutMs: 30_000 });
    admin = await Client.login(server.app, ADMIN.email, ADMIN.password);
    const { key } = await ok(admin.post('/api/v1/api-keys', { name: 'switch', role: 'switch' }));
    sw = Client.withApiKey(server.app, key);
    const group = async (name: string, currency: string, rates: [string, string, string][]) => {
      const g = await ok(admin.post('/api/v1/rate-groups', { name, currency }));
      for (const [prefix, destination, ratePerMin] of rates)
        await ok(
          admin.post(`/api/v1/rate-groups/${g.id}/rates`, {
            prefix,
            destination,
            ratePerMin,
            initialIncrement: 1,
            billingIncrement: 1,
            effectiveFrom: iso(Date.now() - 40 * 86_400_000),
          }),
        );
      return g.id as number;
    };
    const usd = await group('Retail USD', 'USD', [
      ['44', 'United Kingdom', '0.06'],
      ['33', 'France', '0.05'],
    ]);
    const eur = await group('Retail EUR', 'EUR', [['49', 'Germany', '0.04']]);
    const carrier = await group('Carrier One buy', 'USD', [
      ['44', 'UK', '0.02'],
      ['33', 'FR', '0.015'],
      ['49', 'DE', '0.01'],
    ]);
    harbor = await ok(
      admin.post(
        '/api/v1/customers',
        customerBody({ name: 'Harbor Telecom', rateGroupId: usd, initialBalance: '50' }),
      ),
    );
    rhein = await ok(
      admin.post(
        '/api/v1/customers',
        customerBody({
          name: 'Rhein Voice GmbH',
          currency: 'EUR',
          country: 'DE',
          timezone: 'Europe/Berlin',
          rateGroupId: eur,
          initialBalance: '50',
        }),
      ),
    );
    for (const [c, cidr] of [
      [harbor, '192.0.2.10/32'],
      [rhein, '192.0.2.20/32'],
    ]) {
      const trunk = await ok(admin.post(`/api/v1/customers/${c.id}/trunks`, { name: 'Main' }));
      await ok(admin.post(`/api/v1/trunks/${trunk.id}/hosts`, { cidr }));
    }
    // A carrier with the customer role too, as the call-auth suite does: trunks hang off customers.
    const provider = await ok(
      admin.post(
        '/api/v1/customers',
        customerBody({ name: 'Carrier One Ltd', roles: ['customer', 'provider'], rateGroupId: carrier }),
      ),
    );
    await ok(admin.post(`/api/v1/customers/${provider.id}/trunks`, { name: 'Carrier One' }));
    await server.app.callAuth.engine.loader.sync();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows an empty chart and table before the switch sends any CDR', async () => {
    await page.goto(server.baseUrl + '/');
    await page.getByLabel('Email or username').fill(ADMIN.email);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
    await page.getByText('No calls in the last 30 days.', { exact: false }).waitFor();
    await page.getByText('No rated calls in the last 7 days.').waitFor();
    await page.getByRole('heading', { name: 'Traffic and margin' }).scrollIntoViewIfNeeded();
    await shot('empty');
  });

  it('charts the CDRs posted through the switch API and lists the top destinations', async () => {
    const hour = 3_600_000;
    const body = await ok(
      sw.post('/api/v1/cdrs', {
        cdrs: [
          cdr('dash-h1', '192.0.2.10', '442071234567', hour, 600),
          cdr('dash-h2', '192.0.2.10', '442071234568', 48 * hour, 300),
          cdr('dash-h3', '192.0.2.10', '33142345678', 3 * hour, 120),
          cdr('dash-h4', '192.0.2.10', '442071234569', hour / 2, 0),
          cdr('dash-e1', '192.0.2.20', '4930123456', 24 * hour, 240),
        ],
      }),
    );
    expect(body).toMatchObject({ created: 5, refused: 0 });
    await page.goto(url('/'));
    await page.reload();
    await page.getByRole('img', { name: 'Calls per day: 5 calls, 4 answered in 30 days' }).waitFor();
    const top = page.getByRole('table', { name: 'Top destinations' });
    await expect
      .poll(async () =>
        // Cells joined by |, a cell's lines (one per currency) by a space.
        (await top.locator('tbody tr').allInnerTexts()).map((row) =>
          row
            .split('\t')
            .map((cell) =>
              cell
                .trim()
                .split(/\s*\n\s*/)
                .join(' '),
            )
            .join(' | '),
        ),
      )
      .toEqual([
        'United Kingdom | GB | 44 | 3 | 15.00 | $0.90 | $0.60',
        'Germany | DE | 49 | 1 | 4.00 | €0.16 $0.00 | €0.16 -$0.04',
        'France | FR | 33 | 1 | 2.00 | $0.10 | $0.07',
      ]);
    await page.getByRole('img', { name: /^Calls per day/ }).scrollIntoViewIfNeeded();
    await shot('calls');
    const metric = page.getByRole('group', { name: 'Metric' });
    await metric.getByRole('button', { name: 'Minutes' }).click();
    await page.getByRole('img', { name: 'Minutes per day: 21.00 minutes in 30 days' }).waitFor();
    await metric.getByRole('button', { name: 'Margin' }).click();
    // Money is charted one currency at a time: EUR first (alphabetical), USD on the switch.
    await page.getByRole('img', { name: 'Margin in EUR per day: €0.16 in 30 days' }).waitFor();
    await page.getByRole('group', { name: 'Currency' }).getByRole('button', { name: 'USD' }).click();
    await page.getByRole('img', { name: 'Margin in USD per day: $0.63 in 30 days' }).waitFor();
    await expect
      .poll(() => page.getByLabel('Totals').locator('p').allInnerTexts())
      .toEqual([
        '5 calls (4 answered), 21.00 minutes',
        'EUR: revenue €0.16, cost €0.00, margin €0.16',
        'USD: revenue $1.00, cost $0.37, margin $0.63',
      ]);
    await metric.getByRole('button', { name: 'Revenue' }).click();
    await page.getByRole('img', { name: 'Revenue in USD per day: $1.00 in 30 days' }).waitFor();
    await metric.getByRole('button', { name: 'Margin' }).click();
    await shot('margin-usd');
  });

  it('no page error on the way', () => {
    expect(pageErrors).toEqual([]);
  });
});

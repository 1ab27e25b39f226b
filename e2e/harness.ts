import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/server/app.js';
import { ensureWebBuild } from '../src/server/web-build.js';
import { systemActor } from '../src/server/platform/context.js';
import type { Database } from '../src/server/platform/db/database.js';
import { ensureFirstAdmin } from '../src/server/modules/auth/index.js';
import { createTestDatabase } from '../test/databases.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const SCREENSHOTS = path.join(ROOT, 'e2e/screenshots');
export const CHROMIUM = '/usr/bin/chromium';
export const ADMIN = { email: 'admin@example.com', password: 'admin-password-1' };

/**
 * Whether the browser tests can run. Under CI=true a missing Chromium is an error (the suite must
 * fail, not skip); elsewhere the tests are skipped with this message.
 */
export function chromiumAvailable(): boolean {
  if (fs.existsSync(CHROMIUM)) return true;
  if (process.env.CI === 'true')
    throw new Error(`CI=true but ${CHROMIUM} is missing: the browser tests cannot run.`);
  console.warn(`\n  SKIPPING browser tests: ${CHROMIUM} not found (apt-get install chromium).\n`);
  return false;
}

export interface UiServer {
  app: FastifyInstance;
  database: Database;
  baseUrl: string;
  close(): Promise<void>;
}

/** A real server on 127.0.0.1:<random>, fresh in-memory PGlite, first admin, the built UI at /. */
export async function startUiServer(): Promise<UiServer> {
  await ensureWebBuild(ROOT);
  const database = await createTestDatabase('pglite');
  await ensureFirstAdmin(
    { actor: systemActor, db: database.db, now: () => new Date() },
    { email: ADMIN.email, password: ADMIN.password, generate: () => ADMIN.password },
  );
  const app = await buildApp({
    config: {
      logLevel: 'silent',
      sessionTtlHours: 12,
      cookieSecure: false,
      trustProxy: false,
      serveUi: true,
    },
    database,
    webRoot: path.join(ROOT, 'dist/web'),
    logger: false,
    loginAttemptsPerMinute: 10_000,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return {
    app,
    database,
    baseUrl: `http://127.0.0.1:${port}`,
    close: async () => {
      await app.close();
      await database.close();
    },
  };
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/**
 * A page in a fresh context as every suite uses it: a desktop window, en-US, New York time; the
 * page's uncaught errors go to `pageErrors` (each suite ends by expecting none).
 */
export async function openPage(
  browser: Browser,
  pageErrors: string[],
  opts: { acceptDownloads?: boolean; timeoutMs?: number } = {},
): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: 1440, height: 900 },
    locale: 'en-US',
    timezoneId: 'America/New_York',
    acceptDownloads: opts.acceptDownloads ?? false,
  });
  const page = await context.newPage();
  page.setDefaultTimeout(opts.timeoutMs ?? 20_000);
  page.on('pageerror', (e) => pageErrors.push(e.message));
  return page;
}

/**
 * Numbered screenshots (`01-name.png`, ...) of the page into `dir`, each taken once dialogs and
 * menus have finished their transitions. `page` is read at each shot (suites open it in beforeAll).
 */
export function screenshotter(dir: string, page: () => Page) {
  let n = 0;
  return async (name: string, fullPage = false) => {
    n++;
    fs.mkdirSync(dir, { recursive: true });
    await page().waitForTimeout(400);
    await page().screenshot({ path: path.join(dir, `${String(n).padStart(2, '0')}-${name}.png`), fullPage });
  };
}

/** The form field labelled exactly `label`, required ("Name *") or not. */
export function fieldByLabel(page: Page, label: string) {
  return page.getByLabel(new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*\\*?$`));
}

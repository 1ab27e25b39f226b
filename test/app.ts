import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import type { Redis } from 'ioredis';
import { buildApp, type AppDeps } from '../src/server/app.js';
import type { MetricsAccess } from '../src/server/platform/http/metrics.js';
import type { Database } from '../src/server/platform/db/database.js';
import { systemActor } from '../src/server/platform/context.js';
import { ensureFirstAdmin } from '../src/server/modules/auth/index.js';
import { createTestDatabase, type DbKind } from './databases.js';

export const ADMIN_EMAIL = 'admin@example.com';
export const ADMIN_PASSWORD = 'admin-password-1';

export interface TestApp {
  app: FastifyInstance;
  database: Database;
  close(): Promise<void>;
}

export async function createTestApp(
  kind: DbKind,
  opts: {
    loginAttemptsPerMinute?: number;
    loginFailuresPerAccount?: number;
    redis?: Redis;
    metrics?: MetricsAccess;
    /** The app's clock (a test that moves time passes a function over its own variable). */
    now?: () => Date;
    callAuth?: AppDeps['callAuth'];
  } = {},
): Promise<TestApp> {
  const database = await createTestDatabase(kind);
  await ensureFirstAdmin(
    { actor: systemActor, db: database.db, now: () => new Date() },
    { email: ADMIN_EMAIL, password: ADMIN_PASSWORD, generate: () => ADMIN_PASSWORD },
  );
  const app = await buildApp({
    config: {
      logLevel: 'silent',
      sessionTtlHours: 12,
      cookieSecure: false,
      trustProxy: false,
      serveUi: false,
    },
    database,
    logger: false,
    loginAttemptsPerMinute: opts.loginAttemptsPerMinute ?? 10_000,
    loginFailuresPerAccount: opts.loginFailuresPerAccount,
    redis: opts.redis,
    metrics: opts.metrics,
    ...(opts.now ? { now: opts.now } : {}),
    ...(opts.callAuth ? { callAuth: opts.callAuth } : {}),
  });
  await app.ready();
  return {
    app,
    database,
    close: async () => {
      await app.close();
      await database.close();
    },
  };
}

/** A signed-in client: carries the session cookie and the CSRF token like a browser would. */
export class Client {
  constructor(
    readonly app: FastifyInstance,
    private cookie: string | null = null,
    private csrf: string | null = null,
    private bearer: string | null = null,
  ) {}

  static async login(app: FastifyInstance, email: string, password: string): Promise<Client> {
    const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } });
    if (res.statusCode !== 200) throw new Error(`login ${email} failed: ${res.statusCode} ${res.body}`);
    const setCookie = res.headers['set-cookie'];
    const raw = Array.isArray(setCookie) ? setCookie[0] : setCookie!;
    return new Client(app, raw.split(';')[0], res.json().csrfToken);
  }

  static withApiKey(app: FastifyInstance, key: string): Client {
    return new Client(app, null, null, key);
  }

  request(
    method: InjectOptions['method'],
    url: string,
    payload?: unknown,
    headers: Record<string, string> = {},
  ) {
    const h: Record<string, string> = { ...headers };
    if (this.cookie) h.cookie = this.cookie;
    if (this.csrf) h['x-csrf-token'] = this.csrf;
    if (this.bearer) h.authorization = `Bearer ${this.bearer}`;
    return this.app.inject({ method, url, payload: payload as InjectOptions['payload'], headers: h });
  }
  get(url: string) {
    return this.request('GET', url);
  }
  post(url: string, payload?: unknown) {
    return this.request('POST', url, payload ?? {});
  }
  patch(url: string, payload: unknown) {
    return this.request('PATCH', url, payload);
  }
  delete(url: string) {
    return this.request('DELETE', url);
  }
}

export const adminLogin = (app: FastifyInstance) => Client.login(app, ADMIN_EMAIL, ADMIN_PASSWORD);

export function expectError(res: LightMyRequestResponse, status: number, code: string, field?: string) {
  const body = res.json();
  if (
    res.statusCode !== status ||
    body?.error?.code !== code ||
    (field && body.error.details?.field !== field)
  ) {
    throw new Error(
      `expected ${status} ${code}${field ? ` on ${field}` : ''}, got ${res.statusCode} ${JSON.stringify(body)}`,
    );
  }
  return body as { error: { code: string; message: string; details: Record<string, any> } };
}

let seq = 0;
/** A minimal valid create body; override what the test is about. */
export function customerBody(over: Record<string, unknown> = {}) {
  seq++;
  return {
    name: `Customer ${seq} ${Math.random().toString(36).slice(2, 7)}`,
    country: 'US',
    timezone: 'America/New_York',
    currency: 'USD',
    ...over,
  };
}

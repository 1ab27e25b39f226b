import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createTestApp, expectError, type TestApp } from './app.js';
import { loadConfig } from '../src/server/config.js';

/** Redis for the shared-limit test: TEST_REDIS_URL; under CI=true its absence fails the run. */
function testRedisUrl(): string | null {
  const url = process.env.TEST_REDIS_URL ?? null;
  if (!url && process.env.CI === 'true')
    throw new Error('CI=true but TEST_REDIS_URL is not set: the shared rate limit cannot be tested.');
  return url;
}

describe('/metrics guard', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('pglite');
  });
  afterAll(async () => t?.close());
  const get = (app: TestApp, remoteAddress: string, headers: Record<string, string> = {}) =>
    app.app.inject({ method: 'GET', url: '/metrics', remoteAddress, headers });

  it('by default answers loopback only, in the Prometheus format through prom-client', async () => {
    await t.app.inject({ method: 'GET', url: '/health' });
    for (const ip of ['127.0.0.1', '::1', '::ffff:127.0.0.1']) {
      const res = await get(t, ip);
      expect(res.statusCode, ip).toBe(200);
      expect(res.headers['content-type']).toContain('text/plain');
      expect(res.body).toContain('http_requests_total{method="GET",route="/health",status="200"}');
      expect(res.body).toContain('db_pool_connections');
      expect(res.body).toContain('process_resident_memory_bytes');
    }
    expectError(await get(t, '203.0.113.9'), 404, 'ROUTE_NOT_FOUND');
    expectError(
      await get(t, '10.0.0.1', { authorization: 'Bearer whatever-token-123' }),
      404,
      'ROUTE_NOT_FOUND',
    );
  });

  it('answers a configured token or CIDR, and nobody else', async () => {
    const token = 'metrics-token-0123456789';
    const guarded = await createTestApp('pglite', { metrics: { token, allow: ['10.0.0.0/8'] } });
    try {
      expect((await get(guarded, '203.0.113.9', { authorization: `Bearer ${token}` })).statusCode).toBe(200);
      expectError(
        await get(guarded, '203.0.113.9', { authorization: `Bearer ${token}x` }),
        404,
        'ROUTE_NOT_FOUND',
      );
      expectError(await get(guarded, '203.0.113.9'), 404, 'ROUTE_NOT_FOUND');
      expect((await get(guarded, '10.20.30.40')).statusCode).toBe(200);
      // Loopback is no longer implied once METRICS_ALLOW is set.
      expectError(await get(guarded, '127.0.0.1'), 404, 'ROUTE_NOT_FOUND');
    } finally {
      await guarded.close();
    }
  });

  it('config: METRICS_ALLOW and METRICS_TOKEN are validated; HOST defaults to loopback outside production', () => {
    expect(loadConfig({}).metricsAllow).toEqual(['127.0.0.0/8', '::1/128']);
    expect(loadConfig({ METRICS_ALLOW: '10.0.0.0/8, 192.168.1.5' }).metricsAllow).toEqual([
      '10.0.0.0/8',
      '192.168.1.5',
    ]);
    expect(() => loadConfig({ METRICS_ALLOW: 'everyone' })).toThrow(/METRICS_ALLOW/);
    expect(() => loadConfig({ METRICS_ALLOW: '10.0.0.0/33' })).toThrow(/METRICS_ALLOW/);
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN/);
    expect(loadConfig({}).host).toBe('127.0.0.1');
    expect(loadConfig({ NODE_ENV: 'production' }).host).toBe('0.0.0.0');
    expect(loadConfig({ HOST: '::' }).host).toBe('::');
  });
});

describe('security headers', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('pglite');
  });
  afterAll(async () => t?.close());

  it('sets helmet headers with a CSP the admin UI and API docs work under, on pages and API answers', async () => {
    for (const url of ['/health', '/api/v1/auth/me', '/api/docs/']) {
      const res = await t.app.inject({ method: 'GET', url });
      const csp = String(res.headers['content-security-policy']);
      expect(csp, url).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("style-src 'self' 'unsafe-inline'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('upgrade-insecure-requests');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      // No HSTS on plain HTTP (COOKIE_SECURE=false).
      expect(res.headers['strict-transport-security']).toBeUndefined();
    }
  });
});

describe("Fastify's own refusals, in our error shape", () => {
  it('431 for headers too large and 414 for a path parameter too long, over a real socket', async () => {
    const t = await createTestApp('pglite');
    try {
      await t.app.listen({ host: '127.0.0.1', port: 0 });
      const { port } = t.app.server.address() as { port: number };
      const huge = await fetch(`http://127.0.0.1:${port}/health?q=${'x'.repeat(20_000)}`);
      expect(huge.status).toBe(431);
      const body = await huge.json();
      expect(body.error).toMatchObject({ code: 'HEADERS_TOO_LARGE', details: {} });
      const long = await fetch(`http://127.0.0.1:${port}/api/v1/customers/${'1'.repeat(150)}`);
      expect(long.status).toBe(414);
      expect((await long.json()).error.code).toBe('URI_TOO_LONG');
    } finally {
      await t.close();
    }
  });
});

describe('sign-in limit shared through Redis', () => {
  const url = testRedisUrl();
  it.skipIf(!url)('two instances on one Redis count the same address together', async () => {
    const clients = [new Redis(url!), new Redis(url!)];
    const apps = [
      await createTestApp('pglite', { loginAttemptsPerMinute: 3, redis: clients[0] }),
      await createTestApp('pglite', { loginAttemptsPerMinute: 3, redis: clients[1] }),
    ];
    try {
      // An address of its own, so earlier runs' counters (one minute) do not interfere.
      const ip = `10.${crypto.randomInt(256)}.${crypto.randomInt(256)}.${crypto.randomInt(1, 255)}`;
      const codes: number[] = [];
      let last;
      for (let i = 0; i < 5; i++) {
        last = await apps[i % 2]!.app.inject({
          method: 'POST',
          url: '/api/v1/auth/login',
          payload: { email: `someone${i}@example.com`, password: 'wrong-password' },
          remoteAddress: ip,
        });
        codes.push(last.statusCode);
      }
      expect(codes).toEqual([401, 401, 401, 429, 429]);
      expectError(last!, 429, 'RATE_LIMITED');
      expect(Number(last!.headers['retry-after'])).toBeGreaterThan(0);
      expect(await clients[0]!.keys(`*login-source:${ip}`)).toHaveLength(1);
    } finally {
      for (const a of apps) await a.close();
      for (const c of clients) await c.quit();
    }
  });
});

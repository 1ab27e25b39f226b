import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { buildApp } from '../../app.js';
import { openDatabase } from '../../platform/db/database.js';
import { ApiKeyCache, VERIFIED_TTL_MS } from './api-key-cache.js';
import { Client, adminLogin, createTestApp, expectError, type TestApp } from '../../../../test/app.js';
import { testDatabaseKinds } from '../../../../test/databases.js';

/** An authorize the switch key may make: an unknown source, so a 200 deny with nothing reserved. */
const authorize = (c: Client, callId: string) =>
  c.post('/api/v1/calls/authorize', {
    callId,
    sourceIp: '192.0.2.77',
    calledNumber: '4420',
    callingNumber: '1',
  });

/** Counts connections taken from the pool (every query takes one) while `fn` runs. */
async function poolUses(pool: pg.Pool, fn: () => Promise<void>): Promise<number> {
  let n = 0;
  const onAcquire = () => n++;
  pool.on('acquire', onAcquire);
  try {
    await fn();
  } finally {
    pool.off('acquire', onAcquire);
  }
  return n;
}

describe.each(testDatabaseKinds())('API keys from memory on %s', (kind) => {
  let t: TestApp;
  let admin: Client;
  beforeAll(async () => {
    t = await createTestApp(kind);
    admin = await adminLogin(t.app);
  });
  afterAll(async () => t?.close());

  it('a known key costs no query per request; a revoked key is refused at once', async () => {
    const { key, apiKey } = (await admin.post('/api/v1/api-keys', { name: 'sw', role: 'switch' })).json();
    const sw = Client.withApiKey(t.app, key);
    expect((await authorize(sw, 'warm')).statusCode).toBe(200);
    const uses = await poolUses(t.database.pool, async () => {
      for (let i = 0; i < 20; i++) expect((await authorize(sw, `c-${i}`)).json().decision).toBe('deny');
    });
    expect(uses).toBe(0);
    // An unknown key is remembered as such too (no query per garbage request) ...
    const bogus = Client.withApiKey(t.app, 'tg_nothing_' + 'x'.repeat(40));
    expectError(await authorize(bogus, 'b-0'), 401, 'UNAUTHENTICATED');
    expect(
      await poolUses(t.database.pool, async () => {
        expectError(await authorize(bogus, 'b-1'), 401, 'UNAUTHENTICATED');
      }),
    ).toBe(0);
    // ... and a key created after that works at once.
    const second = (await admin.post('/api/v1/api-keys', { name: 'sw2', role: 'switch' })).json();
    expect((await authorize(Client.withApiKey(t.app, second.key), 'n-1')).statusCode).toBe(200);

    expect((await admin.delete(`/api/v1/api-keys/${apiKey.id}`)).statusCode).toBe(204);
    expectError(await authorize(sw, 'after-revoke'), 401, 'UNAUTHENTICATED');
    // The other key is unaffected.
    expect((await authorize(Client.withApiKey(t.app, second.key), 'n-2')).statusCode).toBe(200);
  });
});

describe.runIf(testDatabaseKinds().includes('postgres'))('API keys across two instances (PostgreSQL)', () => {
  it('a key revoked on one instance is refused by the other as soon as the change is committed', async () => {
    const one = await createTestApp('postgres');
    const url = (one.database.pool as unknown as { options: { connectionString: string } }).options
      .connectionString;
    const otherDb = await openDatabase({ databaseUrl: url, poolSize: 2 });
    const two = await buildApp({
      config: {
        logLevel: 'silent',
        sessionTtlHours: 12,
        cookieSecure: false,
        trustProxy: false,
        serveUi: false,
      },
      database: otherDb,
      logger: false,
      callAuth: { sweepIntervalMs: 0 },
    });
    try {
      await two.ready();
      const admin = await adminLogin(one.app);
      const { key, apiKey } = (await admin.post('/api/v1/api-keys', { name: 'sw', role: 'switch' })).json();
      const onTwo = Client.withApiKey(two, key);
      expect((await authorize(onTwo, 'x-1')).statusCode).toBe(200);
      // Cached on two now: no query there.
      expect(
        await poolUses(otherDb.pool, async () => {
          expect((await authorize(onTwo, 'x-2')).statusCode).toBe(200);
        }),
      ).toBe(0);
      expect((await admin.delete(`/api/v1/api-keys/${apiKey.id}`)).statusCode).toBe(204);
      // The NOTIFY travels after the commit: two refuses the key within the time it takes to arrive.
      const started = Date.now();
      let status = 200;
      while (status === 200 && Date.now() - started < 5000) {
        status = (await authorize(onTwo, `x-${Date.now()}`)).statusCode;
        if (status === 200) await new Promise((r) => setTimeout(r, 5));
      }
      expect(status).toBe(401);
      const ms = Date.now() - started;
      expect(ms).toBeLessThan(1000);
    } finally {
      await two.close();
      await otherDb.close();
      await one.close();
    }
  });
});

describe('verified keys (no hash per request)', () => {
  const entry = { id: 1, actor: { kind: 'switch' } as never, touchedAt: 0 };
  const fakeListen = () => {
    const handlers: { message?: (p: string) => void; down?: () => void } = {};
    const listen = async (
      _c: string,
      onMessage: (p: string) => void,
      _up?: () => void,
      onDown?: () => void,
    ) => {
      handlers.message = onMessage;
      handlers.down = onDown;
      return async () => {};
    };
    return { listen, handlers };
  };

  it('serves a verified key for VERIFIED_TTL_MS, and never after any api_keys change', async () => {
    const { listen, handlers } = fakeListen();
    const cache = await ApiKeyCache.start(listen);
    cache.setVerified('tg_k', entry, cache.stamp(), 1000);
    expect(cache.getVerified('tg_k', 1000 + VERIFIED_TTL_MS - 1)).toBe(entry);
    expect(cache.getVerified('tg_k', 1000 + VERIFIED_TTL_MS)).toBeUndefined();
    cache.setVerified('tg_k', entry, cache.stamp(), 2000);
    handlers.message!(''); // a revoke, an insert, a role change ... on any instance
    expect(cache.getVerified('tg_k', 2001)).toBeUndefined();
    // An answer read before a change is not stored after it.
    const stamp = cache.stamp();
    cache.clear();
    cache.setVerified('tg_k', entry, stamp, 3000);
    expect(cache.getVerified('tg_k', 3001)).toBeUndefined();
    // While notifications could be missed, nothing is served from memory.
    cache.setVerified('tg_k', entry, cache.stamp(), 4000);
    handlers.down!();
    expect(cache.getVerified('tg_k', 4001)).toBeUndefined();
    await cache.close();
  });

  it('is off without notifications', async () => {
    const cache = await ApiKeyCache.start();
    cache.setVerified('tg_k', entry, cache.stamp(), 1000);
    expect(cache.getVerified('tg_k', 1001)).toBeUndefined();
  });
});

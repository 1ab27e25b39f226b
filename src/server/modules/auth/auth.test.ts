import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  Client,
  adminLogin,
  createTestApp,
  customerBody,
  expectError,
  type TestApp,
} from '../../../../test/app.js';
import { testDatabaseKinds } from '../../../../test/databases.js';

describe.each(testDatabaseKinds())('auth on %s', (kind) => {
  let t: TestApp;
  let admin: Client;

  beforeAll(async () => {
    t = await createTestApp(kind);
    admin = await adminLogin(t.app);
  });
  afterAll(async () => t?.close());

  it('signs in, answers /me, and signs out by revoking the server-side session', async () => {
    const me = (await admin.get('/api/v1/auth/me')).json();
    expect(me).toMatchObject({ login: ADMIN_EMAIL, role: 'admin', accountId: null, impersonated: false });
    const c = await adminLogin(t.app);
    expect((await c.post('/api/v1/auth/logout')).statusCode).toBe(204);
    expectError(await c.get('/api/v1/auth/me'), 401, 'UNAUTHENTICATED');
    const row = await t.database.db
      .selectFrom('sessions')
      .select(['revoked_at'])
      .where('revoked_at', 'is not', null)
      .executeTakeFirst();
    expect(row?.revoked_at).toBeTruthy();
  });

  it('stores argon2id hashes and only a hash of the session token', async () => {
    const u = await t.database.db
      .selectFrom('users')
      .select(['password_hash'])
      .where('login', '=', ADMIN_EMAIL)
      .executeTakeFirstOrThrow();
    expect(u.password_hash).toMatch(/^\$argon2id\$/);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD },
    });
    const token = String(res.headers['set-cookie']).split(';')[0].split('=')[1];
    const raw = await t.database.db
      .selectFrom('sessions')
      .select('id')
      .where('id', '=', token)
      .executeTakeFirst();
    expect(raw).toBeUndefined();
    expect(String(res.headers['set-cookie'])).toMatch(/HttpOnly/i);
    expect(String(res.headers['set-cookie'])).toMatch(/SameSite=Lax/i);
  });

  it('refuses wrong passwords without telling whether the login exists', async () => {
    const a = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: ADMIN_EMAIL, password: 'wrong-password' },
    });
    const b = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'nobody@example.com', password: 'wrong-password' },
    });
    expectError(a, 401, 'INVALID_CREDENTIALS');
    expectError(b, 401, 'INVALID_CREDENTIALS');
    expect(a.json().error.message).toBe(b.json().error.message);
  });

  it('throttles an account after 10 failures, the same for an unknown one, but lets the owner in from a known address', async () => {
    await admin.post(
      '/api/v1/customers',
      customerBody({ portalUsername: 'throttle-me', password: 'right-pass-123' }),
    );
    const login = (email: string, password: string, ip: string) =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email, password },
        remoteAddress: ip,
      });
    // The owner signs in from home once: that address is now known.
    expect((await login('throttle-me', 'right-pass-123', '198.51.100.10')).statusCode).toBe(200);
    for (const email of ['throttle-me', 'nobody-here']) {
      for (let i = 0; i < 10; i++)
        expectError(await login(email, `wrong-${i}-pass`, '203.0.113.66'), 401, 'INVALID_CREDENTIALS');
      // Past the limit: 429 with Retry-After, even with the right password, from a new address.
      const refused = await login(email, 'right-pass-123', '203.0.113.77');
      expectError(refused, 429, 'RATE_LIMITED');
      const retryAfter = Number(refused.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(14 * 60);
      expect(retryAfter).toBeLessThanOrEqual(15 * 60);
      expect(refused.json().error.message).toBe('Too many sign-in attempts. Slow down.');
    }
    // The owner, from the known address, is not locked out; a wrong password there is still a 401.
    expectError(await login('throttle-me', 'wrong-pass-x', '198.51.100.10'), 401, 'INVALID_CREDENTIALS');
    expect((await login('throttle-me', 'right-pass-123', '198.51.100.10')).statusCode).toBe(200);
    // Nothing is locked in the database.
    const row = await t.database.db
      .selectFrom('users')
      .select('locked_until')
      .where('login', '=', 'throttle-me')
      .executeTakeFirstOrThrow();
    expect(row.locked_until).toBeNull();
  });

  it('requires the CSRF token on cookie-authenticated changes', async () => {
    const cookieOnly = new Client(t.app, null, null);
    const login = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD },
    });
    const cookie = String(login.headers['set-cookie']).split(';')[0];
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/customers',
      payload: customerBody(),
      headers: { cookie },
    });
    expectError(res, 403, 'CSRF_TOKEN_INVALID', 'x-csrf-token');
    const wrong = await t.app.inject({
      method: 'POST',
      url: '/api/v1/customers',
      payload: customerBody(),
      headers: { cookie, 'x-csrf-token': 'nope' },
    });
    expectError(wrong, 403, 'CSRF_TOKEN_INVALID');
    const read = await t.app.inject({ method: 'GET', url: '/api/v1/customers', headers: { cookie } });
    expect(read.statusCode).toBe(200);
    expect(cookieOnly).toBeDefined();
  });

  it('refuses every API route without a session or key', async () => {
    for (const [method, url] of [
      ['GET', '/api/v1/customers'],
      ['POST', '/api/v1/customers'],
      ['GET', '/api/v1/resellers/1'],
      ['GET', '/api/v1/auth/me'],
      ['GET', '/api/v1/api-keys'],
    ] as const) {
      expectError(
        await t.app.inject({ method, url, payload: method === 'POST' ? {} : undefined }),
        401,
        'UNAUTHENTICATED',
      );
    }
  });

  it('API keys: created by an admin, shown once, stored hashed, usable as Bearer, revocable', async () => {
    const created = await admin.post('/api/v1/api-keys', { name: 'billing sync' });
    expect(created.statusCode).toBe(201);
    const { key, apiKey } = created.json();
    expect(key).toMatch(/^tg_/);
    const stored = await t.database.db
      .selectFrom('api_keys')
      .select(['key_hash'])
      .where('id', '=', apiKey.id)
      .executeTakeFirstOrThrow();
    expect(stored.key_hash).not.toContain(key);
    expect(JSON.stringify((await admin.get('/api/v1/api-keys')).json())).not.toContain(key);
    const machine = Client.withApiKey(t.app, key);
    const c = await machine.post('/api/v1/customers', customerBody({ name: 'Made by key' }));
    expect(c.statusCode).toBe(201);
    const audit = (await admin.get(`/api/v1/customers/${c.json().id}/audit`)).json().data;
    expect(audit[0].actor).toBe('api-key:billing sync');
    expect((await admin.delete(`/api/v1/api-keys/${apiKey.id}`)).statusCode).toBe(204);
    expectError(await machine.get('/api/v1/customers'), 401, 'UNAUTHENTICATED');
    expectError(
      await Client.withApiKey(t.app, 'tg_forged_key').get('/api/v1/customers'),
      401,
      'UNAUTHENTICATED',
    );
  });

  it('a switch key cannot use the management API', async () => {
    const { key } = (await admin.post('/api/v1/api-keys', { name: 'softswitch', role: 'switch' })).json();
    const sw = Client.withApiKey(t.app, key);
    expectError(await sw.get('/api/v1/customers'), 403, 'FORBIDDEN');
    expectError(await sw.get('/api/v1/auth/me'), 403, 'FORBIDDEN');
    expectError(await sw.post('/api/v1/api-keys', { name: 'escalate', role: 'admin' }), 403, 'FORBIDDEN');
  });

  it('staff: an admin creates another admin, and deactivating a user ends its sessions', async () => {
    const res = await admin.post('/api/v1/users', {
      email: 'noc@example.com',
      displayName: 'NOC Desk',
      password: 'noc-desk-pass-1',
    });
    expect(res.statusCode, res.body).toBe(201);
    const noc = await Client.login(t.app, 'noc@example.com', 'noc-desk-pass-1');
    expect((await noc.get('/api/v1/customers')).statusCode).toBe(200);
    expect((await admin.patch(`/api/v1/users/${res.json().id}`, { status: 'inactive' })).statusCode).toBe(
      200,
    );
    expectError(await noc.get('/api/v1/auth/me'), 401, 'UNAUTHENTICATED');
    await expect(Client.login(t.app, 'noc@example.com', 'noc-desk-pass-1')).rejects.toThrow(/401/);
    expectError(
      await admin.post('/api/v1/users', {
        email: 'noc@example.com',
        displayName: 'Again',
        password: 'noc-desk-pass-1',
      }),
      409,
      'LOGIN_TAKEN',
      'email',
    );
    const list = (await admin.get('/api/v1/users')).json().data;
    expect(list.map((u: any) => u.email)).toContain('noc@example.com');
    expect(JSON.stringify(list)).not.toContain('argon2');
  });
});

describe('login rate limit', () => {
  it('answers 429 after too many attempts from one address', async () => {
    const t = await createTestApp('pglite', { loginAttemptsPerMinute: 3 });
    try {
      const codes = [];
      let last;
      for (let i = 0; i < 5; i++) {
        const r = (last = await t.app.inject({
          method: 'POST',
          url: '/api/v1/auth/login',
          payload: { email: `x${i}@example.com`, password: 'y' },
        }));
        codes.push(r.statusCode);
      }
      expect(codes).toEqual([401, 401, 401, 429, 429]);
      expect(Number(last!.headers['retry-after'])).toBeGreaterThan(0);
    } finally {
      await t.close();
    }
  });
});

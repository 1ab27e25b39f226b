import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Client,
  adminLogin,
  createTestApp,
  customerBody,
  expectError,
  type TestApp,
} from '../../../../test/app.js';
import { testDatabaseKinds } from '../../../../test/databases.js';

describe.each(testDatabaseKinds())('preferences on %s', (kind) => {
  let t: TestApp;
  let admin: Client;
  let reseller: Client;

  beforeAll(async () => {
    t = await createTestApp(kind);
    admin = await adminLogin(t.app);
    await admin.post(
      '/api/v1/resellers',
      customerBody({ portalUsername: 'pref-res', password: 'reseller-pass-1' }),
    );
    reseller = await Client.login(t.app, 'pref-res', 'reseller-pass-1');
  });
  afterAll(async () => t?.close());

  it('stores, replaces, lists and forgets a preference of the signed-in user', async () => {
    expect((await admin.get('/api/v1/preferences')).json()).toEqual({ data: {} });
    let res = await t.app.inject({ method: 'PUT', url: '/api/v1/preferences/customers.datatable' });
    expect(res.statusCode).toBe(401);
    res = await admin.request('PUT', '/api/v1/preferences/customers.datatable', { value: ['balance'] });
    expect(res.statusCode, res.body).toBe(200);
    await admin.request('PUT', '/api/v1/preferences/customers.datatable', {
      value: ['balance', 'companyName'],
    });
    await admin.request('PUT', '/api/v1/preferences/customers.perPage', { value: 50 });
    expect((await admin.get('/api/v1/preferences')).json().data).toEqual({
      'customers.datatable': ['balance', 'companyName'],
      'customers.perPage': 50,
    });
    expect((await admin.delete('/api/v1/preferences/customers.perPage')).statusCode).toBe(204);
    expect((await admin.get('/api/v1/preferences')).json().data).toEqual({
      'customers.datatable': ['balance', 'companyName'],
    });
  });

  it("keeps each user's preferences apart: another user never reads or overwrites them", async () => {
    await admin.request('PUT', '/api/v1/preferences/shared.key', { value: 'admin' });
    await reseller.request('PUT', '/api/v1/preferences/shared.key', { value: 'reseller' });
    expect((await reseller.get('/api/v1/preferences')).json().data).toEqual({ 'shared.key': 'reseller' });
    expect((await admin.get('/api/v1/preferences')).json().data['shared.key']).toBe('admin');
    await reseller.delete('/api/v1/preferences/shared.key');
    expect((await admin.get('/api/v1/preferences')).json().data['shared.key']).toBe('admin');
  });

  it('refuses bad keys, missing or huge values, and API keys (no user)', async () => {
    expectError(
      await admin.request('PUT', '/api/v1/preferences/bad%20key', { value: 1 }),
      400,
      'VALIDATION_FAILED',
      'key',
    );
    expectError(await admin.request('PUT', '/api/v1/preferences/k', {}), 400, 'VALIDATION_FAILED', 'value');
    expectError(
      await admin.request('PUT', '/api/v1/preferences/k', { value: null }),
      400,
      'VALIDATION_FAILED',
      'value',
    );
    expectError(
      await admin.request('PUT', '/api/v1/preferences/k', { value: 'x'.repeat(10_001) }),
      400,
      'PREFERENCE_TOO_LARGE',
      'value',
    );
    expectError(
      await admin.request('PUT', '/api/v1/preferences/k', { value: 1, other: 2 }),
      400,
      'VALIDATION_FAILED',
      'other',
    );
    const key = (await admin.post('/api/v1/api-keys', { name: 'prefs' })).json().key;
    expectError(await Client.withApiKey(t.app, key).get('/api/v1/preferences'), 403, 'PREFERENCES_NEED_USER');
  });

  it('caps the number of keys per user', async () => {
    const c = await Client.login(t.app, 'pref-res', 'reseller-pass-1');
    for (let i = 0; i < 100; i++) {
      const r = await c.request('PUT', `/api/v1/preferences/k${i}`, { value: i });
      expect(r.statusCode).toBe(200);
    }
    expectError(
      await c.request('PUT', '/api/v1/preferences/one-more', { value: 1 }),
      409,
      'TOO_MANY_PREFERENCES',
      'key',
    );
    expect((await c.request('PUT', '/api/v1/preferences/k5', { value: 'replaced' })).statusCode).toBe(200);
  });
});

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

/**
 * Tenancy: a reseller reaches only its own subtree, a customer only itself. Each test acts as an
 * intruder and must get 404 or an empty list, never someone else's data.
 */
describe.each(testDatabaseKinds())('account scope on %s', (kind) => {
  let t: TestApp;
  let admin: Client;
  let resellerA: any;
  let resellerB: any;
  let subResellerA: any;
  let asA: Client;
  let asB: Client;
  let custA: any;
  let custSubA: any;
  let custB: any;
  let custAdmin: any;
  let asCustA: Client;

  beforeAll(async () => {
    t = await createTestApp(kind);
    admin = await adminLogin(t.app);
    resellerA = (
      await admin.post(
        '/api/v1/resellers',
        customerBody({ name: 'Reseller A', portalUsername: 'res-a', password: 'reseller-a-pass' }),
      )
    ).json();
    resellerB = (
      await admin.post(
        '/api/v1/resellers',
        customerBody({ name: 'Reseller B', portalUsername: 'res-b', password: 'reseller-b-pass' }),
      )
    ).json();
    asA = await Client.login(t.app, 'res-a', 'reseller-a-pass');
    asB = await Client.login(t.app, 'res-b', 'reseller-b-pass');
    custA = (
      await asA.post(
        '/api/v1/customers',
        customerBody({ name: 'A customer', portalUsername: 'cust-a', password: 'customer-a-pass' }),
      )
    ).json();
    subResellerA = (await asA.post('/api/v1/resellers', customerBody({ name: 'Sub of A' }))).json();
    custSubA = (
      await asA.post('/api/v1/customers', customerBody({ name: 'Sub customer', resellerId: subResellerA.id }))
    ).json();
    custB = (await asB.post('/api/v1/customers', customerBody({ name: 'B customer' }))).json();
    custAdmin = (await admin.post('/api/v1/customers', customerBody({ name: 'Admin customer' }))).json();
    asCustA = await Client.login(t.app, 'cust-a', 'customer-a-pass');
  });
  afterAll(async () => t?.close());

  it('a reseller creates customers under itself, and under its own sub-resellers', () => {
    expect(custA.resellerId).toBe(resellerA.id);
    expect(custA.resellerName).toBe('Reseller A');
    expect(subResellerA.resellerId).toBe(resellerA.id);
    expect(custSubA.resellerId).toBe(subResellerA.id);
  });

  it("a reseller cannot place a customer under another reseller's tree", async () => {
    expectError(
      await asA.post('/api/v1/customers', customerBody({ resellerId: resellerB.id })),
      400,
      'RESELLER_NOT_FOUND',
      'resellerId',
    );
  });

  it('an admin sees everything, including resellers’ customers', async () => {
    const ids = (await admin.get('/api/v1/customers?limit=100')).json().data.map((c: any) => c.id);
    expect(ids).toEqual(expect.arrayContaining([custA.id, custSubA.id, custB.id, custAdmin.id]));
    expect(
      (await admin.get(`/api/v1/customers?resellerId=${resellerA.id}&limit=100`))
        .json()
        .data.map((c: any) => c.id),
    ).toEqual([custA.id]);
  });

  it('a reseller lists only its subtree, whatever the filter says', async () => {
    const ids = (await asA.get('/api/v1/customers?limit=100'))
      .json()
      .data.map((c: any) => c.id)
      .sort();
    expect(ids).toEqual([custA.id, custSubA.id].sort());
    expect((await asA.get(`/api/v1/customers?resellerId=${resellerB.id}&limit=100`)).json()).toMatchObject({
      data: [],
      total: 0,
    });
    expect((await asA.get(`/api/v1/customers?q=${custB.accountNumber}&limit=100`)).json().total).toBe(0);
    expect((await asA.get('/api/v1/customers?resellerId=none&limit=100')).json().total).toBe(0);
    const resellers = (await asA.get('/api/v1/resellers?limit=100')).json().data.map((r: any) => r.id);
    expect(resellers).toEqual([subResellerA.id]);
  });

  it("a reseller gets 404 for another reseller's customer by id, on every route", async () => {
    const id = custB.id;
    expectError(await asA.get(`/api/v1/customers/${id}`), 404, 'ACCOUNT_NOT_FOUND');
    expectError(await asA.patch(`/api/v1/customers/${id}`, { city: 'Hijacked' }), 404, 'ACCOUNT_NOT_FOUND');
    expectError(await asA.delete(`/api/v1/customers/${id}`), 404, 'ACCOUNT_NOT_FOUND');
    expectError(await asA.post(`/api/v1/customers/${id}/deactivate`), 404, 'ACCOUNT_NOT_FOUND');
    expectError(
      await asA.post(`/api/v1/customers/${id}/password`, { password: 'taken-over-123' }),
      404,
      'ACCOUNT_NOT_FOUND',
    );
    expectError(await asA.get(`/api/v1/customers/${id}/audit`), 404, 'ACCOUNT_NOT_FOUND');
    expectError(await asA.get(`/api/v1/customers/${custAdmin.id}`), 404, 'ACCOUNT_NOT_FOUND');
    expectError(await asA.get(`/api/v1/resellers/${resellerB.id}`), 404, 'ACCOUNT_NOT_FOUND');
    expectError(await asA.get(`/api/v1/resellers/${resellerA.id}`), 404, 'ACCOUNT_NOT_FOUND');
    const after = (await admin.get(`/api/v1/customers/${id}`)).json();
    expect(after.city).toBeNull();
    expect(after.status).toBe('active');
  });

  it("a reseller's bulk action on foreign ids fails per row and changes nothing", async () => {
    const res = (
      await asA.post('/api/v1/customers/bulk', {
        action: 'deactivate',
        ids: [custB.id, custAdmin.id, custA.id],
      })
    ).json();
    expect(res.results.map((r: any) => r.ok)).toEqual([false, false, true]);
    expect(res.results[0].error.code).toBe('ACCOUNT_NOT_FOUND');
    expect((await admin.get(`/api/v1/customers/${custB.id}`)).json().status).toBe('active');
    expect((await admin.get(`/api/v1/customers/${custAdmin.id}`)).json().status).toBe('active');
    await asA.post(`/api/v1/customers/${custA.id}/activate`);
  });

  it('a reseller cannot grant unlimited credit', async () => {
    const res = await asA.patch(`/api/v1/customers/${custA.id}`, { mode: 'postpaid', unlimitedCredit: true });
    expectError(res, 403, 'FORBIDDEN', 'unlimitedCredit');
  });

  it('a customer sees only itself and cannot manage accounts', async () => {
    // (the bulk test above deactivated custA once, which ended its earlier session)
    asCustA = await Client.login(t.app, 'cust-a', 'customer-a-pass');
    const list = (await asCustA.get('/api/v1/customers?limit=100')).json();
    expect(list.data.map((c: any) => c.id)).toEqual([custA.id]);
    expect((await asCustA.get(`/api/v1/customers/${custA.id}`)).statusCode).toBe(200);
    expectError(await asCustA.get(`/api/v1/customers/${custB.id}`), 404, 'ACCOUNT_NOT_FOUND');
    expectError(await asCustA.post('/api/v1/customers', customerBody()), 403, 'FORBIDDEN');
    expectError(
      await asCustA.patch(`/api/v1/customers/${custA.id}`, { creditLimit: '1000' }),
      403,
      'FORBIDDEN',
    );
    expectError(
      await asCustA.post('/api/v1/customers/bulk', { action: 'activate', ids: [custA.id] }),
      403,
      'FORBIDDEN',
    );
    expectError(await asCustA.get('/api/v1/api-keys'), 403, 'FORBIDDEN');
  });

  it("deactivating a reseller locks out its subtree's portal users", async () => {
    const r = (
      await admin.post(
        '/api/v1/resellers',
        customerBody({ name: 'Reseller C', portalUsername: 'res-c', password: 'reseller-c-pass' }),
      )
    ).json();
    const asC = await Client.login(t.app, 'res-c', 'reseller-c-pass');
    await asC.post(
      '/api/v1/customers',
      customerBody({ portalUsername: 'cust-c', password: 'customer-c-pass' }),
    );
    const asCustC = await Client.login(t.app, 'cust-c', 'customer-c-pass');
    await admin.post(`/api/v1/resellers/${r.id}/deactivate`);
    expect((await asC.get('/api/v1/auth/me')).statusCode).toBe(401);
    expect((await asCustC.get('/api/v1/auth/me')).statusCode).toBe(401);
  });

  it('deleting a reseller deletes its whole subtree, bottom-up', async () => {
    const r = (await admin.post('/api/v1/resellers', customerBody({ name: 'Reseller D' }))).json();
    const sub = (
      await admin.post('/api/v1/resellers', customerBody({ name: 'Sub of D', resellerId: r.id }))
    ).json();
    const c1 = (await admin.post('/api/v1/customers', customerBody({ resellerId: sub.id }))).json();
    expect((await admin.delete(`/api/v1/resellers/${r.id}`)).statusCode).toBe(204);
    for (const [path, id] of [
      ['resellers', sub.id],
      ['customers', c1.id],
    ] as const) {
      expectError(await admin.get(`/api/v1/${path}/${id}`), 404, 'ACCOUNT_NOT_FOUND');
    }
    const audit = (await admin.get(`/api/v1/customers/${c1.id}/audit`)).json().data;
    expect(audit[0].after).toHaveProperty('deletedAt');
  });
});

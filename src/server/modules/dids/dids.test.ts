import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminLogin, createTestApp, expectError, type Client, type TestApp } from '../../../../test/app.js';
import { testDatabaseKinds } from '../../../../test/databases.js';
import { makeCustomer, makeReseller, ok } from '../../../../test/connectivity.js';

describe.each(testDatabaseKinds())('DIDs on %s', (kind) => {
  let t: TestApp;
  let admin: Client;
  let n = 0;
  const num = () => `3319${String(Date.now() % 1e6).padStart(6, '0')}${++n}`;
  beforeAll(async () => {
    t = await createTestApp(kind);
    admin = await adminLogin(t.app);
  });
  afterAll(async () => t?.close());

  it('keeps an inventory; assigns to and releases from a customer', async () => {
    const c = await makeCustomer(admin);
    const d = await ok(
      admin.post('/api/v1/dids', { number: num(), description: 'Paris', monthlyFee: '1.5' }),
      201,
    );
    expect(d).toMatchObject({
      resellerId: null,
      customerId: null,
      status: 'active',
      monthlyFee: '1.500000',
      assignedAt: null,
    });
    expectError(await admin.post('/api/v1/dids', { number: d.number }), 409, 'DID_TAKEN', 'number');
    const a = await ok(admin.post(`/api/v1/dids/${d.id}/assign`, { customerId: c.id }));
    expect(a).toMatchObject({ customerId: c.id, customerName: c.name });
    expect(a.assignedAt).not.toBeNull();
    expectError(
      await admin.post(`/api/v1/dids/${d.id}/assign`, { customerId: c.id }),
      409,
      'DID_ALREADY_ASSIGNED',
      'customerId',
    );
    expect((await ok(admin.get(`/api/v1/customers/${c.id}/dids`))).data.map((x: any) => x.id)).toEqual([
      d.id,
    ]);
    expect((await ok(admin.get(`/api/v1/dids?assigned=true&customerId=${c.id}`))).data).toHaveLength(1);
    const r = await ok(admin.post(`/api/v1/dids/${d.id}/release`));
    expect(r).toMatchObject({ customerId: null, assignedAt: null });
    expect((await ok(admin.post(`/api/v1/dids/${d.id}/release`))).customerId).toBeNull(); // idempotent
    expect(
      (await ok(admin.get(`/api/v1/dids?number=${d.number.slice(0, 6)}&assigned=false`))).data.map(
        (x: any) => x.id,
      ),
    ).toContain(d.id);
    expect(
      (await ok(admin.patch(`/api/v1/dids/${d.id}`, { status: 'inactive', monthlyFee: '2' }))).monthlyFee,
    ).toBe('2.000000');
    await ok(admin.delete(`/api/v1/dids/${d.id}`), 204);
    expectError(await admin.get(`/api/v1/dids/${d.id}`), 404, 'DID_NOT_FOUND');
    await ok(admin.post('/api/v1/dids', { number: d.number }), 201); // the number is free again
  });

  it.each([
    [{ number: '+331' }, 'number'],
    [{ number: '1'.repeat(21) }, 'number'],
    [{ number: '1', monthlyFee: '-1' }, 'monthlyFee'],
  ])('rejects %j naming the field', async (body, field) => {
    expectError(await admin.post('/api/v1/dids', body), 400, 'VALIDATION_FAILED', field);
  });

  it("a reseller's pool goes to its own customers only; another reseller gets 404", async () => {
    const r1 = await makeReseller(t, admin);
    const r2 = await makeReseller(t, admin);
    const c1 = await makeCustomer(r1.client);
    const adminCustomer = await makeCustomer(admin);
    const inPool = await ok(admin.post('/api/v1/dids', { number: num(), resellerId: r1.account.id }), 201);
    expect(inPool.resellerId).toBe(r1.account.id);
    const own = await ok(r1.client.post('/api/v1/dids', { number: num() }), 201);
    expect(own.resellerId).toBe(r1.account.id);
    await ok(r1.client.post(`/api/v1/dids/${inPool.id}/assign`, { customerId: c1.id }));
    // an operator-pool DID cannot go to a reseller's customer, nor a reseller's to the operator's
    const opDid = await ok(admin.post('/api/v1/dids', { number: num() }), 201);
    expectError(
      await admin.post(`/api/v1/dids/${opDid.id}/assign`, { customerId: c1.id }),
      400,
      'DID_POOL_MISMATCH',
      'customerId',
    );
    expectError(
      await admin.post(`/api/v1/dids/${own.id}/assign`, { customerId: adminCustomer.id }),
      400,
      'DID_POOL_MISMATCH',
      'customerId',
    );
    // moving it to the reseller's pool makes it assignable there
    await ok(admin.patch(`/api/v1/dids/${opDid.id}`, { resellerId: r1.account.id }));
    await ok(r1.client.post(`/api/v1/dids/${opDid.id}/assign`, { customerId: c1.id }));
    expectError(
      await admin.patch(`/api/v1/dids/${opDid.id}`, { resellerId: null }),
      409,
      'DID_ALREADY_ASSIGNED',
      'customerId',
    );
    // the intruder
    for (const res of [
      await r2.client.get(`/api/v1/dids/${inPool.id}`),
      await r2.client.patch(`/api/v1/dids/${inPool.id}`, { description: 'x' }),
      await r2.client.post(`/api/v1/dids/${inPool.id}/release`),
      await r2.client.post(`/api/v1/dids/${own.id}/assign`, { customerId: c1.id }),
      await r2.client.delete(`/api/v1/dids/${own.id}`),
    ])
      expectError(res, 404, 'DID_NOT_FOUND');
    expect((await ok(r2.client.get('/api/v1/dids'))).data).toEqual([]);
    expectError(await r2.client.get(`/api/v1/customers/${c1.id}/dids`), 404, 'ACCOUNT_NOT_FOUND');
    // a reseller cannot put DIDs into the operator's pool
    expectError(await r1.client.patch(`/api/v1/dids/${own.id}`, { resellerId: null }), 403, 'FORBIDDEN');
  });
});

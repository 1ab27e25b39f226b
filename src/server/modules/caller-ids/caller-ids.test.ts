import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminLogin, createTestApp, expectError, type Client, type TestApp } from '../../../../test/app.js';
import { testDatabaseKinds } from '../../../../test/databases.js';
import { makeCustomer, makeReseller, ok } from '../../../../test/connectivity.js';

describe.each(testDatabaseKinds())('caller IDs and force caller ID on %s', (kind) => {
  let t: TestApp;
  let admin: Client;
  beforeAll(async () => {
    t = await createTestApp(kind);
    admin = await adminLogin(t.app);
  });
  afterAll(async () => t?.close());

  it('adds, lists, edits and deletes caller IDs; a number is unique per customer, not across', async () => {
    const a = await makeCustomer(admin);
    const b = await makeCustomer(admin);
    const c1 = await ok(
      admin.post(`/api/v1/customers/${a.id}/caller-ids`, { number: '442079460000', description: 'Main' }),
      201,
    );
    expect(c1).toMatchObject({ customerId: a.id, number: '442079460000', status: 'active' });
    expectError(
      await admin.post(`/api/v1/customers/${a.id}/caller-ids`, { number: '442079460000' }),
      409,
      'CALLER_ID_TAKEN',
      'number',
    );
    await ok(admin.post(`/api/v1/customers/${b.id}/caller-ids`, { number: '442079460000' }), 201);
    const c2 = await ok(admin.post(`/api/v1/customers/${a.id}/caller-ids`, { number: '15550100' }), 201);
    expect(
      (await ok(admin.get(`/api/v1/customers/${a.id}/caller-ids`))).data.map((x: any) => x.number),
    ).toEqual(['15550100', '442079460000']);
    expectError(
      await admin.patch(`/api/v1/caller-ids/${c2.id}`, { number: '442079460000' }),
      409,
      'CALLER_ID_TAKEN',
      'number',
    );
    expect((await ok(admin.patch(`/api/v1/caller-ids/${c2.id}`, { status: 'inactive' }))).status).toBe(
      'inactive',
    );
    await ok(admin.delete(`/api/v1/caller-ids/${c1.id}`), 204);
    await ok(admin.post(`/api/v1/customers/${a.id}/caller-ids`, { number: '442079460000' }), 201);
    const audit = (await ok(admin.get(`/api/v1/customers/${a.id}/audit`))).data.map((x: any) => x.action);
    expect(audit).toEqual(
      expect.arrayContaining(['caller_id.create', 'caller_id.update', 'caller_id.delete']),
    );
  });

  it.each([
    [{ number: '+4420' }, 'number'],
    [{ number: '1'.repeat(21) }, 'number'],
    [{ number: '' }, 'number'],
    [{ number: '1', description: 'x'.repeat(101) }, 'description'],
  ])('rejects caller ID %j naming the field', async (body, field) => {
    const a = await makeCustomer(admin);
    expectError(
      await admin.post(`/api/v1/customers/${a.id}/caller-ids`, body),
      400,
      'VALIDATION_FAILED',
      field,
    );
  });

  it('keeps at most one active force caller ID', async () => {
    const a = await makeCustomer(admin);
    const f1 = await ok(
      admin.post(`/api/v1/customers/${a.id}/force-caller-ids`, { name: 'Sales', number: '15550000' }),
      201,
    );
    expect(f1).toMatchObject({ name: 'Sales', number: '15550000', status: 'active' });
    expectError(
      await admin.post(`/api/v1/customers/${a.id}/force-caller-ids`, { number: '15550001' }),
      409,
      'FORCE_CALLER_ID_ACTIVE_EXISTS',
      'status',
    );
    const f2 = await ok(
      admin.post(`/api/v1/customers/${a.id}/force-caller-ids`, { number: '15550001', status: 'inactive' }),
      201,
    );
    expectError(
      await admin.patch(`/api/v1/force-caller-ids/${f2.id}`, { status: 'active' }),
      409,
      'FORCE_CALLER_ID_ACTIVE_EXISTS',
      'status',
    );
    await ok(admin.patch(`/api/v1/force-caller-ids/${f1.id}`, { status: 'inactive' }));
    expect((await ok(admin.patch(`/api/v1/force-caller-ids/${f2.id}`, { status: 'active' }))).status).toBe(
      'active',
    );
    expect((await ok(admin.get(`/api/v1/customers/${a.id}/force-caller-ids`))).data).toHaveLength(2);
    expectError(
      await admin.post(`/api/v1/customers/${a.id}/force-caller-ids`, { name: 'n'.repeat(31), number: '1' }),
      400,
      'VALIDATION_FAILED',
      'name',
    );
    await ok(admin.delete(`/api/v1/force-caller-ids/${f2.id}`), 204);
    await ok(admin.post(`/api/v1/customers/${a.id}/force-caller-ids`, { number: '15550002' }), 201);
    const audit = (await ok(admin.get(`/api/v1/customers/${a.id}/audit`))).data as {
      action: string;
      after: Record<string, unknown> | null;
    }[];
    expect(audit.map((x) => x.action)).toEqual(
      expect.arrayContaining(['force_caller_id.create', 'force_caller_id.update', 'force_caller_id.delete']),
    );
    expect(
      audit.find((x) => x.action === 'force_caller_id.create' && x.after?.number === '15550000')!.after,
    ).toMatchObject({ name: 'Sales', number: '15550000', status: 'active' });
  });

  it('another reseller gets 404', async () => {
    const r1 = await makeReseller(t, admin);
    const r2 = await makeReseller(t, admin);
    const c = await makeCustomer(r1.client);
    const cid = await ok(r1.client.post(`/api/v1/customers/${c.id}/caller-ids`, { number: '1555' }), 201);
    const f = await ok(r1.client.post(`/api/v1/customers/${c.id}/force-caller-ids`, { number: '1556' }), 201);
    expectError(await r2.client.get(`/api/v1/customers/${c.id}/caller-ids`), 404, 'ACCOUNT_NOT_FOUND');
    expectError(
      await r2.client.patch(`/api/v1/caller-ids/${cid.id}`, { status: 'inactive' }),
      404,
      'CALLER_ID_NOT_FOUND',
    );
    expectError(await r2.client.delete(`/api/v1/caller-ids/${cid.id}`), 404, 'CALLER_ID_NOT_FOUND');
    expectError(
      await r2.client.patch(`/api/v1/force-caller-ids/${f.id}`, { status: 'inactive' }),
      404,
      'FORCE_CALLER_ID_NOT_FOUND',
    );
    expectError(
      await r2.client.post(`/api/v1/customers/${c.id}/force-caller-ids`, { number: '1' }),
      404,
      'ACCOUNT_NOT_FOUND',
    );
  });
});

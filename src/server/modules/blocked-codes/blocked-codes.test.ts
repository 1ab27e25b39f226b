import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminLogin, createTestApp, expectError, type Client, type TestApp } from '../../../../test/app.js';
import { testDatabaseKinds } from '../../../../test/databases.js';
import { makeCustomer, makeReseller, ok } from '../../../../test/connectivity.js';
import { findBlockingCode } from './blocked-codes.service.js';

describe('blocked prefix matching (pure)', () => {
  it('matches plain prefixes, the longest first, never as patterns', () => {
    expect(findBlockingCode(['90', '900', '44'], '9001234')).toBe('900');
    expect(findBlockingCode(['90'], '8190')).toBeNull();
    expect(findBlockingCode(['1.'], '123')).toBeNull();
    expect(findBlockingCode([], '123')).toBeNull();
  });
});

describe.each(testDatabaseKinds())('blocked codes on %s', (kind) => {
  let t: TestApp;
  let admin: Client;
  beforeAll(async () => {
    t = await createTestApp(kind);
    admin = await adminLogin(t.app);
  });
  afterAll(async () => t?.close());

  it('adds, lists, edits and deletes blocked prefixes with labels; unique per account', async () => {
    const a = await makeCustomer(admin);
    const b1 = await ok(
      admin.post(`/api/v1/customers/${a.id}/blocked-codes`, { prefix: '900', label: 'Premium' }),
      201,
    );
    expect(b1).toMatchObject({ accountId: a.id, prefix: '900', label: 'Premium' });
    expectError(
      await admin.post(`/api/v1/customers/${a.id}/blocked-codes`, { prefix: '900' }),
      409,
      'BLOCKED_CODE_TAKEN',
      'prefix',
    );
    await ok(admin.post(`/api/v1/customers/${a.id}/blocked-codes`, { prefix: '1900' }), 201);
    expect(
      (await ok(admin.get(`/api/v1/customers/${a.id}/blocked-codes`))).data.map((x: any) => x.prefix),
    ).toEqual(['1900', '900']);
    expect((await ok(admin.patch(`/api/v1/blocked-codes/${b1.id}`, { label: null }))).label).toBeNull();
    await ok(admin.delete(`/api/v1/blocked-codes/${b1.id}`), 204);
    await ok(admin.post(`/api/v1/customers/${a.id}/blocked-codes`, { prefix: '900' }), 201);
    expectError(
      await admin.post(`/api/v1/customers/${a.id}/blocked-codes`, { prefix: '90*' }),
      400,
      'VALIDATION_FAILED',
      'prefix',
    );
    // The create records what the code is, the edit what changed, the delete what the code was.
    const audit = (await ok(admin.get(`/api/v1/customers/${a.id}/audit`))).data as {
      action: string;
      before: Record<string, unknown> | null;
      after: Record<string, unknown> | null;
    }[];
    const made = audit.find((x) => x.action === 'blocked_code.create' && x.after?.prefix === '1900')!;
    expect(made.after).toMatchObject({ accountId: a.id, prefix: '1900' });
    const edit = audit.find((x) => x.action === 'blocked_code.update')!;
    expect([edit.before?.label, edit.after?.label]).toEqual(['Premium', null]);
    const gone = audit.find((x) => x.action === 'blocked_code.delete')!;
    expect(gone.before).toMatchObject({ prefix: '900', label: null });
  });

  it('a reseller account can carry blocked codes for its subtree', async () => {
    const r = await makeReseller(t, admin);
    await ok(admin.post(`/api/v1/customers/${r.account.id}/blocked-codes`, { prefix: '881' }), 201);
    expect((await ok(admin.get(`/api/v1/customers/${r.account.id}/blocked-codes`))).data).toHaveLength(1);
  });

  it('another reseller gets 404', async () => {
    const r1 = await makeReseller(t, admin);
    const r2 = await makeReseller(t, admin);
    const c = await makeCustomer(r1.client);
    const b = await ok(r1.client.post(`/api/v1/customers/${c.id}/blocked-codes`, { prefix: '1' }), 201);
    expectError(await r2.client.get(`/api/v1/customers/${c.id}/blocked-codes`), 404, 'ACCOUNT_NOT_FOUND');
    expectError(
      await r2.client.patch(`/api/v1/blocked-codes/${b.id}`, { label: 'x' }),
      404,
      'BLOCKED_CODE_NOT_FOUND',
    );
    expectError(await r2.client.delete(`/api/v1/blocked-codes/${b.id}`), 404, 'BLOCKED_CODE_NOT_FOUND');
  });
});

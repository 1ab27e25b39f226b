import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminLogin, createTestApp, expectError, type Client, type TestApp } from '../../../../test/app.js';
import { testDatabaseKinds } from '../../../../test/databases.js';
import { makeCustomer, makeReseller, ok } from '../../../../test/connectivity.js';
import { expandSpeedDial } from './speed-dials.service.js';

describe('speed dial expansion (pure)', () => {
  it('replaces a single digit with an entry, and nothing else', () => {
    const dials = [{ key: 1, number: '442079460000' }];
    expect(expandSpeedDial(dials, '1')).toBe('442079460000');
    expect(expandSpeedDial(dials, '2')).toBe('2');
    expect(expandSpeedDial(dials, '11')).toBe('11');
  });
});

describe.each(testDatabaseKinds())('speed dials on %s', (kind) => {
  let t: TestApp;
  let admin: Client;
  beforeAll(async () => {
    t = await createTestApp(kind);
    admin = await adminLogin(t.app);
  });
  afterAll(async () => t?.close());

  it('sets keys 0-9, changes and clears them', async () => {
    const c = await makeCustomer(admin);
    const put = (key: number, number: string) =>
      admin.request('PUT', `/api/v1/customers/${c.id}/speed-dials/${key}`, { number });
    expect(await ok(put(0, '15550000'))).toMatchObject({ key: 0, number: '15550000', customerId: c.id });
    await ok(put(9, '4420'));
    expect((await ok(put(9, '4421'))).number).toBe('4421');
    expect(
      (await ok(admin.get(`/api/v1/customers/${c.id}/speed-dials`))).data.map((d: any) => [d.key, d.number]),
    ).toEqual([
      [0, '15550000'],
      [9, '4421'],
    ]);
    await ok(admin.delete(`/api/v1/customers/${c.id}/speed-dials/9`), 204);
    expectError(await admin.delete(`/api/v1/customers/${c.id}/speed-dials/9`), 404, 'SPEED_DIAL_NOT_FOUND');
    await ok(put(9, '4422'));
    expectError(await put(10, '1'), 400, 'VALIDATION_FAILED', 'key');
    expectError(await put(1, '1'.repeat(21)), 400, 'VALIDATION_FAILED', 'number');
    expectError(await put(1, '12a'), 400, 'VALIDATION_FAILED', 'number');
    const audit = (await ok(admin.get(`/api/v1/customers/${c.id}/audit`))).data.map((x: any) => x.action);
    expect(audit).toEqual(expect.arrayContaining(['speed_dial.set', 'speed_dial.clear']));
  });

  it('another reseller gets 404', async () => {
    const r1 = await makeReseller(t, admin);
    const r2 = await makeReseller(t, admin);
    const c = await makeCustomer(r1.client);
    await ok(r1.client.request('PUT', `/api/v1/customers/${c.id}/speed-dials/1`, { number: '1' }));
    expectError(await r2.client.get(`/api/v1/customers/${c.id}/speed-dials`), 404, 'ACCOUNT_NOT_FOUND');
    expectError(
      await r2.client.request('PUT', `/api/v1/customers/${c.id}/speed-dials/1`, { number: '2' }),
      404,
      'ACCOUNT_NOT_FOUND',
    );
    expectError(await r2.client.delete(`/api/v1/customers/${c.id}/speed-dials/1`), 404, 'ACCOUNT_NOT_FOUND');
  });
});

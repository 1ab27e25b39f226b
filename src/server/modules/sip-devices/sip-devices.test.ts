import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, adminLogin, createTestApp, expectError, type TestApp } from '../../../../test/app.js';
import { testDatabaseKinds } from '../../../../test/databases.js';
import { systemActor, type Ctx } from '../../platform/context.js';
import { makeCustomer, makeReseller, ok } from '../../../../test/connectivity.js';
import * as sipDevicesService from './sip-devices.service.js';

describe.each(testDatabaseKinds())('SIP devices on %s', (kind) => {
  let t: TestApp;
  let admin: Client;
  let sys: Ctx;

  beforeAll(async () => {
    t = await createTestApp(kind);
    admin = await adminLogin(t.app);
    sys = { actor: systemActor, db: t.database.db, now: () => new Date() };
  });
  afterAll(async () => t?.close());

  it('creates a device with a generated secret shown once; lists and reads never show it', async () => {
    const c = await makeCustomer(admin);
    const d = await ok(
      admin.post(`/api/v1/customers/${c.id}/sip-devices`, {
        username: `dev-${c.id}`,
        callerIdName: 'Front desk',
        callerIdNumber: '15550001',
        codecs: ['PCMU', 'G722'],
      }),
      201,
    );
    expect(d.secret).toMatch(/^[A-Za-z0-9]{20}$/);
    expect(d).toMatchObject({
      customerId: c.id,
      status: 'active',
      effectiveStatus: 'active',
      codecs: ['PCMU', 'G722'],
    });
    const list = await admin.get(`/api/v1/customers/${c.id}/sip-devices`);
    expect(list.json().data).toHaveLength(1);
    expect(list.body).not.toContain(d.secret);
    expect(list.body).not.toContain('secret');
    const one = await admin.get(`/api/v1/sip-devices/${d.id}`);
    expect(one.body).not.toContain(d.secret);
    // stored encrypted: the clear secret is nowhere in the table or the audit
    const row = await t.database.db
      .selectFrom('sip_devices')
      .select('secret_enc')
      .where('id', '=', d.id)
      .executeTakeFirstOrThrow();
    expect(row.secret_enc).not.toContain(d.secret);
    expect(row.secret_enc.startsWith('v1.')).toBe(true);
    const audit = await t.database.db
      .selectFrom('audit_log')
      .select(['before', 'after'])
      .where('account_id', '=', c.id)
      .execute();
    expect(JSON.stringify(audit)).not.toContain(d.secret);
    // the switch can read it back for digest authentication
    const creds = await sipDevicesService.deviceCredentials(sys, d.username.toUpperCase());
    expect(creds).toEqual({ deviceId: d.id, customerId: c.id, isActive: true, secret: d.secret });
  });

  it('accepts a given secret of 12+ characters, resets it on demand', async () => {
    const c = await makeCustomer(admin);
    const d = await ok(
      admin.post(`/api/v1/customers/${c.id}/sip-devices`, {
        username: `given-${c.id}`,
        secret: 'my-own-secret-1',
      }),
      201,
    );
    expect(d.secret).toBe('my-own-secret-1');
    const reset = await ok(admin.post(`/api/v1/sip-devices/${d.id}/reset-secret`));
    expect(reset.secret).not.toBe('my-own-secret-1');
    expect((await sipDevicesService.deviceCredentials(sys, d.username))!.secret).toBe(reset.secret);
    await ok(admin.patch(`/api/v1/sip-devices/${d.id}`, { secret: 'another-secret-2' }));
    expect((await sipDevicesService.deviceCredentials(sys, d.username))!.secret).toBe('another-secret-2');
  });

  it.each([
    [{ username: 'ab' }, 'username'],
    [{ username: 'x'.repeat(41) }, 'username'],
    [{ username: 'has space' }, 'username'],
    [{ username: 'okname', secret: 'short-11chr' }, 'secret'],
    [{ username: 'okname', secret: 'with spaces in it' }, 'secret'],
    [{ username: 'okname', callerIdNumber: '+1555' }, 'callerIdNumber'],
    [{ username: 'okname', callerIdName: 'n'.repeat(41) }, 'callerIdName'],
    [{ username: 'okname', status: 'on' }, 'status'],
    [{ username: 'okname', codecs: ['PCMU', 'PCMU'] }, 'codecs'],
  ])('rejects bad input %j with 400 naming the field', async (body, field) => {
    const c = await makeCustomer(admin);
    expectError(
      await admin.post(`/api/v1/customers/${c.id}/sip-devices`, body),
      400,
      'VALIDATION_FAILED',
      field,
    );
  });

  it('usernames are unique across live devices of all customers, case-insensitively; delete frees them', async () => {
    const a = await makeCustomer(admin);
    const b = await makeCustomer(admin);
    const d = await ok(admin.post(`/api/v1/customers/${a.id}/sip-devices`, { username: 'Shared.User' }), 201);
    expectError(
      await admin.post(`/api/v1/customers/${b.id}/sip-devices`, { username: 'shared.user' }),
      409,
      'SIP_USERNAME_TAKEN',
      'username',
    );
    const other = await ok(
      admin.post(`/api/v1/customers/${b.id}/sip-devices`, { username: 'other.user' }),
      201,
    );
    expectError(
      await admin.patch(`/api/v1/sip-devices/${other.id}`, { username: 'SHARED.USER' }),
      409,
      'SIP_USERNAME_TAKEN',
      'username',
    );
    await ok(admin.delete(`/api/v1/sip-devices/${d.id}`), 204);
    expectError(await admin.get(`/api/v1/sip-devices/${d.id}`), 404, 'SIP_DEVICE_NOT_FOUND');
    expect(await sipDevicesService.deviceCredentials(sys, 'shared.user')).toBeNull();
    await ok(admin.post(`/api/v1/customers/${b.id}/sip-devices`, { username: 'shared.user' }), 201);
  });

  it('edits fields and audits the change; effective status follows the customer', async () => {
    const c = await makeCustomer(admin);
    const d = await ok(
      admin.post(`/api/v1/customers/${c.id}/sip-devices`, { username: `edit-${c.id}` }),
      201,
    );
    const e = await ok(
      admin.patch(`/api/v1/sip-devices/${d.id}`, {
        callerIdName: 'Sales',
        callerIdNumber: '4420',
        voicemailEnabled: true,
      }),
    );
    expect(e).toMatchObject({ callerIdName: 'Sales', callerIdNumber: '4420', voicemailEnabled: true });
    const audit = (await ok(admin.get(`/api/v1/customers/${c.id}/audit`))).data[0];
    expect(audit).toMatchObject({ action: 'sip_device.update', after: { callerIdName: 'Sales' } });
    await ok(admin.post(`/api/v1/customers/${c.id}/deactivate`));
    expect((await ok(admin.get(`/api/v1/sip-devices/${d.id}`))).effectiveStatus).toBe('inactive');
    expect((await sipDevicesService.deviceCredentials(sys, d.username))!.isActive).toBe(false);
  });

  it('another reseller gets 404 for a device; a customer gets 403; only the system reads credentials', async () => {
    const r1 = await makeReseller(t, admin);
    const r2 = await makeReseller(t, admin);
    const c1 = await makeCustomer(r1.client, {
      portalUsername: `sipc-${Date.now()}`,
      password: 'customer-pass-1',
    });
    const d = await ok(
      r1.client.post(`/api/v1/customers/${c1.id}/sip-devices`, { username: `r1-${c1.id}` }),
      201,
    );
    expectError(await r2.client.get(`/api/v1/sip-devices/${d.id}`), 404, 'SIP_DEVICE_NOT_FOUND');
    expectError(
      await r2.client.patch(`/api/v1/sip-devices/${d.id}`, { status: 'inactive' }),
      404,
      'SIP_DEVICE_NOT_FOUND',
    );
    expectError(
      await r2.client.post(`/api/v1/sip-devices/${d.id}/reset-secret`),
      404,
      'SIP_DEVICE_NOT_FOUND',
    );
    expectError(await r2.client.delete(`/api/v1/sip-devices/${d.id}`), 404, 'SIP_DEVICE_NOT_FOUND');
    expectError(await r2.client.get(`/api/v1/customers/${c1.id}/sip-devices`), 404, 'ACCOUNT_NOT_FOUND');
    expectError(
      await r2.client.post(`/api/v1/customers/${c1.id}/sip-devices`, { username: 'sneaky' }),
      404,
      'ACCOUNT_NOT_FOUND',
    );
    expect((await ok(r1.client.get(`/api/v1/sip-devices/${d.id}`))).id).toBe(d.id);
    const portal = await Client.login(t.app, c1.portalUsername, 'customer-pass-1');
    expectError(await portal.get(`/api/v1/customers/${c1.id}/sip-devices`), 403, 'FORBIDDEN');
    const asAdmin: Ctx = { ...sys, actor: { kind: 'admin', userId: 1, apiKeyId: null, label: 'a' } };
    expect(await sipDevicesService.deviceCredentials(asAdmin, d.username)).toBeNull();
  });
});

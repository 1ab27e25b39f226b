import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminLogin, createTestApp, customerBody, expectError, type Client, type TestApp } from './app.js';
import { testDatabaseKinds } from './databases.js';
import { systemActor } from '../src/server/platform/context.js';
import { sipDevicesService } from '../src/server/modules/sip-devices/index.js';
import { makeCustomer, makeReseller, ok } from './connectivity.js';

describe.each(testDatabaseKinds())('connectivity of accounts on %s', (kind) => {
  let t: TestApp;
  let admin: Client;

  beforeAll(async () => {
    t = await createTestApp(kind);
    admin = await adminLogin(t.app);
  });
  afterAll(async () => t?.close());

  describe('create with a SIP device', () => {
    it('createSipDevice: true makes a device named after the account number, secret shown once', async () => {
      const c = await makeCustomer(admin, { createSipDevice: true });
      expect(c.sipDevice).toMatchObject({ username: c.accountNumber });
      expect(c.sipDevice.secret).toMatch(/^[A-Za-z0-9]{20}$/);
      const devices = (await ok(admin.get(`/api/v1/customers/${c.id}/sip-devices`))).data;
      expect(devices.map((d: any) => d.username)).toEqual([c.accountNumber]);
      const creds = await sipDevicesService.deviceCredentials(
        { actor: systemActor, db: t.database.db, now: () => new Date() },
        c.accountNumber,
      );
      expect(creds?.secret).toBe(c.sipDevice.secret);
      // the account read never shows it again
      expect((await admin.get(`/api/v1/customers/${c.id}`)).body).not.toContain(c.sipDevice.secret);
      const audit = await t.database.db
        .selectFrom('audit_log')
        .select(['after'])
        .where('account_id', '=', c.id)
        .execute();
      expect(JSON.stringify(audit)).not.toContain(c.sipDevice.secret);
    });

    it('without it there is no device; a reseller account cannot have one', async () => {
      const c = await makeCustomer(admin);
      expect(c.sipDevice).toBeUndefined();
      expect((await ok(admin.get(`/api/v1/customers/${c.id}/sip-devices`))).data).toEqual([]);
      expectError(
        await admin.post('/api/v1/resellers', customerBody({ createSipDevice: true })),
        400,
        'VALIDATION_FAILED',
        'createSipDevice',
      );
    });

    it('a username already used by a device refuses the whole create (409 on createSipDevice)', async () => {
      const other = await makeCustomer(admin);
      await ok(admin.post(`/api/v1/customers/${other.id}/sip-devices`, { username: '5551230001' }), 201);
      const res = await admin.post(
        '/api/v1/customers',
        customerBody({ accountNumber: '5551230001', createSipDevice: true }),
      );
      expectError(res, 409, 'SIP_USERNAME_TAKEN', 'createSipDevice');
      const found = await t.database.db
        .selectFrom('accounts')
        .select('id')
        .where('account_number', '=', '5551230001')
        .execute();
      expect(found).toEqual([]);
    });
  });

  describe('rate group and localization references', () => {
    it('must exist, be active, share the owner and the currency', async () => {
      const usd = await ok(
        admin.post('/api/v1/rate-groups', { name: `USD ${Date.now()}`, currency: 'USD' }),
        201,
      );
      const eur = await ok(
        admin.post('/api/v1/rate-groups', { name: `EUR ${Date.now()}`, currency: 'EUR' }),
        201,
      );
      const off = await ok(
        admin.post('/api/v1/rate-groups', { name: `Off ${Date.now()}`, currency: 'USD', status: 'inactive' }),
        201,
      );
      const loc = await ok(admin.post('/api/v1/localizations', { name: `L ${Date.now()}` }), 201);
      const c = await makeCustomer(admin, {
        rateGroupId: usd.id,
        nonCliRateGroupId: usd.id,
        cliPoolMode: 3,
        localizationId: loc.id,
      });
      expect([c.rateGroupId, c.localizationId]).toEqual([usd.id, loc.id]);
      expectError(
        await admin.post('/api/v1/customers', customerBody({ rateGroupId: 999999 })),
        400,
        'RATE_GROUP_NOT_FOUND',
        'rateGroupId',
      );
      expectError(
        await admin.post('/api/v1/customers', customerBody({ rateGroupId: eur.id })),
        400,
        'RATE_GROUP_CURRENCY_MISMATCH',
        'rateGroupId',
      );
      expectError(
        await admin.post('/api/v1/customers', customerBody({ rateGroupId: off.id })),
        400,
        'RATE_GROUP_INACTIVE',
        'rateGroupId',
      );
      expectError(
        await admin.post('/api/v1/customers', customerBody({ cliPoolMode: 4, nonCliRateGroupId: 999999 })),
        400,
        'RATE_GROUP_NOT_FOUND',
        'nonCliRateGroupId',
      );
      expectError(
        await admin.post('/api/v1/customers', customerBody({ localizationId: 999999 })),
        400,
        'LOCALIZATION_NOT_FOUND',
        'localizationId',
      );
      // on edit, and a currency change re-checks the group kept
      expectError(
        await admin.patch(`/api/v1/customers/${c.id}`, { rateGroupId: eur.id }),
        400,
        'RATE_GROUP_CURRENCY_MISMATCH',
        'rateGroupId',
      );
      expectError(
        await admin.patch(`/api/v1/customers/${c.id}`, { currency: 'EUR' }),
        400,
        'RATE_GROUP_CURRENCY_MISMATCH',
        'rateGroupId',
      );
      expect(
        (await ok(admin.patch(`/api/v1/customers/${c.id}`, { rateGroupId: null }))).rateGroupId,
      ).toBeNull();
    });

    it("a reseller's customer uses the reseller's groups; another owner's group reads as not found", async () => {
      const r1 = await makeReseller(t, admin);
      const r2 = await makeReseller(t, admin);
      const own = await ok(r1.client.post('/api/v1/rate-groups', { name: 'Mine', currency: 'USD' }), 201);
      const theirs = await ok(
        r2.client.post('/api/v1/rate-groups', { name: 'Theirs', currency: 'USD' }),
        201,
      );
      const operator = await ok(
        admin.post('/api/v1/rate-groups', { name: `Op ${Date.now()}`, currency: 'USD' }),
        201,
      );
      const c = await makeCustomer(r1.client, { rateGroupId: own.id });
      expect(c.rateGroupId).toBe(own.id);
      expectError(
        await r1.client.post('/api/v1/customers', customerBody({ rateGroupId: theirs.id })),
        400,
        'RATE_GROUP_NOT_FOUND',
        'rateGroupId',
      );
      expectError(
        await r1.client.post('/api/v1/customers', customerBody({ rateGroupId: operator.id })),
        400,
        'RATE_GROUP_NOT_FOUND',
        'rateGroupId',
      );
      // the admin is told why
      expectError(
        await admin.post(
          '/api/v1/customers',
          customerBody({ resellerId: r1.account.id, rateGroupId: operator.id }),
        ),
        400,
        'RATE_GROUP_OWNER_MISMATCH',
        'rateGroupId',
      );
    });
  });

  it('the customer role cannot be removed while ingress trunks exist (DOMAIN 3.7)', async () => {
    const c = await makeCustomer(admin, { roles: ['customer', 'provider'] });
    const tr = await ok(admin.post(`/api/v1/customers/${c.id}/trunks`, { name: 'In' }), 201);
    expectError(
      await admin.patch(`/api/v1/customers/${c.id}`, { roles: ['provider'] }),
      409,
      'ACCOUNT_HAS_TRUNKS',
      'roles',
    );
    await ok(admin.delete(`/api/v1/trunks/${tr.id}`), 204);
    expect((await ok(admin.patch(`/api/v1/customers/${c.id}`, { roles: ['provider'] }))).roles).toEqual([
      'provider',
    ]);
  });

  describe('delete cascade (DOMAIN 3.8)', () => {
    it('frees usernames and IP/prefix pairs, returns DIDs to the pool, deactivates trunks, records a trunk update', async () => {
      const c = await makeCustomer(admin, { createSipDevice: true });
      const tr = await ok(admin.post(`/api/v1/customers/${c.id}/trunks`, { name: 'T' }), 201);
      await ok(admin.post(`/api/v1/trunks/${tr.id}/hosts`, { cidr: '203.0.113.9', techPrefix: '11' }), 201);
      await ok(admin.post(`/api/v1/customers/${c.id}/sip-devices`, { username: 'cascade-user' }), 201);
      await ok(admin.post(`/api/v1/customers/${c.id}/caller-ids`, { number: '15550001' }), 201);
      await ok(admin.post(`/api/v1/customers/${c.id}/force-caller-ids`, { number: '15550002' }), 201);
      await ok(admin.request('PUT', `/api/v1/customers/${c.id}/speed-dials/1`, { number: '4420' }));
      await ok(admin.post(`/api/v1/customers/${c.id}/blocked-codes`, { prefix: '900' }), 201);
      const did = await ok(admin.post('/api/v1/dids', { number: `3312${Date.now() % 1e6}` }), 201);
      await ok(admin.post(`/api/v1/dids/${did.id}/assign`, { customerId: c.id }));

      await ok(admin.delete(`/api/v1/customers/${c.id}`), 204);

      const live = async (
        table: 'sip_devices' | 'hosts' | 'caller_ids' | 'force_caller_ids' | 'speed_dials' | 'blocked_codes',
      ) =>
        (
          await t.database.db
            .selectFrom(table)
            .select('id')
            .where('account_id', '=', c.id)
            .where('deleted_at', 'is', null)
            .execute()
        ).length;
      for (const table of [
        'sip_devices',
        'hosts',
        'caller_ids',
        'force_caller_ids',
        'speed_dials',
        'blocked_codes',
      ] as const)
        expect(await live(table), table).toBe(0);
      const trunk = await t.database.db
        .selectFrom('trunks')
        .select(['status', 'disabled_reason'])
        .where('id', '=', tr.id)
        .executeTakeFirstOrThrow();
      expect(trunk).toEqual({ status: 'inactive', disabled_reason: 'ACCOUNT_DELETED' });
      const d = await ok(admin.get(`/api/v1/dids/${did.id}`));
      expect(d).toMatchObject({ customerId: null, assignedAt: null, resellerId: null });
      const events = await t.database.db
        .selectFrom('outbox_events')
        .select('payload')
        .where('account_id', '=', c.id)
        .orderBy('id', 'desc')
        .executeTakeFirstOrThrow();
      expect(events.payload).toEqual({ action: 'account.delete', hostsRemoved: 1, trunksDeactivated: 1 });

      // the freed names and pairs can be used again by another customer
      const other = await makeCustomer(admin);
      const tr2 = await ok(admin.post(`/api/v1/customers/${other.id}/trunks`, { name: 'T' }), 201);
      await ok(admin.post(`/api/v1/trunks/${tr2.id}/hosts`, { cidr: '203.0.113.9', techPrefix: '11' }), 201);
      await ok(admin.post(`/api/v1/customers/${other.id}/sip-devices`, { username: 'cascade-user' }), 201);
      await ok(admin.post(`/api/v1/customers/${other.id}/sip-devices`, { username: c.accountNumber }), 201);
      await ok(admin.post(`/api/v1/dids/${did.id}/assign`, { customerId: other.id }));
    });

    it("a reseller delete runs bottom-up: its customers' connectivity goes, its pool moves up to the operator", async () => {
      const r = await makeReseller(t, admin);
      const c = await makeCustomer(r.client);
      await ok(r.client.post(`/api/v1/customers/${c.id}/sip-devices`, { username: `sub-${c.id}` }), 201);
      const pooled = await ok(
        admin.post('/api/v1/dids', { number: `4478${Date.now() % 1e6}`, resellerId: r.account.id }),
        201,
      );
      const assigned = await ok(
        admin.post('/api/v1/dids', { number: `4479${Date.now() % 1e6}`, resellerId: r.account.id }),
        201,
      );
      await ok(r.client.post(`/api/v1/dids/${assigned.id}/assign`, { customerId: c.id }));
      await ok(admin.delete(`/api/v1/resellers/${r.account.id}`), 204);
      const devs = await t.database.db
        .selectFrom('sip_devices')
        .select('deleted_at')
        .where('account_id', '=', c.id)
        .execute();
      expect(devs.every((d) => d.deleted_at !== null)).toBe(true);
      for (const id of [pooled.id, assigned.id])
        expect(await ok(admin.get(`/api/v1/dids/${id}`))).toMatchObject({
          resellerId: null,
          customerId: null,
        });
    });
  });
});

describe('OpenAPI', () => {
  it('documents every connectivity endpoint', async () => {
    const t = await createTestApp('pglite');
    try {
      const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
      const paths = Object.keys(doc.paths);
      for (const p of [
        '/api/v1/customers/{customerId}/trunks',
        '/api/v1/trunks/{id}',
        '/api/v1/trunks/{trunkId}/hosts',
        '/api/v1/hosts/{id}',
        '/api/v1/customers/{customerId}/hosts',
        '/api/v1/limits/customers',
        '/api/v1/limits/customers/{id}',
        '/api/v1/limits/hosts',
        '/api/v1/customers/{customerId}/sip-devices',
        '/api/v1/sip-devices/{id}/reset-secret',
        '/api/v1/customers/{customerId}/caller-ids',
        '/api/v1/customers/{customerId}/force-caller-ids',
        '/api/v1/customers/{customerId}/blocked-codes',
        '/api/v1/customers/{customerId}/speed-dials/{key}',
        '/api/v1/dids/{id}/assign',
        '/api/v1/dids/{id}/release',
        '/api/v1/localizations/{id}/preview',
        '/api/v1/rate-groups/{groupId}/rates/upload',
        '/api/v1/rate-groups/{groupId}/lookup',
      ])
        expect(paths, p).toContain(p);
      expect(
        Object.keys(doc.paths['/api/v1/rate-groups/{groupId}/rates/upload'].post.requestBody.content),
      ).toEqual(['text/csv']);
    } finally {
      await t.close();
    }
  });
});

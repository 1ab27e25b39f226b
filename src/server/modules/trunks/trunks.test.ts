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
import { systemActor, type Ctx } from '../../platform/context.js';
import { makeCustomer, makeReseller, ok } from '../../../../test/connectivity.js';
import * as trunksService from './trunks.service.js';
import { limitWarnings } from './trunks.service.js';

describe('limit warnings (pure)', () => {
  it('warns only when both levels are set and the lower is higher', () => {
    const up = [{ label: 'customer', callLimit: 10, cpsLimit: '2.00' }];
    expect(limitWarnings({ callLimit: 10, cpsLimit: '2' }, up, 'trunk')).toEqual([]);
    expect(limitWarnings({ callLimit: null, cpsLimit: null }, up, 'trunk')).toEqual([]);
    expect(
      limitWarnings(
        { callLimit: 5, cpsLimit: '1' },
        [{ label: 'customer', callLimit: null, cpsLimit: null }],
        'trunk',
      ),
    ).toEqual([]);
    const w = limitWarnings({ callLimit: 11, cpsLimit: '10.5' }, up, 'trunk');
    expect(w.map((x) => x.field)).toEqual(['callLimit', 'cpsLimit']);
    expect(w[0].code).toBe('LIMIT_ABOVE_UPPER_LEVEL');
    expect(w[1].message).toContain('10.5');
  });
});

describe.each(testDatabaseKinds())('trunks, hosts and limit views on %s', (kind) => {
  let t: TestApp;
  let admin: Client;
  const events = async (accountId: number) =>
    t.database.db
      .selectFrom('outbox_events')
      .select(['topic as type', 'payload'])
      .where('account_id', '=', accountId)
      .orderBy('id')
      .execute();

  beforeAll(async () => {
    t = await createTestApp(kind);
    admin = await adminLogin(t.app);
  });
  afterAll(async () => t?.close());

  describe('trunks', () => {
    it('creates a trunk with limits; min profitability is inherited from the customer when unset', async () => {
      const c = await makeCustomer(admin, {
        callLimit: 20,
        cpsLimit: '5',
        minProfitability: { type: 'percent', value: '3' },
      });
      const tr = await ok(
        admin.post(`/api/v1/customers/${c.id}/trunks`, {
          name: 'Main',
          callLimit: 10,
          cpsLimit: '2.5',
          maxDurationSec: 3600,
          techPrefix: '123',
        }),
        201,
      );
      expect(tr).toMatchObject({
        customerId: c.id,
        name: 'Main',
        status: 'active',
        effectiveStatus: 'active',
        callLimit: 10,
        cpsLimit: '2.50',
        maxDurationSec: 3600,
        minProfitability: null,
        effectiveMinProfitability: { type: 'percent', value: '3.000000', source: 'customer' },
        techPrefix: '123',
        hostCount: 0,
        warnings: [],
      });
      const own = await ok(
        admin.patch(`/api/v1/trunks/${tr.id}`, { minProfitability: { type: 'absolute', value: '-0.01' } }),
      );
      expect(own.effectiveMinProfitability).toEqual({
        type: 'absolute',
        value: '-0.010000',
        source: 'trunk',
      });
      expect((await ok(admin.get(`/api/v1/customers/${c.id}/trunks`))).data.map((x: any) => x.id)).toEqual([
        tr.id,
      ]);
      expect((await ok(admin.get(`/api/v1/trunks?customerId=${c.id}`))).data).toHaveLength(1);
      expect((await ok(admin.get(`/api/v1/trunks/${tr.id}`))).name).toBe('Main');
    });

    it('warns, without refusing, when a trunk limit is above the customer limit', async () => {
      const c = await makeCustomer(admin, { callLimit: 5, cpsLimit: '1' });
      const tr = await ok(
        admin.post(`/api/v1/customers/${c.id}/trunks`, { name: 'Big', callLimit: 50, cpsLimit: '10' }),
        201,
      );
      expect(tr.warnings.map((w: any) => [w.code, w.field])).toEqual([
        ['LIMIT_ABOVE_UPPER_LEVEL', 'callLimit'],
        ['LIMIT_ABOVE_UPPER_LEVEL', 'cpsLimit'],
      ]);
      expect(tr.callLimit).toBe(50);
    });

    it('refuses a duplicate trunk name within one customer, case-insensitively, not across customers', async () => {
      const a = await makeCustomer(admin);
      const b = await makeCustomer(admin);
      await ok(admin.post(`/api/v1/customers/${a.id}/trunks`, { name: 'Edge' }), 201);
      expectError(
        await admin.post(`/api/v1/customers/${a.id}/trunks`, { name: 'edge' }),
        409,
        'TRUNK_NAME_TAKEN',
        'name',
      );
      await ok(admin.post(`/api/v1/customers/${b.id}/trunks`, { name: 'Edge' }), 201);
    });

    it.each([
      [{ name: '' }, 'name'],
      [{ name: 'x', callLimit: -1 }, 'callLimit'],
      [{ name: 'x', cpsLimit: '1.234' }, 'cpsLimit'],
      [{ name: 'x', techPrefix: '12a' }, 'techPrefix'],
      [{ name: 'x', maxDurationSec: 0 }, 'maxDurationSec'],
      [{ name: 'x', status: 'paused' }, 'status'],
      [{ name: 'x', minProfitability: { type: 'ratio', value: '1' } }, 'minProfitability.type'],
      [{ name: 'x', owner: 1 }, 'owner'],
    ])('rejects bad trunk input %j with 400 naming the field', async (body, field) => {
      const c = await makeCustomer(admin);
      const res = await admin.post(`/api/v1/customers/${c.id}/trunks`, body);
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().error.details.field).toBe(field);
    });

    it('refuses a trunk on an account without the customer role', async () => {
      const p = (await admin.post('/api/v1/providers', customerBody())).json();
      expectError(
        await admin.post(`/api/v1/customers/${p.id}/trunks`, { name: 'x' }),
        400,
        'ACCOUNT_NOT_CUSTOMER',
        'customerId',
      );
    });

    it('customer status never writes trunk flags: effectiveStatus follows both (DOMAIN 3.1)', async () => {
      const c = await makeCustomer(admin);
      const on = await ok(admin.post(`/api/v1/customers/${c.id}/trunks`, { name: 'On' }), 201);
      await ok(admin.post(`/api/v1/customers/${c.id}/trunks`, { name: 'Off', status: 'inactive' }), 201);
      const host = await ok(admin.post(`/api/v1/trunks/${on.id}/hosts`, { cidr: '198.51.100.7' }), 201);
      expect(host.effectiveStatus).toBe('active');

      await ok(admin.post(`/api/v1/customers/${c.id}/deactivate`));
      let list = (await ok(admin.get(`/api/v1/customers/${c.id}/trunks`))).data;
      expect(list.map((x: any) => [x.name, x.status, x.effectiveStatus])).toEqual([
        ['On', 'active', 'inactive'],
        ['Off', 'inactive', 'inactive'],
      ]);
      expect((await ok(admin.get(`/api/v1/hosts/${host.id}`))).effectiveStatus).toBe('inactive');

      await ok(admin.post(`/api/v1/customers/${c.id}/activate`));
      list = (await ok(admin.get(`/api/v1/customers/${c.id}/trunks`))).data;
      expect(list.map((x: any) => [x.name, x.status, x.effectiveStatus])).toEqual([
        ['On', 'active', 'active'],
        ['Off', 'inactive', 'inactive'],
      ]);
    });

    it('a manual status change clears the low-balance tag', async () => {
      const c = await makeCustomer(admin);
      const tr = await ok(admin.post(`/api/v1/customers/${c.id}/trunks`, { name: 'T' }), 201);
      await t.database.db
        .updateTable('trunks')
        .set({ status: 'inactive', disabled_reason: 'LOW_BALANCE' })
        .where('id', '=', tr.id)
        .execute();
      expect((await ok(admin.get(`/api/v1/trunks/${tr.id}`))).disabledReason).toBe('LOW_BALANCE');
      const r = await ok(admin.patch(`/api/v1/trunks/${tr.id}`, { status: 'active' }));
      expect(r.disabledReason).toBeNull();
    });

    it('deleting a trunk soft-deletes its hosts and frees their addresses', async () => {
      const a = await makeCustomer(admin);
      const tr = await ok(admin.post(`/api/v1/customers/${a.id}/trunks`, { name: 'Gone' }), 201);
      await ok(admin.post(`/api/v1/trunks/${tr.id}/hosts`, { cidr: '203.0.113.50' }), 201);
      await ok(admin.delete(`/api/v1/trunks/${tr.id}`), 204);
      expectError(await admin.get(`/api/v1/trunks/${tr.id}`), 404, 'TRUNK_NOT_FOUND');
      const b = await makeCustomer(admin);
      const tb = await ok(admin.post(`/api/v1/customers/${b.id}/trunks`, { name: 'New' }), 201);
      await ok(admin.post(`/api/v1/trunks/${tb.id}/hosts`, { cidr: '203.0.113.50' }), 201);
    });
  });

  describe('hosts', () => {
    it('stores IPv4 and IPv6 addresses and CIDRs; a bare address gets /32 or /128', async () => {
      const c = await makeCustomer(admin);
      const tr = await ok(
        admin.post(`/api/v1/customers/${c.id}/trunks`, { name: 'H', techPrefix: '77' }),
        201,
      );
      const cases: [string, string][] = [
        ['192.0.2.10', '192.0.2.10/32'],
        ['192.0.2.128/25', '192.0.2.128/25'],
        ['2001:DB8:0:0::10', '2001:db8::10/128'],
        ['2001:db8:1::/48', '2001:db8:1::/48'],
      ];
      for (const [input, stored] of cases) {
        const h = await ok(admin.post(`/api/v1/trunks/${tr.id}/hosts`, { cidr: input, port: 5060 }), 201);
        expect(h.cidr).toBe(stored);
        expect(h.techPrefix).toBe('77'); // the trunk's default
      }
      const list = (await ok(admin.get(`/api/v1/trunks/${tr.id}/hosts`))).data;
      expect(list).toHaveLength(4);
      expect((await ok(admin.get(`/api/v1/customers/${c.id}/hosts`))).data).toHaveLength(4);
      expect((await ok(admin.get(`/api/v1/trunks/${tr.id}`))).hostCount).toBe(4);
    });

    it.each([
      [{ cidr: '300.1.1.1' }, 'cidr', 'INVALID_CIDR'],
      [{ cidr: '10.0.0.1/24' }, 'cidr', 'INVALID_CIDR'],
      [{ cidr: '0.0.0.0/0' }, 'cidr', 'INVALID_CIDR'],
      [{ cidr: '10.0.0.1', port: 70000 }, 'port', 'VALIDATION_FAILED'],
      [{ cidr: '10.0.0.1', techPrefix: '#1' }, 'techPrefix', 'VALIDATION_FAILED'],
      [{ cidr: '10.0.0.1', callLimit: 1.5 }, 'callLimit', 'VALIDATION_FAILED'],
    ])('rejects bad host input %j with 400 naming the field', async (body, field, code) => {
      const c = await makeCustomer(admin);
      const tr = await ok(admin.post(`/api/v1/customers/${c.id}/trunks`, { name: 'V' }), 201);
      expectError(await admin.post(`/api/v1/trunks/${tr.id}/hosts`, body), 400, code, field);
    });

    it('the same address with the same tech prefix can never belong to two live hosts: 409 on cidr', async () => {
      const a = await makeCustomer(admin);
      const b = await makeCustomer(admin);
      const ta = await ok(admin.post(`/api/v1/customers/${a.id}/trunks`, { name: 'A' }), 201);
      const tb = await ok(admin.post(`/api/v1/customers/${b.id}/trunks`, { name: 'B' }), 201);
      const h = await ok(
        admin.post(`/api/v1/trunks/${ta.id}/hosts`, { cidr: '198.51.100.20', techPrefix: '' }),
        201,
      );
      const before = (await events(b.id)).length;
      const res = await admin.post(`/api/v1/trunks/${tb.id}/hosts`, { cidr: '198.51.100.20/32' });
      expectError(res, 409, 'HOST_ALREADY_IN_USE', 'cidr');
      expect(res.json().error.message).toContain('198.51.100.20/32');
      expect((await events(b.id)).length).toBe(before); // the failed change left no event
      // another tech prefix tells the customers apart
      const other = await ok(
        admin.post(`/api/v1/trunks/${tb.id}/hosts`, { cidr: '198.51.100.20', techPrefix: '99' }),
        201,
      );
      // an edit into a taken pair is refused too
      expectError(
        await admin.patch(`/api/v1/hosts/${other.id}`, { techPrefix: '' }),
        409,
        'HOST_ALREADY_IN_USE',
        'cidr',
      );
      // IPv6: the canonical form is what counts
      await ok(admin.post(`/api/v1/trunks/${ta.id}/hosts`, { cidr: '2001:db8::aa' }), 201);
      expectError(
        await admin.post(`/api/v1/trunks/${tb.id}/hosts`, { cidr: '2001:0db8:0::00aa/128' }),
        409,
        'HOST_ALREADY_IN_USE',
        'cidr',
      );
      // deleting the host frees the pair
      await ok(admin.delete(`/api/v1/hosts/${h.id}`), 204);
      await ok(admin.post(`/api/v1/trunks/${tb.id}/hosts`, { cidr: '198.51.100.20' }), 201);
    });

    it('host limits are the host’s own; above the trunk or customer they warn', async () => {
      const c = await makeCustomer(admin, { callLimit: 100 });
      const tr = await ok(
        admin.post(`/api/v1/customers/${c.id}/trunks`, { name: 'L', callLimit: 10, cpsLimit: '1' }),
        201,
      );
      const h = await ok(
        admin.post(`/api/v1/trunks/${tr.id}/hosts`, { cidr: '192.0.2.200', callLimit: 5, cpsLimit: '0.5' }),
        201,
      );
      expect(h.warnings).toEqual([]);
      const up = await ok(admin.patch(`/api/v1/hosts/${h.id}`, { callLimit: 200, cpsLimit: '3' }));
      expect(up.callLimit).toBe(200);
      expect(up.warnings.map((w: any) => w.message)).toEqual([
        'The host call limit 200 is above the trunk call limit 10; the lower value applies.',
        'The host CPS limit 3.00 is above the trunk CPS limit 1.00; the lower value applies.',
        'The host call limit 200 is above the customer call limit 100; the lower value applies.',
      ]);
    });

    it('every change to trunks and hosts records a "trunk update" event in the outbox, with the audit', async () => {
      const c = await makeCustomer(admin);
      const tr = await ok(admin.post(`/api/v1/customers/${c.id}/trunks`, { name: 'E' }), 201);
      const h = await ok(admin.post(`/api/v1/trunks/${tr.id}/hosts`, { cidr: '192.0.2.77' }), 201);
      await ok(admin.patch(`/api/v1/hosts/${h.id}`, { port: 5080 }));
      await ok(admin.patch(`/api/v1/trunks/${tr.id}`, { callLimit: 3 }));
      await ok(admin.delete(`/api/v1/hosts/${h.id}`), 204);
      await ok(admin.delete(`/api/v1/trunks/${tr.id}`), 204);
      const ev = await events(c.id);
      expect(ev.map((e) => e.type)).toEqual(Array(6).fill('trunk.updated'));
      expect(ev.map((e) => (e.payload as any).action)).toEqual([
        'trunk.create',
        'host.create',
        'host.update',
        'trunk.update',
        'host.delete',
        'trunk.delete',
      ]);
      expect(ev[2].payload).toMatchObject({
        trunkId: tr.id,
        hostId: h.id,
        before: { port: null },
        after: { port: 5080 },
      });
      const audit = (await ok(admin.get(`/api/v1/customers/${c.id}/audit`))).data.map((a: any) => a.action);
      expect(audit).toEqual(
        expect.arrayContaining(['trunk.create', 'host.create', 'host.update', 'trunk.delete']),
      );
    });
  });

  describe('limit views', () => {
    it('Customer Limit view: filters by status and name, shows trunks with limits, edits the customer', async () => {
      const tag = `lim${Date.now().toString(36)}`;
      const a = await makeCustomer(admin, {
        name: `${tag} Alpha`,
        callLimit: 10,
        cpsLimit: '2',
        mode: 'postpaid',
        creditLimit: '50',
      });
      const b = await makeCustomer(admin, { name: `${tag} Beta`, status: 'inactive' });
      await ok(admin.post(`/api/v1/customers/${a.id}/trunks`, { name: 'T1', callLimit: 5 }), 201);
      await ok(admin.post(`/api/v1/customers/${a.id}/trunks`, { name: 'T2', callLimit: 20 }), 201);
      const all = await ok(admin.get(`/api/v1/limits/customers?name=${tag}`));
      expect(all.data.map((r: any) => r.id)).toEqual([a.id, b.id]);
      const ra = all.data[0];
      expect(ra).toMatchObject({ creditLimit: '50.000000', callLimit: 10, cpsLimit: '2.00', trunkCount: 2 });
      expect(ra.trunks.map((x: any) => [x.name, x.callLimit])).toEqual([
        ['T1', 5],
        ['T2', 20],
      ]);
      expect(ra.warnings).toHaveLength(1);
      expect(ra.warnings[0].message).toContain('trunk "T2"');
      const inactive = await ok(admin.get(`/api/v1/limits/customers?name=${tag}&status=inactive`));
      expect(inactive.data.map((r: any) => r.id)).toEqual([b.id]);
      // keyset pages
      const p1 = await ok(admin.get(`/api/v1/limits/customers?name=${tag}&limit=1`));
      const p2 = await ok(admin.get(`/api/v1/limits/customers?name=${tag}&limit=1&cursor=${p1.nextCursor}`));
      expect([p1.data[0].id, p2.data[0].id]).toEqual([a.id, b.id]);
      expect(p2.nextCursor).toBeNull();

      const edited = await ok(
        admin.patch(`/api/v1/limits/customers/${a.id}`, { callLimit: 30, cpsLimit: '4', creditLimit: '75' }),
      );
      expect(edited).toMatchObject({
        callLimit: 30,
        cpsLimit: '4.00',
        creditLimit: '75.000000',
        warnings: [],
      });
      const audit = (await ok(admin.get(`/api/v1/customers/${a.id}/audit`))).data[0];
      expect(audit.action).toBe('customer.update');
      expect(audit.after).toMatchObject({ callLimit: 30, creditLimit: '75.000000' });
      expectError(
        await admin.patch(`/api/v1/limits/customers/${a.id}`, { name: 'x' }),
        400,
        'VALIDATION_FAILED',
        'name',
      );
    });

    it('Host view: three levels side by side; filters by status, customer, trunk and overlapping IP', async () => {
      const tag = `hv${Date.now().toString(36)}`;
      const c = await makeCustomer(admin, { name: `${tag} Carrier`, callLimit: 100, cpsLimit: '10' });
      const tr = await ok(
        admin.post(`/api/v1/customers/${c.id}/trunks`, {
          name: `${tag}-trunk`,
          callLimit: 50,
          cpsLimit: '5',
        }),
        201,
      );
      const h1 = await ok(
        admin.post(`/api/v1/trunks/${tr.id}/hosts`, { cidr: '10.20.0.0/16', callLimit: 10, cpsLimit: '1' }),
        201,
      );
      const h2 = await ok(
        admin.post(`/api/v1/trunks/${tr.id}/hosts`, { cidr: '10.30.1.1', status: 'inactive' }),
        201,
      );
      const rows = (await ok(admin.get(`/api/v1/limits/hosts?customer=${tag}`))).data;
      expect(rows.map((r: any) => r.id)).toEqual([h1.id, h2.id]);
      expect(rows[0]).toMatchObject({
        cidr: '10.20.0.0/16',
        status: 'active',
        effectiveStatus: 'active',
        customer: { id: c.id, callLimit: 100, cpsLimit: '10.00' },
        trunk: { id: tr.id, callLimit: 50, cpsLimit: '5.00' },
        host: { callLimit: 10, cpsLimit: '1.00' },
      });
      const q = async (s: string) =>
        (await ok(admin.get(`/api/v1/limits/hosts?customerId=${c.id}&${s}`))).data.map((r: any) => r.id);
      expect(await q('status=inactive')).toEqual([h2.id]);
      expect(await q(`trunk=${tag}-TRUNK`)).toEqual([h1.id, h2.id]);
      expect(await q('trunk=nomatch')).toEqual([]);
      expect(await q('ip=10.20.3.4')).toEqual([h1.id]); // inside the /16
      expect(await q('ip=10.0.0.0/8')).toEqual([h1.id, h2.id]); // contains both
      expect(await q('ip=10.30.1.1')).toEqual([h2.id]);
      expect(await q('ip=192.0.2.1')).toEqual([]);
      expectError(await admin.get('/api/v1/limits/hosts?ip=nonsense'), 400, 'INVALID_CIDR', 'ip');
    });
  });

  describe('permissions', () => {
    it('a reseller manages its own customers’ trunks and hosts; another reseller gets 404 everywhere', async () => {
      const r1 = await makeReseller(t, admin);
      const r2 = await makeReseller(t, admin);
      const c1 = await makeCustomer(r1.client);
      const tr = await ok(r1.client.post(`/api/v1/customers/${c1.id}/trunks`, { name: 'Mine' }), 201);
      const h = await ok(r1.client.post(`/api/v1/trunks/${tr.id}/hosts`, { cidr: '192.0.2.99' }), 201);

      const intruder = r2.client;
      expectError(await intruder.get(`/api/v1/trunks/${tr.id}`), 404, 'TRUNK_NOT_FOUND');
      expectError(await intruder.patch(`/api/v1/trunks/${tr.id}`, { name: 'x' }), 404, 'TRUNK_NOT_FOUND');
      expectError(await intruder.delete(`/api/v1/trunks/${tr.id}`), 404, 'TRUNK_NOT_FOUND');
      expectError(await intruder.get(`/api/v1/trunks/${tr.id}/hosts`), 404, 'TRUNK_NOT_FOUND');
      expectError(
        await intruder.post(`/api/v1/trunks/${tr.id}/hosts`, { cidr: '192.0.2.98' }),
        404,
        'TRUNK_NOT_FOUND',
      );
      expectError(await intruder.get(`/api/v1/hosts/${h.id}`), 404, 'HOST_NOT_FOUND');
      expectError(await intruder.patch(`/api/v1/hosts/${h.id}`, { port: 1 }), 404, 'HOST_NOT_FOUND');
      expectError(await intruder.delete(`/api/v1/hosts/${h.id}`), 404, 'HOST_NOT_FOUND');
      expectError(await intruder.get(`/api/v1/customers/${c1.id}/trunks`), 404, 'ACCOUNT_NOT_FOUND');
      expectError(
        await intruder.post(`/api/v1/customers/${c1.id}/trunks`, { name: 'x' }),
        404,
        'ACCOUNT_NOT_FOUND',
      );
      expectError(
        await intruder.patch(`/api/v1/limits/customers/${c1.id}`, { callLimit: 1 }),
        404,
        'ACCOUNT_NOT_FOUND',
      );
      expect((await ok(intruder.get('/api/v1/limits/hosts'))).data).toEqual([]);
      expect((await ok(intruder.get('/api/v1/limits/customers'))).data).toEqual([]);
      expect((await ok(intruder.get('/api/v1/trunks'))).data).toEqual([]);

      // the owner sees its own, the admin sees all
      expect((await ok(r1.client.get('/api/v1/limits/hosts'))).data.map((r: any) => r.id)).toEqual([h.id]);
      expect((await ok(r1.client.get(`/api/v1/hosts/${h.id}`))).id).toBe(h.id);
      expect((await ok(admin.get(`/api/v1/hosts/${h.id}`))).id).toBe(h.id);
    });

    it('a customer signed in to the portal cannot manage trunks (403)', async () => {
      const c = await makeCustomer(admin, {
        portalUsername: `cust-${Date.now()}`,
        password: 'customer-pass-1',
      });
      const tr = await ok(admin.post(`/api/v1/customers/${c.id}/trunks`, { name: 'P' }), 201);
      const portal = await Client.login(t.app, c.portalUsername, 'customer-pass-1');
      expectError(await portal.get(`/api/v1/trunks/${tr.id}`), 403, 'FORBIDDEN');
      expectError(await portal.post(`/api/v1/customers/${c.id}/trunks`, { name: 'Q' }), 403, 'FORBIDDEN');
      expectError(await portal.get('/api/v1/limits/hosts'), 403, 'FORBIDDEN');
    });

    it('service: a customer actor is refused even when called directly', async () => {
      const c = await makeCustomer(admin);
      const ctx: Ctx = {
        actor: { kind: 'customer', userId: 1, accountId: c.id, label: 'x', impersonatorUserId: null },
        db: t.database.db,
        now: () => new Date(),
      };
      await expect(trunksService.createTrunk(ctx, c.id, { name: 'S' })).rejects.toMatchObject({
        code: 'FORBIDDEN',
      });
      const sys: Ctx = { actor: systemActor, db: t.database.db, now: () => new Date() };
      const made = await trunksService.createTrunk(sys, c.id, { name: 'S', callLimit: 2 });
      expect(made.callLimit).toBe(2);
      expect((await events(c.id)).length).toBe(1);
    });
  });
});

import crypto from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../app.js';
import { systemActor } from '../../platform/context.js';
import type { Database } from '../../platform/db/database.js';
import { ensureFirstAdmin } from '../auth/index.js';
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  adminLogin,
  Client,
  customerBody,
  expectError,
} from '../../../../test/app.js';
import { createTestDatabase, testDatabaseKinds } from '../../../../test/databases.js';
import { ok } from '../../../../test/connectivity.js';
import { makeCallingCustomer, makeRateGroup, startCallPathApp } from '../../../../test/call-path.js';

/*
 * The decision API over HTTP, on a real database: a switch key, an admin key, refusals for
 * reseller and customer users; changes made through the API decide the next call; the sweeper.
 */

describe.each(testDatabaseKinds())('call authorization API on %s', (kind) => {
  let app: FastifyInstance;
  let database: Database;
  let clock = Date.UTC(2026, 11, 3, 9, 0, 0);
  let admin: Client;
  let sw: Client;
  let customer: any;
  let trunk: any;
  let host: any;
  let group: any;
  let seq = 0;

  const authorize = (body: Record<string, unknown> = {}, by: Client = sw) =>
    by.post('/api/v1/calls/authorize', {
      callId: `call-${++seq}@switch`,
      sourceIp: '192.0.2.10',
      sourcePort: 5060,
      calledNumber: '441234567',
      callingNumber: '15551230000',
      ...body,
    });
  const decision = async (body: Record<string, unknown> = {}) => ok(authorize(body));
  /** Every change committed so far is in the decision state. */
  const synced = () => app.callAuth.engine.loader.sync();

  beforeAll(async () => {
    ({ app, database, admin, sw } = await startCallPathApp(kind, {
      now: () => new Date(clock),
      switchKeyName: 'kamailio',
    }));
    group = await makeRateGroup(admin, { name: 'retail', currency: 'USD' }, [
      {
        prefix: '44',
        ratePerMin: '0.06',
        initialIncrement: 1,
        billingIncrement: 1,
        effectiveFrom: new Date(clock - 86_400_000).toISOString(),
      },
    ]);
    ({ customer, trunk, host } = await makeCallingCustomer(
      admin,
      { rateGroupId: group.id, initialBalance: '1.00' },
      '192.0.2.0/24',
    ));
    await synced();
  });
  afterAll(async () => {
    await app?.close();
    await database?.close();
  });

  it('allows a call from a known host: grant, numbers, rate; the same callId again reserves nothing more', async () => {
    const res = await authorize({ callId: 'same-1' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({
      callId: 'same-1',
      decision: 'allow',
      accountId: customer.id,
      trunkId: trunk.id,
      hostId: host.id,
      sipDeviceId: null,
      grantSec: 300,
      calledNumber: '441234567',
      callingNumber: '15551230000',
      callingName: null,
      rate: {
        prefix: '44',
        ratePerMin: '0.060000',
        connectFee: '0.000000',
        initialIncrement: 1,
        nextIncrement: 1,
        includedSeconds: 0,
      },
      routes: null,
    });
    const again = await authorize({ callId: 'same-1' });
    expect(again.json()).toEqual(res.json());
    expect((await app.callAuth.engine.store.held([customer.id])).get(customer.id)).toBe('0.300000');
    expect(await ok(admin.get(`/api/v1/customers/${customer.id}/balance`))).toMatchObject({
      balance: '1.000000',
      availableCredit: '1.000000',
      heldForLiveCalls: '0.300000',
      availableFunds: '0.700000',
    });
    const live = (await ok(admin.get('/api/v1/calls/live'))).data;
    expect(live).toEqual([
      expect.objectContaining({
        callId: 'same-1',
        accountId: customer.id,
        trunkId: trunk.id,
        hostId: host.id,
        calledNumber: '441234567',
        grantSec: 300,
        amountHeld: '0.300000',
        state: 'live',
        accountName: customer.name,
        accountNumber: customer.accountNumber,
        currency: 'USD',
        trunkName: 'Main',
        hostAddress: '192.0.2.0/24',
      }),
    ]);
    // 1.00 - 0.30 held leaves 0.70: 700 s, capped at the 300 s chunk; 0.40 left: 300 s; 0.10: 100 s.
    expect((await decision({ callId: 'same-2' })).grantSec).toBe(300);
    expect((await decision({ callId: 'same-3' })).grantSec).toBe(300);
    expect((await decision({ callId: 'same-4' })).grantSec).toBe(100);
    expect(await decision({ callId: 'same-5' })).toMatchObject({
      decision: 'deny',
      reason: 'INSUFFICIENT_FUNDS',
      sipCode: 402,
    });
    for (const id of ['same-1', 'same-2', 'same-3', 'same-4'])
      expect(await ok(sw.post(`/api/v1/calls/${id}/end`, { answered: false }))).toEqual({
        callId: id,
        ended: true,
      });
    expect(await ok(sw.post('/api/v1/calls/same-1/end', {}))).toEqual({ callId: 'same-1', ended: false });
    expect((await app.callAuth.engine.store.held([customer.id])).get(customer.id)).toBeUndefined();
  });

  it('denies with a 200 and the SIP answer; a malformed request is a 400', async () => {
    expect(await decision({ sourceIp: '198.51.100.1' })).toMatchObject({
      decision: 'deny',
      reason: 'AUTH_UNKNOWN_SOURCE',
      sipCode: 403,
      sipReason: 'Forbidden',
    });
    expectError(await authorize({ sourceIp: 'nope' }), 400, 'VALIDATION_FAILED', 'sourceIp');
    expectError(await authorize({ calledNumber: '' }), 400, 'VALIDATION_FAILED', 'calledNumber');
    expectError(await authorize({ callId: 'x'.repeat(129) }), 400, 'VALIDATION_FAILED', 'callId');
  });

  it('a change made through the API decides the next call', async () => {
    await ok(admin.post(`/api/v1/customers/${customer.id}/blocked-codes`, { prefix: '4412' }), 201);
    await synced();
    expect((await decision()).reason).toBe('DESTINATION_BLOCKED');
    expect((await decision({ calledNumber: '4420', callId: 'chg-1' })).decision).toBe('allow');
    await ok(admin.patch(`/api/v1/trunks/${trunk.id}`, { status: 'inactive' }));
    await synced();
    expect((await decision({ calledNumber: '4420' })).reason).toBe('TRUNK_INACTIVE');
    await ok(admin.patch(`/api/v1/trunks/${trunk.id}`, { status: 'active' }));
    await ok(admin.post(`/api/v1/customers/${customer.id}/deactivate`));
    await synced();
    expect((await decision({ calledNumber: '4420' })).reason).toBe('ACCOUNT_INACTIVE');
    await ok(admin.post(`/api/v1/customers/${customer.id}/activate`));
    await synced();
    expect((await decision({ calledNumber: '4420', callId: 'chg-2' })).decision).toBe('allow');
    for (const id of ['chg-1', 'chg-2']) await ok(sw.post(`/api/v1/calls/${id}/end`, {}));
  });

  it('a refill raises the next grant; the rate in force is the one snapshotted', async () => {
    const c = await ok(admin.post('/api/v1/customers', customerBody({ rateGroupId: group.id })), 201);
    const tr = await ok(admin.post(`/api/v1/customers/${c.id}/trunks`, { name: 'T' }), 201);
    await ok(admin.post(`/api/v1/trunks/${tr.id}/hosts`, { cidr: '203.0.113.5' }), 201);
    await synced();
    expect((await decision({ sourceIp: '203.0.113.5' })).reason).toBe('INSUFFICIENT_FUNDS');
    await ok(
      admin.request(
        'POST',
        `/api/v1/customers/${c.id}/refills`,
        { amount: '0.10', reason: 'top-up' },
        {
          'idempotency-key': `refill-${c.id}`,
        },
      ),
      201,
    );
    await synced();
    expect(await decision({ sourceIp: '203.0.113.5', callId: 'refilled' })).toMatchObject({
      decision: 'allow',
      grantSec: 100,
    });
    await ok(sw.post('/api/v1/calls/refilled/end', { answered: false }));
  });

  it('a manual charge is capped by the available funds: the balance less what live calls hold', async () => {
    const c = await ok(
      admin.post('/api/v1/customers', customerBody({ rateGroupId: group.id, initialBalance: '1.00' })),
      201,
    );
    const t = await ok(admin.post(`/api/v1/customers/${c.id}/trunks`, { name: 'Charged' }), 201);
    await ok(admin.post(`/api/v1/trunks/${t.id}/hosts`, { cidr: '198.51.100.40/32' }), 201);
    await synced();
    expect(
      await decision({ callId: 'charge-live', sourceIp: '198.51.100.40', calledNumber: '4420' }),
    ).toMatchObject({ decision: 'allow', grantSec: 300 });
    // 300 s at 0.06/min: 0.30 held, 0.70 of the 1.00 available.
    const balance = () => ok(admin.get(`/api/v1/customers/${c.id}/balance`));
    expect(await balance()).toMatchObject({ heldForLiveCalls: '0.300000', availableFunds: '0.700000' });
    const charge = (amount: string, key: string, extra: Record<string, unknown> = {}) =>
      admin.request(
        'POST',
        `/api/v1/customers/${c.id}/charges`,
        { amount, reason: 'Setup fee', ...extra },
        { 'idempotency-key': key },
      );
    const refused = expectError(await charge('0.80', 'cap-1'), 400, 'INSUFFICIENT_FUNDS', 'amount');
    expect(refused.error.details.available).toBe('0.700000');
    await ok(charge('0.70', 'cap-2'), 201);
    // 0.30 left, all of it held for the live call.
    expectError(await charge('0.01', 'cap-3'), 400, 'INSUFFICIENT_FUNDS', 'amount');
    expect(await balance()).toMatchObject({ balance: '0.300000', availableFunds: '0.000000' });
    // The call ends unanswered: its hold is gone and the money can be charged.
    await ok(sw.post('/api/v1/calls/charge-live/end', { answered: false }));
    await ok(charge('0.30', 'cap-4'), 201);
    expect(await balance()).toMatchObject({ balance: '0.000000', heldForLiveCalls: '0.000000' });
  });

  it('extends a live call by a chunk while the money lasts, once per seq (a retry reserves nothing more); ends it', async () => {
    const first = await decision({ callId: 'ext-1', calledNumber: '4420' });
    expect(first.grantSec).toBe(300);
    const heldNow = async () => (await app.callAuth.engine.store.held([customer.id])).get(customer.id);
    const heldAtFirst = await heldNow();
    const ext = await ok(sw.post('/api/v1/calls/ext-1/extend', { seq: 1 }));
    expect(ext).toEqual({ callId: 'ext-1', decision: 'allow', grantSec: 600 });
    const heldAfterOne = await heldNow();
    expect(Number(heldAfterOne)).toBeGreaterThan(Number(heldAtFirst));
    // The switch retries seq 1 (its answer was lost): the same answer, nothing more held.
    expect(await ok(sw.post('/api/v1/calls/ext-1/extend', { seq: 1 }))).toEqual(ext);
    expect(await heldNow()).toBe(heldAfterOne);
    expectError(await sw.post('/api/v1/calls/ext-1/extend', {}), 400, 'VALIDATION_FAILED', 'seq');
    expect(await ok(sw.post('/api/v1/calls/ext-1/end', { answered: true, durationSec: 42 }))).toEqual({
      callId: 'ext-1',
      ended: true,
    });
    // Answered: the hold shrinks to what 42 s cost and stays until the CDR is rated.
    expect(await heldNow()).toBe('0.042000');
    expect(await ok(sw.post('/api/v1/calls/ext-1/extend', { seq: 2 }))).toMatchObject({
      decision: 'deny',
      reason: 'CALL_NOT_LIVE',
    });
    expect(await ok(sw.post('/api/v1/calls/unknown-call/extend', { seq: 1 }))).toMatchObject({
      reason: 'CALL_NOT_LIVE',
    });
  });

  it('the sweeper frees a call whose end never came and raises a MISSING_END alarm', async () => {
    const lost = await decision({ callId: 'lost-bye', calledNumber: '4420' });
    expect(lost.decision).toBe('allow');
    expect(await app.callAuth.sweep()).toBe(0);
    // Past both: lost-bye's 300 + 120 s, and ext-1's (extended to 600 s) 600 + 120 s.
    clock += 721_000;
    // The answered call of the previous test, whose CDR never came, goes too.
    expect(await app.callAuth.sweep()).toBe(2);
    const alarms = (await ok(admin.get('/api/v1/call-auth/alarms'))).data;
    expect(alarms.map((a: any) => [a.kind, a.callId])).toEqual(
      expect.arrayContaining([
        ['MISSING_END', 'lost-bye'],
        ['MISSING_CDR', 'ext-1'],
      ]),
    );
    expect(alarms.find((a: any) => a.callId === 'lost-bye')).toMatchObject({
      accountId: customer.id,
      trunkId: trunk.id,
      hostId: host.id,
      calledNumber: '4420',
      grantSec: 300,
      amountHeld: '0.300000',
      accountName: customer.name,
      trunkName: 'Main',
      hostAddress: '192.0.2.0/24',
    });
    expect((await app.callAuth.engine.store.held([customer.id])).size).toBe(0);
  });

  it('the SIP answer of a reason is configurable by an admin', async () => {
    const list = (await ok(admin.get('/api/v1/call-auth/reasons'))).data;
    expect(list.find((r: any) => r.reason === 'AUTH_UNKNOWN_SOURCE')).toMatchObject({ sipCode: 403 });
    expect(
      await ok(
        admin.request('PUT', '/api/v1/call-auth/reasons/AUTH_UNKNOWN_SOURCE', {
          sipCode: 401,
          sipReason: 'Who are you',
        }),
      ),
    ).toMatchObject({
      reason: 'AUTH_UNKNOWN_SOURCE',
      sipCode: 401,
      sipReason: 'Who are you',
      defaultSipCode: 403,
    });
    await synced();
    expect(await decision({ sourceIp: '198.51.100.1' })).toMatchObject({
      sipCode: 401,
      sipReason: 'Who are you',
    });
    expectError(
      await admin.request('PUT', '/api/v1/call-auth/reasons/NOT_A_REASON', { sipCode: 401, sipReason: 'x' }),
      400,
      'VALIDATION_FAILED',
    );
    expectError(
      await admin.request('PUT', '/api/v1/call-auth/reasons/NO_RATE', { sipCode: 200, sipReason: 'x' }),
      400,
      'VALIDATION_FAILED',
      'sipCode',
    );
  });

  it('SIP credentials: the digest HA1 of an active device, never the secret', async () => {
    const d = await ok(
      admin.post(`/api/v1/customers/${customer.id}/sip-devices`, { username: `dev${customer.id}` }),
      201,
    );
    const res = await sw.get(`/api/v1/switch/sip-credentials/${d.username}?realm=sip.example.com`);
    expect(res.statusCode, res.body).toBe(200);
    const ha1 = crypto.createHash('md5').update(`${d.username}:sip.example.com:${d.secret}`).digest('hex');
    expect(res.json()).toEqual({ username: d.username, realm: 'sip.example.com', ha1 });
    expect(res.body).not.toContain(d.secret);
    expectError(await sw.get('/api/v1/switch/sip-credentials/nobody?realm=x'), 404, 'SIP_DEVICE_NOT_FOUND');
    await synced();
    const viaDevice = await decision({
      sipUsername: d.username,
      digestVerified: true,
      sourceIp: '198.51.100.9',
      calledNumber: '4420',
    });
    expect(viaDevice).toMatchObject({ decision: 'allow', sipDeviceId: d.id, trunkId: null, hostId: null });
  });

  it('an admin key may decide; reseller and customer users, and the switch elsewhere, are refused', async () => {
    const { key } = await ok(admin.post('/api/v1/api-keys', { name: 'ops' }), 201);
    expect((await ok(authorize({}, Client.withApiKey(app, key)))).callId).toMatch(/^call-/);
    const res = await ok(
      admin.post(
        '/api/v1/resellers',
        customerBody({
          portalUsername: 'ca-res',
          password: 'reseller-pass-1',
          rateGroupId: group.id,
          initialBalance: '5',
        }),
      ),
      201,
    );
    const reseller = await Client.login(app, 'ca-res', 'reseller-pass-1');
    await ok(
      admin.post(
        '/api/v1/customers',
        customerBody({ portalUsername: 'ca-cust', password: 'customer-pass-1' }),
      ),
      201,
    );
    const cust = await Client.login(app, 'ca-cust', 'customer-pass-1');
    // A reseller sees only the live calls of its subtree; a customer none at all.
    const sell = await ok(reseller.post('/api/v1/rate-groups', { name: 'resale', currency: 'USD' }), 201);
    await ok(
      reseller.post(`/api/v1/rate-groups/${sell.id}/rates`, {
        prefix: '44',
        ratePerMin: '0.12',
        effectiveFrom: new Date(clock - 86_400_000).toISOString(),
      }),
      201,
    );
    const mine = await ok(
      reseller.post('/api/v1/customers', customerBody({ rateGroupId: sell.id, initialBalance: '5' })),
      201,
    );
    const mineTrunk = await ok(admin.post(`/api/v1/customers/${mine.id}/trunks`, { name: 'R' }), 201);
    await ok(admin.post(`/api/v1/trunks/${mineTrunk.id}/hosts`, { cidr: '203.0.113.77' }), 201);
    await synced();
    const other = await decision({ callId: 'not-mine', calledNumber: '4420' });
    expect(other.decision).toBe('allow');
    expect(await decision({ callId: 'mine', sourceIp: '203.0.113.77', calledNumber: '4420' })).toMatchObject({
      decision: 'allow',
      accountId: mine.id,
    });
    expect((await ok(reseller.get('/api/v1/calls/live'))).data.map((c: any) => c.callId)).toEqual(['mine']);
    expect((await ok(admin.get('/api/v1/calls/live'))).data.map((c: any) => c.callId)).toEqual(
      expect.arrayContaining(['mine', 'not-mine']),
    );
    // The reseller's own money is held at its buy rate too.
    expect((await ok(admin.get(`/api/v1/resellers/${res.id}/balance`))).heldForLiveCalls).toBe('0.300000');
    for (const id of ['mine', 'not-mine']) await ok(sw.post(`/api/v1/calls/${id}/end`, { answered: false }));
    expectError(await cust.get('/api/v1/calls/live'), 403, 'FORBIDDEN');
    expectError(await sw.get('/api/v1/calls/live'), 403, 'FORBIDDEN');
    for (const c of [reseller, cust]) {
      expectError(await authorize({}, c), 403, 'FORBIDDEN');
      expectError(await c.post('/api/v1/calls/x/end', {}), 403, 'FORBIDDEN');
      expectError(await c.post('/api/v1/calls/x/extend', { seq: 1 }), 403, 'FORBIDDEN');
      expectError(await c.get('/api/v1/switch/sip-credentials/x?realm=y'), 403, 'FORBIDDEN');
      expectError(await c.get('/api/v1/call-auth/reasons'), 403, 'FORBIDDEN');
      expectError(await c.get('/api/v1/call-auth/alarms'), 403, 'FORBIDDEN');
    }
    expectError(await sw.get('/api/v1/call-auth/reasons'), 403, 'FORBIDDEN');
    expectError(await sw.get(`/api/v1/customers/${customer.id}`), 403, 'FORBIDDEN');
  });

  it('route plans: a customer given one gets its routes; without one, none', async () => {
    const buy = await ok(admin.post('/api/v1/rate-groups', { name: 'buy', currency: 'USD' }), 201);
    await ok(
      admin.post(`/api/v1/rate-groups/${buy.id}/rates`, {
        prefix: '44',
        ratePerMin: '0.05',
        effectiveFrom: new Date(clock - 86_400_000).toISOString(),
      }),
      201,
    );
    const provider = await ok(
      admin.post('/api/v1/customers', customerBody({ roles: ['customer', 'provider'], rateGroupId: buy.id })),
      201,
    );
    const egress = await ok(
      admin.post(`/api/v1/customers/${provider.id}/trunks`, { name: 'Carrier A' }),
      201,
    );
    expectError(
      await admin.post('/api/v1/route-plans', {
        name: 'bad',
        entries: [{ prefix: '44', priority: 1, providerTrunkId: trunk.id }],
      }),
      400,
      'ROUTE_PLAN_TRUNK_INVALID',
      'entries.0.providerTrunkId',
    );
    const plan = await ok(
      admin.post('/api/v1/route-plans', {
        name: 'UK',
        entries: [{ prefix: '44', priority: 1, providerTrunkId: egress.id }],
      }),
      201,
    );
    expect(
      await ok(admin.request('PUT', `/api/v1/customers/${customer.id}/route-plan`, { routePlanId: plan.id })),
    ).toEqual({ customerId: customer.id, routePlanId: plan.id });
    expect(await ok(admin.get(`/api/v1/customers/${customer.id}/route-plan`))).toEqual({
      customerId: customer.id,
      routePlanId: plan.id,
    });
    await synced();
    const d = await decision({ callId: 'routed', calledNumber: '4420' });
    expect(d.routes).toEqual([
      {
        trunkId: egress.id,
        providerAccountId: provider.id,
        prefix: '44',
        priority: 1,
        buyRate: { prefix: '44', ratePerMin: '0.050000', connectFee: '0.000000' },
      },
    ]);
    await ok(sw.post('/api/v1/calls/routed/end', { answered: false }));
    // The egress trunk switched off: no route left.
    await ok(admin.patch(`/api/v1/trunks/${egress.id}`, { status: 'inactive' }));
    await synced();
    expect((await decision({ calledNumber: '4420' })).reason).toBe('NO_ROUTE');
    await ok(admin.request('PUT', `/api/v1/customers/${customer.id}/route-plan`, { routePlanId: null }));
    expect((await ok(admin.get(`/api/v1/customers/${customer.id}/route-plan`))).routePlanId).toBeNull();
    expectError(await admin.get('/api/v1/customers/999999/route-plan'), 404, 'ACCOUNT_NOT_FOUND');
    await synced();
    const free = await decision({ callId: 'unrouted', calledNumber: '4420' });
    expect([free.decision, free.routes]).toEqual(['allow', null]);
    await ok(sw.post('/api/v1/calls/unrouted/end', { answered: false }));
    expectError(await sw.get('/api/v1/route-plans'), 403, 'FORBIDDEN');
    expectError(await sw.get(`/api/v1/customers/${customer.id}/route-plan`), 403, 'FORBIDDEN');
  });

  it('the Customer Limit and Host views show current calls and CPS beside each limit', async () => {
    const c = await ok(
      admin.post(
        '/api/v1/customers',
        customerBody({ rateGroupId: group.id, initialBalance: '5', callLimit: 5 }),
      ),
      201,
    );
    const tr = await ok(admin.post(`/api/v1/customers/${c.id}/trunks`, { name: 'Usage', callLimit: 3 }), 201);
    const h = await ok(admin.post(`/api/v1/trunks/${tr.id}/hosts`, { cidr: '198.51.100.41' }), 201);
    await synced();
    const hostRow = async () =>
      (await ok(admin.get(`/api/v1/limits/hosts?customerId=${c.id}`))).data.find((r: any) => r.id === h.id);
    const customerRow = async () =>
      (await ok(admin.get(`/api/v1/limits/customers?name=${encodeURIComponent(c.name)}`))).data[0];
    expect(await hostRow()).toMatchObject({
      customer: { callLimit: 5, currentCalls: 0, currentCps: 0 },
      trunk: { callLimit: 3, currentCalls: 0, currentCps: 0 },
      host: { callLimit: null, currentCalls: 0, currentCps: 0 },
    });
    for (const id of ['use-1', 'use-2'])
      expect((await decision({ callId: id, sourceIp: '198.51.100.41' })).decision).toBe('allow');
    expect(await hostRow()).toMatchObject({
      customer: { currentCalls: 2, currentCps: 2 },
      trunk: { currentCalls: 2, currentCps: 2 },
      host: { currentCalls: 2, currentCps: 2 },
    });
    expect(await customerRow()).toMatchObject({
      id: c.id,
      callLimit: 5,
      currentCalls: 2,
      currentCps: 2,
      trunks: [{ id: tr.id, callLimit: 3, currentCalls: 2, currentCps: 2 }],
    });
    // A second later the calls still hold their slots but no longer count towards CPS.
    clock += 1500;
    await ok(sw.post('/api/v1/calls/use-1/end', { answered: false }));
    expect(await hostRow()).toMatchObject({
      customer: { currentCalls: 1, currentCps: 0 },
      trunk: { currentCalls: 1, currentCps: 0 },
      host: { currentCalls: 1, currentCps: 0 },
    });
    const patched = await ok(admin.patch(`/api/v1/limits/customers/${c.id}`, { callLimit: 4 }));
    expect(patched).toMatchObject({ callLimit: 4, currentCalls: 1 });
    await ok(sw.post('/api/v1/calls/use-2/end', { answered: false }));
    expect((await customerRow()).currentCalls).toBe(0);
  });

  it('is described in the OpenAPI document', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    for (const p of [
      '/api/v1/calls/authorize',
      '/api/v1/calls/{callId}/extend',
      '/api/v1/calls/{callId}/end',
      '/api/v1/switch/sip-credentials/{username}',
      '/api/v1/call-auth/reasons',
      '/api/v1/call-auth/reasons/{reason}',
      '/api/v1/call-auth/alarms',
      '/api/v1/calls/live',
      '/api/v1/route-plans',
      '/api/v1/route-plans/{id}',
      '/api/v1/customers/{customerId}/route-plan',
    ])
      expect(Object.keys(doc.paths), p).toContain(p);
  });
});

describe('reservations survive a restart (memory store, durable copy)', () => {
  it('a new instance on the same database holds what the old one held, and frees it at the end', async () => {
    const database = await createTestDatabase('pglite');
    const make = async () => {
      const app = await buildApp({
        config: {
          logLevel: 'silent',
          sessionTtlHours: 12,
          cookieSecure: false,
          trustProxy: false,
          serveUi: false,
        },
        database,
        logger: false,
        callAuth: { sweepIntervalMs: 0 },
      });
      await app.ready();
      return app;
    };
    try {
      await ensureFirstAdmin(
        { actor: systemActor, db: database.db, now: () => new Date() },
        { email: ADMIN_EMAIL, password: ADMIN_PASSWORD, generate: () => ADMIN_PASSWORD },
      );
      let app = await make();
      const admin = await adminLogin(app);
      const { key } = await ok(admin.post('/api/v1/api-keys', { name: 'sw', role: 'switch' }), 201);
      const g = await ok(admin.post('/api/v1/rate-groups', { name: 'r', currency: 'USD' }), 201);
      await ok(
        admin.post(`/api/v1/rate-groups/${g.id}/rates`, {
          prefix: '44',
          ratePerMin: '0.06',
          effectiveFrom: new Date(Date.now() - 86_400_000).toISOString(),
        }),
        201,
      );
      const c = await ok(
        admin.post(
          '/api/v1/customers',
          customerBody({ rateGroupId: g.id, initialBalance: '1', callLimit: 1 }),
        ),
        201,
      );
      const tr = await ok(admin.post(`/api/v1/customers/${c.id}/trunks`, { name: 'T' }), 201);
      await ok(admin.post(`/api/v1/trunks/${tr.id}/hosts`, { cidr: '192.0.2.1' }), 201);
      await app.callAuth.engine.loader.sync();
      const body = { sourceIp: '192.0.2.1', calledNumber: '4412', callingNumber: '1' };
      const sw = () => Client.withApiKey(app, key);
      expect((await ok(sw().post('/api/v1/calls/authorize', { ...body, callId: 'r-1' }))).decision).toBe(
        'allow',
      );
      await app.close();

      app = await make();
      expect((await app.callAuth.engine.store.held([c.id])).get(c.id)).toBe('0.300000');
      // The slot is still taken, and the first decision is still the answer for its id.
      expect((await ok(sw().post('/api/v1/calls/authorize', { ...body, callId: 'r-2' }))).reason).toBe(
        'CUSTOMER_CALL_LIMIT',
      );
      expect((await ok(sw().post('/api/v1/calls/authorize', { ...body, callId: 'r-1' }))).decision).toBe(
        'allow',
      );
      expect(await ok(sw().post('/api/v1/calls/r-1/end', { answered: false }))).toEqual({
        callId: 'r-1',
        ended: true,
      });
      await app.close();

      app = await make();
      expect((await app.callAuth.engine.store.held([c.id])).size).toBe(0);
      await app.close();
    } finally {
      await database.close();
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminLogin, Client, createTestApp, expectError, type TestApp } from '../../../../test/app.js';
import { testDatabaseKinds } from '../../../../test/databases.js';
import { makeCustomer, makeReseller, ok } from '../../../../test/connectivity.js';
import { RateIndex, lookupWithOverrides, selectRate, type RateCandidate } from '../rating/index.js';

/*
 * Customer rate overrides (DOMAIN 4 step 7): the ranking against the rate group's rows, the API
 * (scope, audit, validation), and a change through the API deciding the next call.
 */

const T0 = Date.UTC(2026, 0, 1);
const DAY = 86_400_000;
const row = (
  id: number,
  prefix: string,
  over: Partial<RateCandidate> & { override?: boolean } = {},
): RateCandidate => ({
  id,
  prefix,
  isOverride: over.override ?? false,
  effectiveFrom: over.effectiveFrom ?? T0,
  effectiveTo: over.effectiveTo ?? null,
  ratePerMin: over.ratePerMin ?? '0.10',
  connectFee: over.connectFee ?? '0',
});
const ov = (id: number, prefix: string, over: Partial<RateCandidate> = {}) =>
  row(id, prefix, { ...over, override: true });

describe('rate lookup with customer overrides (pure)', () => {
  const at = T0 + 10 * DAY;
  // [rule, group rows, overrides, number, expected winner id (null = NO_RATE)]
  const cases: [string, RateCandidate[], RateCandidate[], string, number | null][] = [
    ['(a) a longer group code beats a shorter override', [row(1, '4420')], [ov(101, '44')], '442071234', 1],
    ['(a) a longer override beats a shorter group code', [row(1, '44')], [ov(101, '4420')], '442071234', 101],
    ['(b) same code: the override before the group row', [row(1, '44')], [ov(101, '44')], '4420', 101],
    [
      '(b) same code: the override wins even when the group row started later and costs more',
      [row(1, '44', { effectiveFrom: T0 + DAY, ratePerMin: '9' })],
      [ov(101, '44', { effectiveFrom: T0, ratePerMin: '0.01' })],
      '4420',
      101,
    ],
    [
      '(c) two overrides of one code: the latest effectiveFrom',
      [],
      [ov(101, '44', { effectiveFrom: T0 }), ov(102, '44', { effectiveFrom: T0 + DAY })],
      '4420',
      102,
    ],
    [
      '(c) two group rows of one code: the latest effectiveFrom',
      [row(1, '44', { effectiveFrom: T0 + DAY }), row(2, '44', { effectiveFrom: T0 })],
      [],
      '4420',
      1,
    ],
    [
      '(d) same code and start: the higher price',
      [],
      [
        ov(101, '44', { ratePerMin: '0.05' }),
        ov(102, '44', { ratePerMin: '0.07' }),
        ov(103, '44', { ratePerMin: '0.06' }),
      ],
      '4420',
      102,
    ],
    ['(e) all else equal: the lowest id', [], [ov(105, '44'), ov(103, '44'), ov(104, '44')], '4420', 103],
    [
      'validity: an override not yet valid is no candidate (the group row wins)',
      [row(1, '44')],
      [ov(101, '44', { effectiveFrom: at + 1 })],
      '4420',
      1,
    ],
    [
      'validity: an expired override is no candidate (a shorter group code wins)',
      [row(1, '4')],
      [ov(101, '44', { effectiveFrom: T0, effectiveTo: at })],
      '4420',
      1,
    ],
    ['a code that does not begin the number is no candidate', [row(1, '44')], [ov(101, '45')], '4420', 1],
    ['overrides alone price a number the group does not cover', [row(1, '1')], [ov(101, '44')], '4420', 101],
    ['nothing matches: NO_RATE', [row(1, '1')], [ov(101, '2')], '4420', null],
  ];

  it.each(cases)('%s', (_rule, groupRows, overrides, number, expected) => {
    const winner = lookupWithOverrides(new RateIndex(groupRows), new RateIndex(overrides), number, at);
    expect(winner?.id ?? null).toBe(expected);
    // The reference implementation over the union agrees.
    expect(selectRate([...groupRows, ...overrides], number, at)?.id ?? null).toBe(expected);
  });

  it('agrees with the reference on random data', () => {
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const make = (id: number, override: boolean) =>
      row(id, String(44 + rnd(2)) + String(rnd(100)).slice(0, rnd(3)), {
        override,
        effectiveFrom: T0 + rnd(3) * DAY,
        effectiveTo: rnd(4) === 0 ? T0 + 2 * DAY : null,
        ratePerMin: `0.0${rnd(3)}`,
      });
    for (let round = 0; round < 200; round++) {
      const g = Array.from({ length: rnd(6) }, (_, i) => make(i + 1, false));
      const o = Array.from({ length: rnd(6) }, (_, i) => make(i + 1, true));
      const number = `4${4 + rnd(2)}${rnd(10)}${rnd(10)}55`;
      const at2 = T0 + rnd(4) * DAY;
      const got = lookupWithOverrides(new RateIndex(g), new RateIndex(o), number, at2);
      const want = selectRate([...g, ...o], number, at2);
      expect([got?.isOverride, got?.id]).toEqual([want?.isOverride, want?.id]);
    }
  });
});

describe.each(testDatabaseKinds())('rate overrides API on %s', (kind) => {
  let t: TestApp;
  let admin: Client;
  let sw: Client;
  let group: any;
  let customer: any;
  let seq = 0;
  const past = new Date(Date.now() - DAY).toISOString();
  const synced = () => t.app.callAuth.engine.loader.sync();
  const call = async (calledNumber: string) =>
    ok(
      sw.post('/api/v1/calls/authorize', {
        callId: `ovr-${kind}-${++seq}@sw`,
        sourceIp: '198.51.100.7',
        calledNumber,
        callingNumber: '15551230000',
      }),
    );

  beforeAll(async () => {
    t = await createTestApp(kind);
    admin = await adminLogin(t.app);
    const { key } = await ok(admin.post('/api/v1/api-keys', { name: 'sw', role: 'switch' }), 201);
    sw = Client.withApiKey(t.app, key);
    group = await ok(admin.post('/api/v1/rate-groups', { name: 'retail', currency: 'USD' }), 201);
    for (const [prefix, ratePerMin] of [
      ['44', '0.06'],
      ['4420', '0.04'],
    ])
      await ok(
        admin.post(`/api/v1/rate-groups/${group.id}/rates`, { prefix, ratePerMin, effectiveFrom: past }),
        201,
      );
    customer = await makeCustomer(admin, { rateGroupId: group.id, initialBalance: '10.00' });
    const trunk = await ok(admin.post(`/api/v1/customers/${customer.id}/trunks`, { name: 'Main' }), 201);
    await ok(admin.post(`/api/v1/trunks/${trunk.id}/hosts`, { cidr: '198.51.100.0/24' }), 201);
    await synced();
  });
  afterAll(async () => t?.close());

  const base = () => `/api/v1/customers/${customer.id}/rate-overrides`;

  it('a change through the API decides the next call, and the CDR of a call without reservation', async () => {
    expect((await call('4479001')).rate).toMatchObject({ prefix: '44', ratePerMin: '0.060000' });

    const o = await ok(
      admin.post(base(), {
        prefix: '44',
        destination: 'UK special',
        ratePerMin: '0.02',
        connectFee: '0.01',
        effectiveFrom: past,
      }),
      201,
    );
    expect(o).toMatchObject({
      customerId: customer.id,
      prefix: '44',
      destination: 'UK special',
      ratePerMin: '0.020000',
      connectFee: '0.010000',
      status: 'active',
      effectiveTo: null,
    });
    await synced();
    // (b) same code: the override; (a) the group's longer 4420 still wins for London.
    expect((await call('4479001')).rate).toMatchObject({
      prefix: '44',
      ratePerMin: '0.020000',
      connectFee: '0.010000',
    });
    expect((await call('4420712')).rate).toMatchObject({ prefix: '4420', ratePerMin: '0.040000' });

    // The CDR intake's fresh lookup (no reservation) prices with the override too.
    const snapState = t.app.callAuth.engine.loader.state;
    const { cdrRateOf } = await import('../call-auth/call-auth.cdr-lookup.js');
    expect(cdrRateOf(snapState, customer.id, '4479001', Date.now()).rate).toMatchObject({
      rateId: o.id,
      isOverride: true,
      ratePerMin: '0.020000',
    });

    // Edit: the next call has the new price; inactive: the group row again; delete: gone.
    await ok(admin.patch(`${base()}/${o.id}`, { ratePerMin: '0.03' }));
    await synced();
    expect((await call('4479001')).rate.ratePerMin).toBe('0.030000');
    await ok(admin.patch(`${base()}/${o.id}`, { status: 'inactive' }));
    await synced();
    expect((await call('4479001')).rate.ratePerMin).toBe('0.060000');
    await ok(admin.patch(`${base()}/${o.id}`, { status: 'active' }));
    const longer = await ok(
      admin.post(base(), { prefix: '44207', ratePerMin: '0.01', effectiveFrom: past }),
      201,
    );
    await synced();
    expect((await call('4420712')).rate).toMatchObject({ prefix: '44207', ratePerMin: '0.010000' });
    await ok(admin.delete(`${base()}/${longer.id}`), 204);
    await ok(admin.delete(`${base()}/${o.id}`), 204);
    await synced();
    expect((await call('4420712')).rate.prefix).toBe('4420');
    expect((await call('4479001')).rate.ratePerMin).toBe('0.060000');
    expect((await ok(admin.get(base()))).data).toEqual([]);

    const audit = (await ok(admin.get(`/api/v1/customers/${customer.id}/audit`))).data.map(
      (x: any) => x.action,
    );
    expect(audit).toEqual(
      expect.arrayContaining(['rate_override.create', 'rate_override.update', 'rate_override.delete']),
    );
  });

  it('an override for a code the group does not cover allows the call instead of NO_RATE', async () => {
    expect(await call('3312345')).toMatchObject({ decision: 'deny', reason: 'NO_RATE' });
    const o = await ok(admin.post(base(), { prefix: '33', ratePerMin: '0.05', effectiveFrom: past }), 201);
    await synced();
    expect(await call('3312345')).toMatchObject({ decision: 'allow', rate: { prefix: '33' } });
    await ok(admin.delete(`${base()}/${o.id}`), 204);
  });

  it("the CDR of a call an override priced names the override, not a rate, and its daily usage and top destinations the override's destination", async () => {
    const o = await ok(
      admin.post(base(), {
        prefix: '34',
        destination: 'Spain special',
        ratePerMin: '0.06',
        effectiveFrom: past,
      }),
      201,
    );
    await synced();
    const allowed = await call('3491234');
    expect(allowed).toMatchObject({ decision: 'allow', rate: { prefix: '34' } });
    const now = Date.now();
    const iso = (ms: number) => new Date(ms).toISOString();
    const res = await ok(
      sw.post('/api/v1/cdrs', {
        cdrs: [
          {
            callId: allowed.callId,
            leg: 'A',
            sourceIp: '198.51.100.7',
            callingNumber: '15551230000',
            calledNumber: '3491234',
            startedAt: iso(now - 120_000),
            answeredAt: iso(now - 110_000),
            endedAt: iso(now - 50_000),
            durationSec: 70,
            billsec: 60,
            disposition: 'ANSWERED',
            sipCode: 200,
            hangupCause: 'NORMAL_CLEARING',
          },
        ],
      }),
    );
    expect(res.results[0].cdr).toMatchObject({ status: 'rated', cost: '0.060000' });
    const stored = await t.database.db
      .selectFrom('cdrs')
      .select(['rate_id', 'rate_override_id', 'rating_flags'])
      .where('call_id', '=', allowed.callId)
      .executeTakeFirstOrThrow();
    expect(stored).toEqual({ rate_id: null, rate_override_id: o.id, rating_flags: ['RATE_OVERRIDE'] });
    const detail = await ok(admin.get(`/api/v1/cdrs/${res.results[0].cdr.id}`));
    expect(detail).toMatchObject({ rateId: null, rateOverrideId: o.id, ratingFlags: ['RATE_OVERRIDE'] });
    const usage = await t.database.db
      .selectFrom('cdr_daily_usage')
      .select(['code', 'code_name', 'calls'])
      .where('account_id', '=', customer.id)
      .where('code', '=', '34')
      .execute();
    expect(usage).toEqual([{ code: '34', code_name: 'Spain special', calls: 1 }]);
    const top = await ok(admin.get('/api/v1/dashboard/top-destinations?days=2'));
    expect(top.data.find((d: { code: string }) => d.code === '34')).toMatchObject({
      codeName: 'Spain special',
      calls: 1,
    });
    await ok(admin.delete(`${base()}/${o.id}`), 204);
  });

  it('refuses bad input with the field, and a duplicate code and start with 409', async () => {
    expectError(
      await admin.post(base(), { prefix: '4a', ratePerMin: '1' }),
      400,
      'VALIDATION_FAILED',
      'prefix',
    );
    expectError(
      await admin.post(base(), { prefix: '44', ratePerMin: '-1' }),
      400,
      'VALIDATION_FAILED',
      'ratePerMin',
    );
    expectError(
      await admin.post(base(), { prefix: '44', ratePerMin: '1', effectiveFrom: past, effectiveTo: past }),
      400,
      'VALIDATION_FAILED',
      'effectiveTo',
    );
    const o = await ok(admin.post(base(), { prefix: '49', ratePerMin: '1', effectiveFrom: past }), 201);
    expectError(
      await admin.post(base(), { prefix: '49', ratePerMin: '2', effectiveFrom: past }),
      409,
      'RATE_OVERRIDE_ALREADY_EXISTS',
      'prefix',
    );
    expectError(await admin.patch(`${base()}/${o.id}`, { prefix: '48' }), 400, 'VALIDATION_FAILED');
    expectError(await admin.patch(`${base()}/999999`, { ratePerMin: '1' }), 404, 'RATE_OVERRIDE_NOT_FOUND');
    await ok(admin.delete(`${base()}/${o.id}`), 204);
    expectError(await admin.delete(`${base()}/${o.id}`), 404, 'RATE_OVERRIDE_NOT_FOUND');
  });

  it('a reseller manages its own customers; another reseller gets 404; a customer gets 403', async () => {
    const r1 = await makeReseller(t, admin);
    const r2 = await makeReseller(t, admin);
    const c = await makeCustomer(r1.client, {
      portalUsername: `ovr-cust-${kind}`,
      password: 'customer-pass-1',
    });
    const url = `/api/v1/customers/${c.id}/rate-overrides`;
    const o = await ok(r1.client.post(url, { prefix: '1', ratePerMin: '0.01' }), 201);
    expect((await ok(r1.client.get(url))).data.map((x: any) => x.id)).toEqual([o.id]);
    expectError(await r2.client.get(url), 404, 'ACCOUNT_NOT_FOUND');
    expectError(await r2.client.post(url, { prefix: '1', ratePerMin: '0.02' }), 404, 'ACCOUNT_NOT_FOUND');
    expectError(await r2.client.patch(`${url}/${o.id}`, { ratePerMin: '0' }), 404, 'RATE_OVERRIDE_NOT_FOUND');
    expectError(await r2.client.delete(`${url}/${o.id}`), 404, 'RATE_OVERRIDE_NOT_FOUND');
    // The override's id under another customer's path is not found either.
    expectError(
      await admin.patch(`/api/v1/customers/${customer.id}/rate-overrides/${o.id}`, { ratePerMin: '0' }),
      404,
      'RATE_OVERRIDE_NOT_FOUND',
    );
    const portal = await Client.login(t.app, `ovr-cust-${kind}`, 'customer-pass-1');
    expectError(await portal.get(url), 403, 'FORBIDDEN');
    expectError(await portal.post(url, { prefix: '1', ratePerMin: '0' }), 403, 'FORBIDDEN');
  });
});

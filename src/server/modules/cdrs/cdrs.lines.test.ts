import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../app.js';
import { systemActor } from '../../platform/context.js';
import type { Database } from '../../platform/db/database.js';
import { ensureFirstAdmin } from '../auth/index.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, adminLogin, Client, customerBody } from '../../../../test/app.js';
import { createTestDatabase, testDatabaseKinds } from '../../../../test/databases.js';
import { createReseller } from '../../../../test/resellers.js';
import { ok } from '../../../../test/connectivity.js';

/*
 * Issue 13: the lines above a customer's charge, hand-computed to 6 places. A customer under a
 * chain of two resellers calls 4421000 for 47 s through the provider trunk "Carrier A":
 *
 *   who                 rate (code, per min, connect, B/I)   charged   cost
 *   customer (sell)     442  0.012   0.01   30/6              48 s      0.01 + 0.012 x 48/60   = 0.019600
 *   reseller 2 (buy)    44   0.009   0.005  1/1               47 s      0.005 + 0.009 x 47/60  = 0.012050
 *   reseller 1 (buy)    44   0.0071  0      6/6               48 s      0.0071 x 48/60         = 0.005680
 *   provider (cost)     4421 0.00437 0      1/1               47 s      0.00437 x 47/60 = 0.00342316.. -> 0.003423
 *
 * Margins: reseller 2 keeps 0.019600 - 0.012050 = 0.007550, reseller 1 0.012050 - 0.005680 =
 * 0.006370, we keep 0.005680 - 0.003423 = 0.002257. Each reseller is debited a CALL entry on its
 * own ledger (cdr:<callId>:<leg>:r<id>), the provider is owed a payable entry (...:p<id>).
 */

describe.each(testDatabaseKinds())('CDR reseller and provider lines on %s', (kind) => {
  let app: FastifyInstance;
  let database: Database;
  const clock = Date.UTC(2026, 11, 3, 9, 0, 0);
  const iso = (ms: number) => new Date(ms).toISOString();
  let sw: Client;
  let customer: any;
  let r1: number;
  let r2: number;
  let provider: any;

  function cdr(callId: string, over: Record<string, unknown> = {}) {
    return {
      callId,
      leg: 'A',
      sourceIp: '192.0.2.77',
      callingNumber: '15551230000',
      calledNumber: '4421000',
      startedAt: iso(clock - 120_000),
      answeredAt: iso(clock - 110_000),
      endedAt: iso(clock - 63_000),
      durationSec: 57,
      billsec: 47,
      disposition: 'ANSWERED',
      sipCode: 200,
      hangupCause: 'NORMAL_CLEARING',
      egressTrunk: 'carrier a',
      ...over,
    };
  }

  const linesOf = (callId: string) =>
    database.db
      .selectFrom('cdr_lines as l')
      .innerJoin('cdrs as c', 'c.id', 'l.cdr_id')
      .select(['l.kind', 'l.account_id', 'l.rate_prefix', 'l.charged_sec', 'l.cost'])
      .where('c.call_id', '=', callId)
      .orderBy('l.kind')
      .orderBy('l.account_id', 'desc')
      .execute();
  const entry = (key: string) =>
    database.db
      .selectFrom('ledger_entries')
      .select(['account_id', 'amount', 'type'])
      .where('idempotency_key', '=', key)
      .execute();
  const payable = (key: string) =>
    database.db
      .selectFrom('payable_entries')
      .select(['account_id', 'amount', 'type'])
      .where('idempotency_key', '=', key)
      .execute();

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    await ensureFirstAdmin(
      { actor: systemActor, db: database.db, now: () => new Date() },
      { email: ADMIN_EMAIL, password: ADMIN_PASSWORD, generate: () => ADMIN_PASSWORD },
    );
    app = await buildApp({
      config: {
        logLevel: 'silent',
        sessionTtlHours: 12,
        cookieSecure: false,
        trustProxy: false,
        serveUi: false,
      },
      database,
      logger: false,
      now: () => new Date(clock),
      loginAttemptsPerMinute: 10_000,
      callAuth: { sweepIntervalMs: 0 },
    });
    await app.ready();
    const admin = await adminLogin(app);
    const { key } = await ok(admin.post('/api/v1/api-keys', { name: 'switch', role: 'switch' }), 201);
    sw = Client.withApiKey(app, key);
    const group = async (name: string, rates: Record<string, unknown>[]) => {
      const g = await ok(admin.post('/api/v1/rate-groups', { name, currency: 'USD' }), 201);
      for (const r of rates)
        await ok(
          admin.post(`/api/v1/rate-groups/${g.id}/rates`, { effectiveFrom: iso(clock - 86_400_000), ...r }),
          201,
        );
      return g.id as number;
    };
    const sell = await group('lines-sell', [
      { prefix: '442', ratePerMin: '0.012', connectFee: '0.01', initialIncrement: 30, billingIncrement: 6 },
    ]);
    const buy2 = await group('lines-buy-r2', [
      { prefix: '44', ratePerMin: '0.009', connectFee: '0.005', initialIncrement: 1, billingIncrement: 1 },
    ]);
    const buy1 = await group('lines-buy-r1', [
      { prefix: '44', ratePerMin: '0.0071', initialIncrement: 6, billingIncrement: 6 },
    ]);
    const cost = await group('lines-provider', [
      { prefix: '4421', ratePerMin: '0.00437', initialIncrement: 1, billingIncrement: 1 },
    ]);
    const top = await createReseller(app, admin);
    const sub = await createReseller(app, top.client);
    r1 = top.id;
    r2 = sub.id;
    customer = await ok(sub.client.post('/api/v1/customers', customerBody({ initialBalance: '10.00' })), 201);
    const trunk = await ok(sub.client.post(`/api/v1/customers/${customer.id}/trunks`, { name: 'Main' }), 201);
    await ok(sub.client.post(`/api/v1/trunks/${trunk.id}/hosts`, { cidr: '192.0.2.64/26' }), 201);
    provider = await ok(admin.post('/api/v1/customers', customerBody({ name: 'Carrier Alpha' })), 201);
    await ok(admin.post(`/api/v1/customers/${provider.id}/trunks`, { name: 'Carrier A' }), 201);
    // Rate groups of other owners and the provider role are set directly: the rating is under test.
    for (const [id, g] of [
      [customer.id, sell],
      [r2, buy2],
      [r1, buy1],
      [provider.id, cost],
    ])
      await database.db.updateTable('accounts').set({ rate_group_id: g }).where('id', '=', id).execute();
    await database.db
      .updateTable('accounts')
      .set({ roles: ['provider'] })
      .where('id', '=', provider.id)
      .execute();
    await app.callAuth.engine.loader.sync();
  });
  afterAll(async () => {
    await app?.close();
    await database?.close();
  });

  it('each reseller is charged its buy rate and the provider is owed its cost, exact to 6 places', async () => {
    const body = await ok(sw.post('/api/v1/cdrs', { cdrs: [cdr('lines-1')] }));
    expect(body.results[0].cdr).toMatchObject({ accountId: customer.id, chargedSec: 48, cost: '0.019600' });
    expect(await linesOf('lines-1')).toEqual([
      { kind: 'provider', account_id: provider.id, rate_prefix: '4421', charged_sec: 47, cost: '0.003423' },
      { kind: 'reseller', account_id: r2, rate_prefix: '44', charged_sec: 47, cost: '0.012050' },
      { kind: 'reseller', account_id: r1, rate_prefix: '44', charged_sec: 48, cost: '0.005680' },
    ]);
    expect(await entry('cdr:lines-1:A')).toEqual([
      { account_id: customer.id, amount: '-0.019600', type: 'CALL' },
    ]);
    expect(await entry(`cdr:lines-1:A:r${r2}`)).toEqual([
      { account_id: r2, amount: '-0.012050', type: 'CALL' },
    ]);
    expect(await entry(`cdr:lines-1:A:r${r1}`)).toEqual([
      { account_id: r1, amount: '-0.005680', type: 'CALL' },
    ]);
    expect(await payable(`cdr:lines-1:A:p${provider.id}`)).toEqual([
      { account_id: provider.id, amount: '0.003423', type: 'CALL_COST' },
    ]);
    // Margin per call: what the top reseller pays us minus what we owe the carrier.
    const m = await database.db
      .selectFrom('cdr_lines as l')
      .innerJoin('cdrs as c', 'c.id', 'l.cdr_id')
      .select((eb) =>
        eb
          .fn<string>('sum', [
            eb
              .case()
              .when('l.kind', '=', 'provider')
              .then(eb.neg('l.cost'))
              .when('l.account_id', '=', r1)
              .then(eb.ref('l.cost'))
              .else(0)
              .end(),
          ])
          .as('margin'),
      )
      .where('c.call_id', '=', 'lines-1')
      .executeTakeFirstOrThrow();
    expect(Number(m.margin).toFixed(6)).toBe('0.002257');
    // A replay charges nobody again.
    const again = await ok(sw.post('/api/v1/cdrs', { cdrs: [cdr('lines-1')] }));
    expect(again).toMatchObject({ created: 0, replayed: 1 });
    expect(await entry(`cdr:lines-1:A:r${r1}`)).toHaveLength(1);
    expect(await payable(`cdr:lines-1:A:p${provider.id}`)).toHaveLength(1);
    expect(await linesOf('lines-1')).toHaveLength(3);
  });

  it('a reseller without a rate group gets no line and the CDR is flagged; so is an unknown trunk', async () => {
    await database.db.updateTable('accounts').set({ rate_group_id: null }).where('id', '=', r1).execute();
    await app.callAuth.engine.loader.sync();
    await ok(sw.post('/api/v1/cdrs', { cdrs: [cdr('lines-2', { egressTrunk: 'Nobody' })] }));
    expect((await linesOf('lines-2')).map((l) => [l.kind, l.account_id, l.cost])).toEqual([
      ['reseller', r2, '0.012050'],
    ]);
    const row = await database.db
      .selectFrom('cdrs')
      .select(['rating_flags', 'cost'])
      .where('call_id', '=', 'lines-2')
      .executeTakeFirstOrThrow();
    expect(row).toEqual({
      cost: '0.019600',
      rating_flags: [`RESELLER_NO_RATE_GROUP:${r1}`, 'PROVIDER_TRUNK_UNKNOWN'],
    });
    expect(await entry(`cdr:lines-2:A:r${r1}`)).toEqual([]);
  });
});

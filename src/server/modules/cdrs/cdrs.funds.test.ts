import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../app.js';
import { systemActor } from '../../platform/context.js';
import { openDatabase, type Database } from '../../platform/db/database.js';
import { ensureFirstAdmin } from '../auth/index.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, adminLogin, Client, customerBody } from '../../../../test/app.js';
import { createTestDatabase, testDatabaseKinds } from '../../../../test/databases.js';
import { ok } from '../../../../test/connectivity.js';

/*
 * A CDR's debit reaches the call-authorization funds check (issue 13, intake throughput): the
 * intake no longer makes every instance reload every account, so these prove the balance still
 * gets there. On the instance that took the batch the next decision sees it at once (no wait for
 * the notification); on another instance (PostgreSQL: its own pool and LISTEN connection) once
 * the balance notification is heard. And balance-only changes of many accounts are applied in
 * place: no reload of the whole state.
 *
 * The numbers: a prepaid customer with 0.10 on a 0.06/min rate billed per second (0.001/s) is
 * granted 100 s; a 60 s call costs 0.06, leaving 0.04: 40 s.
 */

const appConfig = {
  logLevel: 'silent',
  sessionTtlHours: 12,
  cookieSecure: false,
  trustProxy: false,
  serveUi: false,
} as const;

describe.each(testDatabaseKinds())('CDR debits and the call-authorization funds on %s', (kind) => {
  let app: FastifyInstance;
  let database: Database;
  /** PostgreSQL: a second instance (own pool, own LISTEN connection) on the same database. */
  let other: { app: FastifyInstance; database: Database; sw: Client } | null = null;
  const clock = Date.UTC(2026, 11, 3, 9, 0, 0);
  let admin: Client;
  let sw: Client;
  let seq = 0;
  const iso = (ms: number) => new Date(ms).toISOString();

  const build = (db: Database) =>
    buildApp({
      config: appConfig,
      database: db,
      logger: false,
      now: () => new Date(clock),
      loginAttemptsPerMinute: 10_000,
      callAuth: { sweepIntervalMs: 0 },
    });

  function cdr(callId: string, sourceIp: string, calledNumber: string, billsec: number) {
    return {
      callId,
      leg: 'A',
      sourceIp,
      callingNumber: '15551230000',
      calledNumber,
      startedAt: iso(clock - 120_000),
      ...(billsec > 0 ? { answeredAt: iso(clock - 110_000) } : {}),
      endedAt: iso(clock - 110_000 + billsec * 1000),
      durationSec: billsec + 10,
      billsec,
      disposition: billsec > 0 ? 'ANSWERED' : 'NO ANSWER',
      sipCode: billsec > 0 ? 200 : 487,
      hangupCause: 'NORMAL_CLEARING',
    };
  }

  /** A decision for a new call from `sourceIp`: its grant in seconds. */
  async function grantOf(by: Client, sourceIp: string): Promise<number> {
    const d = await ok(
      by.post('/api/v1/calls/authorize', {
        callId: `funds-${++seq}@switch`,
        sourceIp,
        calledNumber: '4431000',
        callingNumber: '15551230000',
      }),
    );
    expect(d.decision, JSON.stringify(d)).toBe('allow');
    // End it unanswered: nothing stays held.
    await ok(
      by.post(`/api/v1/calls/${encodeURIComponent(`funds-${seq}@switch`)}/end`, {
        answered: false,
        durationSec: 0,
      }),
    );
    return d.grantSec;
  }

  /** A prepaid customer with 0.10 on the 443 rate, sending from 192.0.<n>.0/24. */
  async function poorCustomer(groupId: number, n: number) {
    const c = await ok(
      admin.post(
        '/api/v1/customers',
        customerBody({ rateGroupId: groupId, initialBalance: '0.10', mode: 'prepaid' }),
      ),
      201,
    );
    const trunk = await ok(admin.post(`/api/v1/customers/${c.id}/trunks`, { name: 'Main' }), 201);
    await ok(admin.post(`/api/v1/trunks/${trunk.id}/hosts`, { cidr: `192.0.${n}.0/24` }), 201);
    return c;
  }

  let groupId = 0;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
    await ensureFirstAdmin(
      { actor: systemActor, db: database.db, now: () => new Date() },
      { email: ADMIN_EMAIL, password: ADMIN_PASSWORD, generate: () => ADMIN_PASSWORD },
    );
    app = await build(database);
    await app.ready();
    admin = await adminLogin(app);
    const { key } = await ok(admin.post('/api/v1/api-keys', { name: 'kamailio', role: 'switch' }), 201);
    sw = Client.withApiKey(app, key);
    const group = await ok(admin.post('/api/v1/rate-groups', { name: 'funds', currency: 'USD' }), 201);
    groupId = group.id;
    await ok(
      admin.post(`/api/v1/rate-groups/${group.id}/rates`, {
        prefix: '443',
        ratePerMin: '0.06',
        initialIncrement: 1,
        billingIncrement: 1,
        effectiveFrom: iso(clock - 86_400_000),
      }),
      201,
    );
    if (kind === 'postgres') {
      const url = (database.pool as unknown as { options: { connectionString: string } }).options
        .connectionString;
      const second = await openDatabase({ databaseUrl: url, poolSize: 2 });
      const secondApp = await build(second);
      await secondApp.ready();
      other = { app: secondApp, database: second, sw: Client.withApiKey(secondApp, key) };
    }
    await app.callAuth.engine.loader.sync();
  });
  afterAll(async () => {
    await other?.app.close();
    await other?.database.close();
    await app?.close();
    await database?.close();
  });

  it("a CDR's debit reduces the next decision's funds on the instance that took it, with no wait", async () => {
    const c = await poorCustomer(groupId, 10);
    await app.callAuth.engine.loader.sync();
    expect(await grantOf(sw, '192.0.10.5')).toBe(100);
    const res = await ok(
      sw.post('/api/v1/cdrs', { cdrs: [cdr('funds-cdr-1@sw', '192.0.10.5', '4431000', 60)] }),
    );
    expect(res.created).toBe(1);
    expect(res.results[0].cdr.cost).toBe('0.060000');
    // No sync: the intake set the committed balance in this instance's state itself.
    expect(app.callAuth.engine.loader.state.accounts.get(c.id)?.balance).toBe('0.040000');
    expect(await grantOf(sw, '192.0.10.5')).toBe(40);
    const row = await database.db
      .selectFrom('accounts')
      .select('balance')
      .where('id', '=', c.id)
      .executeTakeFirstOrThrow();
    expect(row.balance).toBe('0.040000');
  });

  // PostgreSQL only: PGlite is one process per data folder, so there is no second instance.
  if (kind === 'postgres')
    it("another instance's next decision sees the debit once the balance notification is heard", async () => {
      const c = await poorCustomer(groupId, 11);
      await app.callAuth.engine.loader.sync();
      await other!.app.callAuth.engine.loader.sync();
      expect(await grantOf(other!.sw, '192.0.11.5')).toBe(100);
      const before = other!.app.callAuth.engine.loader.state;
      // The CDR goes to the first instance; the second hears of it through NOTIFY only.
      await ok(sw.post('/api/v1/cdrs', { cdrs: [cdr('funds-cdr-2@sw', '192.0.11.5', '4431000', 60)] }));
      await other!.app.callAuth.engine.loader.sync();
      expect(other!.app.callAuth.engine.loader.state.accounts.get(c.id)?.balance).toBe('0.040000');
      expect(await grantOf(other!.sw, '192.0.11.5')).toBe(40);
      // Applied in place: the second instance did not reload its state.
      expect(other!.app.callAuth.engine.loader.state).toBe(before);
    });

  it('a balance set locally never overwrites a newer one heard meanwhile', async () => {
    const loader = app.callAuth.engine.loader;
    const c = await poorCustomer(groupId, 12);
    await loader.sync();
    // A batch takes its stamp before it commits; another writer's later balance is heard before
    // the batch gets to set its own: the batch's (older) value must not win.
    const since = loader.balanceStamp();
    await sql`UPDATE accounts SET balance = 0.02 WHERE id = ${c.id}`.execute(database.db);
    await loader.sync();
    loader.applyLocalBalances(new Map([[c.id, '0.050000']]), since);
    expect(loader.state.accounts.get(c.id)?.balance).toBe('0.020000');
    // Nothing heard since the stamp: the local value is set.
    loader.applyLocalBalances(new Map([[c.id, '0.010000']]), loader.balanceStamp());
    expect(loader.state.accounts.get(c.id)?.balance).toBe('0.010000');
  });

  it('balance-only changes of many accounts are set in place (no reload); other changes still reload the account', async () => {
    const loader = app.callAuth.engine.loader;
    await sql`
      INSERT INTO accounts (account_number, name, country, timezone, currency, mode)
      SELECT (3100000000 + g)::text, 'Funds bulk ' || g, 'US', 'UTC', 'USD', 'prepaid'
        FROM generate_series(1, 700) g`.execute(database.db);
    await loader.sync();
    const state = loader.state;
    const ids = (
      await sql<{
        id: number;
      }>`SELECT id FROM accounts WHERE account_number LIKE '31000%' ORDER BY id`.execute(database.db)
    ).rows.map((r) => Number(r.id));
    expect(ids).toHaveLength(700);
    // 700 balances in one statement: above the 200-key limit, and more than one 8000-byte payload.
    await sql`UPDATE accounts SET balance = balance - (id % 1000) / 1000.0 - 1
               WHERE account_number LIKE '31000%'`.execute(database.db);
    await loader.sync();
    expect(loader.state, 'the state was not reloaded whole').toBe(state);
    for (const id of ids)
      expect(loader.state.accounts.get(id)?.balance).toBe((-(id % 1000) / 1000 - 1).toFixed(6));
    // A change the decision reads (status) still reloads that account, balance included.
    await sql`UPDATE accounts SET status = 'inactive', balance = 5 WHERE id = ${ids[0]}`.execute(database.db);
    await loader.sync();
    expect(loader.state.accounts.get(ids[0])).toMatchObject({ isActive: false, balance: '5.000000' });
    expect(loader.state).toBe(state);
  });
});

import crypto from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Migrator, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../../db/migrations/index.js';
import { openDatabase, type Database } from '../../platform/db/database.js';
import { migrateToLatest } from '../../platform/db/migrate.js';
import { createJobRunner, enqueueJob } from '../../platform/jobs/index.js';
import { Client, expectError } from '../../../../test/app.js';
import { dropTestDatabase, testDatabaseKinds, type DbKind } from '../../../../test/databases.js';
import { ok } from '../../../../test/connectivity.js';
import { makeCallingCustomer, makeRateGroup, startCallPathApp } from '../../../../test/call-path.js';
import { cdrJobHandlers } from './cdrs.partitions.service.js';

/*
 * Issue 13, storage that grows: CDRs partitioned by month on both databases. The migration keeps
 * existing rows; a replay is one CDR whatever month its started_at names; a CDR with an odd date
 * lands in the DEFAULT partition and the job moves it to its month; the retention drops whole
 * months (CDRs, lines, keys) and keeps daily usage and the ledger; a CDR past the retention is
 * refused, never charged again.
 */

const partitions = async (db: Database['db'], parent: string) =>
  (
    await sql<{ name: string }>`
      SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
       WHERE i.inhparent = ${parent}::regclass ORDER BY 1`.execute(db)
  ).rows.map((r) => r.name);

/** A database migrated up to (and including) `last`, then the caller's rows, then the rest. */
async function openUnmigrated(kind: DbKind): Promise<Database> {
  if (kind === 'pglite') return openDatabase({ dataDir: 'memory://' });
  const adminUrl = process.env.TEST_DATABASE_URL!;
  const name = `tollgate_t_${crypto.randomBytes(6).toString('hex')}`;
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ databaseUrl: url.toString(), poolSize: 2 });
  return {
    ...database,
    close: async () => {
      await database.close();
      await dropTestDatabase(adminUrl, name);
    },
  };
}

describe.each(testDatabaseKinds())('CDR month partitions on %s', (kind) => {
  it('the migration converts the existing table: rows, lines and keys kept, ids continue', async () => {
    const database = await openUnmigrated(kind);
    try {
      const migrator = new Migrator({ db: database.db, provider: { getMigrations: async () => migrations } });
      const to = await migrator.migrateTo('2026_12_04_0500_dashboard_day_indexes');
      expect(to.error).toBeUndefined();
      await sql`INSERT INTO accounts (name, account_number, country, timezone, currency, roles)
        VALUES ('Old', '900001', 'US', 'UTC', 'USD', '{customer}')`.execute(database.db);
      const acc = (
        await sql<{ id: number }>`SELECT id FROM accounts WHERE account_number = '900001'`.execute(
          database.db,
        )
      ).rows[0]!.id;
      for (const [callId, at] of [
        ['old-1', '2026-09-15T10:00:00Z'],
        ['old-2', '2026-10-31T23:59:59Z'],
        ['old-3', '2026-11-01T00:00:00Z'],
      ])
        await sql`INSERT INTO cdrs (call_id, leg, account_id, status, source_ip, calling_number, called_number,
            started_at, ended_at, duration_sec, billsec, disposition, sip_code, hangup_cause, cost)
          VALUES (${callId}, 'A', ${acc}, 'rated', '192.0.2.1', '1', '44', ${at}, ${at}, 1, 1, 'ANSWERED', 200,
            'NORMAL_CLEARING', 0.01)`.execute(database.db);
      const old = (
        await sql<{ id: number; call_id: string }>`SELECT id, call_id FROM cdrs ORDER BY id`.execute(
          database.db,
        )
      ).rows;
      await sql`INSERT INTO cdr_lines (cdr_id, kind, account_id, rate_id, rate_group_id, rate_prefix, rate_per_min,
          connect_fee, included_seconds, initial_increment, billing_increment, charged_sec, cost)
        VALUES (${old[1]!.id}, 'provider', ${acc}, 1, 1, '44', 0.01, 0, 0, 1, 1, 1, 0.01)`.execute(
        database.db,
      );

      await migrateToLatest(database.db);

      const cdrs = await partitions(database.db, 'cdrs');
      expect(cdrs).toEqual(
        expect.arrayContaining(['cdrs_default', 'cdrs_p2026_09', 'cdrs_p2026_10', 'cdrs_p2026_11']),
      );
      expect(await partitions(database.db, 'cdr_lines')).toEqual(
        expect.arrayContaining(['cdr_lines_default', 'cdr_lines_p2026_10']),
      );
      const rows = (
        await sql<{ id: number; call_id: string; part: string }>`
          SELECT id, call_id, tableoid::regclass::text AS part FROM cdrs ORDER BY id`.execute(database.db)
      ).rows;
      expect(rows.map((r) => [Number(r.id), r.call_id, r.part])).toEqual([
        [Number(old[0]!.id), 'old-1', 'cdrs_p2026_09'],
        [Number(old[1]!.id), 'old-2', 'cdrs_p2026_10'],
        [Number(old[2]!.id), 'old-3', 'cdrs_p2026_11'],
      ]);
      const line = (
        await sql<{ cdr_id: number; part: string }>`
          SELECT cdr_id, tableoid::regclass::text AS part FROM cdr_lines`.execute(database.db)
      ).rows;
      expect(line.map((l) => [Number(l.cdr_id), l.part])).toEqual([
        [Number(old[1]!.id), 'cdr_lines_p2026_10'],
      ]);
      const keys = (
        await sql<{
          call_id: string;
          cdr_id: number;
        }>`SELECT call_id, cdr_id FROM cdr_keys ORDER BY cdr_id`.execute(database.db)
      ).rows;
      expect(keys.map((k) => [k.call_id, Number(k.cdr_id)])).toEqual(
        old.map((o) => [o.call_id, Number(o.id)]),
      );
      const next = await sql<{ id: number }>`SELECT nextval('cdr_ids') AS id`.execute(database.db);
      expect(Number(next.rows[0]!.id)).toBeGreaterThan(Number(old[2]!.id));
    } finally {
      await database.close();
    }
  });

  describe('intake, odd dates and retention', () => {
    let app: FastifyInstance;
    let database: Database;
    // Thursday 3 December 2026, 09:00 UTC: partitions 2026-12 .. 2027-03 exist after migrating.
    let clock = Date.UTC(2026, 11, 3, 9, 0, 0);
    let admin: Client;
    let sw: Client;
    let customer: any;

    const cdr = (callId: string, startedAt: string, over: Record<string, unknown> = {}) => {
      const s = Date.parse(startedAt);
      return {
        callId,
        leg: 'A',
        sourceIp: '192.0.2.44',
        callingNumber: '15551230000',
        calledNumber: '4431000',
        startedAt,
        answeredAt: new Date(s + 1000).toISOString(),
        endedAt: new Date(s + 61_000).toISOString(),
        durationSec: 61,
        billsec: 60,
        disposition: 'ANSWERED',
        sipCode: 200,
        hangupCause: 'NORMAL_CLEARING',
        ...over,
      };
    };
    const post = (cdrs: unknown[]) => ok(sw.post('/api/v1/cdrs', { cdrs }));
    const entries = async (callId: string) =>
      (
        await sql<{
          amount: string;
        }>`SELECT amount::text FROM ledger_entries WHERE idempotency_key = ${`cdr:${callId}:A`}`.execute(
          database.db,
        )
      ).rows.map((r) => r.amount);
    const balance = async () =>
      (
        await sql<{ balance: string }>`SELECT balance::text FROM accounts WHERE id = ${customer.id}`.execute(
          database.db,
        )
      ).rows[0]!.balance;
    const whereIs = async (callId: string) =>
      (
        await sql<{
          part: string;
        }>`SELECT tableoid::regclass::text AS part FROM cdrs WHERE call_id = ${callId}`.execute(database.db)
      ).rows.map((r) => r.part);
    async function runPartitionJob() {
      const runner = createJobRunner({
        db: database.db,
        handlers: cdrJobHandlers(),
        now: () => new Date(clock),
      });
      await enqueueJob(database.db, { kind: 'cdrs.partitions', payload: {} });
      await runner.runUntilIdle();
      const failed = await sql<{ n: number }>`
        SELECT count(*)::int AS n FROM jobs WHERE kind = 'cdrs.partitions' AND status <> 'done'`.execute(
        database.db,
      );
      expect(failed.rows[0]!.n).toBe(0);
    }

    beforeAll(async () => {
      ({ app, database, admin, sw } = await startCallPathApp(kind, {
        now: () => new Date(clock),
        switchKeyName: 'kamailio',
      }));
      const group = await makeRateGroup(admin, { name: 'part-retail', currency: 'USD' }, [
        {
          prefix: '443',
          ratePerMin: '0.06',
          initialIncrement: 1,
          billingIncrement: 1,
          effectiveFrom: '2026-01-01T00:00:00Z',
        },
      ]);
      ({ customer } = await makeCallingCustomer(
        admin,
        {
          rateGroupId: group.id,
          initialBalance: '10.00',
          portalUsername: 'part-cust',
          password: 'customer-pass-1',
        },
        '192.0.2.44/32',
      ));
      await app.callAuth.engine.loader.sync();
    });
    afterAll(async () => {
      await app?.close();
      await database?.close();
    });

    it('a replay naming another month (across the month boundary) is the same CDR, charged once', async () => {
      const before = await balance();
      const first = await post([cdr('boundary-1', '2026-11-30T23:59:30Z')]);
      expect(first).toMatchObject({ created: 1, replayed: 0 });
      expect(first.results[0].cdr.cost).toBe('0.060000');
      // The switch resends it with a start one minute later: December, another partition.
      const again = await post([cdr('boundary-1', '2026-12-01T00:00:30Z')]);
      expect(again).toMatchObject({ created: 0, replayed: 1 });
      expect(again.results[0].cdr).toEqual(first.results[0].cdr);
      // Concurrent replays, each naming another month.
      const many = await Promise.all(
        ['2026-12-01T00:00:30Z', '2027-01-01T00:00:00Z', '2026-11-30T23:59:30Z'].map((at) =>
          post([cdr('boundary-1', at)]),
        ),
      );
      expect(many.map((b) => b.replayed)).toEqual([1, 1, 1]);
      expect(await whereIs('boundary-1')).toEqual(['cdrs_default']);
      expect(await entries('boundary-1')).toEqual(['-0.060000']);
      expect(Number(before) - Number(await balance())).toBeCloseTo(0.06, 6);
    });

    it('a new CDR racing across months: concurrent first posts create exactly one', async () => {
      const answers = await Promise.all(
        ['2026-12-31T23:59:59Z', '2027-01-01T00:00:01Z', '2026-12-31T23:59:59Z', '2027-01-01T00:00:01Z'].map(
          (at) => post([cdr('race-1', at)]),
        ),
      );
      expect(answers.reduce((n, b) => n + b.created, 0)).toBe(1);
      expect(answers.reduce((n, b) => n + b.replayed, 0)).toBe(3);
      expect(new Set(answers.map((b) => b.results[0].cdr.id)).size).toBe(1);
      expect((await whereIs('race-1')).length).toBe(1);
      expect(await entries('race-1')).toEqual(['-0.060000']);
    });

    it('a CDR with an odd date lands in the DEFAULT partition; the job moves it to its own month', async () => {
      const body = await post([
        cdr('odd-june', '2026-06-15T12:00:00Z'),
        cdr('odd-far', '2031-05-10T08:00:00Z'),
      ]);
      expect(body.created).toBe(2);
      expect(await whereIs('odd-june')).toEqual(['cdrs_default']);
      expect(await whereIs('odd-far')).toEqual(['cdrs_default']);
      await runPartitionJob();
      // November (boundary-1) too: it was in the DEFAULT partition.
      expect(await whereIs('boundary-1')).toEqual(['cdrs_p2026_11']);
      expect(await whereIs('odd-june')).toEqual(['cdrs_p2026_06']);
      expect(await whereIs('odd-far')).toEqual(['cdrs_p2031_05']);
      expect(await partitions(database.db, 'cdr_lines')).toEqual(
        expect.arrayContaining(['cdr_lines_p2026_06', 'cdr_lines_p2026_11', 'cdr_lines_p2031_05']),
      );
      // Still read, still a replay.
      const id = body.results[0].cdr.id;
      expect(await ok(admin.get(`/api/v1/cdrs/${id}`))).toMatchObject({
        callId: 'odd-june',
        cost: '0.060000',
      });
      expect((await post([cdr('odd-june', '2026-06-15T12:00:00Z')])).replayed).toBe(1);
      expect(await entries('odd-june')).toEqual(['-0.060000']);
    });

    it('the job keeps three months ahead as time passes', async () => {
      clock = Date.UTC(2027, 1, 10, 9, 0, 0); // February 2027
      await runPartitionJob();
      expect(await partitions(database.db, 'cdrs')).toEqual(
        expect.arrayContaining(['cdrs_p2027_02', 'cdrs_p2027_03', 'cdrs_p2027_04', 'cdrs_p2027_05']),
      );
      clock = Date.UTC(2026, 11, 3, 9, 0, 0);
    });

    it('settings: admins only; the retention is 1..120 months or null', async () => {
      expect(await ok(admin.get('/api/v1/settings'))).toMatchObject({ cdrRetentionMonths: null });
      expectError(await admin.patch('/api/v1/settings', { cdrRetentionMonths: 0 }), 400, 'VALIDATION_FAILED');
      expectError(
        await admin.patch('/api/v1/settings', { cdrRetentionMonths: 121 }),
        400,
        'VALIDATION_FAILED',
      );
      const cust = await Client.login(app, 'part-cust', 'customer-pass-1');
      expect((await cust.get('/api/v1/settings')).statusCode).toBe(403);
      expect((await cust.patch('/api/v1/settings', { cdrRetentionMonths: 1 })).statusCode).toBe(403);
      expect((await ok(admin.get('/api/v1/settings'))).cdrRetentionMonths).toBeNull();
    });

    it('retention drops whole months (CDRs, lines, keys), keeps daily usage and the ledger; a CDR past it is refused', async () => {
      const june = (
        await sql<{ id: number }>`SELECT id FROM cdrs WHERE call_id = 'odd-june'`.execute(database.db)
      ).rows[0]!.id;
      await sql`INSERT INTO cdr_lines (cdr_id, started_at, kind, account_id, rate_id, rate_group_id, rate_prefix,
          rate_per_min, connect_fee, included_seconds, initial_increment, billing_increment, charged_sec, cost)
        VALUES (${june}, '2026-06-15T12:00:00Z', 'provider', ${customer.id}, 1, 1, '443', 0.01, 0, 0, 1, 1, 60, 0.01)`.execute(
        database.db,
      );
      const recent = await post([cdr('recent-1', '2026-12-02T10:00:00Z')]);
      const usageBefore = await sql<{ n: number }>`
        SELECT count(*)::int AS n FROM cdr_daily_usage WHERE account_id = ${customer.id} AND day = '2026-06-15'`.execute(
        database.db,
      );
      expect(usageBefore.rows[0]!.n).toBe(1);

      expect(await ok(admin.patch('/api/v1/settings', { cdrRetentionMonths: 3 }))).toMatchObject({
        cdrRetentionMonths: 3,
      });
      // December 2026 minus 3 months: September 1 is the horizon; June goes, November stays.
      await runPartitionJob();
      const cdrParts = await partitions(database.db, 'cdrs');
      expect(cdrParts).not.toContain('cdrs_p2026_06');
      expect(cdrParts).toContain('cdrs_p2026_11');
      expect(await partitions(database.db, 'cdr_lines')).not.toContain('cdr_lines_p2026_06');
      expect(await whereIs('odd-june')).toEqual([]);
      const key = await sql<{
        n: number;
      }>`SELECT count(*)::int AS n FROM cdr_keys WHERE call_id = 'odd-june'`.execute(database.db);
      expect(key.rows[0]!.n).toBe(0);
      expect((await admin.get(`/api/v1/cdrs/${june}`)).statusCode).toBe(404);
      // Daily usage and the ledger stay.
      const usage = await sql<{ n: number }>`
        SELECT count(*)::int AS n FROM cdr_daily_usage WHERE account_id = ${customer.id} AND day = '2026-06-15'`.execute(
        database.db,
      );
      expect(usage.rows[0]!.n).toBe(1);
      expect(await entries('odd-june')).toEqual(['-0.060000']);
      // The tab and the search still work, without the purged month.
      const tab = await ok(admin.get(`/api/v1/customers/${customer.id}/cdrs?limit=500`));
      const ids = tab.data.map((r: any) => r.callId);
      expect(ids).toContain('recent-1');
      expect(ids).toContain('boundary-1');
      expect(ids).not.toContain('odd-june');
      expect((await ok(admin.get('/api/v1/cdrs?limit=500'))).data.map((r: any) => r.callId)).toContain(
        'race-1',
      );
      expect(await ok(admin.get(`/api/v1/cdrs/${recent.results[0].cdr.id}`))).toMatchObject({
        callId: 'recent-1',
      });

      // A replay of the purged CDR is refused, not charged again; the others of its batch commit.
      const bal = await balance();
      const replay = await post([
        cdr('odd-june', '2026-06-15T12:00:00Z'),
        cdr('recent-2', '2026-12-02T11:00:00Z'),
      ]);
      expect(replay).toMatchObject({ created: 1, refused: 1 });
      expect(replay.results[0]).toMatchObject({
        outcome: 'refused',
        error: { code: 'CDR_PAST_RETENTION', field: 'startedAt' },
      });
      expect(await entries('odd-june')).toEqual(['-0.060000']);
      expect(Number(bal) - Number(await balance())).toBeCloseTo(0.06, 6);

      // Run again: nothing left to purge, nothing breaks.
      await runPartitionJob();
      expect(await whereIs('recent-1')).toEqual(['cdrs_p2026_12']);
      await ok(admin.patch('/api/v1/settings', { cdrRetentionMonths: null }));
    });
  });
});

/**
 * The ledger under real concurrency and real crashes, on the real PostgreSQL server (these need
 * several connections and several processes, which the embedded database does not have). They run
 * whenever TEST_DATABASE_URL is set, which CI requires.
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../app.js';
import { openDatabase, type Database } from '../../platform/db/database.js';
import { migrateToLatest } from '../../platform/db/migrate.js';
import { systemActor, type Ctx } from '../../platform/context.js';
import { money } from '../../platform/money.js';
import { ensureFirstAdmin } from '../auth/index.js';
import { accountsService } from '../accounts/index.js';
import { ledgerService, reconcileLedger } from './index.js';
import { dropTestDatabase, testDatabaseKinds } from '../../../../test/databases.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, customerBody } from '../../../../test/app.js';

const hasPostgres = testDatabaseKinds().includes('postgres');
const root = path.resolve(import.meta.dirname, '../../../..');

/** A fresh database on the test server, by URL, so several pools and processes can open it. */
async function createDatabaseUrl(): Promise<{ url: string; drop: () => Promise<void> }> {
  const serverUrl = process.env.TEST_DATABASE_URL!;
  const name = `tollgate_t_${crypto.randomBytes(6).toString('hex')}`;
  const c = new pg.Client({ connectionString: serverUrl });
  await c.connect();
  await c.query(`CREATE DATABASE ${name}`).finally(() => c.end());
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => dropTestDatabase(serverUrl, name),
  };
}

describe.runIf(hasPostgres)(
  'ledger concurrency on postgres: 2 instances, 20 clients, 5,000 postings sent twice',
  () => {
    let dbUrl: { url: string; drop: () => Promise<void> };
    const databases: Database[] = [];
    const apps: FastifyInstance[] = [];
    const bases: string[] = [];
    let apiKey: string;

    beforeAll(async () => {
      dbUrl = await createDatabaseUrl();
      for (let i = 0; i < 2; i++) {
        const database = await openDatabase({ databaseUrl: dbUrl.url, poolSize: 8 });
        databases.push(database);
        await migrateToLatest(database.db);
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
        });
        await app.listen({ port: 0, host: '127.0.0.1' });
        apps.push(app);
        bases.push(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}/api/v1`);
      }
      await ensureFirstAdmin(
        { actor: systemActor, db: databases[0].db, now: () => new Date() },
        { email: ADMIN_EMAIL, password: ADMIN_PASSWORD, generate: () => ADMIN_PASSWORD },
      );
      const login = await fetch(`${bases[0]}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }),
      });
      const cookie = login.headers.get('set-cookie')!.split(';')[0];
      const csrf = (await login.json()).csrfToken;
      const created = await fetch(`${bases[1]}/api-keys`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrf },
        body: JSON.stringify({ name: 'concurrency test' }),
      });
      apiKey = (await created.json()).key;
    });

    afterAll(async () => {
      agent.destroy();
      for (const app of apps) await app.close();
      for (const d of databases) await d.close();
      await dbUrl?.drop();
    });

    /** A plain keep-alive HTTP client: lighter than fetch, so the 10,000 requests stay cheap. */
    const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
    function call(instance: number, method: string, url: string, body?: unknown, key?: string) {
      const target = new URL(`${bases[instance]}${url}`);
      const payload = body === undefined ? undefined : JSON.stringify(body);
      return new Promise<{ status: number; replayed: string | null; body: any }>((resolve, reject) => {
        const req = http.request(
          {
            agent,
            host: target.hostname,
            port: target.port,
            path: target.pathname,
            method,
            headers: {
              authorization: `Bearer ${apiKey}`,
              ...(payload === undefined
                ? {}
                : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
              ...(key ? { 'idempotency-key': key } : {}),
            },
          },
          (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (d: string) => (text += d));
            res.on('end', () =>
              resolve({
                status: res.statusCode ?? 0,
                replayed: (res.headers['idempotent-replayed'] as string | undefined) ?? null,
                body: JSON.parse(text),
              }),
            );
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end(payload);
      });
    }

    it('final balances equal the hand sum, nothing is doubled, reconciliation finds nothing', async () => {
      const specs = [
        { currency: 'USD', mode: 'prepaid', initialBalance: '100.00', unit: 100 },
        { currency: 'EUR', mode: 'postpaid', creditLimit: '1000', unit: 100 },
        { currency: 'JPY', mode: 'prepaid', initialBalance: '5000', unit: 1 },
      ];
      const accounts: { id: number; unit: number; expected: ReturnType<typeof money> }[] = [];
      for (const { unit, ...over } of specs) {
        const r = await call(0, 'POST', '/customers', customerBody(over));
        expect(r.status, JSON.stringify(r.body)).toBe(201);
        accounts.push({ id: r.body.id, unit, expected: money(r.body.balance) });
      }

      // 5,000 mixed postings, generated deterministically; the expected balances summed here by hand.
      let seed = 20261124;
      const rnd = (n: number) => {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        return seed % n;
      };
      const ops = Array.from({ length: 5000 }, (_, i) => {
        const a = accounts[i % 3];
        const isRefill = rnd(2) === 0;
        const amount = money(1 + rnd(5000)).div(a.unit);
        a.expected = isRefill ? a.expected.plus(amount) : a.expected.minus(amount);
        return {
          a,
          url: `/customers/${a.id}/${isRefill ? 'refills' : 'charges'}`,
          body: { amount: amount.toFixed(), reason: `op ${i}` },
          key: `conc-${i}-${crypto.randomUUID()}`,
          // half the retries race the first attempt, half follow it; always on the other instance
          racing: i % 2 === 0,
          first: i % 2,
        };
      });

      let next = 0;
      const pairs: { ids: string[]; replayed: string[] }[] = [];
      const client = async () => {
        for (;;) {
          const op = ops[next++];
          if (!op) return;
          const send = (instance: number) => call(instance, 'POST', op.url, op.body, op.key);
          const answers = op.racing
            ? await Promise.all([send(op.first), send(1 - op.first)])
            : [await send(op.first), await send(1 - op.first)];
          for (const r of answers) expect(r.status, JSON.stringify(r.body)).toBe(201);
          pairs.push({ ids: answers.map((r) => r.body.id), replayed: answers.map((r) => r.replayed!) });
        }
      };
      await Promise.all(Array.from({ length: 20 }, client));

      expect(pairs).toHaveLength(5000);
      for (const p of pairs) {
        expect(p.ids[0]).toBe(p.ids[1]);
        expect([...p.replayed].sort()).toEqual(['false', 'true']);
      }
      for (const a of accounts) {
        const b = await call(a.id % 2, 'GET', `/customers/${a.id}/balance`);
        expect(money(b.body.balance).eq(a.expected), `${b.body.balance} != ${a.expected}`).toBe(true);
      }
      const recon = await call(1, 'GET', '/ledger/reconcile');
      expect(recon.body.differences).toEqual([]);
      expect(recon.body.ok).toBe(true);

      const db = databases[0].db;
      const counts = await sql<{ entries: number; keys: number; events: number; payments: number }>`
      SELECT (SELECT count(*) FROM ledger_entries WHERE idempotency_key LIKE 'op:conc-%')::int AS entries,
             (SELECT count(DISTINCT idempotency_key) FROM ledger_entries WHERE idempotency_key LIKE 'op:conc-%')::int AS keys,
             (SELECT count(*) FROM outbox_events)::int AS events,
             (SELECT count(*) FROM ledger_entries WHERE type = 'PAYMENT')::int AS payments`.execute(db);
      expect(counts.rows[0].entries).toBe(5000);
      expect(counts.rows[0].keys).toBe(5000);
      expect(counts.rows[0].events).toBe(counts.rows[0].payments);
      // the chain of balance_after is the running sum in posting order, per account
      const report = await reconcileLedger({ actor: systemActor, db, now: () => new Date() });
      expect(report.checkedEntries).toBe(5000 + 2);
    }, 180_000);
  },
);

describe.runIf(hasPostgres)(
  'ledger crash on postgres: a process killed inside the posting transaction',
  () => {
    let dbUrl: { url: string; drop: () => Promise<void> };
    let database: Database;
    let ctx: Ctx;

    beforeAll(async () => {
      dbUrl = await createDatabaseUrl();
      database = await openDatabase({ databaseUrl: dbUrl.url, poolSize: 3 });
      await migrateToLatest(database.db);
      ctx = {
        actor: { kind: 'admin', userId: null, apiKeyId: null, label: 'crash-parent' },
        db: database.db,
        now: () => new Date(),
      };
    });
    afterAll(async () => {
      await database?.close();
      await dbUrl?.drop();
    });

    /** Starts the child, waits until it is paused inside its transaction, then SIGKILLs it. */
    async function killMidPosting(args: string[]) {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', 'test/fixtures/ledger-crash-child.ts', dbUrl.url, ...args],
        {
          cwd: root,
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let out = '';
      const exited = new Promise<NodeJS.Signals | null>((resolve) =>
        child.on('exit', (_code, signal) => resolve(signal)),
      );
      await new Promise<void>((resolve, reject) => {
        const onData = (d: Buffer) => {
          out += d.toString();
          if (out.includes('PAUSED')) resolve();
        };
        child.stdout.on('data', onData);
        child.stderr.on('data', onData);
        child.on('exit', () => reject(new Error(`child exited before pausing:\n${out}`)));
      });
      return {
        output: () => out,
        kill: async () => {
          child.kill('SIGKILL');
          expect(await exited).toBe('SIGKILL');
        },
      };
    }

    async function accountState(id: number) {
      const a = await database.db
        .selectFrom('accounts')
        .select('balance')
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      const n = await database.db
        .selectFrom('ledger_entries')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('account_id', '=', id)
        .executeTakeFirstOrThrow();
      const ev = await database.db
        .selectFrom('outbox_events')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('account_id', '=', id)
        .executeTakeFirstOrThrow();
      return { balance: a.balance, entries: Number(n.n), events: Number(ev.n) };
    }

    /** The row lock is held by someone: a NOWAIT lock attempt fails with 55P03. */
    async function isLocked(id: number): Promise<boolean> {
      try {
        await database.db.transaction().execute(async (tx) => {
          await sql`SELECT id FROM accounts WHERE id = ${id} FOR UPDATE NOWAIT`.execute(tx);
        });
        return false;
      } catch (err) {
        if ((err as { code?: string }).code === '55P03') return true;
        throw err;
      }
    }

    it('a refill killed after its entry and balance are written leaves neither; the same key then posts once', async () => {
      const account = await accountsService.createAccount(
        ctx,
        'customer',
        customerBody({ initialBalance: '10.00' }),
      );
      const key = `crash-${crypto.randomUUID()}`;
      const before = await accountState(account.id);
      expect(before).toEqual({ balance: '10.000000', entries: 1, events: 0 });

      const child = await killMidPosting(['refill', String(account.id), key]);
      // paused inside the transaction: it holds the row lock, and nothing is visible outside it
      expect(await isLocked(account.id)).toBe(true);
      expect(await accountState(account.id)).toEqual(before);
      await child.kill();
      expect(child.output()).not.toContain('COMMITTED');

      // The server rolls the dead connection's transaction back; the same key then posts exactly once.
      const first = await ledgerService.postRefill(ctx, 'customer', account.id, key, {
        amount: '7.00',
        reason: 'crash',
      });
      expect(first.replayed).toBe(false);
      expect(first.entry.balanceAfter).toBe('17.000000');
      const again = await ledgerService.postRefill(ctx, 'customer', account.id, key, {
        amount: '7.00',
        reason: 'crash',
      });
      expect(again).toEqual({ entry: first.entry, replayed: true });
      expect(await accountState(account.id)).toEqual({ balance: '17.000000', entries: 2, events: 1 });
      expect((await reconcileLedger(ctx)).ok).toBe(true);
    });

    it('a reversal killed under the row lock leaves no reversal and no balance change; it then posts once', async () => {
      const account = await accountsService.createAccount(ctx, 'customer', customerBody());
      const fee = await ledgerService.postCharge(ctx, 'customer', account.id, `fee-${crypto.randomUUID()}`, {
        amount: '3.00',
        reason: 'fee',
        allowNegative: true,
      });
      const key = `crash-${crypto.randomUUID()}`;
      const before = await accountState(account.id);
      expect(before.balance).toBe('-3.000000');

      const child = await killMidPosting(['reversal', String(account.id), key, fee.entry.id]);
      expect(await isLocked(account.id)).toBe(true);
      await child.kill();

      expect(await accountState(account.id)).toEqual(before);
      expect((await reconcileLedger(ctx)).ok).toBe(true);
      const rev = await ledgerService.reverseEntry(ctx, 'customer', account.id, fee.entry.id, key, {
        reason: 'crash',
      });
      expect([rev.replayed, rev.entry.amount, rev.entry.balanceAfter]).toEqual([
        false,
        '3.000000',
        '0.000000',
      ]);
      const again = await ledgerService.reverseEntry(ctx, 'customer', account.id, fee.entry.id, key, {
        reason: 'crash',
      });
      expect(again.replayed).toBe(true);
      expect(await accountState(account.id)).toEqual({ balance: '0.000000', entries: 2, events: 0 });
      expect((await reconcileLedger(ctx)).ok).toBe(true);
    });
  },
);

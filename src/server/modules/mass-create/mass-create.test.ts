import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { sql } from 'kysely';
import {
  adminLogin,
  Client,
  createTestApp,
  customerBody,
  expectError,
  type TestApp,
} from '../../../../test/app.js';
import { testDatabaseKinds } from '../../../../test/databases.js';
import { testRunner } from '../../../../test/jobs.js';
import { createReseller, type TestReseller } from '../../../../test/resellers.js';
import { createJobRunner } from '../../platform/jobs/index.js';
import { massCreateJobHandlers } from './index.js';
import { numberDrawer } from './number-allocation.js';
import { decryptSecret } from '../../platform/secrets.js';

describe('number drawer (pure)', () => {
  it('draws every number of a small space exactly once, then nothing', () => {
    const draw = numberDrawer('55', 4);
    const all = [...draw(60), ...draw(60)];
    expect(all).toHaveLength(100);
    expect(new Set(all).size).toBe(100);
    expect(all.every((n) => /^55\d{2}$/.test(n))).toBe(true);
    expect(draw(1)).toEqual([]);
  });

  it('handles spaces beyond 2^48 with random digits', () => {
    const got = numberDrawer('9', 20)(50);
    expect(new Set(got).size).toBe(50);
    expect(got.every((n) => /^9\d{19}$/.test(n))).toBe(true);
  });
});

describe.each(testDatabaseKinds())('mass create on %s', (kind) => {
  let t: TestApp;
  let admin: Client;
  let resellerA: TestReseller;
  let resellerB: TestReseller;

  beforeAll(async () => {
    t = await createTestApp(kind);
    admin = await adminLogin(t.app);
    resellerA = await createReseller(t.app, admin);
    resellerB = await createReseller(t.app, admin);
  });
  afterAll(async () => t?.close());

  const base = { currency: 'USD', country: 'US', timezone: 'America/Chicago' };
  // Mass-created numbers here are shorter than 10 digits; accounts created directly get generated
  // 10-digit numbers, which start with a tested prefix once in a few thousand runs (seen in CI).
  const accountsLike = async (prefix: string) =>
    (
      await sql<{
        account_number: string;
        pin: string | null;
        valid_until: Date | null;
        parent_id: number | null;
        credit_limit: string;
        mode: string;
      }>`
        SELECT account_number, pin, valid_until, parent_id, credit_limit, mode FROM accounts
        WHERE account_number LIKE ${prefix + '%'} AND length(account_number) <> 10
        ORDER BY account_number`.execute(t.database.db)
    ).rows;

  it('refuses up front when the prefix and length cannot hold the count, stating the capacity', async () => {
    for (const n of ['5500', '5501', '5599'])
      await admin.post('/api/v1/customers', customerBody({ accountNumber: n }));
    expect(
      (await admin.get('/api/v1/customer-mass-creates/capacity?startPrefix=55&accountNumberLength=4')).json(),
    ).toEqual({
      capacity: '97',
    });
    const res = await admin.post('/api/v1/customer-mass-creates', {
      ...base,
      count: 98,
      startPrefix: '55',
      accountNumberLength: 4,
    });
    expectError(res, 409, 'NUMBER_CAPACITY_EXCEEDED', 'count');
    expect(res.json().error.details.capacity).toBe('97');
    expect(res.json().error.message).toContain('97');
  });

  it('refuses a rate group that does not exist, before any work starts', async () => {
    const res = await admin.post('/api/v1/customer-mass-creates', {
      ...base,
      count: 2,
      startPrefix: '66',
      accountNumberLength: 8,
      rateGroupId: 987654,
    });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error).toMatchObject({
      code: 'RATE_GROUP_NOT_FOUND',
      details: { field: 'rateGroupId' },
    });
  });

  it('creates the accounts, then offers numbers, passwords and PINs once as CSV in import format', async () => {
    const group = await admin.post('/api/v1/rate-groups', { name: `MC USD ${Date.now()}`, currency: 'USD' });
    expect(group.statusCode, group.body).toBe(201);
    const rateGroupId = group.json().id;
    const res = await admin.post('/api/v1/customer-mass-creates', {
      ...base,
      count: 15,
      startPrefix: '77',
      accountNumberLength: 8,
      generatePin: true,
      pinLength: 8,
      validDays: 30,
      mode: 'postpaid',
      creditLimit: '10',
      rateGroupId,
      cliPoolMode: 1,
      billingSchedule: 'daily',
    });
    expect(res.statusCode, res.body).toBe(202);
    const { massCreate, downloadKey } = res.json();
    expect(massCreate).toMatchObject({
      status: 'queued',
      count: 15,
      prepared: 0,
      resultState: 'pending',
      percent: 0,
    });
    expect(downloadKey).toMatch(/^[\w-]{40,}$/);
    const stored = await sql<{
      t: string;
    }>`SELECT row_to_json(m)::text AS t FROM customer_mass_creates m WHERE id = ${massCreate.id}`.execute(
      t.database.db,
    );
    expect(stored.rows[0]!.t).not.toContain(downloadKey);
    expectError(
      await admin.post(`/api/v1/customer-mass-creates/${massCreate.id}/result`, { downloadKey }),
      409,
      'MASS_CREATE_RESULT_NOT_READY',
    );

    await testRunner(t.database).runUntilIdle();
    const done = (await admin.get(`/api/v1/customer-mass-creates/${massCreate.id}`)).json();
    expect(done).toMatchObject({
      status: 'done',
      prepared: 15,
      created: 15,
      percent: 100,
      resultState: 'ready',
    });
    // (Accounts created elsewhere in this file get random 10-digit numbers, one in a hundred starting 77.)
    const rows = (await accountsLike('77')).filter((r) => r.account_number.length === 8);
    expect(rows).toHaveLength(15);
    expect(rows.every((r) => /^77\d{6}$/.test(r.account_number) && /^\d{8}$/.test(r.pin!))).toBe(true);
    expect(new Set(rows.map((r) => r.pin)).size).toBe(15);
    expect(
      rows.every((r) => r.mode === 'postpaid' && r.credit_limit === '10.000000' && r.parent_id === null),
    ).toBe(true);
    const days = (new Date(rows[0]!.valid_until!).getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThan(30.1);

    const other = (
      await admin.post('/api/v1/customer-mass-creates', {
        ...base,
        count: 1,
        startPrefix: '78',
        accountNumberLength: 8,
      })
    ).json();
    expectError(
      await admin.post(`/api/v1/customer-mass-creates/${massCreate.id}/result`, {
        downloadKey: other.downloadKey,
      }),
      403,
      'DOWNLOAD_KEY_INVALID',
      'downloadKey',
    );
    const dl = await admin.post(`/api/v1/customer-mass-creates/${massCreate.id}/result`, { downloadKey });
    expect(dl.statusCode).toBe(200);
    expect(dl.headers['content-type']).toContain('text/csv');
    const csvRows = parse(dl.body, { columns: true }) as Record<string, string>[];
    expect(csvRows).toHaveLength(15);
    expect(csvRows.map((r) => r.account_number).sort()).toEqual(rows.map((r) => r.account_number));
    expect(csvRows[0]).toMatchObject({
      mode: 'postpaid',
      credit_limit: '10',
      rate_group_id: String(rateGroupId),
      cli_pool_mode: '1',
      billing_schedule: 'daily',
    });
    expect(csvRows[0]!.password).toMatch(/^[A-Za-z0-9]{16}$/);
    const portal = await Client.login(t.app, csvRows[0]!.portal_username!, csvRows[0]!.password!);
    expect((await portal.get('/api/v1/auth/me')).json().role).toBe('customer');
    expectError(
      await admin.post(`/api/v1/customer-mass-creates/${massCreate.id}/result`, { downloadKey }),
      410,
      'MASS_CREATE_RESULT_GONE',
    );
    const left = await sql<{
      n: number;
    }>`SELECT count(*) AS n FROM customer_mass_create_rows WHERE mass_create_id = ${massCreate.id}`.execute(
      t.database.db,
    );
    expect(Number(left.rows[0]!.n)).toBe(0);

    // The file imports back: in update mode nothing changes.
    const up = await admin.request('POST', '/api/v1/customer-imports', dl.body, {
      'content-type': 'text/csv',
    });
    expect(up.statusCode, up.body).toBe(201);
    expect(up.json().unmappedHeaders).toEqual([]);
    await admin.post(`/api/v1/customer-imports/${up.json().id}/start`, { onExisting: 'update' });
    await testRunner(t.database).runUntilIdle();
    const imported = (await admin.get(`/api/v1/customer-imports/${up.json().id}`)).json();
    expect(imported.progress).toMatchObject({ unchanged: 15, updated: 0, rejected: 0, warnings: 15 });
  });

  it('fills a space to the last number', async () => {
    const { massCreate } = (
      await admin.post('/api/v1/customer-mass-creates', {
        ...base,
        count: 10,
        startPrefix: '8800',
        accountNumberLength: 5,
      })
    ).json();
    await testRunner(t.database).runUntilIdle();
    expect((await admin.get(`/api/v1/customer-mass-creates/${massCreate.id}`)).json().status).toBe('done');
    expect((await accountsLike('8800')).map((r) => r.account_number)).toEqual(
      Array.from({ length: 10 }, (_, i) => `8800${i}`),
    );
  });

  it('is all or nothing: when one number cannot be used, no account is created', async () => {
    // A customer named like one of the ten numbers blocks it (names are unique per owner). Its own
    // number is given: a generated one starts with 6600 once in a few thousand runs (seen in CI).
    const blocker = await admin.post(
      '/api/v1/customers',
      customerBody({ name: '66003', accountNumber: '5566003001' }),
    );
    expect(blocker.statusCode, blocker.body).toBe(201);
    const { massCreate } = (
      await admin.post('/api/v1/customer-mass-creates', {
        ...base,
        count: 10,
        startPrefix: '6600',
        accountNumberLength: 5,
      })
    ).json();
    await testRunner(t.database).runUntilIdle();
    const got = (await admin.get(`/api/v1/customer-mass-creates/${massCreate.id}`)).json();
    expect(got).toMatchObject({
      status: 'failed',
      created: 0,
      failure: { code: 'NUMBER_CAPACITY_EXCEEDED' },
    });
    expect(await accountsLike('6600')).toEqual([]);
  });

  it("posts each prepaid account's balance as an INITIAL_BALANCE entry, all or nothing", async () => {
    const entriesLike = async (prefix: string) =>
      (
        await sql<{ account_id: number; type: string; amount: string; idempotency_key: string }>`
          SELECT e.account_id, e.type, e.amount::text, e.idempotency_key FROM ledger_entries e
          JOIN accounts a ON a.id = e.account_id WHERE a.account_number LIKE ${prefix + '%'}`.execute(
          t.database.db,
        )
      ).rows;
    const start = async (body: Record<string, unknown>) => {
      const res = await admin.post('/api/v1/customer-mass-creates', { ...base, count: 8, ...body });
      expect(res.statusCode, res.body).toBe(202);
      return res.json().massCreate.id as number;
    };
    const ok = await start({ startPrefix: '8900', accountNumberLength: 8, balance: '25.50' });
    await testRunner(t.database).runUntilIdle();
    expect((await admin.get(`/api/v1/customer-mass-creates/${ok}`)).json()).toMatchObject({
      status: 'done',
      created: 8,
    });
    const accounts = (
      (await admin.get('/api/v1/customers?q=8900&limit=100')).json().data as {
        accountNumber: string;
        balance: string;
      }[]
    ).filter((a) => a.accountNumber.startsWith('8900'));
    expect(accounts).toHaveLength(8);
    expect(accounts.every((a) => a.balance === '25.500000')).toBe(true);
    const entries = await entriesLike('8900');
    expect(entries).toHaveLength(8);
    for (const e of entries) {
      expect(e).toMatchObject({ type: 'INITIAL_BALANCE', amount: '25.500000' });
      expect(e.idempotency_key).toBe(`open:${e.account_id}:INITIAL_BALANCE`);
    }

    // A posting refused inside the creating transaction (the stored balance tampered with to a
    // precision no balance has) rolls back every account: no account, no entry.
    const bad = await start({ startPrefix: '8901', accountNumberLength: 8, balance: '1' });
    await sql`UPDATE customer_mass_creates SET params = jsonb_set(params::jsonb, '{balance}', '"1.0000005"')
              WHERE id = ${bad}`.execute(t.database.db);
    await testRunner(t.database).runUntilIdle();
    expect((await admin.get(`/api/v1/customer-mass-creates/${bad}`)).json()).toMatchObject({
      status: 'failed',
      created: 0,
      failure: { code: 'AMOUNT_PRECISION' },
    });
    expect(await accountsLike('8901')).toEqual([]);
    expect(await entriesLike('8901')).toEqual([]);
    expect((await admin.get('/api/v1/ledger/reconcile')).json()).toMatchObject({ ok: true });
  });

  it('resumes after a crash without losing or repeating prepared passwords', async () => {
    const { massCreate, downloadKey } = (
      await admin.post('/api/v1/customer-mass-creates', {
        ...base,
        count: 12,
        startPrefix: '4400',
        accountNumberLength: 8,
        balance: '3',
      })
    ).json();
    const handlers = () => massCreateJobHandlers({ prepareBatch: 5 });
    await createJobRunner({ db: t.database.db, handlers: handlers(), leaseMs: 300 }).runUntilIdle({
      maxSteps: 2,
      abandon: true,
    });
    expect((await admin.get(`/api/v1/customer-mass-creates/${massCreate.id}`)).json()).toMatchObject({
      status: 'running',
      prepared: 10,
      percent: 79,
    });
    await new Promise((r) => setTimeout(r, 400));
    await createJobRunner({ db: t.database.db, handlers: handlers() }).runUntilIdle();
    expect((await admin.get(`/api/v1/customer-mass-creates/${massCreate.id}`)).json()).toMatchObject({
      status: 'done',
      created: 12,
    });
    expect(await accountsLike('4400')).toHaveLength(12);
    const opened = await sql<{ n: number }>`
      SELECT count(*) AS n FROM ledger_entries e JOIN accounts a ON a.id = e.account_id
      WHERE a.account_number LIKE '4400%' AND e.type = 'INITIAL_BALANCE' AND e.amount = 3`.execute(
      t.database.db,
    );
    expect(Number(opened.rows[0]!.n)).toBe(12);
    const csvRows = parse(
      (await admin.post(`/api/v1/customer-mass-creates/${massCreate.id}/result`, { downloadKey })).body,
      { columns: true },
    ) as Record<string, string>[];
    expect(csvRows).toHaveLength(12);
    const last = csvRows[11]!;
    expect((await Client.login(t.app, last.account_number!, last.password!)).app).toBeDefined();
  });

  it('creates a SIP device per account and offers its secret once in the result CSV', async () => {
    // A device already named like one number of the space: that number is never drawn.
    const holder = (await admin.post('/api/v1/customers', customerBody())).json();
    expect(
      (await admin.post(`/api/v1/customers/${holder.id}/sip-devices`, { username: '55501' })).statusCode,
    ).toBe(201);
    const res = await admin.post('/api/v1/customer-mass-creates', {
      ...base,
      count: 9,
      startPrefix: '5550',
      accountNumberLength: 5,
      createSipDevices: true,
    });
    expect(res.statusCode, res.body).toBe(202);
    const { massCreate, downloadKey } = res.json();
    await testRunner(t.database).runUntilIdle();
    expect((await admin.get(`/api/v1/customer-mass-creates/${massCreate.id}`)).json()).toMatchObject({
      status: 'done',
      created: 9,
    });
    const devices = await sql<{ account_number: string; username: string; secret_enc: string }>`
      SELECT a.account_number, d.username, d.secret_enc FROM sip_devices d JOIN accounts a ON a.id = d.account_id
      WHERE a.account_number LIKE '5550%' AND d.deleted_at IS NULL ORDER BY a.account_number`.execute(
      t.database.db,
    );
    expect(devices.rows).toHaveLength(9);
    expect(devices.rows.every((d) => d.username === d.account_number)).toBe(true);
    expect(devices.rows.map((d) => d.account_number)).not.toContain('55501');
    const csvRows = parse(
      (await admin.post(`/api/v1/customer-mass-creates/${massCreate.id}/result`, { downloadKey })).body,
      { columns: true },
    ) as Record<string, string>[];
    const byNumber = new Map(devices.rows.map((d) => [d.account_number, decryptSecret(d.secret_enc)]));
    expect(csvRows).toHaveLength(9);
    for (const r of csvRows) {
      expect(r.sip_username).toBe(r.account_number);
      expect(r.sip_password).toMatch(/^[A-Za-z0-9]{20}$/);
      expect(r.sip_password).toBe(byNumber.get(r.account_number!));
      expect(r.sip_password).not.toBe(r.password);
    }
    // The result is in import format: the SIP columns map by name.
    expect(Object.keys(csvRows[0]!)).toEqual(expect.arrayContaining(['sip_username', 'sip_password']));
  });

  it('validates like the create form: balance prepaid only, up to six decimals', async () => {
    const post = (body: Record<string, unknown>) =>
      admin.post('/api/v1/customer-mass-creates', {
        ...base,
        count: 1,
        startPrefix: '12',
        accountNumberLength: 8,
        ...body,
      });
    expectError(
      await post({ mode: 'postpaid', creditLimit: '5', balance: '5' }),
      400,
      'VALIDATION_FAILED',
      'balance',
    );
    // An opening balance carries six decimals in any currency (DOMAIN 3.16); seven are refused.
    expect((await post({ currency: 'JPY', balance: '5.123456' })).statusCode).toBe(202);
    expectError(await post({ balance: '5.0000001' }), 400, 'VALIDATION_FAILED', 'balance');
    expectError(await post({ balance: '1,5' }), 400, 'VALIDATION_FAILED', 'balance');
    expectError(
      await post({ accountNumberLength: 4, startPrefix: '1234' }),
      400,
      'VALIDATION_FAILED',
      'accountNumberLength',
    );
    expectError(await post({ creditLimit: '5' }), 400, 'VALIDATION_FAILED', 'creditLimit');
    expectError(await post({ country: 'XX' }), 400, 'VALIDATION_FAILED', 'country');
    expectError(await post({ count: 10_001 }), 400, 'VALIDATION_FAILED', 'count');
    expect((await post({ balance: '0' })).statusCode).toBe(202);
    expect((await post({ mode: 'postpaid', balance: '0' })).statusCode).toBe(202);
  });

  it('intruder: a reseller creates only under itself and reaches only its own mass creates', async () => {
    const res = await resellerA.client.post('/api/v1/customer-mass-creates', {
      ...base,
      count: 2,
      startPrefix: '3300',
      accountNumberLength: 8,
    });
    expect(res.statusCode, res.body).toBe(202);
    const { massCreate, downloadKey } = res.json();
    expect(massCreate.resellerId).toBe(resellerA.id);
    expectError(
      await resellerA.client.post('/api/v1/customer-mass-creates', {
        ...base,
        count: 1,
        startPrefix: '3301',
        accountNumberLength: 8,
        resellerId: resellerB.id,
      }),
      400,
      'RESELLER_NOT_FOUND',
      'resellerId',
    );
    await testRunner(t.database).runUntilIdle();
    expect((await accountsLike('3300')).every((r) => r.parent_id === resellerA.id)).toBe(true);
    expectError(
      await resellerB.client.get(`/api/v1/customer-mass-creates/${massCreate.id}`),
      404,
      'MASS_CREATE_NOT_FOUND',
    );
    expectError(
      await resellerB.client.post(`/api/v1/customer-mass-creates/${massCreate.id}/result`, { downloadKey }),
      404,
      'MASS_CREATE_NOT_FOUND',
    );
    expect((await resellerB.client.get('/api/v1/customer-mass-creates')).json().data).toEqual([]);
    expect(
      (await resellerA.client.post(`/api/v1/customer-mass-creates/${massCreate.id}/result`, { downloadKey }))
        .statusCode,
    ).toBe(200);
  });
});

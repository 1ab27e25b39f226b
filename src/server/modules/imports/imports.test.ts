import { Readable } from 'node:stream';
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
import type { Ctx } from '../../platform/context.js';
import { ledgerService } from '../ledger/index.js';
import { importsService } from './index.js';
import { decryptSecret } from '../../platform/secrets.js';

const csv = (rows: string[][]) => rows.map((r) => r.join(',')).join('\r\n') + '\r\n';

describe.each(testDatabaseKinds())('customer import on %s', (kind) => {
  let t: TestApp;
  let admin: Client;
  let resellerA: TestReseller;
  let resellerB: TestReseller;
  let n = 0;
  /** A fresh 10-digit account number for this test file. */
  const num = () => String(6_100_000_000 + ++n * 7);

  beforeAll(async () => {
    t = await createTestApp(kind);
    admin = await adminLogin(t.app);
    resellerA = await createReseller(t.app, admin);
    resellerB = await createReseller(t.app, admin);
  });
  afterAll(async () => t?.close());

  const upload = (client: Client, text: string, fileName = 'customers.csv') =>
    client.request('POST', `/api/v1/customer-imports?fileName=${fileName}`, text, {
      'content-type': 'text/csv',
    });
  const runJobs = () => testRunner(t.database).runUntilIdle();
  async function uploadOk(client: Client, text: string) {
    const res = await upload(client, text);
    expect(res.statusCode, res.body).toBe(201);
    return res.json();
  }
  async function runImport(client: Client, id: number, settings: Record<string, unknown> = {}) {
    const res = await client.post(`/api/v1/customer-imports/${id}/start`, settings);
    expect(res.statusCode, res.body).toBe(202);
    await runJobs();
    return (await client.get(`/api/v1/customer-imports/${id}`)).json();
  }
  const issuesOf = async (client: Client, id: number, run = 'real') =>
    (await client.get(`/api/v1/customer-imports/${id}/issues?run=${run}&limit=1000`)).json().data as {
      rowNumber: number;
      column: string | null;
      code: string;
      severity: string;
    }[];
  const countByNumber = async (numbers: string[]) =>
    Number(
      (
        await sql<{
          n: number;
        }>`SELECT count(*) AS n FROM accounts WHERE account_number = ANY(${numbers}::text[])`.execute(
          t.database.db,
        )
      ).rows[0]!.n,
    );

  /** The ledger entries of these accounts (by number), oldest first. */
  const entriesOf = async (numbers: string[]) =>
    (
      await sql<{
        account_number: string;
        type: string;
        amount: string;
        balance_after: string;
        idempotency_key: string;
        account_id: number;
      }>`SELECT a.account_number, e.type, e.amount::text, e.balance_after::text, e.idempotency_key,
                e.account_id
           FROM ledger_entries e JOIN accounts a ON a.id = e.account_id
          WHERE a.account_number = ANY(${numbers}::text[]) ORDER BY e.seq`.execute(t.database.db)
    ).rows.map((r) => ({ ...r, account_id: Number(r.account_id) }));
  const ledgerCount = async () =>
    Number(
      (await sql<{ n: number }>`SELECT count(*) AS n FROM ledger_entries`.execute(t.database.db)).rows[0]!.n,
    );
  async function expectReconciled() {
    const res = await admin.get('/api/v1/ledger/reconcile');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ ok: true, differences: [] });
  }

  it('maps headers automatically, ASTPP headers included, and hashes password columns at upload', async () => {
    const astpp = [
      'Account',
      'Password',
      'First Name',
      'Last Name',
      'Company',
      'Phone',
      'Mobile',
      'Email',
      'Address',
      'City',
      'Province/State',
      'Zip/Postal Code',
      'Balance',
      'Credit Limit',
      'SIP Username',
      'SIP Password',
      'Concurrent Calls',
      'CPS',
    ];
    const body =
      '\ufeff' +
      csv([
        astpp,
        [
          num(),
          'astpp-secret-1',
          'Ada',
          'L',
          'Co',
          '1',
          '2',
          'a@b.test',
          'x',
          'y',
          'z',
          '1',
          '0',
          '0',
          '',
          '',
          '5',
          '1',
        ],
      ]);
    const imp = await uploadOk(admin, body);
    expect(imp.autoColumns).toEqual([
      'account_number',
      'password',
      'first_name',
      'last_name',
      'company_name',
      'phone',
      null,
      'main_email',
      'address1',
      'city',
      'province',
      'zip',
      'balance',
      'credit_limit',
      'sip_username',
      'sip_password',
      'call_limit',
      'cps_limit',
    ]);
    expect(imp.unmappedHeaders).toEqual(['Mobile']);
    expect(imp.hashedColumns).toEqual([1, 15]);
    expect(imp).toMatchObject({ status: 'uploaded', rowCount: 1, fileName: 'customers.csv' });
    const stored = await t.database.db
      .selectFrom('customer_import_chunks')
      .select('rows')
      .where('import_id', '=', imp.id)
      .execute();
    expect(stored[0]!.rows).not.toContain('astpp-secret-1');
    expect(stored[0]!.rows).toContain('$argon2id$');
    const fields = (await admin.get('/api/v1/customer-imports/fields')).json().data;
    expect(fields.find((f: { name: string }) => f.name === 'call_limit').aliases).toContain(
      'Concurrent Calls',
    );
  });

  it('dry run, run, rejected rows: good, bad and quoted-comma rows; the reject file fixes and re-imports', async () => {
    const [g1, g2, g3, b1, b2, b3, b4, b5] = [num(), num(), num(), num(), num(), num(), num(), num()];
    const text = csv([
      [
        'account_number',
        'name',
        'company_name',
        'main_email',
        'currency',
        'country',
        'timezone',
        'mode',
        'credit_limit',
        'balance',
        'sip_username',
        'call_limit',
      ],
      [
        g1,
        'Good One',
        '"Acme, Inc."',
        'g1@x.test',
        'USD',
        'US',
        'America/New_York',
        'prepaid',
        '',
        '',
        '',
        '10',
      ],
      [g2, '"Comma, ""Quoted"" Name"', '', '', 'EUR', 'fr', 'Europe/Paris', 'postpaid', '50.5', '0', '', ''],
      [b1, 'Bad Country', '', '', 'USD', 'XX', 'UTC', '', '', '', '', ''],
      [b2, 'Bad Number', '', '', 'USD', 'US', 'UTC', '', '', '', '', 'ten'],
      [b3, 'Bad Balance', '', '', 'USD', 'US', 'UTC', '', '', '12.5050505', '', ''],
      [b4, 'Has SIP', '', '', 'USD', 'US', 'UTC', '', '', '', 'sipuser', ''],
      [b5, 'Prepaid Credit', '', '', 'USD', 'US', 'UTC', 'prepaid', '5', '', '', ''],
      [g3, 'Good Three', '', 'not-an-email', 'USD', 'US', 'UTC', '', '', '', '', ''],
    ]);
    const imp = await uploadOk(admin, text);
    expect(imp.rowCount).toBe(8);

    // Dry run: every error, the first rows as they would be created, nothing written.
    expect((await admin.post(`/api/v1/customer-imports/${imp.id}/dry-run`, {})).statusCode).toBe(202);
    await runJobs();
    const dry = (await admin.get(`/api/v1/customer-imports/${imp.id}`)).json();
    expect(dry.status).toBe('validated');
    expect(dry.dryRun).toMatchObject({ status: 'done', rowsDone: 8, created: 2, rejected: 6, percent: 100 });
    expect(await countByNumber([g1, g2, g3])).toBe(0);
    const dryIssues = await issuesOf(admin, imp.id, 'dry');
    expect(dryIssues.map((i) => [i.rowNumber, i.column, i.code])).toEqual([
      [4, 'country', 'VALIDATION_FAILED'],
      [5, 'call_limit', 'INVALID_NUMBER'],
      [6, 'balance', 'INVALID_VALUE'],
      [7, 'sip_password', 'SIP_PASSWORD_REQUIRED'],
      [8, 'credit_limit', 'VALIDATION_FAILED'],
      [9, 'main_email', 'INVALID_VALUE'],
    ]);
    const preview = (await admin.get(`/api/v1/customer-imports/${imp.id}/preview`)).json().rows;
    expect(preview).toHaveLength(2);
    expect(preview[0]).toMatchObject({
      rowNumber: 2,
      action: 'create',
      values: { accountNumber: g1, companyName: 'Acme, Inc.', callLimit: 10 },
    });
    expect(preview[1].values).toMatchObject({
      name: 'Comma, "Quoted" Name',
      country: 'FR',
      creditLimit: '50.5',
    });
    const report = await admin.get(`/api/v1/customer-imports/${imp.id}/issues.csv?run=dry`);
    expect(report.headers['content-type']).toContain('text/csv');
    expect(parse(report.body, { columns: true })[0]).toMatchObject({
      row: '4',
      column: 'country',
      code: 'VALIDATION_FAILED',
    });

    // The run: good rows in, bad rows reported; each row whole or not at all.
    const done = await runImport(admin, imp.id);
    expect(done.status).toBe('done');
    expect(done.progress).toMatchObject({ rowsTotal: 8, rowsDone: 8, created: 2, rejected: 6, percent: 100 });
    expect(await countByNumber([g1, g2])).toBe(2);
    expect(await countByNumber([b1, b2, b3, b4, b5, g3])).toBe(0);
    const created = (await admin.get(`/api/v1/customers?accountNumber=${g2}`)).json().data[0];
    expect(created).toMatchObject({
      name: 'Comma, "Quoted" Name',
      mode: 'postpaid',
      creditLimit: '50.500000',
      currency: 'EUR',
      portalUsername: g2,
    });
    const audit = (await admin.get(`/api/v1/customers/${created.id}/audit`)).json().data;
    expect(audit[0]).toMatchObject({
      action: 'customer.create',
      after: { source: 'import', importId: imp.id, row: 3 },
    });

    const rejected = await admin.get(`/api/v1/customer-imports/${imp.id}/rejected.csv`);
    expect(rejected.statusCode).toBe(200);
    const rows = parse(rejected.body, { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => r.account_number)).toEqual([b1, b2, b3, b4, b5, g3]);
    expect(rows[1]).toMatchObject({ name: 'Bad Number', call_limit: 'ten' });
    expect(rows[1]!.error).toContain('call_limit');
    expect(rows[1]!.error).toContain('INVALID_NUMBER');
    expect(rows.map((r) => r.original_row)).toEqual(['4', '5', '6', '7', '8', '9']);

    // Fix the reject file and upload it again: the fixed rows go in.
    const fixed: Record<string, string>[] = rows.map((r) => ({
      ...r,
      country: r.country === 'XX' ? 'US' : r.country,
      call_limit: r.call_limit === 'ten' ? '10' : r.call_limit,
      balance: '',
      sip_username: '',
      credit_limit: '',
      main_email: r.main_email === 'not-an-email' ? 'ok@x.test' : r.main_email,
    }));
    const header = Object.keys(rows[0]!).filter((h) => h !== 'error' && h !== 'original_row');
    const again = await uploadOk(admin, csv([header, ...fixed.map((r) => header.map((h) => r[h] ?? ''))]));
    const second = await runImport(admin, again.id);
    expect(second.progress, JSON.stringify(second)).toMatchObject({ created: 6, rejected: 0 });
    expect(await countByNumber([b1, b2, b3, b4, b5, g3])).toBe(6);
  });

  it("a new account's balance becomes its INITIAL_BALANCE entry with up to six decimals in any currency; bad balance cells are row errors", async () => {
    const [usd, eur, jpy, zero, empty, word, cents, yen, huge] = Array.from({ length: 9 }, () => num());
    const header = ['account_number', 'name', 'currency', 'country', 'timezone', 'mode', 'balance'];
    const text = csv([
      header,
      [usd, 'Bal USD', 'USD', 'US', 'UTC', 'prepaid', '12.50'],
      [eur, 'Bal EUR', 'EUR', 'FR', 'Europe/Paris', 'postpaid', '-3.25'],
      [jpy, 'Bal JPY', 'JPY', 'JP', 'Asia/Tokyo', 'prepaid', '+0100'],
      [zero, 'Bal zero', 'USD', 'US', 'UTC', 'prepaid', '0.00'],
      [empty, 'Bal empty', 'USD', 'US', 'UTC', 'prepaid', ''],
      [word, 'Bal word', 'USD', 'US', 'UTC', 'prepaid', 'ten'],
      [cents, 'Bal cents', 'USD', 'US', 'UTC', 'prepaid', '1.0050505'],
      [yen, 'Bal yen', 'JPY', 'JP', 'Asia/Tokyo', 'prepaid', '1.234567'],
      [huge, 'Bal huge', 'USD', 'US', 'UTC', 'prepaid', '123456789012345'],
    ]);
    const before = await ledgerCount();
    const imp = await uploadOk(admin, text);

    // The dry run reports the bad cells by column, shows the opening balance, and posts nothing.
    expect((await admin.post(`/api/v1/customer-imports/${imp.id}/dry-run`, {})).statusCode).toBe(202);
    await runJobs();
    expect((await admin.get(`/api/v1/customer-imports/${imp.id}`)).json().dryRun).toMatchObject({
      created: 6,
      rejected: 3,
    });
    expect((await issuesOf(admin, imp.id, 'dry')).map((i) => [i.rowNumber, i.column, i.code])).toEqual([
      [7, 'balance', 'INVALID_NUMBER'],
      [8, 'balance', 'INVALID_VALUE'],
      [10, 'balance', 'INVALID_VALUE'],
    ]);
    const preview = (await admin.get(`/api/v1/customer-imports/${imp.id}/preview`)).json().rows;
    expect(preview[0].values).toMatchObject({ accountNumber: usd, initialBalance: '12.5' });
    expect(await ledgerCount()).toBe(before);

    const done = await runImport(admin, imp.id);
    expect(done.progress).toMatchObject({ created: 6, rejected: 3 });
    expect(await countByNumber([word, cents, huge])).toBe(0);
    const entries = await entriesOf([usd, eur, jpy, zero, empty, yen]);
    expect(entries.map((e) => [e.account_number, e.type, e.amount, e.balance_after])).toEqual([
      [usd, 'INITIAL_BALANCE', '12.500000', '12.500000'],
      [eur, 'INITIAL_BALANCE', '-3.250000', '-3.250000'],
      [jpy, 'INITIAL_BALANCE', '100.000000', '100.000000'],
      [yen, 'INITIAL_BALANCE', '1.234567', '1.234567'],
    ]);
    for (const e of entries) expect(e.idempotency_key).toBe(`open:${e.account_id}:INITIAL_BALANCE`);
    const balances = await Promise.all(
      [usd, eur, jpy, zero, empty].map(
        async (x) => (await admin.get(`/api/v1/customers?accountNumber=${x}`)).json().data[0].balance,
      ),
    );
    expect(balances).toEqual(['12.500000', '-3.250000', '100.000000', '0.000000', '0.000000']);
    const ledger = (await admin.get(`/api/v1/customers/${entries[0]!.account_id}/ledger-entries`)).json()
      .data;
    expect(ledger).toMatchObject([
      { type: 'INITIAL_BALANCE', amount: '12.500000', reason: 'Opening balance' },
    ]);
    await expectReconciled();
  });

  it('atomic mode posts the opening balances with the accounts, or neither', async () => {
    const header = ['account_number', 'name', 'currency', 'country', 'timezone', 'balance'];
    const [a, b, c] = [num(), num(), num()];
    const before = await ledgerCount();
    const bad = await runImport(
      admin,
      (
        await uploadOk(
          admin,
          csv([
            header,
            [a, 'Atomic bal 1', 'USD', 'US', 'UTC', '7'],
            [b, 'Atomic bal 2', 'USD', 'US', 'UTC', '7.0000001'],
          ]),
        )
      ).id,
      { mode: 'atomic' },
    );
    expect(bad).toMatchObject({ status: 'failed', failure: { code: 'IMPORT_HAS_INVALID_ROWS' } });
    expect(await countByNumber([a, b])).toBe(0);
    expect(await ledgerCount()).toBe(before);
    const ok = await runImport(
      admin,
      (
        await uploadOk(
          admin,
          csv([
            header,
            [a, 'Atomic bal 1', 'USD', 'US', 'UTC', '7'],
            [c, 'Atomic bal 3', 'USD', 'US', 'UTC', ''],
          ]),
        )
      ).id,
      { mode: 'atomic' },
    );
    expect(ok).toMatchObject({ status: 'done', progress: { created: 2 } });
    expect((await entriesOf([a, c])).map((e) => [e.account_number, e.amount])).toEqual([[a, '7.000000']]);
    await expectReconciled();
  });

  it('importing the same file twice creates no duplicates (error, skip), and tells it is the same file', async () => {
    const [a, b] = [num(), num()];
    const text = csv([
      ['account_number', 'name', 'currency', 'country', 'timezone'],
      [a, `Twice A ${a}`, 'USD', 'US', 'UTC'],
      [b, `Twice B ${b}`, 'USD', 'US', 'UTC'],
      ['', `Twice no number ${a}`, 'USD', 'US', 'UTC'],
    ]);
    const first = await runImport(admin, (await uploadOk(admin, text)).id);
    expect(first.progress.created).toBe(3);
    const dup = await uploadOk(admin, text);
    expect(dup.sameFileAsImportId).toBe(first.id);
    const second = await runImport(admin, dup.id);
    expect(second.progress).toMatchObject({ created: 0, rejected: 3 });
    expect((await issuesOf(admin, dup.id)).map((i) => i.code)).toEqual([
      'ACCOUNT_EXISTS',
      'ACCOUNT_EXISTS',
      'ACCOUNT_NAME_TAKEN',
    ]);
    const third = await runImport(admin, (await uploadOk(admin, text)).id, { onExisting: 'skip' });
    expect(third.progress).toMatchObject({ created: 0, skipped: 2, rejected: 1 });
    expect(await countByNumber([a, b])).toBe(2);
    const named = await sql<{
      n: number;
    }>`SELECT count(*) AS n FROM accounts WHERE name = ${`Twice no number ${a}`}`.execute(t.database.db);
    expect(Number(named.rows[0]!.n)).toBe(1);
  });

  it('reports duplicates inside one file with the row that came first', async () => {
    const a = num();
    const imp = await uploadOk(
      admin,
      csv([
        ['account_number', 'name', 'currency', 'country', 'timezone', 'pin'],
        [a, 'Dup first', 'USD', 'US', 'UTC', '918273'],
        [a, 'Dup second', 'USD', 'US', 'UTC', ''],
        [num(), 'Dup first', 'USD', 'US', 'UTC', ''],
        [num(), 'Dup pin', 'USD', 'US', 'UTC', '918273'],
      ]),
    );
    await admin.post(`/api/v1/customer-imports/${imp.id}/dry-run`, {});
    await runJobs();
    expect((await issuesOf(admin, imp.id, 'dry')).map((i) => [i.rowNumber, i.column, i.code])).toEqual([
      [3, 'account_number', 'DUPLICATE_IN_FILE'],
      [4, 'name', 'DUPLICATE_IN_FILE'],
      [5, 'pin', 'DUPLICATE_IN_FILE'],
    ]);
    const done = await runImport(admin, imp.id);
    expect(done.progress).toMatchObject({ created: 1, rejected: 3 });
  });

  it('imports passwords hashed: the customer signs in with it; it never appears in reports', async () => {
    const a = num();
    const imp = await uploadOk(
      admin,
      csv([
        ['account_number', 'password', 'name', 'currency', 'country', 'timezone'],
        [a, 'imported-pass-1', 'With password', 'USD', 'US', 'UTC'],
        [num(), 'short', 'Short password', 'USD', 'US', 'UTC'],
      ]),
    );
    const done = await runImport(admin, imp.id);
    expect(done.progress).toMatchObject({ created: 1, rejected: 1 });
    const portal = await Client.login(t.app, a, 'imported-pass-1');
    expect((await portal.get('/api/v1/auth/me')).json().role).toBe('customer');
    expect((await issuesOf(admin, imp.id))[0]).toMatchObject({
      column: 'password',
      code: 'PASSWORD_TOO_SHORT',
    });
    const rejected = (await admin.get(`/api/v1/customer-imports/${imp.id}/rejected.csv`)).body;
    expect(rejected).not.toContain('short,');
    const audit = await sql<{ t: string }>`SELECT string_agg(after::text, ' ') AS t FROM audit_log`.execute(
      t.database.db,
    );
    expect(audit.rows[0]!.t).not.toContain('imported-pass-1');
  });

  it('atomic mode imports all rows or none', async () => {
    const good = [num(), num()];
    const header = ['account_number', 'name', 'currency', 'country', 'timezone'];
    const bad = await runImport(
      admin,
      (
        await uploadOk(
          admin,
          csv([
            header,
            [good[0]!, 'Atomic 1', 'USD', 'US', 'UTC'],
            [num(), 'Atomic bad', 'USD', 'ZZ', 'UTC'],
          ]),
        )
      ).id,
      { mode: 'atomic' },
    );
    expect(bad.status).toBe('failed');
    expect(bad.failure.code).toBe('IMPORT_HAS_INVALID_ROWS');
    expect(bad.progress).toMatchObject({ created: 0, rejected: 1 });
    expect(await countByNumber([good[0]!])).toBe(0);
    const ok = await runImport(
      admin,
      (
        await uploadOk(
          admin,
          csv([
            header,
            [good[0]!, 'Atomic 1', 'USD', 'US', 'UTC'],
            [good[1]!, 'Atomic 2', 'USD', 'US', 'UTC'],
          ]),
        )
      ).id,
      { mode: 'atomic' },
    );
    expect(ok).toMatchObject({ status: 'done', progress: { created: 2, rejected: 0 } });
    expect(await countByNumber(good)).toBe(2);
  });

  it('update mode changes only the columns in the file, warns on a different balance, never touches the balance', async () => {
    const c = (
      await admin.post(
        '/api/v1/customers',
        customerBody({ accountNumber: num(), companyName: 'Old Co', city: 'Keep City', callLimit: 3 }),
      )
    ).json();
    const imp = await uploadOk(
      admin,
      csv([
        ['account_number', 'company_name', 'call_limit', 'balance', 'currency'],
        [c.accountNumber, 'New Co', '', '99', 'USD'],
      ]),
    );
    const done = await runImport(admin, imp.id, { onExisting: 'update', defaults: { city: 'Default City' } });
    expect(done.progress).toMatchObject({ updated: 1, warnings: 1, rejected: 0 });
    const got = (await admin.get(`/api/v1/customers/${c.id}`)).json();
    expect(got).toMatchObject({
      companyName: 'New Co',
      callLimit: null,
      city: 'Keep City',
      balance: '0.000000',
      name: c.name,
    });
    expect((await issuesOf(admin, imp.id))[0]).toMatchObject({
      code: 'BALANCE_DIFFERS',
      severity: 'warning',
      column: 'balance',
    });
  });

  it('applies batch defaults to empty cells only, and refuses bad defaults and mappings', async () => {
    const [a, b] = [num(), num()];
    const imp = await uploadOk(
      admin,
      csv([
        ['account_number', 'name', 'currency'],
        [a, 'Def A', ''],
        [b, 'Def B', 'GBP'],
      ]),
    );
    expectError(
      await admin.post(`/api/v1/customer-imports/${imp.id}/start`, {
        defaults: { currency: 'EUR', call_limit: 'x' },
      }),
      400,
      'INVALID_NUMBER',
      'defaults.call_limit',
    );
    expectError(
      await admin.post(`/api/v1/customer-imports/${imp.id}/start`, { defaults: { account_number: '1' } }),
      400,
      'DEFAULT_NOT_ALLOWED',
      'defaults.account_number',
    );
    expectError(
      await admin.post(`/api/v1/customer-imports/${imp.id}/start`, { columns: ['account_number', 'name'] }),
      400,
      'INVALID_MAPPING',
      'columns',
    );
    expectError(
      await admin.post(`/api/v1/customer-imports/${imp.id}/start`, {
        columns: ['account_number', 'name', 'bogus'],
      }),
      400,
      'UNKNOWN_IMPORT_COLUMN',
      'columns.2',
    );
    expectError(
      await admin.post(`/api/v1/customer-imports/${imp.id}/start`, {
        columns: ['account_number', 'name', 'password'],
      }),
      400,
      'PASSWORD_COLUMN_MISMATCH',
      'columns.2',
    );
    const done = await runImport(admin, imp.id, {
      defaults: { currency: 'EUR', country: 'DE', timezone: 'Europe/Berlin', call_limit: '4' },
    });
    expect(done.progress.created).toBe(2);
    const [ca, cb] = [
      (await admin.get(`/api/v1/customers?accountNumber=${a}`)).json().data[0],
      (await admin.get(`/api/v1/customers?accountNumber=${b}`)).json().data[0],
    ];
    expect(ca).toMatchObject({ currency: 'EUR', country: 'DE', callLimit: 4 });
    expect(cb).toMatchObject({ currency: 'GBP', country: 'DE' });
    expectError(await admin.post(`/api/v1/customer-imports/${imp.id}/start`, {}), 409, 'IMPORT_WRONG_STATE');
  });

  it('refuses malformed and empty files with 400, never 500', async () => {
    expectError(await upload(admin, 'name,currency\r\n"unclosed,USD\r\n'), 400, 'CSV_MALFORMED', 'file');
    expectError(await upload(admin, ''), 400, 'CSV_EMPTY', 'file');
    expectError(await upload(admin, 'name,currency\r\n'), 400, 'CSV_EMPTY', 'file');
    const count = await sql<{
      n: number;
    }>`SELECT count(*) AS n FROM customer_imports WHERE status = 'uploading'`.execute(t.database.db);
    expect(Number(count.rows[0]!.n)).toBe(0);
  });

  it('refuses a file over the row limit and keeps nothing of it', async () => {
    const ctx: Ctx = {
      actor: { kind: 'admin', userId: null, apiKeyId: null, label: 'test' },
      db: t.database.db,
      now: () => new Date(),
    };
    const text = csv([['name'], ...Array.from({ length: 12 }, (_, i) => [`Limit ${i}`])]);
    await expect(
      importsService.uploadImport(ctx, 'big.csv', Readable.from([text]), { chunkRows: 5, maxRows: 10 }),
    ).rejects.toMatchObject({ code: 'IMPORT_TOO_LARGE', status: 413 });
    const left = await sql<{
      n: number;
    }>`SELECT count(*) AS n FROM customer_imports WHERE file_name = 'big.csv'`.execute(t.database.db);
    expect(Number(left.rows[0]!.n)).toBe(0);
  });

  it('survives a crash mid-import: a new runner resumes and nothing is duplicated', async () => {
    const ctx: Ctx = {
      actor: { kind: 'admin', userId: null, apiKeyId: null, label: 'test' },
      db: t.database.db,
      now: () => new Date(),
    };
    const numbers = Array.from({ length: 200 }, () => num());
    // Every other row has an opening balance: a replayed chunk must not post it twice.
    const text = csv([
      ['account_number', 'name', 'currency', 'country', 'timezone', 'balance'],
      ...numbers.map((x, i) => [x, `Resume ${x}`, 'USD', 'US', 'UTC', i % 2 ? '' : `${i}.25`]),
    ]);
    const imp = await importsService.uploadImport(ctx, 'resume.csv', Readable.from([text]), {
      chunkRows: 25,
    });
    await importsService.startImport(ctx, imp.id, {});
    // Runner A commits three chunks, then "dies" holding its lease.
    await testRunner(t.database, { leaseMs: 300 }).runUntilIdle({ maxSteps: 3, abandon: true });
    const mid = (await admin.get(`/api/v1/customer-imports/${imp.id}`)).json();
    expect(mid).toMatchObject({ status: 'running', progress: { rowsDone: 75, created: 75, percent: 37 } });
    expect(mid.resuming).toBe(false);
    // Replay a committed chunk as a worst case: its rows are recognised, not created again.
    await sql`UPDATE customer_imports SET next_chunk = 1 WHERE id = ${imp.id}`.execute(t.database.db);
    await new Promise((r) => setTimeout(r, 400));
    // The dead runner's lease ran out: the progress says "resuming" until the job ends.
    expect((await admin.get(`/api/v1/customer-imports/${imp.id}`)).json().resuming).toBe(true);
    await testRunner(t.database).runUntilIdle();
    const done = (await admin.get(`/api/v1/customer-imports/${imp.id}`)).json();
    expect(done).toMatchObject({
      status: 'done',
      resuming: false,
      progress: { rowsDone: 200, created: 200, rejected: 0, percent: 100 },
    });
    expect(await countByNumber(numbers)).toBe(200);
    const byImport = await sql<{
      n: number;
    }>`SELECT count(*) AS n FROM accounts WHERE import_id = ${imp.id}`.execute(t.database.db);
    expect(Number(byImport.rows[0]!.n)).toBe(200);
    const chunksLeft = await sql<{
      n: number;
    }>`SELECT count(*) AS n FROM customer_import_chunks WHERE import_id = ${imp.id}`.execute(t.database.db);
    expect(Number(chunksLeft.rows[0]!.n)).toBe(0);
    const entries = await entriesOf(numbers);
    expect(entries).toHaveLength(100);
    expect(new Set(entries.map((e) => e.account_id)).size).toBe(100);
    expect(entries.find((e) => e.account_number === numbers[100])).toMatchObject({
      type: 'INITIAL_BALANCE',
      amount: '100.250000',
      balance_after: '100.250000',
    });
    // Posting a chunk's opening balances again (a resumed chunk that got past the row check)
    // replays the entries by their derived keys: nothing is posted twice.
    await ledgerService.postInitialBalancesBulk(
      ctx,
      entries.map((e) => ({ accountId: e.account_id, initialBalance: e.amount })),
    );
    expect(await entriesOf(numbers)).toHaveLength(100);
    await expectReconciled();
  });

  // Several connections at once: PostgreSQL only (PGlite has one), so not registered on PGlite.
  if (kind === 'postgres')
    it.each([
      // Chunk 0 alone (chunk 1 depends on it and waits), chunks 1 and 2 together, chunk 3 alone.
      { atOnce: 2, steps: 3 },
      // Chunk 0 alone (chunk 1 depends on it: 1, 2 and 3 roll back), then chunks 1, 2 and 3 together.
      { atOnce: 4, steps: 2 },
    ])(
      '$atOnce chunks at once (PostgreSQL): independent chunks are written in parallel, a chunk that depends on an earlier one waits for it',
      async ({ atOnce, steps: expectedSteps }) => {
        const ctx: Ctx = {
          actor: { kind: 'admin', userId: null, apiKeyId: null, label: 'test' },
          db: t.database.db,
          now: () => new Date(),
        };
        const numbers = Array.from({ length: 100 }, () => num());
        const rows = numbers.map((x, i) => [x, `Pair ${x}`, 'USD', 'US', 'UTC', i % 3 ? '' : `${i}.000001`]);
        // Row 32 (chunk 1: rows 27-51) repeats the number of row 4 (chunk 0): chunk 1 depends on chunk 0.
        rows[30]![0] = numbers[2]!;
        const text = csv([['account_number', 'name', 'currency', 'country', 'timezone', 'balance'], ...rows]);
        const imp = await importsService.uploadImport(ctx, 'pairs.csv', Readable.from([text]), {
          chunkRows: 25,
        });
        await importsService.startImport(ctx, imp.id, {});
        const { steps } = await testRunner(t.database, { importChunksAtOnce: atOnce }).runUntilIdle();
        expect(steps).toBe(expectedSteps);
        const done = (await admin.get(`/api/v1/customer-imports/${imp.id}`)).json();
        expect(done).toMatchObject({
          status: 'done',
          progress: { rowsDone: 100, created: 99, rejected: 1, percent: 100 },
        });
        // The same verdict as one chunk at a time: the row that came first is named.
        expect(await issuesOf(admin, imp.id)).toEqual([
          expect.objectContaining({ rowNumber: 32, column: 'account_number', code: 'DUPLICATE_IN_FILE' }),
        ]);
        const byImport = await sql<{ n: number; d: number }>`
        SELECT count(*)::int AS n, count(DISTINCT account_number)::int AS d
        FROM accounts WHERE import_id = ${imp.id}`.execute(t.database.db);
        expect(byImport.rows[0]).toEqual({ n: 99, d: 99 });
        const created = numbers.filter((_, i) => i !== 30);
        const entries = await entriesOf(created);
        expect(entries).toHaveLength(33);
        expect(entries.find((e) => e.account_number === numbers[99])).toMatchObject({
          type: 'INITIAL_BALANCE',
          amount: '99.000001',
        });
        await expectReconciled();
      },
    );

  it('creates SIP devices from the SIP columns: secrets encrypted at upload, usernames unique, rejects blanked', async () => {
    const [a, b, c, d, e] = [num(), num(), num(), num(), num()];
    const taken = (await admin.post('/api/v1/customers', customerBody())).json();
    expect(
      (await admin.post(`/api/v1/customers/${taken.id}/sip-devices`, { username: 'taken.desk' })).statusCode,
    ).toBe(201);
    const text = csv([
      ['Account', 'Name', 'Currency', 'Country', 'Timezone', 'SIP Username', 'SIP Password'],
      [a, 'Sip Own Name', 'USD', 'US', 'UTC', 'a.desk', 'Secret-Alpha-123'],
      [b, 'Sip Number Name', 'USD', 'US', 'UTC', '', 'Secret-Bravo-456'],
      [c, 'Sip Dup In File', 'USD', 'US', 'UTC', 'A.DESK', 'Secret-Charlie-789'],
      [d, 'Sip Taken', 'USD', 'US', 'UTC', 'taken.desk', 'Secret-Delta-000'],
      [e, 'Sip Short', 'USD', 'US', 'UTC', 'e.desk', 'short'],
    ]);
    const imp = await uploadOk(admin, text);
    // The clear secrets never reach the database: the stored chunk holds ciphertext.
    const stored = await sql<{ rows: string }>`
      SELECT rows::text AS rows FROM customer_import_chunks WHERE import_id = ${imp.id}`.execute(
      t.database.db,
    );
    expect(stored.rows[0]!.rows).not.toContain('Secret-Alpha-123');
    expect(imp.hashedColumns).toEqual([6]);
    const done = await runImport(admin, imp.id);
    expect(done.progress).toMatchObject({ created: 2, rejected: 3 });
    expect((await issuesOf(admin, imp.id)).map((i) => [i.rowNumber, i.column, i.code])).toEqual([
      [4, 'sip_username', 'DUPLICATE_IN_FILE'],
      [5, 'sip_username', 'SIP_USERNAME_TAKEN'],
      [6, 'sip_password', 'SIP_PASSWORD_INVALID'],
    ]);
    const devices = await sql<{ account_number: string; username: string; secret_enc: string }>`
      SELECT a.account_number, d.username, d.secret_enc FROM sip_devices d JOIN accounts a ON a.id = d.account_id
      WHERE a.account_number = ANY(${[a, b, c, d, e]}::text[]) ORDER BY a.account_number`.execute(
      t.database.db,
    );
    expect(devices.rows.map((r) => [r.account_number, r.username, decryptSecret(r.secret_enc)])).toEqual(
      [
        [a, 'a.desk', 'Secret-Alpha-123'],
        [b, b, 'Secret-Bravo-456'],
      ].sort((x, y) => x[0]!.localeCompare(y[0]!)),
    );
    // The rejected rows come back to fix, with the secret column blank.
    const rejected = parse((await admin.get(`/api/v1/customer-imports/${imp.id}/rejected.csv`)).body, {
      columns: true,
    }) as Record<string, string>[];
    expect(rejected.map((r) => [r.Account, r['SIP Username'], r['SIP Password']])).toEqual([
      [c, 'A.DESK', ''],
      [d, 'taken.desk', ''],
      [e, 'e.desk', ''],
    ]);
    // A hashed or encrypted column cannot be remapped to another field.
    const again = await uploadOk(admin, text);
    const remap = await admin.post(`/api/v1/customer-imports/${again.id}/dry-run`, {
      columns: ['account_number', 'name', 'currency', 'country', 'timezone', 'sip_username', 'invoice_note'],
    });
    expectError(remap, 400, 'PASSWORD_COLUMN_MISMATCH', 'columns.6');
  });

  it('intruder: a reseller sees only its own imports and imports only into its own subtree', async () => {
    const mine = await uploadOk(
      resellerA.client,
      csv([
        ['account_number', 'name', 'currency', 'country', 'timezone', 'reseller'],
        [num(), 'A own', 'USD', 'US', 'UTC', ''],
        [num(), 'A under B', 'USD', 'US', 'UTC', resellerB.accountNumber],
      ]),
    );
    const b = resellerB.client;
    for (const res of [
      await b.get(`/api/v1/customer-imports/${mine.id}`),
      await b.get(`/api/v1/customer-imports/${mine.id}/issues`),
      await b.get(`/api/v1/customer-imports/${mine.id}/rejected.csv`),
      await b.get(`/api/v1/customer-imports/${mine.id}/preview`),
      await b.post(`/api/v1/customer-imports/${mine.id}/start`, {}),
      await b.post(`/api/v1/customer-imports/${mine.id}/dry-run`, {}),
      await b.delete(`/api/v1/customer-imports/${mine.id}`),
    ])
      expectError(res, 404, 'IMPORT_NOT_FOUND');
    expect((await b.get('/api/v1/customer-imports')).json().data).toEqual([]);
    const done = await runImport(resellerA.client, mine.id);
    expect(done.progress).toMatchObject({ created: 1, rejected: 1 });
    expect((await issuesOf(resellerA.client, mine.id))[0]).toMatchObject({
      column: 'reseller',
      code: 'RESELLER_NOT_FOUND',
    });
    const own = (await resellerA.client.get('/api/v1/customers?q=A own')).json().data[0];
    expect(own.resellerId).toBe(resellerA.id);

    // Updating someone else's customer by number is refused, and the customer is untouched.
    const adminCustomer = (
      await admin.post('/api/v1/customers', customerBody({ accountNumber: num(), companyName: 'Admin Co' }))
    ).json();
    const steal = await uploadOk(
      resellerA.client,
      csv([
        ['account_number', 'company_name'],
        [adminCustomer.accountNumber, 'Stolen'],
      ]),
    );
    const stolen = await runImport(resellerA.client, steal.id, { onExisting: 'update' });
    expect(stolen.progress).toMatchObject({ updated: 0, rejected: 1 });
    expect((await issuesOf(resellerA.client, steal.id))[0]!.code).toBe('ACCOUNT_NUMBER_TAKEN');
    expect((await admin.get(`/api/v1/customers/${adminCustomer.id}`)).json().companyName).toBe('Admin Co');
  });

  it('a row reports every error it has, each with its column: cells, schema and rules together', async () => {
    const header = [
      'account_number',
      'name',
      'currency',
      'country',
      'timezone',
      'mode',
      'credit_limit',
      'call_limit',
      'main_email',
    ];
    const [a, b] = [num(), num()];
    const text = csv([
      header,
      [a, 'Many errors', 'USD', 'XX', 'UTC', 'postpaid', 'lots', '-5', 'not-an-email'],
      [b, 'Rule and schema', 'USD', 'US', 'UTC', 'prepaid', '10', '-1', ''],
    ]);
    const imp = await uploadOk(admin, text);
    expect((await admin.post(`/api/v1/customer-imports/${imp.id}/dry-run`, {})).statusCode).toBe(202);
    await runJobs();
    const issues = (await issuesOf(admin, imp.id, 'dry')).map((i) => [i.rowNumber, i.column, i.code]);
    expect(issues).toEqual(
      expect.arrayContaining([
        [2, 'credit_limit', 'INVALID_NUMBER'],
        [2, 'call_limit', 'INVALID_VALUE'],
        [2, 'main_email', 'INVALID_VALUE'],
        [2, 'country', 'VALIDATION_FAILED'],
        [3, 'call_limit', 'INVALID_VALUE'],
      ]),
    );
  });

  it('references travel by name within the owner: an unknown name is a row error, an id column is taken as an id', async () => {
    const stamp = Date.now().toString(36);
    const rg = await admin.post('/api/v1/rate-groups', { name: `Named RG ${stamp}`, currency: 'USD' });
    expect(rg.statusCode, rg.body).toBe(201);
    const rgId = rg.json().id as number;
    const header = [
      'account_number',
      'name',
      'currency',
      'country',
      'timezone',
      'rate_group',
      'rate_group_id',
    ];
    const [a, b, c, d] = [num(), num(), num(), num()];
    const text = csv([
      header,
      [a, `By name ${stamp}`, 'USD', 'US', 'UTC', `named rg ${stamp}`, ''],
      [b, `Unknown ${stamp}`, 'USD', 'US', 'UTC', 'No such group', ''],
      [c, `By id ${stamp}`, 'USD', 'US', 'UTC', '', String(rgId)],
      [d, `Mismatch ${stamp}`, 'USD', 'US', 'UTC', `Named RG ${stamp}`, String(rgId + 1000)],
    ]);
    const imp = await uploadOk(admin, text);
    const done = await runImport(admin, imp.id);
    expect(done.progress).toMatchObject({ created: 2, rejected: 2 });
    expect((await issuesOf(admin, imp.id)).map((i) => [i.rowNumber, i.column, i.code])).toEqual([
      [3, 'rate_group', 'RATE_GROUP_NOT_FOUND'],
      [5, 'rate_group', 'REFERENCE_MISMATCH'],
    ]);
    for (const n of [a, c]) {
      const row = (await admin.get(`/api/v1/customers?accountNumber=${n}`)).json().data[0];
      expect(row.rateGroupId).toBe(rgId);
    }
  });

  it('round trip: our export imports back in update mode and nothing changes', async () => {
    const made = async (url: string, body: Record<string, unknown>) => {
      const r = await admin.post(url, body);
      expect(r.statusCode, r.body).toBe(201);
      return r.json().id as number;
    };
    const stamp = Date.now().toString(36);
    const rateGroupId = await made('/api/v1/rate-groups', { name: `RT EUR ${stamp}`, currency: 'EUR' });
    const nonCliRateGroupId = await made('/api/v1/rate-groups', {
      name: `RT EUR non-CLI ${stamp}`,
      currency: 'EUR',
    });
    const localizationId = await made('/api/v1/localizations', { name: `RT loc ${stamp}` });
    const rich = {
      companyName: 'Round, "Trip" Co',
      firstName: '=cmd',
      lastName: "'@quoted",
      mainEmail: 'rt@x.test',
      nocEmails: ['noc1@x.test', 'noc2@x.test'],
      billingEmails: ['bill@x.test'],
      phone: '+1 555 0100',
      address1: 'Line 1',
      address2: '',
      city: 'Paris',
      zip: '75001',
      taxId: 'FR-1',
      reference: '-ref',
      roles: ['customer', 'provider'],
      status: 'inactive',
      mode: 'postpaid',
      currency: 'EUR',
      creditLimit: '123.456',
      callLimit: 0,
      cpsLimit: '2.5',
      allowLocalCalls: true,
      localCallPricePerMin: '0.0125',
      minProfitability: { type: 'percent', value: '-2.5' },
      cliPoolMode: 4,
      nonCliRateGroupId,
      rateGroupId,
      localizationId,
      billingSchedule: 'daily',
      billingDay: 15,
      generateZeroInvoice: true,
      invoiceNote: 'multi\nline, note',
      notificationsEnabled: false,
      onlinePayment: true,
      portalPermissions: ['balance', 'paymentHistory', 'invoices'],
      validUntil: '2027-01-31T10:20:30.000Z',
      portalUsername: `rt-user-${n}`,
      initialBalance: '-12.34',
    };
    const tag = `rt${Date.now().toString(36)}`;
    const ids: number[] = [];
    ids.push(
      (await admin.post('/api/v1/customers', customerBody({ ...rich, name: `${tag} rich` }))).json().id,
    );
    for (let i = 0; i < 5; i++)
      ids.push(
        (
          await admin.post(
            '/api/v1/customers',
            customerBody({ name: `${tag} plain ${i}`, ...(i === 0 ? { initialBalance: '5.5' } : {}) }),
          )
        ).json().id,
      );
    ids.push(
      (await resellerA.client.post('/api/v1/customers', customerBody({ name: `${tag} resold` }))).json().id,
    );
    const before = await Promise.all(
      ids.map(async (id) => (await admin.get(`/api/v1/customers/${id}`)).json()),
    );

    expect(before.map((c) => c.balance).slice(0, 2)).toEqual(['-12.340000', '5.500000']);
    const entriesBefore = await ledgerCount();

    const exported = await admin.get(`/api/v1/customers/export?q=${tag}&role=any`);
    expect(exported.statusCode).toBe(200);
    const imp = await uploadOk(admin, exported.body);
    expect(imp.unmappedHeaders).toEqual([]);
    const done = await runImport(admin, imp.id, { onExisting: 'update' });
    expect(await issuesOf(admin, imp.id)).toEqual([]);
    expect(done.progress).toMatchObject({
      rowsDone: 7,
      unchanged: 7,
      updated: 0,
      created: 0,
      rejected: 0,
      warnings: 0,
    });
    const after = await Promise.all(
      ids.map(async (id) => (await admin.get(`/api/v1/customers/${id}`)).json()),
    );
    expect(after).toEqual(before);
    expect(await ledgerCount()).toBe(entriesBefore);
    await expectReconciled();

    // And into an empty database in create mode: the same customers, field for field.
    const other = await createTestApp(kind);
    try {
      const otherAdmin = await adminLogin(other.app);
      const otherMade = async (url: string, body: Record<string, unknown>) => {
        const r = await otherAdmin.post(url, body);
        expect(r.statusCode, r.body).toBe(201);
        return r.json().id as number;
      };
      // A decoy holding the rate group's id in the other database must capture nobody: references
      // travel by name (DOMAIN 3.5). The same names exist there under other ids.
      let decoy = 0;
      for (let i = 0; decoy < rateGroupId && i < 500; i++)
        decoy = await otherMade('/api/v1/rate-groups', { name: `Decoy ${i}`, currency: 'EUR' });
      expect(decoy).toBe(rateGroupId);
      const otherRateGroupId = await otherMade('/api/v1/rate-groups', {
        name: `RT EUR ${stamp}`,
        currency: 'EUR',
      });
      await otherMade('/api/v1/rate-groups', { name: `RT EUR non-CLI ${stamp}`, currency: 'EUR' });
      await otherMade('/api/v1/localizations', { name: `RT loc ${stamp}` });
      const plain = await admin.get(`/api/v1/customers/export?q=${tag}&role=any&resellerId=none`);
      const res = await otherAdmin.request('POST', '/api/v1/customer-imports', plain.body, {
        'content-type': 'text/csv',
      });
      const otherImp = res.json();
      await otherAdmin.post(`/api/v1/customer-imports/${otherImp.id}/start`, {});
      await testRunner(other.database).runUntilIdle();
      // Every row arrives, the rich one on the rate group of its name, field for field.
      expect((await otherAdmin.get(`/api/v1/customer-imports/${otherImp.id}`)).json().progress).toMatchObject(
        { created: 6, rejected: 0 },
      );
      expect(await issuesOf(otherAdmin, otherImp.id)).toEqual([]);
      const copied = (await otherAdmin.get(`/api/v1/customers/export?q=${tag}&role=any`)).body;
      const strip = (text: string) =>
        (parse(text, { columns: true }) as Record<string, string>[]).map(({ created_at: _c, ...r }) => r);
      expect(strip(copied)).toEqual(strip(plain.body));
      const richCopy = (await otherAdmin.get(`/api/v1/customers?q=${tag}%20rich&role=any`)).json().data[0];
      expect(richCopy.rateGroupId).toBe(otherRateGroupId);
      expect(richCopy.rateGroupId).not.toBe(decoy);
      // The balances came over as opening entries, and the copy's ledger reconciles.
      const copiedBalances = (parse(copied, { columns: true }) as Record<string, string>[]).map(
        (r) => r.balance,
      );
      expect(copiedBalances).toEqual(expect.arrayContaining(['5.500000', '-12.340000']));
      expect((await otherAdmin.get('/api/v1/ledger/reconcile')).json()).toMatchObject({ ok: true });
    } finally {
      await other.close();
    }
  });
});

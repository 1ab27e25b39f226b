import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { sql } from 'kysely';
import {
  adminLogin,
  createTestApp,
  customerBody,
  expectError,
  type Client,
  type TestApp,
} from '../../../../test/app.js';
import { testDatabaseKinds } from '../../../../test/databases.js';
import { createReseller, type TestReseller } from '../../../../test/resellers.js';
import { systemActor } from '../../platform/context.js';
import { exportCustomersCsv } from './exports.service.js';
import { sqlQuoteCell, sqlTextCell } from './exports.repository.js';
import { quoteCsvCell, textCsvCell } from '../../platform/csv/csv-cells.js';
import { CUSTOMER_EXPORT_COLUMN_NAMES } from './customer-csv-columns.js';

const records = (body: string): Record<string, string>[] => parse(body, { columns: true });

describe.each(testDatabaseKinds())('customer export on %s', (kind) => {
  let t: TestApp;
  let admin: Client;
  let resellerA: TestReseller;
  let resellerB: TestReseller;
  const tag = `exp${Date.now().toString(36)}`;

  beforeAll(async () => {
    t = await createTestApp(kind);
    admin = await adminLogin(t.app);
    resellerA = await createReseller(t.app, admin);
    resellerB = await createReseller(t.app, admin);
  });
  afterAll(async () => t?.close());

  it('writes DOMAIN 3.6 columns in order, quotes commas and quotes, guards formulas, never numbers', async () => {
    const body = customerBody({
      name: `=HYPERLINK("x") ${tag}`,
      companyName: 'Acme, "The" Telecom',
      phone: '+1 555 0100',
      mainEmail: 'main@acme.test',
      nocEmails: ['noc1@acme.test', 'noc2@acme.test'],
      invoiceNote: 'line one\nline two',
      reference: "'@already quoted",
      minProfitability: { type: 'absolute', value: '-0.5' },
      mode: 'postpaid',
      creditLimit: '25',
      callLimit: 7,
      password: 'very-secret-pw-1',
      pin: '987654',
    });
    expect((await admin.post('/api/v1/customers', body)).statusCode).toBe(201);
    const res = await admin.get(`/api/v1/customers/export?q=${tag}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    expect(res.headers['content-disposition']).toMatch(
      /attachment; filename="Customers_\d{4}-\d{2}-\d{2}\.csv"/,
    );
    const [header] = res.body.split('\r\n');
    expect(header).toBe(CUSTOMER_EXPORT_COLUMN_NAMES.join(','));
    expect(res.body).toContain(`"'=HYPERLINK(""x"") ${tag}"`);
    expect(res.body).toContain('"Acme, ""The"" Telecom"');
    expect(res.body).toContain(",'+1 555 0100,");
    expect(res.body).toContain(",''@already quoted,");
    expect(res.body).not.toContain('very-secret-pw-1');
    expect(res.body).not.toContain('987654');
    const [row] = records(res.body);
    expect(row).toMatchObject({
      name: `'=HYPERLINK("x") ${tag}`,
      company_name: 'Acme, "The" Telecom',
      noc_email: 'noc1@acme.test;noc2@acme.test',
      roles: 'customer',
      status: 'active',
      mode: 'postpaid',
      currency: 'USD',
      credit_limit: '25.000000',
      call_limit: '7',
      cps_limit: '',
      min_profit_type: 'absolute',
      min_profit_value: '-0.500000',
      unlimited_credit: 'false',
      notifications_enabled: 'true',
      invoice_note: 'line one\nline two',
      balance: '0.000000',
      reseller: '',
      first_used: '',
      country: 'US',
    });
    expect(row!.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it('honours the list filters and the chosen columns, in the order given', async () => {
    for (const status of ['active', 'inactive', 'inactive'])
      await admin.post(
        '/api/v1/customers',
        customerBody({ name: `F ${tag} ${status} ${Math.random()}`, status }),
      );
    const res = await admin.get(`/api/v1/customers/export?q=${tag}&status=inactive&columns=status,name`);
    expect(res.statusCode).toBe(200);
    const lines = res.body.trimEnd().split('\r\n');
    expect(lines[0]).toBe('status,name');
    expect(lines).toHaveLength(3);
    expect(lines.slice(1).every((l) => l.startsWith('inactive,F '))).toBe(true);
  });

  it('refuses an unknown or repeated column with 400 on columns', async () => {
    expectError(
      await admin.get('/api/v1/customers/export?columns=name,password'),
      400,
      'UNKNOWN_EXPORT_COLUMN',
      'columns',
    );
    expectError(
      await admin.get('/api/v1/customers/export?columns=name,name'),
      400,
      'UNKNOWN_EXPORT_COLUMN',
      'columns',
    );
  });

  it('streams every row across keyset batches, in id order, exactly once, with its own reseller and login', async () => {
    const resellerC = await createReseller(t.app, admin);
    const expected: Record<string, string>[] = [];
    for (let i = 0; i < 23; i++) {
      // Every third customer under a reseller, so batches mix looked-up cells and empty ones.
      const creator = i % 3 === 0 ? resellerC.client : admin;
      const r = await creator.post('/api/v1/customers', customerBody({ name: `Batch ${tag} ${i}` }));
      expect(r.statusCode).toBe(201);
      const n = r.json().accountNumber as string;
      expected.push({
        account_number: n,
        reseller: i % 3 === 0 ? resellerC.accountNumber : '',
        portal_username: n,
        name: `Batch ${tag} ${i}`,
      });
    }
    const ctx = { actor: systemActor, db: t.database.db, now: () => new Date() };
    const { chunks } = exportCustomersCsv(
      ctx,
      { q: `batch ${tag}`, columns: 'account_number,reseller,portal_username,name' },
      { batchRows: 5 },
    );
    let text = '';
    let pieces = 0;
    for await (const c of chunks) {
      text += c;
      pieces++;
    }
    expect(pieces).toBeGreaterThanOrEqual(6);
    expect(records(text)).toEqual(expected);
  });

  it('PINs only in an export an admin asks for: marked in the file name, audited; never otherwise', async () => {
    const withPin = await admin.post(
      '/api/v1/customers',
      customerBody({ name: `Pin ${tag}`, pin: '73914682' }),
    );
    expect(withPin.statusCode, withPin.body).toBe(201);
    const plain = await admin.get(`/api/v1/customers/export?q=Pin%20${tag}`);
    expect(plain.body).not.toContain('73914682');
    expect(records(plain.body)[0]).not.toHaveProperty('pin');
    expectError(
      await admin.get(`/api/v1/customers/export?columns=account_number,pin`),
      400,
      'UNKNOWN_EXPORT_COLUMN',
    );
    const pins = await admin.get(`/api/v1/customers/export?q=Pin%20${tag}&includePins=true`);
    expect(pins.statusCode).toBe(200);
    expect(pins.headers['content-disposition']).toMatch(/_with_PINs\.csv"$/);
    expect(records(pins.body)[0]).toMatchObject({ name: `Pin ${tag}`, pin: '73914682' });
    const audit = await sql<{ action: string }>`
      SELECT action FROM audit_log WHERE action = 'customer.export_pins'`.execute(t.database.db);
    expect(audit.rows.length).toBeGreaterThanOrEqual(1);
    expectError(
      await resellerA.client.get(`/api/v1/customers/export?includePins=true`),
      403,
      'PIN_EXPORT_FORBIDDEN',
    );
  });

  it('scopes a reseller to its subtree; another reseller sees none of it; customers are refused', async () => {
    const mine = await resellerA.client.post('/api/v1/customers', customerBody({ name: `Mine ${tag}` }));
    expect(mine.statusCode).toBe(201);
    const a = await resellerA.client.get(`/api/v1/customers/export?columns=account_number,reseller`);
    expect(a.statusCode).toBe(200);
    expect(records(a.body)).toEqual([
      { account_number: mine.json().accountNumber, reseller: resellerA.accountNumber },
    ]);
    const b = await resellerB.client.get(`/api/v1/customers/export?columns=account_number`);
    expect(records(b.body)).toEqual([]);
    const admins = await admin.get(
      `/api/v1/customers/export?columns=account_number&resellerId=${resellerA.id}`,
    );
    expect(records(admins.body)).toHaveLength(1);
  });
  it('writes cells in SQL exactly as csv-cells.ts does (formula guard, quoting)', async () => {
    const values = [
      '',
      'plain',
      '=1+2',
      '+1 555',
      '-5',
      '@user',
      '\tTabbed',
      '\rCarriage',
      "'=already",
      "''@twice",
      "'plain quote",
      'a,b',
      'say "hi"',
      'two\nlines',
      'cr\rinside',
      '=HYPERLINK("x"), y',
      'naïve — ünïcode',
      'mid=dle-@',
    ];
    const r = await sql<{ v: string; t: string; q: string }>`
      SELECT v, ${sql.raw(sqlTextCell('v'))} AS t, ${sql.raw(sqlQuoteCell('v'))} AS q
      FROM unnest(${values}::text[]) WITH ORDINALITY AS x(v, n) ORDER BY n`.execute(t.database.db);
    expect(r.rows.map((x) => x.t)).toEqual(values.map(textCsvCell));
    expect(r.rows.map((x) => x.q)).toEqual(values.map(quoteCsvCell));
    const nulls = await sql<{ t: string | null; q: string | null }>`
      SELECT ${sql.raw(sqlTextCell('v'))} AS t, ${sql.raw(sqlQuoteCell('v'))} AS q
      FROM (SELECT NULL::text AS v) x`.execute(t.database.db);
    expect(nulls.rows[0]).toEqual({ t: null, q: null });
  });
});

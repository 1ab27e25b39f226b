import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { sql } from 'kysely';
import { adminLogin, Client, createTestApp, customerBody, type TestApp } from '../../../../test/app.js';
import { testDatabaseKinds } from '../../../../test/databases.js';
import { testRunner } from '../../../../test/jobs.js';
import { createReseller, type TestReseller } from '../../../../test/resellers.js';
import { decryptSecret } from '../../platform/secrets.js';

/*
 * A carrier moves from one Tollgate to another (issue 16): resellers, then customers, then their
 * SIP devices, one file each, into an empty database. Exported again there, the three files are
 * the ones exported here, apart from ids and creation times; a decoy rate group holding the
 * original's id captures nobody; the SIP secrets never travel.
 */
type Rec = Record<string, string>;
const records = (body: string): Rec[] => parse(body, { columns: true });
const strip = (body: string): Rec[] => records(body).map(({ created_at: _c, ...r }) => r);

describe.each(testDatabaseKinds())('migration round trip on %s', (kind) => {
  let source: TestApp;
  let admin: Client;
  let top: TestReseller;
  let nested: TestReseller;
  let other: TestReseller;
  const tag = `mig${Date.now().toString(36)}`;

  beforeAll(async () => {
    source = await createTestApp(kind);
    admin = await adminLogin(source.app);
    top = await createReseller(source.app, admin);
    nested = await createReseller(source.app, top.client);
    other = await createReseller(source.app, admin);
  });
  afterAll(async () => source?.close());

  async function importFile(
    client: Client,
    app: TestApp,
    importKind: string,
    text: string,
    settings: Record<string, unknown> = {},
    dryRun = false,
  ) {
    const up = await client.request(
      'POST',
      `/api/v1/customer-imports?kind=${importKind}&fileName=${importKind}.csv`,
      text,
      {
        'content-type': 'text/csv',
      },
    );
    expect(up.statusCode, up.body).toBe(201);
    const id = up.json().id as number;
    expect(up.json().kind).toBe(importKind);
    expect(up.json().unmappedHeaders).toEqual([]);
    const start = await client.post(
      `/api/v1/customer-imports/${id}/${dryRun ? 'dry-run' : 'start'}`,
      settings,
    );
    expect(start.statusCode, start.body).toBe(202);
    await testRunner(app.database).runUntilIdle();
    const done = (await client.get(`/api/v1/customer-imports/${id}`)).json();
    const issues = (
      await client.get(`/api/v1/customer-imports/${id}/issues?run=${dryRun ? 'dry' : 'real'}&limit=1000`)
    ).json().data as { rowNumber: number; column: string | null; code: string; severity: string }[];
    return { id, done, issues };
  }

  it('resellers, customers and SIP devices move to an empty database and export identically', async () => {
    const made = async (client: Client, url: string, body: Record<string, unknown>) => {
      const r = await client.post(url, body);
      expect(r.statusCode, r.body).toBe(201);
      return r.json();
    };
    // Make every reseller's name carry the tag, and give one an opening balance and a rich profile.
    const patched = await admin.patch(`/api/v1/resellers/${top.id}`, {
      name: `${tag} top`,
      companyName: 'Top, "Telecom"',
      invoiceNote: 'n1',
    });
    expect(patched.statusCode, patched.body).toBe(200);
    const rateGroup = await made(admin, '/api/v1/rate-groups', { name: `${tag} RG`, currency: 'USD' });
    const rich = await made(
      admin,
      '/api/v1/customers',
      customerBody({
        name: `${tag} rich`,
        rateGroupId: rateGroup.id,
        mode: 'postpaid',
        creditLimit: '50',
        initialBalance: '1.234567',
        portalUsername: `${tag}-rich`,
      }),
    );
    const resold = await made(top.client, '/api/v1/customers', customerBody({ name: `${tag} resold` }));
    const deep = await made(nested.client, '/api/v1/customers', customerBody({ name: `${tag} deep` }));
    const d1 = await made(admin, `/api/v1/customers/${rich.id}/sip-devices`, {
      username: `${tag}-desk`,
      callerIdName: '=Front, desk',
      callerIdNumber: '15550100',
      codecs: ['PCMU', 'G722'],
      voicemailEnabled: true,
      status: 'inactive',
    });
    await made(admin, `/api/v1/customers/${rich.id}/sip-devices`, { username: `+${tag}.phone` });
    await made(nested.client, `/api/v1/customers/${deep.id}/sip-devices`, { username: `${tag}-deep` });
    expect(d1.secret).toBeTruthy();
    void resold;
    void other;

    const resellers = await admin.get('/api/v1/resellers/export');
    expect(resellers.statusCode, resellers.body).toBe(200);
    expect(resellers.headers['content-disposition']).toMatch(/filename="Resellers_\d{4}-\d{2}-\d{2}\.csv"/);
    const rs = records(resellers.body);
    expect(rs.map((r) => r.account_number)).toEqual([
      top.accountNumber,
      nested.accountNumber,
      other.accountNumber,
    ]);
    expect(rs[1]).toMatchObject({ reseller: top.accountNumber, roles: 'customer' });
    expect(rs[0]).toMatchObject({ name: `${tag} top`, reseller: '', company_name: 'Top, "Telecom"' });
    const customers = await admin.get(`/api/v1/customers/export?q=${tag}&role=any`);
    expect(records(customers.body).map((c) => c.reseller)).toEqual([
      '',
      top.accountNumber,
      nested.accountNumber,
    ]);
    const devices = await admin.get(`/api/v1/sip-devices/export?q=${tag}`);
    expect(devices.statusCode, devices.body).toBe(200);
    expect(devices.headers['content-disposition']).toMatch(/filename="SIP_Devices_\d{4}-\d{2}-\d{2}\.csv"/);
    expect(devices.body).not.toContain(d1.secret);
    expect(strip(devices.body)).toEqual([
      {
        account_number: rich.accountNumber,
        username: `${tag}-desk`,
        caller_id_name: "'=Front, desk",
        caller_id_number: '15550100',
        status: 'inactive',
        codecs: 'PCMU;G722',
        voicemail_enabled: 'true',
      },
      expect.objectContaining({ username: `'+${tag}.phone`, codecs: '', voicemail_enabled: 'false' }),
      expect.objectContaining({ account_number: deep.accountNumber, username: `${tag}-deep` }),
    ]);

    const target = await createTestApp(kind);
    try {
      const otherAdmin = await adminLogin(target.app);
      // A decoy holding the source rate group's id: references travel by name, so it captures nobody.
      let decoy = 0;
      for (let i = 0; decoy < rateGroup.id && i < 500; i++)
        decoy = (await made(otherAdmin, '/api/v1/rate-groups', { name: `Decoy ${i}`, currency: 'USD' })).id;
      expect(decoy).toBe(rateGroup.id);
      const copyRateGroup = await made(otherAdmin, '/api/v1/rate-groups', {
        name: `${tag} RG`,
        currency: 'USD',
      });

      // The reseller file in reverse: children before parents. The importer orders it (so the
      // copy's ids, hence its export's row order, differ: rows are compared by account number).
      const lines = resellers.body.trimEnd().split('\r\n');
      const reversed = [lines[0], ...lines.slice(1).reverse()].join('\r\n') + '\r\n';
      const dry = await importFile(otherAdmin, target, 'resellers', reversed, {}, true);
      expect(dry.issues).toEqual([]);
      expect(dry.done.dryRun).toMatchObject({ created: 3, rejected: 0 });
      const r = await importFile(otherAdmin, target, 'resellers', reversed);
      expect(r.issues).toEqual([]);
      expect(r.done.progress).toMatchObject({ created: 3, rejected: 0 });

      const c = await importFile(otherAdmin, target, 'customers', customers.body);
      expect(c.issues).toEqual([]);
      expect(c.done.progress).toMatchObject({ created: 3, rejected: 0 });

      const d = await importFile(otherAdmin, target, 'sip-devices', devices.body);
      expect(d.done.progress).toMatchObject({ created: 3, rejected: 0, warnings: 3 });
      expect(d.issues.map((i) => [i.column, i.code, i.severity])).toEqual([
        ['secret', 'SIP_SECRET_GENERATED', 'warning'],
        ['secret', 'SIP_SECRET_GENERATED', 'warning'],
        ['secret', 'SIP_SECRET_GENERATED', 'warning'],
      ]);

      // Exported again: the same three files, apart from ids and creation times.
      const resellersAgain = await otherAdmin.get('/api/v1/resellers/export');
      const byNumber = (rows: Rec[]) =>
        rows.sort((a, b) => a.account_number!.localeCompare(b.account_number!));
      expect(byNumber(strip(resellersAgain.body))).toEqual(byNumber(strip(resellers.body)));
      const customersAgain = await otherAdmin.get(`/api/v1/customers/export?q=${tag}&role=any`);
      expect(strip(customersAgain.body)).toEqual(strip(customers.body));
      const devicesAgain = await otherAdmin.get(`/api/v1/sip-devices/export?q=${tag}`);
      expect(strip(devicesAgain.body)).toEqual(strip(devices.body));

      const richCopy = (await otherAdmin.get(`/api/v1/customers?q=${tag}%20rich`)).json().data[0];
      expect(richCopy.rateGroupId).toBe(copyRateGroup.id);
      expect(richCopy.rateGroupId).not.toBe(decoy);
      // Resellers are resellers there, under the same parents, and sign in with their logins.
      const nestedCopy = (
        await otherAdmin.get(`/api/v1/resellers?accountNumber=${nested.accountNumber}`)
      ).json().data[0];
      const topCopy = (await otherAdmin.get(`/api/v1/resellers?accountNumber=${top.accountNumber}`)).json()
        .data[0];
      expect(nestedCopy.resellerId).toBe(topCopy.id);
      const users = await sql<{ login: string; role: string }>`
        SELECT login, role FROM users WHERE account_id = ${nestedCopy.id}`.execute(target.database.db);
      expect(users.rows).toEqual([{ login: nested.accountNumber, role: 'reseller' }]);
      // The secret never travelled: the device has a fresh random one.
      const secret = await sql<{ secret_enc: string }>`
        SELECT secret_enc FROM sip_devices WHERE username = ${`${tag}-desk`}`.execute(target.database.db);
      const clear = decryptSecret(secret.rows[0]!.secret_enc);
      expect(clear).toHaveLength(20);
      expect(clear).not.toBe(d1.secret);
      expect((await otherAdmin.get('/api/v1/ledger/reconcile')).json()).toMatchObject({ ok: true });

      // Importing the same files again in update mode changes nothing.
      const again = await importFile(otherAdmin, target, 'sip-devices', devices.body, {
        onExisting: 'update',
      });
      expect(again.done.progress).toMatchObject({ unchanged: 3, created: 0, updated: 0, rejected: 0 });
      const againResellers = await importFile(otherAdmin, target, 'resellers', resellers.body, {
        onExisting: 'update',
      });
      expect(againResellers.done.progress).toMatchObject({ unchanged: 3, rejected: 0 });
    } finally {
      await target.close();
    }
  });

  it('SIP device rows report every error with its column; a customer outside the scope is not found', async () => {
    const mine = await top.client.post('/api/v1/customers', customerBody({ name: `${tag} mine` }));
    const theirs = await other.client.post('/api/v1/customers', customerBody({ name: `${tag} theirs` }));
    const file = [
      'account_number,username,caller_id_number,status,codecs,voicemail_enabled,secret',
      `${mine.json().accountNumber},${tag}-ok,123,active,PCMU,yes,a-secret-of-16ch`,
      `${mine.json().accountNumber},x,12a,maybe,"bad codec",perhaps,short`,
      `${theirs.json().accountNumber},${tag}-theirs,,,,,`,
      `,${tag}-none,,,,,`,
      `${mine.json().accountNumber},${tag}-OK,,,,,`,
    ].join('\r\n');
    const res = await importFile(top.client, source, 'sip-devices', file);
    expect(res.done.progress).toMatchObject({ created: 1, rejected: 4 });
    expect(
      res.issues.filter((i) => i.severity === 'error').map((i) => [i.rowNumber, i.column, i.code]),
    ).toEqual([
      [3, 'username', 'SIP_USERNAME_INVALID'],
      [3, 'caller_id_number', 'INVALID_VALUE'],
      [3, 'status', 'INVALID_VALUE'],
      [3, 'codecs', 'INVALID_VALUE'],
      [3, 'voicemail_enabled', 'INVALID_BOOLEAN'],
      [3, 'secret', 'SIP_PASSWORD_INVALID'],
      [4, 'account_number', 'CUSTOMER_NOT_FOUND'],
      [5, 'account_number', 'REQUIRED'],
      [6, 'username', 'DUPLICATE_IN_FILE'],
    ]);
    const secret = await sql<{ secret_enc: string }>`
      SELECT secret_enc FROM sip_devices WHERE username = ${`${tag}-ok`}`.execute(source.database.db);
    expect(decryptSecret(secret.rows[0]!.secret_enc)).toBe('a-secret-of-16ch');
    const rejected = await top.client.get(`/api/v1/customer-imports/${res.id}/rejected.csv`);
    expect(rejected.body).not.toContain('short');
    // The reseller export of a reseller: its own subtree only, its children under its own number.
    const scoped = records((await top.client.get('/api/v1/resellers/export')).body);
    expect(scoped.map((r) => [r.account_number, r.reseller])).toEqual([
      [nested.accountNumber, top.accountNumber],
    ]);
    expect((await other.client.get(`/api/v1/sip-devices/export?q=${tag}`)).body).not.toContain(`${tag}-ok`);
  });

  it('a reseller row names a parent nobody manages, or a SIP device: row errors, its children too', async () => {
    const file = [
      'account_number,name,reseller,country,timezone,currency,sip_username,sip_password',
      `7100000001,${tag} orphan,9999999999,US,America/New_York,USD,,`,
      `7100000002,${tag} child of orphan,7100000001,US,America/New_York,USD,,`,
      `7100000003,${tag} with device,,US,America/New_York,USD,dev-${tag},a-secret-of-16ch`,
      `7100000004,${tag} fine,${other.accountNumber},US,America/New_York,USD,,`,
    ].join('\r\n');
    const res = await importFile(admin, source, 'resellers', file);
    expect(res.done.progress).toMatchObject({ created: 1, rejected: 3 });
    expect(res.issues.map((i) => [i.rowNumber, i.column, i.code])).toEqual([
      [2, 'reseller', 'RESELLER_NOT_FOUND'],
      [3, 'reseller', 'RESELLER_NOT_FOUND'],
      [4, 'sip_username', 'VALIDATION_FAILED'],
    ]);
    const fine = (await admin.get('/api/v1/resellers?accountNumber=7100000004')).json().data[0];
    expect(fine).toMatchObject({ isReseller: true, resellerId: other.id });
  });

  it('atomic mode: a reseller file with children first is written whole, parents first', async () => {
    const file = [
      'account_number,name,reseller,country,timezone,currency',
      `7200000003,${tag} grandchild,7200000002,US,America/New_York,USD`,
      `7200000002,${tag} child,7200000001,US,America/New_York,USD`,
      `7200000001,${tag} parent,,US,America/New_York,USD`,
    ].join('\r\n');
    const res = await importFile(admin, source, 'resellers', file, { mode: 'atomic' });
    expect(res.issues).toEqual([]);
    expect(res.done).toMatchObject({ status: 'done', progress: { created: 3, rejected: 0 } });
    const get = async (n: string) => (await admin.get(`/api/v1/resellers?accountNumber=${n}`)).json().data[0];
    const [p, c, g] = [await get('7200000001'), await get('7200000002'), await get('7200000003')];
    expect([c.resellerId, g.resellerId]).toEqual([p.id, c.id]);
  });
});

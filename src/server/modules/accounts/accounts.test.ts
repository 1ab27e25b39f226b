import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import {
  Client,
  adminLogin,
  createTestApp,
  customerBody,
  expectError,
  type TestApp,
} from '../../../../test/app.js';
import { testDatabaseKinds } from '../../../../test/databases.js';

describe.each(testDatabaseKinds())('accounts on %s', (kind) => {
  let t: TestApp;
  let admin: Client;

  beforeAll(async () => {
    t = await createTestApp(kind);
    admin = await adminLogin(t.app);
  });
  afterAll(async () => t?.close());

  describe('create', () => {
    it('creates a customer with a generated 10-digit number, not starting with 0, and a portal user', async () => {
      const res = await admin.post('/api/v1/customers', customerBody({ password: 'secret-pass-1' }));
      expect(res.statusCode).toBe(201);
      const c = res.json();
      expect(c.accountNumber).toMatch(/^[1-9][0-9]{9}$/);
      expect(c.kind).toBe('customer');
      expect(c.roles).toEqual(['customer']);
      expect(c.portalUsername).toBe(c.accountNumber);
      expect(c.hasPassword).toBe(true);
      expect(c.balance).toBe('0.000000');
      expect(c.mode).toBe('prepaid');
      expect(c.availableCredit).toBe('0.000000');
      expect(c.portalPermissions).toEqual(['accountSummary', 'balance', 'invoices']);
      expect(JSON.stringify(c)).not.toContain('secret-pass-1');
      const login = await Client.login(t.app, c.accountNumber, 'secret-pass-1');
      const me = await login.get('/api/v1/auth/me');
      expect(me.json().role).toBe('customer');
      expect(me.json().accountId).toBe(c.id);
    });

    it('stores every field of the create form', async () => {
      const group = (s: string) =>
        admin
          .post('/api/v1/rate-groups', { name: `EUR ${s} ${Date.now()}`, currency: 'EUR' })
          .then((r) => r.json().id);
      const [rateGroupId, nonCliRateGroupId] = [await group('main'), await group('non-cli')];
      const localizationId = (await admin.post('/api/v1/localizations', { name: `Loc ${Date.now()}` })).json()
        .id;
      const body = customerBody({
        accountNumber: '5550001234',
        roles: ['customer', 'provider'],
        status: 'inactive',
        portalUsername: 'acme-portal',
        pin: '123456',
        validUntil: '2027-01-31T00:00:00.000Z',
        companyName: 'Acme Telecom',
        firstName: 'Ada',
        lastName: 'Lovelace',
        mainEmail: 'main@acme.test',
        nocEmails: ['noc@acme.test', 'noc2@acme.test'],
        billingEmails: ['billing@acme.test'],
        ratesEmails: ['rates@acme.test'],
        notificationEmails: ['alerts@acme.test'],
        phone: '+1 (555) 010-0000',
        address1: '1 Main St',
        address2: 'Suite 2',
        city: 'Springfield',
        province: 'IL',
        zip: '62701',
        country: 'US',
        timezone: 'America/Chicago',
        taxId: 'US-123',
        reference: 'REF-9',
        callLimit: 30,
        cpsLimit: '2.50',
        allowLocalCalls: true,
        localCallPricePerMin: '0.0125',
        minProfitability: { type: 'percent', value: '-2.5' },
        notificationsEnabled: false,
        onlinePayment: true,
        portalPermissions: ['accountSummary', 'cdrs', 'payments.online'],
        mode: 'postpaid',
        currency: 'EUR',
        creditLimit: '500.25',
        unlimitedCredit: false,
        cliPoolMode: 4,
        nonCliRateGroupId,
        rateGroupId,
        localizationId,
        billingSchedule: 'monthly',
        billingDay: 15,
        generateZeroInvoice: true,
        invoiceNote: 'Thanks',
      });
      const res = await admin.post('/api/v1/customers', body);
      expect(res.statusCode, res.body).toBe(201);
      const got = (await admin.get(`/api/v1/customers/${res.json().id}`)).json();
      for (const [k, v] of Object.entries(body)) {
        if (k === 'validUntil') expect(got[k]).toBe(v);
        else if (k === 'creditLimit') expect(got[k]).toBe('500.250000');
        else if (k === 'localCallPricePerMin') expect(got[k]).toBe('0.012500');
        else if (k === 'minProfitability') expect(got[k]).toEqual({ type: 'percent', value: '-2.500000' });
        else expect(got[k], k).toEqual(v);
      }
      expect(got.availableCredit).toBe('500.250000');
      expect(got.kind).toBe('customer');
    });

    it('refuses a taken account number with 409 on accountNumber, even after delete', async () => {
      const first = (
        await admin.post('/api/v1/customers', customerBody({ accountNumber: '7000000001' }))
      ).json();
      expectError(
        await admin.post('/api/v1/customers', customerBody({ accountNumber: '7000000001' })),
        409,
        'ACCOUNT_NUMBER_TAKEN',
        'accountNumber',
      );
      expect((await admin.delete(`/api/v1/customers/${first.id}`)).statusCode).toBe(204);
      expectError(
        await admin.post('/api/v1/customers', customerBody({ accountNumber: '7000000001' })),
        409,
        'ACCOUNT_NUMBER_TAKEN',
        'accountNumber',
      );
    });

    it('refuses a taken portal username while its account lives, and frees it after delete', async () => {
      const a = (
        await admin.post('/api/v1/customers', customerBody({ portalUsername: 'shared-login' }))
      ).json();
      expectError(
        await admin.post('/api/v1/customers', customerBody({ portalUsername: 'Shared-Login' })),
        409,
        'PORTAL_USERNAME_TAKEN',
        'portalUsername',
      );
      await admin.delete(`/api/v1/customers/${a.id}`);
      expect(
        (await admin.post('/api/v1/customers', customerBody({ portalUsername: 'shared-login' }))).statusCode,
      ).toBe(201);
    });

    it('refuses a duplicate name under the same owner, case-insensitively', async () => {
      await admin.post('/api/v1/customers', customerBody({ name: 'Same Name Co' }));
      expectError(
        await admin.post('/api/v1/customers', customerBody({ name: 'same name co' })),
        409,
        'ACCOUNT_NAME_TAKEN',
        'name',
      );
    });

    it('refuses a duplicate PIN', async () => {
      await admin.post('/api/v1/customers', customerBody({ pin: '99887766' }));
      expectError(
        await admin.post('/api/v1/customers', customerBody({ pin: '99887766' })),
        409,
        'PIN_TAKEN',
        'pin',
      );
    });

    it.each([
      [{ name: '' }, 'name'],
      [{ country: 'XX' }, 'country'],
      [{ country: 'usa' }, 'country'],
      [{ timezone: 'Mars/Olympus' }, 'timezone'],
      [{ timezone: '+05:00' }, 'timezone'],
      [{ currency: 'ABC' }, 'currency'],
      [{ mainEmail: 'not-an-email' }, 'mainEmail'],
      [{ nocEmails: ['a@b.co', 'x'] }, 'nocEmails.1'],
      [{ nocEmails: ['a@b.co', 'b@b.co', 'c@b.co', 'd@b.co', 'e@b.co', 'f@b.co'] }, 'nocEmails'],
      [{ accountNumber: '0123' + 'x' }, 'accountNumber'],
      [{ accountNumber: '123' }, 'accountNumber'],
      [{ callLimit: -1 }, 'callLimit'],
      [{ cpsLimit: '1.234' }, 'cpsLimit'],
      [{ creditLimit: '-5' }, 'creditLimit'],
      [{ mode: 'postpaid', creditLimit: '1.1234567' }, 'creditLimit'],
      [{ creditLimit: '10' }, 'creditLimit'],
      [{ unlimitedCredit: true }, 'unlimitedCredit'],
      [{ mode: 'sometimes' }, 'mode'],
      [{ cliPoolMode: 9 }, 'cliPoolMode'],
      [{ cliPoolMode: 3 }, 'nonCliRateGroupId'],
      [{ billingDay: 29 }, 'billingDay'],
      [{ billingSchedule: 'weekly' }, 'billingSchedule'],
      [{ pin: '12' }, 'pin'],
      [{ password: 'short' }, 'password'],
      [{ portalUsername: 'abcdefghij', password: 'abcdefghij' }, 'password'],
      [{ minProfitability: { type: 'ratio', value: '1' } }, 'minProfitability.type'],
      [{ portalPermissions: ['everything'] }, 'portalPermissions.0'],
      [{ roles: [] }, 'roles'],
      [{ validUntil: 'tomorrow' }, 'validUntil'],
      [{ invoiceNote: 'x'.repeat(501) }, 'invoiceNote'],
      [{ balance: '100' }, 'balance'],
      [{ isAdmin: true }, 'isAdmin'],
    ])('rejects bad input %j with 400 naming the field', async (over, field) => {
      const before = (await admin.get('/api/v1/customers?role=any&limit=10')).json().total;
      const res = await admin.post('/api/v1/customers', customerBody(over));
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().error.details.field).toBe(field);
      expect((await admin.get('/api/v1/customers?role=any&limit=10')).json().total).toBe(before);
    });

    it('keeps 0 ("nothing allowed") apart from null ("no limit") and does not coerce body types', async () => {
      const zero = (
        await admin.post('/api/v1/customers', customerBody({ callLimit: 0, cpsLimit: '0' }))
      ).json();
      expect(zero.callLimit).toBe(0);
      expect(zero.cpsLimit).toBe('0.00');
      const none = (
        await admin.post('/api/v1/customers', customerBody({ callLimit: null, companyName: null }))
      ).json();
      expect(none.callLimit).toBeNull();
      expect(none.companyName).toBeNull();
      const patched = (await admin.patch(`/api/v1/customers/${none.id}`, { callLimit: 0 })).json();
      expect(patched.callLimit).toBe(0);
      expectError(
        await admin.post('/api/v1/customers', customerBody({ callLimit: '5' })),
        400,
        'VALIDATION_FAILED',
        'callLimit',
      );
    });

    it('answers malformed JSON with 400, never 500', async () => {
      const res = await admin.request('POST', '/api/v1/customers', '{"name": ', {
        'content-type': 'application/json',
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('MALFORMED_BODY');
    });
  });

  describe('edit', () => {
    it('edits fields, never the balance, and records before/after in the audit', async () => {
      const c = (
        await admin.post('/api/v1/customers', customerBody({ mode: 'postpaid', creditLimit: '100' }))
      ).json();
      const res = await admin.patch(`/api/v1/customers/${c.id}`, { creditLimit: '250.5', city: 'Lyon' });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().creditLimit).toBe('250.500000');
      expectError(
        await admin.patch(`/api/v1/customers/${c.id}`, { balance: '1000' }),
        400,
        'VALIDATION_FAILED',
        'balance',
      );
      const audit = (await admin.get(`/api/v1/customers/${c.id}/audit`)).json().data;
      expect(audit[0].action).toBe('customer.update');
      expect(audit[0].actor).toBe('user:admin@example.com');
      expect(audit[0].actorName).toBe('Administrator');
      expect(audit[0].before).toMatchObject({ creditLimit: '100.000000', city: null });
      expect(audit[0].after).toMatchObject({ creditLimit: '250.500000', city: 'Lyon' });
      // Only what changed: the row's own updatedAt is not part of the entry.
      expect(Object.keys(audit[0].after).sort()).toEqual(['availableCredit', 'city', 'creditLimit']);
      expect(audit.at(-1).action).toBe('customer.create');
      // An edit that changes nothing writes no entry.
      expect((await admin.patch(`/api/v1/customers/${c.id}`, { city: 'Lyon' })).statusCode).toBe(200);
      expect((await admin.get(`/api/v1/customers/${c.id}/audit`)).json().data).toHaveLength(audit.length);
    });

    it('switching to prepaid clears the credit limit and keeps the balance', async () => {
      const c = (
        await admin.post('/api/v1/customers', customerBody({ mode: 'postpaid', creditLimit: '100' }))
      ).json();
      const r = (await admin.patch(`/api/v1/customers/${c.id}`, { mode: 'prepaid' })).json();
      expect(r.mode).toBe('prepaid');
      expect(r.creditLimit).toBe('0.000000');
      expect(r.balance).toBe('0.000000');
    });

    it('unlimited credit is explicit and shows no available figure', async () => {
      const c = (
        await admin.post('/api/v1/customers', customerBody({ mode: 'postpaid', unlimitedCredit: true }))
      ).json();
      expect(c.unlimitedCredit).toBe(true);
      expect(c.availableCredit).toBeNull();
    });

    it('never writes secrets to the audit log', async () => {
      const c = (
        await admin.post('/api/v1/customers', customerBody({ password: 'first-pass-123', pin: '445566' }))
      ).json();
      await admin.post(`/api/v1/customers/${c.id}/password`, { password: 'second-pass-456' });
      const rows = await t.database.db
        .selectFrom('audit_log')
        .select(['before', 'after'])
        .where('account_id', '=', c.id)
        .execute();
      const text = JSON.stringify(rows);
      expect(text).not.toContain('first-pass-123');
      expect(text).not.toContain('second-pass-456');
      expect(text).not.toContain('445566');
      expect(text).not.toContain('$argon2');
    });
  });

  describe('list', () => {
    it('filters by text, status, mode, company, reseller and created range, and pages by keyset', async () => {
      const tag = `zq${Date.now().toString(36)}`;
      const made = [];
      for (let i = 0; i < 13; i++) {
        const r = await admin.post(
          '/api/v1/customers',
          customerBody({
            name: `${tag} ${String(i).padStart(2, '0')}`,
            companyName: i % 2 ? `${tag} Odd Ltd` : `${tag} Even Ltd`,
            mode: i % 3 ? 'prepaid' : 'postpaid',
            status: i < 10 ? 'active' : 'inactive',
          }),
        );
        made.push(r.json());
      }
      const q = (s: string) => admin.get(`/api/v1/customers?${s}`).then((r) => r.json());
      expect((await q(`q=${tag}&limit=10`)).total).toBe(13);
      expect((await q(`q=${tag.toUpperCase()}&status=inactive&limit=10`)).total).toBe(3);
      expect((await q(`q=${tag}&mode=postpaid&limit=10`)).total).toBe(5);
      expect((await q(`company=${tag}%20odd&limit=10`)).total).toBe(6);
      expect((await q(`q=${made[4].accountNumber}&limit=10`)).data.map((c: any) => c.id)).toEqual([
        made[4].id,
      ]);
      expect((await q(`accountNumber=${made[4].accountNumber.slice(0, 10)}&limit=10`)).total).toBe(1);
      expect((await q(`q=${tag}&resellerId=none&limit=10`)).total).toBe(13);
      const from = made[5].createdAt;
      expect((await q(`q=${tag}&createdFrom=${encodeURIComponent(from)}&limit=10`)).total).toBe(8);

      // keyset: sort by name ascending, pages of 10 cover every row once
      const p1 = await q(`q=${tag}&sort=name&order=asc&limit=10`);
      expect(p1.data).toHaveLength(10);
      expect(p1.nextCursor).toBeTruthy();
      const p2 = await q(`q=${tag}&sort=name&order=asc&limit=10&cursor=${p1.nextCursor}`);
      expect(p2.data).toHaveLength(3);
      expect(p2.nextCursor).toBeNull();
      expect([...p1.data, ...p2.data].map((c: any) => c.name)).toEqual(made.map((c) => c.name));
    });

    it('sorts by a nullable column with nulls last across pages', async () => {
      const tag = `nl${Date.now().toString(36)}`;
      for (let i = 0; i < 12; i++) {
        await admin.post(
          '/api/v1/customers',
          customerBody({ name: `${tag} ${i}`, callLimit: i % 3 === 0 ? null : i }),
        );
      }
      const all: any[] = [];
      let cursor = '';
      for (;;) {
        const r = (
          await admin.get(`/api/v1/customers?q=${tag}&sort=callLimit&order=desc&limit=10${cursor}`)
        ).json();
        all.push(...r.data);
        if (!r.nextCursor) break;
        cursor = `&cursor=${r.nextCursor}`;
      }
      expect(all.map((c) => c.callLimit)).toEqual([11, 10, 8, 7, 5, 4, 2, 1, null, null, null, null]);
    });

    it('rejects a page size outside 10..500 and a forged cursor', async () => {
      expectError(await admin.get('/api/v1/customers?limit=5'), 400, 'VALIDATION_FAILED', 'limit');
      expectError(await admin.get('/api/v1/customers?limit=501'), 400, 'VALIDATION_FAILED', 'limit');
      expectError(await admin.get('/api/v1/customers?cursor=garbage'), 400, 'INVALID_CURSOR', 'cursor');
      expectError(await admin.get('/api/v1/customers?sort=password'), 400, 'VALIDATION_FAILED', 'sort');
    });

    it('lists providers under /providers and with role=provider', async () => {
      const p = (await admin.post('/api/v1/providers', customerBody({ name: 'Carrier One' }))).json();
      expect(p.kind).toBe('provider');
      expect(p.roles).toEqual(['provider']);
      const ids = (await admin.get('/api/v1/providers?limit=100')).json().data.map((a: any) => a.id);
      expect(ids).toContain(p.id);
      const cust = (await admin.get('/api/v1/customers?limit=500')).json().data.map((a: any) => a.id);
      expect(cust).not.toContain(p.id);
      const roleProv = (await admin.get('/api/v1/customers?role=provider&limit=500'))
        .json()
        .data.map((a: any) => a.id);
      expect(roleProv).toContain(p.id);
    });
  });

  describe('status, password, delete', () => {
    it('deactivating an account ends its sessions; reactivating lets it sign in again', async () => {
      const c = (
        await admin.post(
          '/api/v1/customers',
          customerBody({ portalUsername: 'sess-user', password: 'sess-pass-123' }),
        )
      ).json();
      const portal = await Client.login(t.app, 'sess-user', 'sess-pass-123');
      expect((await portal.get('/api/v1/auth/me')).statusCode).toBe(200);
      expect((await admin.post(`/api/v1/customers/${c.id}/deactivate`)).json().status).toBe('inactive');
      expectError(await portal.get('/api/v1/auth/me'), 401, 'UNAUTHENTICATED');
      await expect(Client.login(t.app, 'sess-user', 'sess-pass-123')).rejects.toThrow(/401/);
      await admin.post(`/api/v1/customers/${c.id}/activate`);
      const again = await Client.login(t.app, 'sess-user', 'sess-pass-123');
      expect((await again.get('/api/v1/auth/me')).statusCode).toBe(200);
    });

    it('changing the password ends sessions and the old password stops working', async () => {
      const c = (
        await admin.post(
          '/api/v1/customers',
          customerBody({ portalUsername: 'pw-user', password: 'old-pass-123' }),
        )
      ).json();
      const portal = await Client.login(t.app, 'pw-user', 'old-pass-123');
      expect(
        (await admin.post(`/api/v1/customers/${c.id}/password`, { password: 'new-pass-456' })).statusCode,
      ).toBe(204);
      expect((await portal.get('/api/v1/auth/me')).statusCode).toBe(401);
      await expect(Client.login(t.app, 'pw-user', 'old-pass-123')).rejects.toThrow(/401/);
      await Client.login(t.app, 'pw-user', 'new-pass-456');
    });

    it('delete is soft: the row, its number and its audit stay; it leaves lists and lookups', async () => {
      const c = (await admin.post('/api/v1/customers', customerBody())).json();
      expect((await admin.delete(`/api/v1/customers/${c.id}`)).statusCode).toBe(204);
      expectError(await admin.get(`/api/v1/customers/${c.id}`), 404, 'ACCOUNT_NOT_FOUND');
      expectError(await admin.delete(`/api/v1/customers/${c.id}`), 404, 'ACCOUNT_NOT_FOUND');
      const row = await t.database.db
        .selectFrom('accounts')
        .select(['deleted_at', 'account_number', 'deleted_by'])
        .where('id', '=', c.id)
        .executeTakeFirstOrThrow();
      expect(row.deleted_at).not.toBeNull();
      expect(row.deleted_by).not.toBeNull();
      expect(row.account_number).toBe(c.accountNumber);
      const audit = (await admin.get(`/api/v1/customers/${c.id}/audit`)).json().data;
      expect(audit[0].action).toBe('customer.delete');
    });

    it('delete with a non-zero balance needs the balance quoted back', async () => {
      const c = (await admin.post('/api/v1/customers', customerBody())).json();
      await sql`UPDATE accounts SET balance = 12.5 WHERE id = ${c.id}`.execute(t.database.db);
      const res = await admin.delete(`/api/v1/customers/${c.id}`);
      expectError(res, 409, 'BALANCE_CONFIRMATION_REQUIRED', 'confirmBalance');
      expect(res.json().error.details.balance).toBe('12.500000');
      expectError(
        await admin.delete(`/api/v1/customers/${c.id}?confirmBalance=12.4`),
        409,
        'BALANCE_CONFIRMATION_REQUIRED',
      );
      expect((await admin.delete(`/api/v1/customers/${c.id}?confirmBalance=12.5`)).statusCode).toBe(204);
    });

    it('bulk actions return one result per id and keep going past failures', async () => {
      const a = (await admin.post('/api/v1/customers', customerBody())).json();
      const b = (await admin.post('/api/v1/customers', customerBody())).json();
      const res = (
        await admin.post('/api/v1/customers/bulk', { action: 'deactivate', ids: [a.id, 999999, b.id] })
      ).json();
      expect(res.succeeded).toBe(2);
      expect(res.failed).toBe(1);
      expect(res.results[1]).toEqual({
        id: 999999,
        ok: false,
        error: { code: 'ACCOUNT_NOT_FOUND', message: 'Account not found.' },
      });
      expect((await admin.get(`/api/v1/customers/${a.id}`)).json().status).toBe('inactive');
      // changePassword needs a password; with one, each account can sign in with it
      expectError(
        await admin.post('/api/v1/customers/bulk', { action: 'changePassword', ids: [a.id] }),
        400,
        'VALIDATION_FAILED',
        'password',
      );
      const pw = (
        await admin.post('/api/v1/customers/bulk', {
          action: 'changePassword',
          ids: [a.id, b.id],
          password: 'bulk-new-pass-1',
        })
      ).json();
      expect(pw.succeeded).toBe(2);
      await admin.post('/api/v1/customers/bulk', { action: 'activate', ids: [a.id] });
      await Client.login(t.app, a.accountNumber, 'bulk-new-pass-1');

      // delete: a non-zero balance fails its row unless the balances are confirmed
      await sql`UPDATE accounts SET balance = 3 WHERE id = ${b.id}`.execute(t.database.db);
      const del = (
        await admin.post('/api/v1/customers/bulk', { action: 'delete', ids: [a.id, b.id] })
      ).json();
      expect(del.results.map((r: any) => r.ok)).toEqual([true, false]);
      expect(del.results[1].error.code).toBe('BALANCE_CONFIRMATION_REQUIRED');
      const del2 = (
        await admin.post('/api/v1/customers/bulk', { action: 'delete', ids: [b.id], confirmBalances: true })
      ).json();
      expect(del2.succeeded).toBe(1);
      expectError(
        await admin.post('/api/v1/customers/bulk', {
          action: 'activate',
          ids: Array.from({ length: 1001 }, (_, i) => i + 1),
        }),
        400,
        'VALIDATION_FAILED',
        'ids',
      );
    });
  });
});

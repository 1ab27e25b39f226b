import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, adminLogin, createTestApp, expectError, type TestApp } from '../../../../test/app.js';
import { testDatabaseKinds } from '../../../../test/databases.js';
import { systemActor } from '../../platform/context.js';
import { makeCustomer, makeReseller, ok } from '../../../../test/connectivity.js';
import * as rateGroupsService from './rate-groups.service.js';

const csv = (client: Client, groupId: number, body: string, query = '') =>
  client.request('POST', `/api/v1/rate-groups/${groupId}/rates/upload${query}`, body, {
    'content-type': 'text/csv',
  });

describe.each(testDatabaseKinds())('rate groups and rates on %s', (kind) => {
  let t: TestApp;
  let admin: Client;
  let n = 0;
  const newGroup = async (by: Client = admin, over: Record<string, unknown> = {}) =>
    ok(by.post('/api/v1/rate-groups', { name: `Group ${++n}`, currency: 'USD', ...over }), 201);

  beforeAll(async () => {
    t = await createTestApp(kind);
    admin = await adminLogin(t.app);
  });
  afterAll(async () => t?.close());

  describe('groups', () => {
    it('creates, lists, edits and deletes a rate group; names are unique per owner', async () => {
      const g = await newGroup(admin, {
        name: 'Retail',
        description: 'Standard',
        initialIncrement: 30,
        billingIncrement: 6,
      });
      expect(g).toMatchObject({
        name: 'Retail',
        currency: 'USD',
        status: 'active',
        initialIncrement: 30,
        billingIncrement: 6,
        rateCount: 0,
        resellerId: null,
      });
      expectError(
        await admin.post('/api/v1/rate-groups', { name: 'retail', currency: 'USD' }),
        409,
        'RATE_GROUP_NAME_TAKEN',
        'name',
      );
      const list = await ok(admin.get('/api/v1/rate-groups?name=retail'));
      expect(list.data.map((x: any) => x.id)).toEqual([g.id]);
      const e = await ok(
        admin.patch(`/api/v1/rate-groups/${g.id}`, { status: 'inactive', billingIncrement: 1 }),
      );
      expect(e).toMatchObject({ status: 'inactive', billingIncrement: 1 });
      await ok(admin.delete(`/api/v1/rate-groups/${g.id}`), 204);
      expectError(await admin.get(`/api/v1/rate-groups/${g.id}`), 404, 'RATE_GROUP_NOT_FOUND');
      await newGroup(admin, { name: 'Retail' }); // the name is free again
    });

    it.each([
      [{ name: '', currency: 'USD' }, 'name', 'VALIDATION_FAILED'],
      [{ name: 'x', currency: 'ZZZ' }, 'currency', 'VALIDATION_FAILED'],
      [{ name: 'x', currency: 'USD', initialIncrement: 0 }, 'initialIncrement', 'VALIDATION_FAILED'],
      [{ name: 'x', currency: 'USD', resellerId: 999999 }, 'resellerId', 'RESELLER_NOT_FOUND'],
      [{ name: 'x' }, 'currency', 'VALIDATION_FAILED'],
    ])('rejects %j naming the field', async (body, field, code) => {
      expectError(await admin.post('/api/v1/rate-groups', body), 400, code, field);
    });

    it('refuses to delete a group an account uses', async () => {
      const g = await newGroup();
      const c = await makeCustomer(admin, { rateGroupId: g.id });
      expect(c.rateGroupId).toBe(g.id);
      expect((await ok(admin.get(`/api/v1/rate-groups/${g.id}`))).customerCount).toBe(1);
      expectError(await admin.delete(`/api/v1/rate-groups/${g.id}`), 409, 'RATE_GROUP_IN_USE', 'id');
    });
  });

  describe('rates', () => {
    it('adds, lists, edits and deletes rates; a code and start are unique in a group', async () => {
      const g = await newGroup();
      const r = await ok(
        admin.post(`/api/v1/rate-groups/${g.id}/rates`, {
          prefix: '4420',
          destination: 'UK London',
          ratePerMin: '0.012',
          connectFee: '0.01',
          initialIncrement: 30,
          billingIncrement: 6,
          effectiveFrom: '2026-01-01T00:00:00Z',
        }),
        201,
      );
      expect(r).toMatchObject({
        prefix: '4420',
        ratePerMin: '0.012000',
        connectFee: '0.010000',
        effectiveTo: null,
      });
      expectError(
        await admin.post(`/api/v1/rate-groups/${g.id}/rates`, {
          prefix: '4420',
          ratePerMin: '1',
          effectiveFrom: '2026-01-01T00:00:00Z',
        }),
        409,
        'RATE_ALREADY_EXISTS',
        'prefix',
      );
      await ok(
        admin.post(`/api/v1/rate-groups/${g.id}/rates`, {
          prefix: '44',
          ratePerMin: '0.02',
          effectiveFrom: '2026-01-01T00:00:00Z',
        }),
        201,
      );
      expect(
        (await ok(admin.get(`/api/v1/rate-groups/${g.id}/rates?prefix=442`))).data.map((x: any) => x.prefix),
      ).toEqual(['4420']);
      expect((await ok(admin.get(`/api/v1/rate-groups/${g.id}/rates?destination=london`))).data).toHaveLength(
        1,
      );
      const p1 = await ok(admin.get(`/api/v1/rate-groups/${g.id}/rates?limit=1`));
      const p2 = await ok(admin.get(`/api/v1/rate-groups/${g.id}/rates?limit=1&cursor=${p1.nextCursor}`));
      expect([p1.data[0].prefix, p2.data[0].prefix]).toEqual(['44', '4420']);
      const e = await ok(
        admin.patch(`/api/v1/rates/${r.id}`, { ratePerMin: '0.015', effectiveTo: '2027-01-01T00:00:00Z' }),
      );
      expect(e).toMatchObject({ ratePerMin: '0.015000', effectiveTo: '2027-01-01T00:00:00.000Z' });
      expectError(
        await admin.patch(`/api/v1/rates/${r.id}`, { effectiveTo: '2025-01-01T00:00:00Z' }),
        400,
        'VALIDATION_FAILED',
        'effectiveTo',
      );
      expectError(
        await admin.post(`/api/v1/rate-groups/${g.id}/rates`, { prefix: '4a', ratePerMin: '1' }),
        400,
        'VALIDATION_FAILED',
        'prefix',
      );
      expectError(
        await admin.post(`/api/v1/rate-groups/${g.id}/rates`, { prefix: '4', ratePerMin: '-1' }),
        400,
        'VALIDATION_FAILED',
        'ratePerMin',
      );
      await ok(admin.delete(`/api/v1/rates/${r.id}`), 204);
      expectError(await admin.get(`/api/v1/rates/${r.id}`), 404, 'RATE_NOT_FOUND');
    });

    it('finds the rate for a number by longest code and tie-breaks, valid at a time', async () => {
      const g = await newGroup();
      const add = (body: Record<string, unknown>) =>
        ok(admin.post(`/api/v1/rate-groups/${g.id}/rates`, body), 201);
      await add({ prefix: '44', ratePerMin: '0.05', effectiveFrom: '2026-01-01T00:00:00Z' });
      const london = await add({
        prefix: '4420',
        ratePerMin: '0.01',
        effectiveFrom: '2026-01-01T00:00:00Z',
        effectiveTo: '2026-06-01T00:00:00Z',
      });
      const newer = await add({ prefix: '4420', ratePerMin: '0.009', effectiveFrom: '2026-06-01T00:00:00Z' });
      const at = (s: string) =>
        ok(admin.get(`/api/v1/rate-groups/${g.id}/lookup?number=442079460000&at=${s}`));
      expect((await at('2026-03-01T00:00:00Z')).rate.id).toBe(london.id);
      expect((await at('2026-07-01T00:00:00Z')).rate.id).toBe(newer.id);
      const before = await at('2025-01-01T00:00:00Z');
      expect(before.rate).toBeNull();
      const cands = (await at('2026-07-01T00:00:00Z')).candidates.map((c: any) => c.prefix);
      expect(cands).toEqual(['4420', '44']);
      expect((await ok(admin.get(`/api/v1/rate-groups/${g.id}/lookup?number=33123`))).rate).toBeNull();
      // the in-memory index agrees
      const index = await rateGroupsService.loadRateIndex(
        { actor: systemActor, db: t.database.db, now: () => new Date() },
        g.id,
      );
      expect(index.lookup('442079460000', Date.parse('2026-03-01T00:00:00Z'))?.id).toBe(london.id);
    });
  });

  describe('CSV upload', () => {
    const deck = [
      'prefix,destination,rate_per_min,connect_fee,initial_increment,billing_increment,effective_from',
      '44,UK,0.02,0,1,1,2026-01-01',
      '4420,UK London,0.012,0.01,30,6,2026-01-01',
      '33,France,0.015,,,,2026-01-01',
    ].join('\n');

    it('loads a deck, then replaces it whole; append adds', async () => {
      const g = await newGroup();
      const r1 = await ok(csv(admin, g.id, deck));
      expect(r1).toMatchObject({ mode: 'replace', dryRun: false, rows: 3, inserted: 3, deleted: 0 });
      const rates = (await ok(admin.get(`/api/v1/rate-groups/${g.id}/rates`))).data;
      expect(rates.map((r: any) => [r.prefix, r.ratePerMin, r.initialIncrement])).toEqual([
        ['33', '0.015000', 0],
        ['44', '0.020000', 1],
        ['4420', '0.012000', 30],
      ]);
      const r2 = await ok(csv(admin, g.id, 'prefix,rate\n1,0.001\n'));
      expect(r2).toMatchObject({ rows: 1, inserted: 1, deleted: 3 });
      const r3 = await ok(csv(admin, g.id, 'prefix,rate\n7,0.002\n', '?mode=append'));
      expect(r3).toMatchObject({ mode: 'append', inserted: 1, deleted: 0 });
      expect((await ok(admin.get(`/api/v1/rate-groups/${g.id}`))).rateCount).toBe(2);
      const audit = await t.database.db
        .selectFrom('audit_log')
        .select(['action', 'after'])
        .where('entity_type', '=', 'rate_group')
        .where('entity_id', '=', g.id)
        .orderBy('id', 'desc')
        .executeTakeFirstOrThrow();
      expect(audit).toMatchObject({ action: 'rate_group.upload', after: { mode: 'append', inserted: 1 } });
    });

    it('loads optional columns: end dates on some rows, empty destinations, increments', async () => {
      const g = await newGroup();
      const body =
        'prefix,destination,rate,effective_from,effective_to,included_seconds\n1,,0.1,2026-01-01,2026-02-01,5\n2,Two,0.2,2026-01-01,,0\n';
      await ok(csv(admin, g.id, body));
      const rates = (await ok(admin.get(`/api/v1/rate-groups/${g.id}/rates`))).data;
      expect(rates.map((r: any) => [r.prefix, r.destination, r.effectiveTo, r.includedSeconds])).toEqual([
        ['1', '', '2026-02-01T00:00:00.000Z', 5],
        ['2', 'Two', null, 0],
      ]);
      await ok(csv(admin, g.id, 'prefix,rate\n3,0.3\n'));
      expect(
        (await ok(admin.get(`/api/v1/rate-groups/${g.id}/rates`))).data.map((r: any) => r.destination),
      ).toEqual(['']);
      // text that COPY would read as escapes arrives as typed
      await ok(csv(admin, g.id, 'prefix,destination,rate\n4,"A\\N \\t, ""B""",0.4\n'));
      expect((await ok(admin.get(`/api/v1/rate-groups/${g.id}/rates`))).data[0].destination).toBe(
        'A\\N \\t, "B"',
      );
    });

    it('a dry run validates and loads nothing', async () => {
      const g = await newGroup();
      expect(await ok(csv(admin, g.id, deck, '?dryRun=true'))).toMatchObject({
        rows: 3,
        inserted: 0,
        dryRun: true,
      });
      expect((await ok(admin.get(`/api/v1/rate-groups/${g.id}`))).rateCount).toBe(0);
    });

    it('reports per-row errors with row, column and reason, and loads nothing', async () => {
      const g = await newGroup();
      await ok(csv(admin, g.id, deck));
      const bad = [
        'prefix,destination,rate_per_min',
        '44,UK,0.02',
        '44x,UK,0.02',
        '45,UK,-1',
        '46,UK',
        '47,UK,0.1',
      ].join('\r\n');
      const res = await csv(admin, g.id, bad);
      expectError(res, 400, 'RATE_DECK_INVALID', 'body');
      const d = res.json().error.details;
      expect(d.errorCount).toBe(3);
      expect(d.errors).toEqual([
        { row: 3, column: 'prefix', reason: 'Must be 1 to 20 digits.' },
        { row: 4, column: 'rate_per_min', reason: 'Must be a decimal >= 0 with at most 6 places.' },
        { row: 5, column: null, reason: 'Expected 3 fields, found 2.' },
      ]);
      expect(res.json().error.message).toContain('row 3, prefix');
      // the old deck is untouched
      expect((await ok(admin.get(`/api/v1/rate-groups/${g.id}`))).rateCount).toBe(3);
    });

    it('reports duplicate rows by row number, and collisions with the group in append mode', async () => {
      const g = await newGroup();
      const dup = 'prefix,rate,effective_from\n44,0.1,2026-01-01\n33,0.1,2026-01-01\n44,0.2,2026-01-01\n';
      const res = await csv(admin, g.id, dup);
      expectError(res, 400, 'RATE_DECK_INVALID');
      expect(res.json().error.details.errors).toEqual([
        { row: 4, column: 'prefix', reason: 'Duplicate of row 2: same prefix 44 and effective_from.' },
      ]);
      await ok(csv(admin, g.id, 'prefix,rate,effective_from\n44,0.1,2026-01-01\n'));
      const clash = await csv(
        admin,
        g.id,
        'prefix,rate,effective_from\n55,0.1,2026-01-01\n44,0.3,2026-01-01\n',
        '?mode=append',
      );
      expect(clash.json().error.details.errors).toEqual([
        { row: 3, column: 'prefix', reason: 'The group already has a rate for 44 with this effective_from.' },
      ]);
      expect((await ok(admin.get(`/api/v1/rate-groups/${g.id}`))).rateCount).toBe(1);
    });

    it.each([
      ['', 1, 'The deck is empty: a header row is needed.'],
      ['prefix,rate\n', 2, 'The deck has no rates.'],
      ['prefix,price\n44,1\n', 1, 'Unknown column'],
      ['prefix,rate\n"44,0.1\n', 2, 'Not valid CSV'],
    ])('refuses the deck %j with a row-numbered error, never a 500', async (body, row, reason) => {
      const g = await newGroup();
      const res = await csv(admin, g.id, body);
      expectError(res, 400, 'RATE_DECK_INVALID');
      expect(res.json().error.details.errors[0].row).toBe(row);
      expect(res.json().error.details.errors[0].reason).toContain(reason);
    });

    it('caps the error list at 1,000 and says it is truncated', async () => {
      const g = await newGroup();
      const body = 'prefix,rate\n' + Array.from({ length: 1500 }, () => 'x,1').join('\n');
      const d = (await csv(admin, g.id, body)).json().error.details;
      expect(d.errors).toHaveLength(1000);
      expect(d.truncated).toBe(true);
    });

    it('loads a deck larger than one staging batch', async () => {
      const g = await newGroup();
      const rows = Array.from({ length: 12_000 }, (_, i) => `${100000 + i},D${i},0.0${i % 10}`);
      const r = await ok(csv(admin, g.id, 'prefix,destination,rate\n' + rows.join('\n')));
      expect(r).toMatchObject({ rows: 12_000, inserted: 12_000 });
      const found = await ok(admin.get(`/api/v1/rate-groups/${g.id}/lookup?number=1059999`));
      expect(found.rate.prefix).toBe('105999');
    });
  });

  describe('scope', () => {
    it('a reseller owns its groups; another reseller gets 404; customers get 403', async () => {
      const r1 = await makeReseller(t, admin);
      const r2 = await makeReseller(t, admin);
      const g = await newGroup(r1.client, { name: 'Reseller deck' });
      expect(g.resellerId).toBe(r1.account.id);
      const rate = await ok(
        r1.client.post(`/api/v1/rate-groups/${g.id}/rates`, { prefix: '1', ratePerMin: '0.01' }),
        201,
      );
      expectError(await r2.client.get(`/api/v1/rate-groups/${g.id}`), 404, 'RATE_GROUP_NOT_FOUND');
      expectError(
        await r2.client.patch(`/api/v1/rate-groups/${g.id}`, { name: 'x' }),
        404,
        'RATE_GROUP_NOT_FOUND',
      );
      expectError(await r2.client.get(`/api/v1/rate-groups/${g.id}/rates`), 404, 'RATE_GROUP_NOT_FOUND');
      expectError(await csv(r2.client, g.id, 'prefix,rate\n1,0.1\n'), 404, 'RATE_GROUP_NOT_FOUND');
      expectError(await r2.client.get(`/api/v1/rates/${rate.id}`), 404, 'RATE_NOT_FOUND');
      expectError(await r2.client.delete(`/api/v1/rates/${rate.id}`), 404, 'RATE_NOT_FOUND');
      expect((await ok(r2.client.get('/api/v1/rate-groups'))).data).toEqual([]);
      expect((await ok(admin.get(`/api/v1/rate-groups/${g.id}`))).id).toBe(g.id);
      // the admin may create a group for a reseller
      const forR2 = await newGroup(admin, { resellerId: r2.account.id });
      expect((await ok(r2.client.get(`/api/v1/rate-groups/${forR2.id}`))).resellerId).toBe(r2.account.id);
      const c = await makeCustomer(admin, {
        portalUsername: `rgc-${Date.now()}`,
        password: 'customer-pass-1',
      });
      const portal = await Client.login(t.app, c.portalUsername, 'customer-pass-1');
      expectError(await portal.get('/api/v1/rate-groups'), 403, 'FORBIDDEN');
    });

    it("lists one owner's groups (the account form's picker): a reseller's, or the operator's with none", async () => {
      const r = await makeReseller(t, admin);
      const own = await newGroup(admin, { name: 'Operator picker' });
      const theirs = await newGroup(admin, { name: 'Reseller picker', resellerId: r.account.id });
      await newGroup(admin, { name: 'Reseller picker EUR', resellerId: r.account.id, currency: 'EUR' });
      const names = async (by: Client, query: string) =>
        (await ok(by.get(`/api/v1/rate-groups?limit=500&${query}`))).data.map((g: any) => g.name);
      expect(await names(admin, `resellerId=${r.account.id}&currency=USD`)).toEqual(['Reseller picker']);
      expect(await names(admin, 'resellerId=none&name=picker')).toEqual(['Operator picker']);
      expect(await names(r.client, `resellerId=${r.account.id}&currency=usd`)).toEqual(['Reseller picker']);
      // a reseller asking for the operator's gets nothing (its scope still applies)
      expect(await names(r.client, 'resellerId=none')).toEqual([]);
      // and a customer of that reseller takes the reseller's group
      const c = await makeCustomer(admin, { resellerId: r.account.id, rateGroupId: theirs.id });
      expect(c.rateGroupId).toBe(theirs.id);
      expect(c.rateGroupName).toBe('Reseller picker');
      expect(own.resellerId).toBeNull();
      expectError(await admin.get('/api/v1/rate-groups?resellerId=abc'), 400, 'VALIDATION_FAILED');
    });
  });
});

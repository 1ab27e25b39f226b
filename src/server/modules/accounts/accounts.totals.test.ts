import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminLogin, createTestApp, customerBody, type Client, type TestApp } from '../../../../test/app.js';
import { testDatabaseKinds } from '../../../../test/databases.js';
import type { Actor } from '../../platform/context.js';
import { accountsService } from './index.js';
import type { ListAccountsQuery } from './accounts.schemas.js';

/**
 * A reseller's grid (page and total) states its subtree as a btree range of ancestor paths
 * (SubtreeRange in the repository). These tests pin that it holds exactly what the scope holds:
 * the whole subtree at any depth, nothing of the next reseller by id, no deleted rows.
 */
describe.each(testDatabaseKinds())('account list totals under reseller scope on %s', (kind) => {
  let t: TestApp;
  let admin: Client;
  const ids: Record<string, number> = {};

  const create = async (path: string, body: Record<string, unknown>) => {
    const r = await admin.post(path, customerBody(body));
    expect(r.statusCode).toBe(201);
    return r.json().id as number;
  };
  const resellerActor = (id: number): Actor => ({
    kind: 'reseller',
    userId: 1,
    accountId: id,
    label: `reseller ${id}`,
    impersonatorUserId: null,
  });
  const list = (id: number, query: Partial<ListAccountsQuery> = {}) =>
    accountsService.listAccounts(
      { actor: resellerActor(id), db: t.database.db, now: () => new Date() },
      'customer',
      { limit: 10, ...query },
    );

  beforeAll(async () => {
    t = await createTestApp(kind);
    admin = await adminLogin(t.app);
    // a and b are created back to back, so b's id is a's + 1: the upper end of a's range.
    ids.a = await create('/api/v1/resellers', { name: 'Range A' });
    ids.b = await create('/api/v1/resellers', { name: 'Range B' });
    expect(ids.b).toBe(ids.a + 1);
    ids.a1 = await create('/api/v1/resellers', { name: 'Range A1', resellerId: ids.a });
    ids.a11 = await create('/api/v1/resellers', { name: 'Range A11', resellerId: ids.a1 });
    for (const [owner, n] of [
      ['a', 2],
      ['a1', 2],
      ['a11', 1],
      ['b', 3],
    ] as const) {
      for (let i = 0; i < n; i++) {
        ids[`${owner}c${i}`] = await create('/api/v1/customers', {
          resellerId: ids[owner],
          status: i === 0 ? 'inactive' : 'active',
          mode: i === 1 ? 'postpaid' : 'prepaid',
        });
      }
    }
    const gone = await create('/api/v1/customers', { resellerId: ids.a1 });
    expect((await admin.delete(`/api/v1/customers/${gone}`)).statusCode).toBeLessThan(300);
  });
  afterAll(async () => t?.close());

  it('stops counting a substring search at 1,000 and says so; other filters count on', async () => {
    await sql`INSERT INTO accounts (account_number, name, country, timezone, currency)
              SELECT (8100000000 + g)::text, 'Capword ' || g, 'US', 'UTC', 'USD'
              FROM generate_series(1, 1005) g`.execute(t.database.db);
    const admin = { kind: 'admin', userId: 1, label: 'admin' } as Actor;
    const ctx = { actor: admin, db: t.database.db, now: () => new Date() };
    const searched = await accountsService.listAccounts(ctx, 'customer', { q: 'capword', limit: 10 });
    expect([searched.total, searched.totalCapped]).toEqual([1000, true]);
    const named = await accountsService.listAccounts(ctx, 'customer', { name: 'capword 100', limit: 10 });
    expect([named.total, named.totalCapped]).toEqual([7, false]); // 100, 1000..1005
    const all = await accountsService.listAccounts(ctx, 'customer', { accountNumber: '81000', limit: 10 });
    expect([all.total, all.totalCapped]).toEqual([1005, false]);
  });

  it('counts the whole subtree at any depth, and not the next reseller by id', async () => {
    const page = await list(ids.a);
    expect(page.total).toBe(5);
    expect(page.totalCapped).toBe(false);
    expect(page.data.map((c) => c.id).sort()).toEqual(
      [ids.ac0, ids.ac1, ids.a1c0, ids.a1c1, ids.a11c0].sort(),
    );
    expect((await list(ids.b)).total).toBe(3);
    expect((await list(ids.a1)).total).toBe(3);
    expect((await list(ids.a11)).total).toBe(1);
  });

  it('counts the same rows with status and mode filters as the page shows', async () => {
    const inactive = await list(ids.a, { status: 'inactive' });
    expect(inactive.total).toBe(3);
    expect(inactive.data).toHaveLength(3);
    const postpaid = await list(ids.a, { mode: 'postpaid' });
    expect(postpaid.total).toBe(2);
    expect(postpaid.data).toHaveLength(2);
    expect((await list(ids.b, { status: 'active', mode: 'postpaid' })).total).toBe(1);
  });

  it('agrees with the totals of filters that count without the range', async () => {
    const all = await list(ids.a, { q: 'customer' });
    expect(all.total).toBe(5);
    expect((await list(ids.a, { resellerId: ids.a1 })).total).toBe(2);
  });
});

describe('list total cap', () => {
  it('counts exactly to 10,000 for structured filters and to 1,000 for a substring search', async () => {
    const { totalCapFor } = await import('./accounts.service.js');
    expect(totalCapFor({})).toBe(10_000);
    expect(totalCapFor({ q: 'garcia' })).toBe(1_000);
    expect(totalCapFor({ name: 'tanaka' })).toBe(1_000);
    expect(totalCapFor({ company: 'atlas' })).toBe(1_000);
    expect(totalCapFor({ q: '' })).toBe(10_000);
  });
});

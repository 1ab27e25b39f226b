import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestDatabase, testDatabaseKinds } from '../../../../test/databases.js';
import type { Database } from '../db/database.js';
import { anonymousActor, systemActor, type Actor, type Ctx } from '../context.js';
import { AppError } from '../errors.js';
import {
  accountScope,
  ownedScope,
  requireManager,
  requireOperator,
  resolveOwner,
  subtreeRangeOf,
} from './index.js';

/*
 * The tenancy kernel on a real database: operator > R1 > (R2 > C2), R1 > C1, and a stranger
 * reseller X > CX. Each predicate is checked against the whole tree, for every actor kind.
 */
for (const kind of testDatabaseKinds()) {
  describe(`tenancy kernel (${kind})`, () => {
    let database: Database;
    const ids: Record<string, number> = {};

    async function insert(name: string, parent: string | null, isReseller: boolean) {
      const parentId = parent ? ids[parent] : null;
      const path = parent
        ? (
            await sql<{
              p: number[];
            }>`SELECT ancestor_ids || id AS p FROM accounts WHERE id = ${parentId}`.execute(database.db)
          ).rows[0].p
        : [];
      const r = await database.db
        .insertInto('accounts')
        .values({
          account_number: String(1_000_000_000 + Object.keys(ids).length),
          name,
          is_reseller: isReseller,
          parent_id: parentId,
          ancestor_ids: path.map(Number),
          country: 'US',
          timezone: 'UTC',
          currency: 'USD',
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      ids[name] = Number(r.id);
    }

    beforeAll(async () => {
      database = await createTestDatabase(kind);
      await insert('R1', null, true);
      await insert('R2', 'R1', true);
      await insert('C1', 'R1', false);
      await insert('C2', 'R2', false);
      await insert('X', null, true);
      await insert('CX', 'X', false);
    });
    afterAll(async () => database?.close());

    const reseller = (name: string): Actor => ({
      kind: 'reseller',
      userId: 1,
      accountId: ids[name],
      label: name,
      impersonatorUserId: null,
    });
    const customer = (name: string): Actor => ({
      kind: 'customer',
      userId: 2,
      accountId: ids[name],
      label: name,
      impersonatorUserId: null,
    });
    const admin: Actor = { kind: 'admin', userId: 3, apiKeyId: null, label: 'admin' };
    const ctxOf = (actor: Actor): Ctx => ({ actor, db: database.db, now: () => new Date() });
    const nameOf = (id: number) => Object.keys(ids).find((k) => ids[k] === id);

    async function visibleAccounts(actor: Actor, opts: Parameters<typeof accountScope>[1] = {}) {
      const rows = await database.db
        .selectFrom('accounts as a')
        .select('a.id')
        .where(accountScope(actor, opts))
        .orderBy('a.id')
        .execute();
      return rows.map((r) => nameOf(Number(r.id))).sort();
    }

    it('accountScope: admin and system all, a reseller its subtree, a customer itself, anonymous none', async () => {
      const all = ['C1', 'C2', 'CX', 'R1', 'R2', 'X'];
      expect(await visibleAccounts(admin)).toEqual(all);
      expect(await visibleAccounts(systemActor)).toEqual(all);
      expect(await visibleAccounts(reseller('R1'))).toEqual(['C1', 'C2', 'R2']);
      expect(await visibleAccounts(reseller('R1'), { includeSelf: true })).toEqual(['C1', 'C2', 'R1', 'R2']);
      expect(await visibleAccounts(reseller('R2'))).toEqual(['C2']);
      expect(await visibleAccounts(customer('C1'))).toEqual(['C1']);
      expect(await visibleAccounts(anonymousActor)).toEqual([]);
      expect(await visibleAccounts(anonymousActor, { includeSelf: true })).toEqual([]);
    });

    it('the subtree range form holds exactly the rows of the containment form', async () => {
      for (const r of ['R1', 'R2', 'X']) {
        const subtree = await subtreeRangeOf(database.db, reseller(r));
        expect(subtree).not.toBeNull();
        expect(await visibleAccounts(reseller(r), { subtree })).toEqual(await visibleAccounts(reseller(r)));
      }
      expect(await subtreeRangeOf(database.db, admin)).toBeNull();
    });

    it("ownedScope: a reseller sees its own and its sub-resellers' rows, never the operator's; customers and anonymous none", async () => {
      const owners = [null, ids.R1, ids.R2, ids.X];
      const visible = async (actor: Actor) => {
        const r = await sql<{ owner_id: number | null }>`
          SELECT t.owner_id FROM (SELECT unnest(${owners}::bigint[]) AS owner_id) t
          WHERE ${ownedScope(actor, 't.owner_id')}`.execute(database.db);
        return r.rows.map((x) => (x.owner_id === null ? 'operator' : nameOf(Number(x.owner_id)))).sort();
      };
      expect(await visible(admin)).toEqual(['R1', 'R2', 'X', 'operator']);
      expect(await visible(reseller('R1'))).toEqual(['R1', 'R2']);
      expect(await visible(reseller('R2'))).toEqual(['R2']);
      expect(await visible(customer('C1'))).toEqual([]);
      expect(await visible(anonymousActor)).toEqual([]);
    });

    it('resolveOwner: a reseller defaults to itself and may name a sub-reseller, never a stranger', async () => {
      expect(await resolveOwner(ctxOf(reseller('R1')), undefined)).toEqual({ id: ids.R1, ancestor_ids: [] });
      expect(await resolveOwner(ctxOf(reseller('R1')), null)).toEqual({ id: ids.R1, ancestor_ids: [] });
      expect(await resolveOwner(ctxOf(reseller('R1')), ids.R2)).toEqual({
        id: ids.R2,
        ancestor_ids: [ids.R1],
      });
      await expect(resolveOwner(ctxOf(reseller('R1')), ids.X)).rejects.toMatchObject({
        code: 'RESELLER_NOT_FOUND',
        status: 400,
      });
      await expect(resolveOwner(ctxOf(reseller('R2')), ids.R1)).rejects.toMatchObject({
        code: 'RESELLER_NOT_FOUND',
      });
      // A customer account is never an owner.
      await expect(resolveOwner(ctxOf(admin), ids.C1)).rejects.toMatchObject({ code: 'RESELLER_NOT_FOUND' });
      expect(await resolveOwner(ctxOf(admin), undefined)).toBeNull();
      expect(await resolveOwner(ctxOf(admin), ids.X)).toEqual({ id: ids.X, ancestor_ids: [] });
      await expect(resolveOwner(ctxOf(anonymousActor), ids.X)).rejects.toMatchObject({
        code: 'RESELLER_NOT_FOUND',
      });
    });

    it('guards: managers are operator staff and resellers; anonymous is refused everything', () => {
      const refused = (fn: () => void) => {
        try {
          fn();
        } catch (e) {
          return e instanceof AppError && e.status === 403;
        }
        return false;
      };
      expect(refused(() => requireManager(ctxOf(admin)))).toBe(false);
      expect(refused(() => requireManager(ctxOf(reseller('R1'))))).toBe(false);
      expect(refused(() => requireManager(ctxOf(customer('C1'))))).toBe(true);
      expect(refused(() => requireManager(ctxOf(anonymousActor)))).toBe(true);
      expect(refused(() => requireOperator(ctxOf(admin)))).toBe(false);
      expect(refused(() => requireOperator(ctxOf(reseller('R1'))))).toBe(true);
      expect(refused(() => requireOperator(ctxOf(anonymousActor)))).toBe(true);
    });
  });
}

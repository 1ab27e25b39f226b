import { sql } from 'kysely';
import type { Executor } from '../../platform/db/database.js';

/* Route plans: the only SQL of their use cases and of the loader's plan reads. */

export async function loadPlans(db: Executor) {
  const plans = await db
    .selectFrom('route_plans')
    .select(['id', 'name'])
    .where('deleted_at', 'is', null)
    .orderBy('id')
    .execute();
  const entries = await db
    .selectFrom('route_plan_entries as e')
    .innerJoin('route_plans as p', 'p.id', 'e.route_plan_id')
    .select(['e.route_plan_id', 'e.prefix', 'e.priority', 'e.provider_trunk_id'])
    .where('p.deleted_at', 'is', null)
    .orderBy('e.id')
    .execute();
  const assignments = await db
    .selectFrom('route_plan_assignments as r')
    .innerJoin('route_plans as p', 'p.id', 'r.route_plan_id')
    .select(['r.account_id', 'r.route_plan_id'])
    .where('p.deleted_at', 'is', null)
    .execute();
  return { plans, entries, assignments };
}

export async function findPlan(db: Executor, id: number) {
  return db
    .selectFrom('route_plans')
    .select(['id', 'name'])
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
}

export async function entriesOf(db: Executor, id: number) {
  return db
    .selectFrom('route_plan_entries')
    .select(['prefix', 'priority', 'provider_trunk_id'])
    .where('route_plan_id', '=', id)
    .orderBy('priority')
    .orderBy('prefix')
    .execute();
}

export async function insertPlan(db: Executor, name: string) {
  return db.insertInto('route_plans').values({ name }).returning(['id']).executeTakeFirstOrThrow();
}

export async function renamePlan(db: Executor, id: number, name: string, now: Date) {
  await db.updateTable('route_plans').set({ name, updated_at: now }).where('id', '=', id).execute();
}

export async function replaceEntries(
  db: Executor,
  id: number,
  entries: readonly { prefix: string; priority: number; providerTrunkId: number }[],
) {
  await db.deleteFrom('route_plan_entries').where('route_plan_id', '=', id).execute();
  if (entries.length)
    await db
      .insertInto('route_plan_entries')
      .values(
        entries.map((e) => ({
          route_plan_id: id,
          prefix: e.prefix,
          priority: e.priority,
          provider_trunk_id: e.providerTrunkId,
        })),
      )
      .execute();
}

export async function softDeletePlan(db: Executor, id: number, now: Date) {
  await db.deleteFrom('route_plan_assignments').where('route_plan_id', '=', id).execute();
  await db
    .updateTable('route_plans')
    .set({ deleted_at: now, updated_at: now })
    .where('id', '=', id)
    .execute();
}

/** The ids among `ids` that are live trunks of live accounts with the provider role. */
export async function providerTrunkIds(db: Executor, ids: readonly number[]): Promise<Set<number>> {
  if (ids.length === 0) return new Set();
  const rows = await db
    .selectFrom('trunks as t')
    .innerJoin('accounts as a', 'a.id', 't.account_id')
    .select('t.id')
    .where('t.id', 'in', ids)
    .where('t.deleted_at', 'is', null)
    .where('a.deleted_at', 'is', null)
    .where(sql<boolean>`'provider' = ANY (a.roles)`)
    .execute();
  return new Set(rows.map((r) => r.id));
}

export async function isLiveCustomer(db: Executor, id: number): Promise<boolean> {
  const r = await db
    .selectFrom('accounts')
    .select('id')
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .where(sql<boolean>`'customer' = ANY (roles)`)
    .executeTakeFirst();
  return r !== undefined;
}

export async function assignPlan(db: Executor, accountId: number, planId: number | null) {
  if (planId === null) {
    await db.deleteFrom('route_plan_assignments').where('account_id', '=', accountId).execute();
    return;
  }
  await db
    .insertInto('route_plan_assignments')
    .values({ account_id: accountId, route_plan_id: planId })
    .onConflict((oc) => oc.column('account_id').doUpdateSet({ route_plan_id: planId }))
    .execute();
}

/** The live plan a customer is given, or null. */
export async function planOf(db: Executor, accountId: number): Promise<number | null> {
  const r = await db
    .selectFrom('route_plan_assignments as ra')
    .innerJoin('route_plans as p', 'p.id', 'ra.route_plan_id')
    .select('p.id')
    .where('ra.account_id', '=', accountId)
    .where('p.deleted_at', 'is', null)
    .executeTakeFirst();
  return r?.id ?? null;
}

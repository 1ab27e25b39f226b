import { sql } from 'kysely';
import type { Executor } from '../../platform/db/database.js';
import type { Actor } from '../../platform/context.js';
import { escapeLike } from '../../platform/db/like.js';
import { ownerIs, ownedScope } from '../../platform/tenancy/index.js';
import type { TranslationRule } from './translate.js';

function profileSelect(db: Executor) {
  return db
    .selectFrom('localization_profiles as l')
    .select([
      'l.id',
      'l.owner_id',
      'l.name',
      'l.destination_rules',
      'l.caller_number_rules',
      'l.caller_name_rules',
      'l.created_at',
      'l.updated_at',
    ])
    .select((eb) =>
      eb
        .selectFrom('accounts as a')
        .select(sql<number>`count(*)::int`.as('n'))
        .whereRef('a.localization_id', '=', 'l.id')
        .where('a.deleted_at', 'is', null)
        .as('customer_count'),
    )
    .where('l.deleted_at', 'is', null);
}
export type ProfileRow = Awaited<ReturnType<ReturnType<typeof profileSelect>['executeTakeFirstOrThrow']>>;

export async function findProfile(
  db: Executor,
  actor: Actor,
  id: number,
  opts: { forUpdate?: boolean } = {},
) {
  let q = profileSelect(db).where('l.id', '=', id).where(ownedScope(actor, 'l.owner_id'));
  if (opts.forUpdate) q = q.forUpdate(['l']);
  return q.executeTakeFirst();
}

export async function listProfilesPage(
  db: Executor,
  actor: Actor,
  f: { name?: string; resellerId?: number | 'none' },
  page: { limit: number; after: { k: string; id: number } | null },
) {
  let q = profileSelect(db).where(ownedScope(actor, 'l.owner_id'));
  if (f.resellerId !== undefined) q = q.where(ownerIs(f.resellerId, 'l.owner_id'));
  if (f.name) q = q.where(sql<boolean>`lower(l.name) LIKE ${'%' + escapeLike(f.name.toLowerCase()) + '%'}`);
  if (page.after)
    q = q.where(sql<boolean>`(lower(l.name), l.id) > (${page.after.k}, ${page.after.id}::bigint)`);
  return q
    .orderBy(sql`lower(l.name)`)
    .orderBy('l.id')
    .limit(page.limit + 1)
    .execute();
}

export interface ProfileRules {
  destinationRules: TranslationRule[];
  callerNumberRules: TranslationRule[];
  callerNameRules: TranslationRule[];
}

export async function insertProfile(
  db: Executor,
  v: { ownerId: number | null; name: string } & ProfileRules,
) {
  const r = await db
    .insertInto('localization_profiles')
    .values({
      owner_id: v.ownerId,
      name: v.name,
      destination_rules: JSON.stringify(v.destinationRules),
      caller_number_rules: JSON.stringify(v.callerNumberRules),
      caller_name_rules: JSON.stringify(v.callerNameRules),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

export async function updateProfile(
  db: Executor,
  id: number,
  v: Partial<{ name: string } & ProfileRules>,
  now: Date,
): Promise<void> {
  await db
    .updateTable('localization_profiles')
    .set({
      ...(v.name !== undefined ? { name: v.name } : {}),
      ...(v.destinationRules ? { destination_rules: JSON.stringify(v.destinationRules) } : {}),
      ...(v.callerNumberRules ? { caller_number_rules: JSON.stringify(v.callerNumberRules) } : {}),
      ...(v.callerNameRules ? { caller_name_rules: JSON.stringify(v.callerNameRules) } : {}),
      updated_at: now,
    })
    .where('id', '=', id)
    .execute();
}

export async function softDeleteProfile(db: Executor, id: number, now: Date): Promise<void> {
  await db
    .updateTable('localization_profiles')
    .set({ deleted_at: now, updated_at: now })
    .where('id', '=', id)
    .execute();
}

/** For an account reference check: no actor scope, the caller compares owners. */
export async function findProfileForReference(db: Executor, id: number) {
  return db
    .selectFrom('localization_profiles')
    .select(['id', 'owner_id'])
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
}

import type { Executor } from '../../platform/db/database.js';

export async function listPreferences(db: Executor, userId: number) {
  return db
    .selectFrom('user_preferences')
    .select(['key', 'value'])
    .where('user_id', '=', userId)
    .orderBy('key')
    .execute();
}

export async function countPreferences(db: Executor, userId: number): Promise<number> {
  const r = await db
    .selectFrom('user_preferences')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('user_id', '=', userId)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function hasPreference(db: Executor, userId: number, key: string): Promise<boolean> {
  const r = await db
    .selectFrom('user_preferences')
    .select('key')
    .where('user_id', '=', userId)
    .where('key', '=', key)
    .executeTakeFirst();
  return r !== undefined;
}

export async function upsertPreference(db: Executor, userId: number, key: string, json: string, now: Date) {
  await db
    .insertInto('user_preferences')
    .values({ user_id: userId, key, value: json, updated_at: now })
    .onConflict((oc) => oc.columns(['user_id', 'key']).doUpdateSet({ value: json, updated_at: now }))
    .execute();
}

export async function deletePreference(db: Executor, userId: number, key: string): Promise<void> {
  await db.deleteFrom('user_preferences').where('user_id', '=', userId).where('key', '=', key).execute();
}

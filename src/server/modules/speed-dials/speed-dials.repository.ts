import { sql } from 'kysely';
import type { Executor } from '../../platform/db/database.js';

const COLUMNS = ['id', 'account_id', 'key', 'number', 'updated_at'] as const;

export async function listDials(db: Executor, accountId: number) {
  return db
    .selectFrom('speed_dials')
    .select(COLUMNS)
    .where('account_id', '=', accountId)
    .where('deleted_at', 'is', null)
    .orderBy('key')
    .execute();
}
export type DialRow = Awaited<ReturnType<typeof listDials>>[number];

export async function findDial(db: Executor, accountId: number, key: number) {
  return db
    .selectFrom('speed_dials')
    .select(COLUMNS)
    .where('account_id', '=', accountId)
    .where('key', '=', key)
    .where('deleted_at', 'is', null)
    .forUpdate()
    .executeTakeFirst();
}

/** Sets a key: updates the live row or inserts one (the partial unique index guards races). */
export async function upsertDial(db: Executor, accountId: number, key: number, number: string, now: Date) {
  return db
    .insertInto('speed_dials')
    .values({ account_id: accountId, key, number })
    .onConflict((oc) =>
      oc
        .columns(['account_id', 'key'])
        .where('deleted_at', 'is', null)
        .doUpdateSet({ number, updated_at: now }),
    )
    .returning(COLUMNS)
    .executeTakeFirstOrThrow();
}

export async function softDeleteDial(db: Executor, id: number, now: Date) {
  await db
    .updateTable('speed_dials')
    .set({ deleted_at: now, updated_at: sql`now()` })
    .where('id', '=', id)
    .execute();
}

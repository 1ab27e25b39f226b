import type { Executor } from '../../platform/db/database.js';

/** The system settings' SQL: one row (id = true). */

export interface SystemSettingsRow {
  cdr_retention_months: number | null;
  updated_at: Date;
}

export async function findSystemSettings(db: Executor): Promise<SystemSettingsRow> {
  const r = await db
    .selectFrom('system_settings')
    .select(['cdr_retention_months', 'updated_at'])
    .where('id', '=', true)
    .executeTakeFirst();
  return r ?? { cdr_retention_months: null, updated_at: new Date(0) };
}

/** Saves the row (creating it if a database lost it); with `forUpdate` semantics left to the caller. */
export async function saveSystemSettings(
  db: Executor,
  s: { cdr_retention_months: number | null },
  now: Date,
): Promise<SystemSettingsRow> {
  return db
    .insertInto('system_settings')
    .values({ id: true, cdr_retention_months: s.cdr_retention_months, updated_at: now })
    .onConflict((oc) =>
      oc.column('id').doUpdateSet({ cdr_retention_months: s.cdr_retention_months, updated_at: now }),
    )
    .returning(['cdr_retention_months', 'updated_at'])
    .executeTakeFirstOrThrow();
}

/** Locks the row for a read-modify-write (inside a transaction). */
export async function lockSystemSettings(db: Executor): Promise<SystemSettingsRow> {
  const r = await db
    .selectFrom('system_settings')
    .select(['cdr_retention_months', 'updated_at'])
    .where('id', '=', true)
    .forUpdate()
    .executeTakeFirst();
  return r ?? { cdr_retention_months: null, updated_at: new Date(0) };
}

import { sql } from 'kysely';
import type { Executor } from './database.js';

/**
 * Soft-deletes the live rows of `table` that belong to the given accounts (the delete cascade,
 * DOMAIN 3.8): the row stays for history, and the partial unique indexes free its name or address.
 * Answers how many rows it deleted.
 */
export async function softDeleteRowsOfAccounts(
  db: Executor,
  table: string,
  accountIds: number[],
  now: Date,
): Promise<number> {
  const r = await sql`
    UPDATE ${sql.table(table)} SET deleted_at = ${now}
    WHERE account_id = ANY(${accountIds}::bigint[]) AND deleted_at IS NULL`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}

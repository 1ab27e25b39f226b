import { sql, type Kysely } from 'kysely';

/**
 * DOMAIN 3.16: a manual charge beyond the available funds is refused unless the admin allows a
 * negative balance for that charge, which the entry records.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE ledger_entries ADD COLUMN allow_negative boolean NOT NULL DEFAULT false`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE ledger_entries DROP COLUMN allow_negative`.execute(db);
}

import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here.
// The CDR search across customers (issue #13): newest first, keyset on (started_at, id).

export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX IF NOT EXISTS cdrs_started_idx ON cdrs (started_at DESC, id DESC)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX IF EXISTS cdrs_started_idx`.execute(db);
}

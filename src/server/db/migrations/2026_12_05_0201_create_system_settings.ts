import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here.
// Settings of the whole system an admin edits (STYLE 10: in the database, not in config): one row.
// cdr_retention_months (issue 13): raw CDRs are kept at least this many whole months before the
// current one, then dropped by month; null keeps them forever. Daily usage and the ledger stay.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE system_settings (
      id boolean PRIMARY KEY DEFAULT true CHECK (id),
      cdr_retention_months integer CHECK (cdr_retention_months BETWEEN 1 AND 120),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`INSERT INTO system_settings (id) VALUES (true)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE IF EXISTS system_settings`.execute(db);
}

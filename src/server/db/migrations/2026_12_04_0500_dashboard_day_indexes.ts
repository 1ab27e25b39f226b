import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here.
// The dashboard's "today" figures (issue 17) read one day of payments and one day of calls across
// every account; the existing indexes lead with account_id, so without these each home page load
// would scan the whole ledger and the whole CDR table. The CDR index also serves the CDR search
// (newest first, keyset on (started_at, id)).

export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX ledger_entries_payment_time_idx ON ledger_entries (created_at) WHERE type = 'PAYMENT'`.execute(
    db,
  );
  await sql`CREATE INDEX cdrs_started_idx ON cdrs (started_at DESC, id DESC)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX IF EXISTS cdrs_started_idx`.execute(db);
  await sql`DROP INDEX IF EXISTS ledger_entries_payment_time_idx`.execute(db);
}

import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here.
//
// A call priced by a customer's rate override (2026_12_05_0500) stored the override's id in
// cdrs.rate_id, which names a row of `rates`: the daily usage and the dashboard then took the code
// name of whatever rate had that id. The override's id gets its own column; rate_id stays a rate's.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE cdrs ADD COLUMN rate_override_id bigint`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE cdrs DROP COLUMN rate_override_id`.execute(db);
}

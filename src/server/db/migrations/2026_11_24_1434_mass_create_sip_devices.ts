import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here.

export async function up(db: Kysely<any>): Promise<void> {
  // Mass create with createSipDevices: each row's device secret sealed to the requester's key,
  // like its password, for the one download; deleted with the row after it.
  await sql`ALTER TABLE customer_mass_create_rows ADD COLUMN sip_secret_box text`.execute(db);
}

import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here.
// An admin acknowledges a sweeper alarm (MISSING_END, MISSING_CDR): who and when. The alarm stays;
// acknowledged alarms are listed apart.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE call_auth_alarms
            ADD COLUMN acknowledged_at timestamptz,
            ADD COLUMN acknowledged_by_user_id bigint,
            ADD COLUMN acknowledged_by text CHECK (char_length(acknowledged_by) <= 300)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE call_auth_alarms
            DROP COLUMN IF EXISTS acknowledged_at,
            DROP COLUMN IF EXISTS acknowledged_by_user_id,
            DROP COLUMN IF EXISTS acknowledged_by`.execute(db);
}

import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here.

export async function up(db: Kysely<any>): Promise<void> {
  // DOMAIN 3.11 / 3.15: a mail on each successful portal sign-in, off unless asked for.
  await sql`ALTER TABLE notification_settings ADD COLUMN sign_in_notification boolean NOT NULL DEFAULT false`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE notification_settings DROP COLUMN IF EXISTS sign_in_notification`.execute(db);
}

import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here.

export async function up(db: Kysely<any>): Promise<void> {
  // UI settings a user expects to follow them from browser to browser (hidden columns, page size).
  await sql`
    CREATE TABLE user_preferences (
      user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      key text NOT NULL CHECK (key ~ '^[A-Za-z0-9._-]{1,100}$'),
      value jsonb NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (user_id, key)
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE IF EXISTS user_preferences`.execute(db);
}

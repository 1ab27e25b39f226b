import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE customer_mass_creates (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      owner_id bigint REFERENCES accounts(id),
      actor jsonb NOT NULL,
      params jsonb NOT NULL,
      count integer NOT NULL CHECK (count BETWEEN 1 AND 10000),
      status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued','running','done','failed')),
      prepared integer NOT NULL DEFAULT 0,
      created integer NOT NULL DEFAULT 0,
      public_key text NOT NULL,
      result_state text NOT NULL DEFAULT 'pending' CHECK (result_state IN ('pending','ready','downloaded')),
      failure jsonb,
      downloaded_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      started_at timestamptz,
      finished_at timestamptz
    )`.execute(db);
  await sql`CREATE INDEX customer_mass_creates_owner_idx ON customer_mass_creates (owner_id, id)`.execute(db);

  // One prepared account: its argon2id hash, and its password sealed to the requester's public key
  // (the server cannot open it). Deleted after the one download.
  await sql`
    CREATE TABLE customer_mass_create_rows (
      mass_create_id bigint NOT NULL REFERENCES customer_mass_creates(id) ON DELETE CASCADE,
      seq integer NOT NULL,
      password_hash text,
      password_box text NOT NULL,
      account_number text,
      pin text,
      account_id bigint,
      PRIMARY KEY (mass_create_id, seq)
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE IF EXISTS customer_mass_create_rows`.execute(db);
  await sql`DROP TABLE IF EXISTS customer_mass_creates`.execute(db);
}

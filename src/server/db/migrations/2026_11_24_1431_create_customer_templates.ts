import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE customer_templates (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      owner_id bigint REFERENCES accounts(id),
      name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
      description text CHECK (description IS NULL OR char_length(description) <= 500),
      settings jsonb NOT NULL,
      version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX customer_templates_owner_name_key
            ON customer_templates (coalesce(owner_id, 0), lower(name))`.execute(db);

  // The version of its template a customer was created from or last re-applied.
  await sql`ALTER TABLE accounts ADD COLUMN template_version integer`.execute(db);
  await sql`CREATE INDEX accounts_template_idx ON accounts (template_id, id)
            WHERE template_id IS NOT NULL AND deleted_at IS NULL`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX IF EXISTS accounts_template_idx`.execute(db);
  await sql`ALTER TABLE accounts DROP COLUMN IF EXISTS template_version`.execute(db);
  await sql`DROP TABLE IF EXISTS customer_templates`.execute(db);
}

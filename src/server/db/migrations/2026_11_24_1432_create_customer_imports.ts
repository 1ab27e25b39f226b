import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE customer_imports (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      owner_id bigint REFERENCES accounts(id),
      actor jsonb NOT NULL,
      file_name text NOT NULL,
      file_sha256 text NOT NULL,
      file_bytes bigint NOT NULL,
      headers text[] NOT NULL,
      hashed_columns integer[] NOT NULL DEFAULT '{}',
      row_count integer NOT NULL,
      chunk_count integer NOT NULL,
      settings jsonb,
      status text NOT NULL DEFAULT 'uploading'
        CHECK (status IN ('uploading','uploaded','validating','validated','queued','running','done','failed')),
      phase text CHECK (phase IN ('validate','write')),
      dry_run jsonb,
      next_chunk integer NOT NULL DEFAULT 0,
      rows_done integer NOT NULL DEFAULT 0,
      created_count integer NOT NULL DEFAULT 0,
      updated_count integer NOT NULL DEFAULT 0,
      unchanged_count integer NOT NULL DEFAULT 0,
      skipped_count integer NOT NULL DEFAULT 0,
      rejected_count integer NOT NULL DEFAULT 0,
      warning_count integer NOT NULL DEFAULT 0,
      failure jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      started_at timestamptz,
      finished_at timestamptz
    )`.execute(db);
  await sql`CREATE INDEX customer_imports_owner_idx ON customer_imports (owner_id, id)`.execute(db);

  // The upload, parsed once and stored in chunks of rows (JSON arrays of cells); a password cell
  // is already an argon2id hash here. Purged when the run ends.
  await sql`
    CREATE TABLE customer_import_chunks (
      import_id bigint NOT NULL REFERENCES customer_imports(id) ON DELETE CASCADE,
      seq integer NOT NULL,
      first_row integer NOT NULL,
      row_count integer NOT NULL,
      rows text NOT NULL,
      PRIMARY KEY (import_id, seq)
    )`.execute(db);

  // Every error and warning, by row and column, of the dry run and of the run.
  await sql`
    CREATE TABLE customer_import_issues (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      import_id bigint NOT NULL REFERENCES customer_imports(id) ON DELETE CASCADE,
      run text NOT NULL CHECK (run IN ('dry','real')),
      row_number integer NOT NULL,
      severity text NOT NULL CHECK (severity IN ('error','warning')),
      column_name text,
      code text NOT NULL,
      message text NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX customer_import_issues_idx ON customer_import_issues (import_id, run, id)`.execute(
    db,
  );

  // The original cells of each rejected row, for the "fix and upload again" file.
  await sql`
    CREATE TABLE customer_import_rejects (
      import_id bigint NOT NULL REFERENCES customer_imports(id) ON DELETE CASCADE,
      row_number integer NOT NULL,
      cells text NOT NULL,
      PRIMARY KEY (import_id, row_number)
    )`.execute(db);

  // Which import row created an account: re-running a chunk finds its rows instead of duplicating.
  await sql`ALTER TABLE accounts ADD COLUMN import_id bigint`.execute(db);
  await sql`ALTER TABLE accounts ADD COLUMN import_row integer`.execute(db);
  await sql`CREATE UNIQUE INDEX accounts_import_row_key ON accounts (import_id, import_row)
            WHERE import_id IS NOT NULL`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX IF EXISTS accounts_import_row_key`.execute(db);
  await sql`ALTER TABLE accounts DROP COLUMN IF EXISTS import_row`.execute(db);
  await sql`ALTER TABLE accounts DROP COLUMN IF EXISTS import_id`.execute(db);
  for (const t of [
    'customer_import_rejects',
    'customer_import_issues',
    'customer_import_chunks',
    'customer_imports',
  ])
    await sql`DROP TABLE IF EXISTS ${sql.table(t)}`.execute(db);
}

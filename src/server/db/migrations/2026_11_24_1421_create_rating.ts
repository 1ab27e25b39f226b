import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here.
// Localization profiles, rate groups and their rates.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE localization_profiles (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      owner_id bigint REFERENCES accounts(id),
      name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
      destination_rules jsonb NOT NULL DEFAULT '[]'::jsonb,
      caller_number_rules jsonb NOT NULL DEFAULT '[]'::jsonb,
      caller_name_rules jsonb NOT NULL DEFAULT '[]'::jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      deleted_at timestamptz
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX localization_profiles_owner_name_key
            ON localization_profiles (coalesce(owner_id, 0), lower(name)) WHERE deleted_at IS NULL`.execute(
    db,
  );

  await sql`
    CREATE TABLE rate_groups (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      owner_id bigint REFERENCES accounts(id),
      name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
      description text CHECK (char_length(description) <= 500),
      currency char(3) NOT NULL,
      status text NOT NULL DEFAULT 'active' CHECK (status IN ('active','inactive')),
      initial_increment integer NOT NULL DEFAULT 1 CHECK (initial_increment BETWEEN 1 AND 3600),
      billing_increment integer NOT NULL DEFAULT 1 CHECK (billing_increment BETWEEN 1 AND 3600),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      deleted_at timestamptz
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX rate_groups_owner_name_key
            ON rate_groups (coalesce(owner_id, 0), lower(name)) WHERE deleted_at IS NULL`.execute(db);

  // initial/billing increment 0 = "the rate group's value" (DOMAIN 5).
  // No foreign key on rate_group_id: its per-row trigger dominated million-row deck loads. Rates
  // are written only by the rate-group use cases, with the group row locked, and groups are only
  // soft-deleted, so the reference cannot dangle.
  await sql`
    CREATE TABLE rates (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      rate_group_id bigint NOT NULL,
      prefix text COLLATE "C" NOT NULL CHECK (prefix ~ '^[0-9]{1,20}$'),
      destination text NOT NULL DEFAULT '' CHECK (char_length(destination) <= 100),
      rate_per_min numeric(20,6) NOT NULL CHECK (rate_per_min >= 0),
      connect_fee numeric(20,6) NOT NULL DEFAULT 0 CHECK (connect_fee >= 0),
      included_seconds integer NOT NULL DEFAULT 0 CHECK (included_seconds >= 0),
      initial_increment integer NOT NULL DEFAULT 0 CHECK (initial_increment BETWEEN 0 AND 3600),
      billing_increment integer NOT NULL DEFAULT 0 CHECK (billing_increment BETWEEN 0 AND 3600),
      effective_from timestamptz NOT NULL,
      effective_to timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      CHECK (effective_to IS NULL OR effective_to > effective_from)
    )`.execute(db);
  // Lookup is equality on every prefix of the number; one row per (prefix, start) in a group.
  // Codes are digits: the "C" collation compares bytes, which keeps a million-row load cheap.
  await sql`CREATE UNIQUE INDEX rates_group_prefix_from_key
            ON rates (rate_group_id, prefix, effective_from)`.execute(db);

  // Accounts now point at real objects. NOT VALID: checked for every new or edited row, without
  // failing on references written before these tables existed.
  await sql`ALTER TABLE accounts ADD CONSTRAINT accounts_rate_group_fk
            FOREIGN KEY (rate_group_id) REFERENCES rate_groups(id) NOT VALID`.execute(db);
  await sql`ALTER TABLE accounts ADD CONSTRAINT accounts_non_cli_rate_group_fk
            FOREIGN KEY (non_cli_rate_group_id) REFERENCES rate_groups(id) NOT VALID`.execute(db);
  await sql`ALTER TABLE accounts ADD CONSTRAINT accounts_localization_fk
            FOREIGN KEY (localization_id) REFERENCES localization_profiles(id) NOT VALID`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const c of ['accounts_rate_group_fk', 'accounts_non_cli_rate_group_fk', 'accounts_localization_fk']) {
    await sql`ALTER TABLE accounts DROP CONSTRAINT IF EXISTS ${sql.ref(c)}`.execute(db);
  }
  for (const t of ['rates', 'rate_groups', 'localization_profiles']) {
    await sql`DROP TABLE IF EXISTS ${sql.table(t)} CASCADE`.execute(db);
  }
}

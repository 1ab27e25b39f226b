import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here.
// Connectivity of a customer: ingress trunks and their hosts, SIP devices, caller IDs, the force
// caller ID, blocked codes, speed dials, and DIDs. "Trunk update" events go to the outbox_events table of the ledger migration.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE trunks (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      account_id bigint NOT NULL REFERENCES accounts(id),
      name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
      status text NOT NULL DEFAULT 'active' CHECK (status IN ('active','inactive')),
      disabled_reason text,
      call_limit integer CHECK (call_limit >= 0),
      cps_limit numeric(10,2) CHECK (cps_limit >= 0),
      max_duration_sec integer CHECK (max_duration_sec >= 1),
      min_profit_type text CHECK (min_profit_type IN ('percent','absolute')),
      min_profit_value numeric(20,6),
      tech_prefix text NOT NULL DEFAULT '' CHECK (tech_prefix ~ '^[0-9]{0,20}$'),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      deleted_at timestamptz,
      CHECK (min_profit_type IS NULL OR min_profit_value IS NOT NULL)
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX trunks_account_name_key ON trunks (account_id, lower(name))
            WHERE deleted_at IS NULL`.execute(db);

  // account_id is copied from the trunk so the scope and the cascade need no join.
  await sql`
    CREATE TABLE hosts (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      trunk_id bigint NOT NULL REFERENCES trunks(id),
      account_id bigint NOT NULL REFERENCES accounts(id),
      cidr cidr NOT NULL,
      port integer CHECK (port BETWEEN 1 AND 65535),
      tech_prefix text NOT NULL DEFAULT '' CHECK (tech_prefix ~ '^[0-9]{0,20}$'),
      status text NOT NULL DEFAULT 'active' CHECK (status IN ('active','inactive')),
      call_limit integer CHECK (call_limit >= 0),
      cps_limit numeric(10,2) CHECK (cps_limit >= 0),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      deleted_at timestamptz
    )`.execute(db);
  // DOMAIN 3.9: one IP/CIDR with one tech prefix belongs to one live host; the delete cascade
  // soft-deletes hosts, which frees the pair.
  await sql`CREATE UNIQUE INDEX hosts_cidr_tech_prefix_key ON hosts (cidr, tech_prefix)
            WHERE deleted_at IS NULL`.execute(db);
  await sql`CREATE INDEX hosts_trunk_idx ON hosts (trunk_id) WHERE deleted_at IS NULL`.execute(db);
  await sql`CREATE INDEX hosts_account_idx ON hosts (account_id) WHERE deleted_at IS NULL`.execute(db);
  await sql`CREATE INDEX hosts_cidr_gist_idx ON hosts USING gist (cidr inet_ops)
            WHERE deleted_at IS NULL`.execute(db);

  await sql`
    CREATE TABLE sip_devices (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      account_id bigint NOT NULL REFERENCES accounts(id),
      username text NOT NULL CHECK (char_length(username) BETWEEN 3 AND 40),
      secret_enc text NOT NULL,
      caller_id_name text CHECK (char_length(caller_id_name) <= 40),
      caller_id_number text CHECK (caller_id_number ~ '^[0-9]{1,20}$'),
      status text NOT NULL DEFAULT 'active' CHECK (status IN ('active','inactive')),
      codecs text[] NOT NULL DEFAULT '{}',
      voicemail_enabled boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      deleted_at timestamptz
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX sip_devices_username_key ON sip_devices (lower(username))
            WHERE deleted_at IS NULL`.execute(db);
  await sql`CREATE INDEX sip_devices_account_idx ON sip_devices (account_id) WHERE deleted_at IS NULL`.execute(
    db,
  );

  await sql`
    CREATE TABLE caller_ids (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      account_id bigint NOT NULL REFERENCES accounts(id),
      number text NOT NULL CHECK (number ~ '^[0-9]{1,20}$'),
      description text CHECK (char_length(description) <= 100),
      status text NOT NULL DEFAULT 'active' CHECK (status IN ('active','inactive')),
      created_at timestamptz NOT NULL DEFAULT now(),
      deleted_at timestamptz
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX caller_ids_account_number_key ON caller_ids (account_id, number)
            WHERE deleted_at IS NULL`.execute(db);

  await sql`
    CREATE TABLE force_caller_ids (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      account_id bigint NOT NULL REFERENCES accounts(id),
      name text CHECK (char_length(name) <= 30),
      number text NOT NULL CHECK (number ~ '^[0-9]{1,20}$'),
      status text NOT NULL DEFAULT 'active' CHECK (status IN ('active','inactive')),
      created_at timestamptz NOT NULL DEFAULT now(),
      deleted_at timestamptz
    )`.execute(db);
  // DOMAIN 3.10: at most one active entry per customer.
  await sql`CREATE UNIQUE INDEX force_caller_ids_one_active_key ON force_caller_ids (account_id)
            WHERE deleted_at IS NULL AND status = 'active'`.execute(db);

  await sql`
    CREATE TABLE blocked_codes (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      account_id bigint NOT NULL REFERENCES accounts(id),
      prefix text NOT NULL CHECK (prefix ~ '^[0-9]{1,20}$'),
      label text CHECK (char_length(label) <= 100),
      created_at timestamptz NOT NULL DEFAULT now(),
      deleted_at timestamptz
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX blocked_codes_account_prefix_key ON blocked_codes (account_id, prefix)
            WHERE deleted_at IS NULL`.execute(db);

  await sql`
    CREATE TABLE speed_dials (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      account_id bigint NOT NULL REFERENCES accounts(id),
      key smallint NOT NULL CHECK (key BETWEEN 0 AND 9),
      number text NOT NULL CHECK (number ~ '^[0-9]{1,20}$'),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      deleted_at timestamptz
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX speed_dials_account_key_key ON speed_dials (account_id, key)
            WHERE deleted_at IS NULL`.execute(db);

  // owner_id: the pool the DID belongs to (a reseller, or null for the operator's own pool);
  // account_id: the customer it is assigned to, or null while in the pool.
  await sql`
    CREATE TABLE dids (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      number text NOT NULL CHECK (number ~ '^[0-9]{1,20}$'),
      owner_id bigint REFERENCES accounts(id),
      account_id bigint REFERENCES accounts(id),
      status text NOT NULL DEFAULT 'active' CHECK (status IN ('active','inactive')),
      description text CHECK (char_length(description) <= 200),
      monthly_fee numeric(20,6) NOT NULL DEFAULT 0 CHECK (monthly_fee >= 0),
      assigned_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      deleted_at timestamptz
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX dids_number_key ON dids (number) WHERE deleted_at IS NULL`.execute(db);
  await sql`CREATE INDEX dids_account_idx ON dids (account_id) WHERE deleted_at IS NULL`.execute(db);
  await sql`CREATE INDEX dids_owner_idx ON dids (owner_id, id) WHERE deleted_at IS NULL`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    'dids',
    'speed_dials',
    'blocked_codes',
    'force_caller_ids',
    'caller_ids',
    'sip_devices',
    'hosts',
    'trunks',
  ]) {
    await sql`DROP TABLE IF EXISTS ${sql.table(t)} CASCADE`.execute(db);
  }
}

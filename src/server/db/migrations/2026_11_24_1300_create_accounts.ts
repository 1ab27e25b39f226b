import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE EXTENSION IF NOT EXISTS pg_trgm`.execute(db);

  await sql`
    CREATE TABLE accounts (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      account_number text NOT NULL CHECK (account_number ~ '^[0-9]{4,20}$'),
      is_reseller boolean NOT NULL DEFAULT false,
      roles text[] NOT NULL DEFAULT '{customer}'
        CHECK (cardinality(roles) >= 1 AND roles <@ ARRAY['customer','provider']::text[]),
      parent_id bigint REFERENCES accounts(id),
      ancestor_ids bigint[] NOT NULL DEFAULT '{}',
      name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
      status text NOT NULL DEFAULT 'active' CHECK (status IN ('active','inactive')),
      pin text CHECK (pin ~ '^[0-9]{6,12}$'),
      valid_until timestamptz,
      first_used_at timestamptz,

      company_name text,
      first_name text,
      last_name text,
      main_email text,
      noc_emails text[] NOT NULL DEFAULT '{}',
      billing_emails text[] NOT NULL DEFAULT '{}',
      rates_emails text[] NOT NULL DEFAULT '{}',
      notification_emails text[] NOT NULL DEFAULT '{}',
      phone text,
      address1 text,
      address2 text,
      city text,
      province text,
      zip text,
      country char(2) NOT NULL,
      timezone text NOT NULL,
      tax_id text,
      reference text,

      call_limit integer CHECK (call_limit >= 0),
      cps_limit numeric(10,2) CHECK (cps_limit >= 0),
      localization_id bigint,
      allow_local_calls boolean NOT NULL DEFAULT false,
      local_call_price_per_min numeric(20,6) NOT NULL DEFAULT 0 CHECK (local_call_price_per_min >= 0),
      min_profit_type text CHECK (min_profit_type IN ('percent','absolute')),
      min_profit_value numeric(20,6),
      notifications_enabled boolean NOT NULL DEFAULT true,
      online_payment boolean NOT NULL DEFAULT false,
      portal_permissions text[] NOT NULL DEFAULT '{accountSummary,balance,invoices}',

      mode text NOT NULL DEFAULT 'prepaid' CHECK (mode IN ('prepaid','postpaid')),
      currency char(3) NOT NULL,
      credit_limit numeric(20,6) NOT NULL DEFAULT 0 CHECK (credit_limit >= 0),
      unlimited_credit boolean NOT NULL DEFAULT false,
      balance numeric(20,6) NOT NULL DEFAULT 0,
      rate_group_id bigint,
      non_cli_rate_group_id bigint,
      cli_pool_mode smallint NOT NULL DEFAULT 0 CHECK (cli_pool_mode BETWEEN 0 AND 8),
      billing_schedule text NOT NULL DEFAULT 'monthly' CHECK (billing_schedule IN ('daily','monthly')),
      billing_day smallint NOT NULL DEFAULT 1 CHECK (billing_day BETWEEN 1 AND 28),
      generate_zero_invoice boolean NOT NULL DEFAULT false,
      invoice_note text,
      template_id bigint,

      search_text text GENERATED ALWAYS AS (
        lower(account_number || ' ' || name || ' ' || coalesce(company_name, '') || ' ' ||
              coalesce(first_name, '') || ' ' || coalesce(last_name, '') || ' ' || coalesce(main_email, ''))
      ) STORED,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      deleted_at timestamptz,
      deleted_by bigint,
      CHECK (min_profit_type IS NULL OR min_profit_value IS NOT NULL)
    )`.execute(db);

  // Account numbers are never reused: unique over every row, deleted ones included.
  await sql`CREATE UNIQUE INDEX accounts_account_number_key ON accounts (account_number)`.execute(db);
  await sql`CREATE UNIQUE INDEX accounts_owner_name_key ON accounts (coalesce(parent_id, 0), lower(name))
            WHERE deleted_at IS NULL`.execute(db);
  await sql`CREATE UNIQUE INDEX accounts_pin_key ON accounts (pin) WHERE deleted_at IS NULL AND pin IS NOT NULL`.execute(
    db,
  );
  // The customer grid (see bench/README.md for the measurements behind these). Each sortable
  // grid column the benchmark covers has a (key, id) index over live rows, so a keyset page is an
  // index range scan in either direction. The INCLUDE columns let the capped total (a count of up
  // to 10,001 rows) run as an index-only scan instead of visiting up to 10,001 heap pages.
  await sql`CREATE INDEX accounts_live_created_idx ON accounts (created_at, id) INCLUDE (is_reseller, roles)
            WHERE deleted_at IS NULL`.execute(db);
  await sql`CREATE INDEX accounts_live_name_idx ON accounts (lower(name), id) WHERE deleted_at IS NULL`.execute(
    db,
  );
  await sql`CREATE INDEX accounts_live_company_idx ON accounts (lower(company_name), id) WHERE deleted_at IS NULL`.execute(
    db,
  );
  await sql`CREATE INDEX accounts_live_number_idx ON accounts (account_number text_pattern_ops, id) WHERE deleted_at IS NULL`.execute(
    db,
  );
  await sql`CREATE INDEX accounts_live_balance_idx ON accounts (balance, id) WHERE deleted_at IS NULL`.execute(
    db,
  );
  // status and mode filters: pages in created order and their totals.
  await sql`CREATE INDEX accounts_live_status_mode_idx ON accounts (status, mode, created_at, id)
            INCLUDE (is_reseller, roles) WHERE deleted_at IS NULL`.execute(db);
  // Providers are a small share of accounts: their list (and role=provider on the customer grid)
  // in created order, and its total, without walking every customer.
  await sql`CREATE INDEX accounts_live_provider_idx ON accounts (created_at, id) INCLUDE (is_reseller)
            WHERE deleted_at IS NULL AND 'provider' = ANY (roles)`.execute(db);
  // The reseller filter (direct children): pages in created order and their totals.
  await sql`CREATE INDEX accounts_parent_idx ON accounts (parent_id, created_at, id) INCLUDE (is_reseller, roles)
            WHERE deleted_at IS NULL`.execute(db);
  // Reseller scope. GIN answers "ancestor_ids @> {r}" (scopeAccounts without a range). The
  // reseller grid states the same subtree as a btree range of paths (see SubtreeRange): this
  // index covers it with every column the grid's ids, totals, sort keys and status/mode filters
  // need, so a reseller of any size gets its page keys and its total from index-only scans.
  await sql`CREATE INDEX accounts_ancestors_idx ON accounts USING gin (ancestor_ids)`.execute(db);
  await sql`CREATE INDEX accounts_subtree_idx ON accounts (ancestor_ids)
            INCLUDE (id, is_reseller, roles, status, mode, created_at, balance, account_number, name)
            WHERE deleted_at IS NULL`.execute(db);
  await sql`CREATE INDEX accounts_search_trgm_idx ON accounts USING gin (search_text gin_trgm_ops)`.execute(
    db,
  );
  // With the default target (100) the planner cannot use the histogram for "LIKE '%term%'" and
  // guesses 0.01 % for any term, so a term in 3 % of rows got a plan that sorted 30,000 rows.
  // 250 gives it a histogram it uses (resolution ~0.4 %) at a fraction of the ANALYZE cost of 1000.
  await sql`ALTER TABLE accounts ALTER COLUMN search_text SET STATISTICS 250`.execute(db);
  // Same sample, so no extra ANALYZE cost: enough most-common paths and histogram buckets that a
  // small reseller's range is not estimated at 15 times its size (which chose a plan walking
  // 76,000 rows of the created_at index for a 450-customer reseller).
  await sql`ALTER TABLE accounts ALTER COLUMN ancestor_ids SET STATISTICS 250`.execute(db);

  await sql`
    CREATE TABLE users (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      login text NOT NULL CHECK (char_length(login) BETWEEN 3 AND 254),
      email text,
      display_name text NOT NULL,
      role text NOT NULL CHECK (role IN ('admin','reseller','customer')),
      account_id bigint REFERENCES accounts(id),
      password_hash text,
      status text NOT NULL DEFAULT 'active' CHECK (status IN ('active','inactive')),
      failed_logins integer NOT NULL DEFAULT 0,
      locked_until timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      deleted_at timestamptz,
      CHECK ((role = 'admin') = (account_id IS NULL))
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX users_login_key ON users (lower(login)) WHERE deleted_at IS NULL`.execute(db);
  await sql`CREATE INDEX users_account_idx ON users (account_id)`.execute(db);

  await sql`
    CREATE TABLE sessions (
      id text PRIMARY KEY,
      user_id bigint NOT NULL REFERENCES users(id),
      csrf_token text NOT NULL,
      impersonator_user_id bigint REFERENCES users(id),
      ip text,
      user_agent text,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_seen_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      revoked_at timestamptz
    )`.execute(db);
  await sql`CREATE INDEX sessions_user_idx ON sessions (user_id) WHERE revoked_at IS NULL`.execute(db);

  await sql`
    CREATE TABLE api_keys (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      name text NOT NULL,
      prefix text NOT NULL,
      key_hash text NOT NULL UNIQUE,
      role text NOT NULL DEFAULT 'admin' CHECK (role IN ('admin','switch')),
      created_by bigint NOT NULL REFERENCES users(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      last_used_at timestamptz,
      revoked_at timestamptz
    )`.execute(db);

  await sql`
    CREATE TABLE audit_log (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      at timestamptz NOT NULL DEFAULT now(),
      actor_user_id bigint,
      actor_api_key_id bigint,
      actor_label text NOT NULL,
      action text NOT NULL,
      entity_type text NOT NULL,
      entity_id bigint,
      account_id bigint,
      before jsonb,
      after jsonb,
      request_id text
    )`.execute(db);
  await sql`CREATE INDEX audit_log_account_idx ON audit_log (account_id, id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['audit_log', 'api_keys', 'sessions', 'users', 'accounts']) {
    await sql`DROP TABLE IF EXISTS ${sql.table(t)} CASCADE`.execute(db);
  }
}

import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here.
// Customer rate overrides (DOMAIN 4 step 7): a customer's own rates, ranked with the rows of its
// selected rate group (a longer code still wins; on the same code the override wins). The same
// rate fields as `rates`, owned by one account, soft-deleted like the other per-customer rows, and
// watched by the call-authorization change notifications as part of the account's bundle.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE customer_rate_overrides (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      account_id bigint NOT NULL REFERENCES accounts(id),
      prefix text COLLATE "C" NOT NULL CHECK (prefix ~ '^[0-9]{1,20}$'),
      destination text NOT NULL DEFAULT '' CHECK (char_length(destination) <= 100),
      rate_per_min numeric(20,6) NOT NULL CHECK (rate_per_min >= 0),
      connect_fee numeric(20,6) NOT NULL DEFAULT 0 CHECK (connect_fee >= 0),
      included_seconds integer NOT NULL DEFAULT 0 CHECK (included_seconds BETWEEN 0 AND 86400),
      initial_increment integer NOT NULL DEFAULT 0 CHECK (initial_increment BETWEEN 0 AND 3600),
      billing_increment integer NOT NULL DEFAULT 0 CHECK (billing_increment BETWEEN 0 AND 3600),
      effective_from timestamptz NOT NULL,
      effective_to timestamptz,
      status text NOT NULL DEFAULT 'active' CHECK (status IN ('active','inactive')),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      deleted_at timestamptz,
      CHECK (effective_to IS NULL OR effective_to > effective_from)
    )`.execute(db);
  // One live row per (customer, code, start), as a rate group has one per (group, code, start).
  await sql`CREATE UNIQUE INDEX customer_rate_overrides_account_prefix_from_key
            ON customer_rate_overrides (account_id, prefix, effective_from) WHERE deleted_at IS NULL`.execute(
    db,
  );

  // The call-authorization snapshot reloads the account's bundle on any change (call_auth_notify
  // comes from 2026_12_03_0900_create_call_auth).
  const args = sql.raw(`'account', 'account_id'`);
  await sql`CREATE TRIGGER customer_rate_overrides_call_auth_ins AFTER INSERT ON customer_rate_overrides
            REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION call_auth_notify(${args})`.execute(
    db,
  );
  await sql`CREATE TRIGGER customer_rate_overrides_call_auth_upd AFTER UPDATE ON customer_rate_overrides
            REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION call_auth_notify(${args})`.execute(
    db,
  );
  await sql`CREATE TRIGGER customer_rate_overrides_call_auth_del AFTER DELETE ON customer_rate_overrides
            REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION call_auth_notify(${args})`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE IF EXISTS customer_rate_overrides CASCADE`.execute(db);
}

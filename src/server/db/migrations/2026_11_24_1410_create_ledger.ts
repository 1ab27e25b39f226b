import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here.

export async function up(db: Kysely<any>): Promise<void> {
  // The balance ledger (DOMAIN 2.1, 3.16): append-only, signed amounts, one idempotency key each.
  await sql`
    CREATE TABLE ledger_entries (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      seq bigint GENERATED ALWAYS AS IDENTITY,
      account_id bigint NOT NULL REFERENCES accounts(id),
      type text NOT NULL CHECK (type IN (
        'PAYMENT','TEST_CREDIT','INITIAL_BALANCE','CHARGE','CALL','RECURRING','TAX',
        'SHORT_CALL_CHARGE','BALANCE_RESET','ADJUSTMENT','REVERSAL')),
      amount numeric(20,6) NOT NULL,
      balance_after numeric(20,6) NOT NULL,
      currency char(3) NOT NULL,
      idempotency_key text NOT NULL CHECK (char_length(idempotency_key) BETWEEN 1 AND 300),
      request_hash text NOT NULL,
      reason text NOT NULL CHECK (char_length(reason) BETWEEN 1 AND 500),
      method text CHECK (char_length(method) <= 50),
      external_ref text CHECK (char_length(external_ref) <= 100),
      reverses_entry_id uuid REFERENCES ledger_entries(id),
      created_by text NOT NULL,
      created_by_user_id bigint,
      created_by_api_key_id bigint,
      request_id text,
      created_at timestamptz NOT NULL DEFAULT now(),
      -- Only a reset of an account already at zero posts a zero amount (it records that the reset ran).
      CHECK (amount <> 0 OR type = 'BALANCE_RESET'),
      -- Credits are positive, debits negative (DOMAIN 2.1); the fixed-sign types say so here too.
      CHECK (type NOT IN ('PAYMENT','TEST_CREDIT') OR amount > 0),
      CHECK (type NOT IN ('CHARGE','CALL','RECURRING','TAX','SHORT_CALL_CHARGE') OR amount < 0),
      CHECK ((type = 'REVERSAL') = (reverses_entry_id IS NOT NULL))
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX ledger_entries_idempotency_key ON ledger_entries (idempotency_key)`.execute(
    db,
  );
  // An entry is reversed at most once.
  await sql`CREATE UNIQUE INDEX ledger_entries_reverses_key ON ledger_entries (reverses_entry_id)
            WHERE reverses_entry_id IS NOT NULL`.execute(db);
  // Charge history and refill report: one account, a date range, newest first.
  await sql`CREATE INDEX ledger_entries_account_time_idx ON ledger_entries (account_id, created_at, seq)`.execute(
    db,
  );

  // Entries are never edited or removed: a correction is a new REVERSAL entry.
  await sql`
    CREATE FUNCTION ledger_entries_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'ledger_entries is append-only: % refused', TG_OP USING ERRCODE = '42501';
    END $$`.execute(db);
  await sql`CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries
            FOR EACH ROW EXECUTE FUNCTION ledger_entries_refuse_change()`.execute(db);
  await sql`CREATE TRIGGER ledger_entries_no_truncate BEFORE TRUNCATE ON ledger_entries
            FOR EACH STATEMENT EXECUTE FUNCTION ledger_entries_refuse_change()`.execute(db);

  // Side effects written in the same transaction as the change, sent later by a job (STYLE 6).
  await sql`
    CREATE TABLE outbox_events (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      topic text NOT NULL,
      dedupe_key text NOT NULL,
      account_id bigint REFERENCES accounts(id),
      payload jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      available_at timestamptz NOT NULL DEFAULT now(),
      attempts integer NOT NULL DEFAULT 0,
      last_error text,
      processed_at timestamptz
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX outbox_events_dedupe_key ON outbox_events (topic, dedupe_key)`.execute(db);
  await sql`CREATE INDEX outbox_events_pending_idx ON outbox_events (available_at, id)
            WHERE processed_at IS NULL`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE IF EXISTS outbox_events`.execute(db);
  await sql`DROP TABLE IF EXISTS ledger_entries`.execute(db);
  await sql`DROP FUNCTION IF EXISTS ledger_entries_refuse_change()`.execute(db);
}

import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here.
// Issue 13: the lines above a customer's charge. Each reseller above the customer pays its buy
// rate (a CALL entry on its own balance ledger, keyed cdr:<callId>:<leg>:r<resellerId>); the
// provider of the egress trunk is owed its cost, in the payable ledger (what we owe carriers,
// keyed cdr:<callId>:<leg>:p<providerId>). The payable ledger has no cached balance: the sum of
// a provider's entries is what we owe it (a cached balance would be one hot row every batch of
// every instance locks). Netting against what the provider owes us is a report (DOMAIN 3.7).

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE payable_entries (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      seq bigint GENERATED ALWAYS AS IDENTITY,
      account_id bigint NOT NULL REFERENCES accounts(id),
      type text NOT NULL CHECK (type IN ('CALL_COST')),
      amount numeric(20,6) NOT NULL CHECK (amount > 0),
      currency char(3) NOT NULL,
      idempotency_key text NOT NULL CHECK (char_length(idempotency_key) BETWEEN 1 AND 300),
      reason text NOT NULL CHECK (char_length(reason) BETWEEN 1 AND 500),
      external_ref text CHECK (char_length(external_ref) <= 100),
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX payable_entries_idempotency_key ON payable_entries (idempotency_key)`.execute(
    db,
  );
  await sql`CREATE INDEX payable_entries_account_time_idx ON payable_entries (account_id, created_at, seq)`.execute(
    db,
  );
  await sql`
    CREATE TABLE cdr_lines (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      cdr_id bigint NOT NULL REFERENCES cdrs(id),
      kind text NOT NULL CHECK (kind IN ('reseller','provider')),
      account_id bigint NOT NULL REFERENCES accounts(id),
      rate_id bigint NOT NULL,
      rate_group_id bigint NOT NULL,
      rate_prefix text NOT NULL,
      rate_per_min numeric(20,6) NOT NULL,
      connect_fee numeric(20,6) NOT NULL,
      included_seconds integer NOT NULL,
      initial_increment integer NOT NULL,
      billing_increment integer NOT NULL,
      charged_sec integer NOT NULL,
      cost numeric(20,6) NOT NULL CHECK (cost >= 0),
      ledger_entry_id uuid,
      payable_entry_id uuid
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX cdr_lines_cdr_key ON cdr_lines (cdr_id, kind, account_id)`.execute(db);
  // Why a line is missing (a reseller without a rate group or rate, an unknown egress trunk ...).
  await sql`ALTER TABLE cdrs ADD COLUMN rating_flags text[] NOT NULL DEFAULT '{}'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE cdrs DROP COLUMN IF EXISTS rating_flags`.execute(db);
  await sql`DROP TABLE IF EXISTS cdr_lines`.execute(db);
  await sql`DROP TABLE IF EXISTS payable_entries`.execute(db);
}

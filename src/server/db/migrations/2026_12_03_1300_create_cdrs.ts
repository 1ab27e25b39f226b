import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here.
// CDRs (DOMAIN 5): one row per (call, leg), rated once, with the rate it was rated at.
//
// A plain table for now, not partitioned by month: on a partitioned table every unique index must
// contain the partition key, so (call_id, leg) could only be unique per month (a replay carrying
// another started_at would slip through and bill twice). Partitioning needs a separate key table
// (call_id, leg) -> started_at first; that is a later step of issue #13.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE cdrs (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      call_id text NOT NULL CHECK (char_length(call_id) BETWEEN 1 AND 128),
      leg text NOT NULL CHECK (char_length(leg) BETWEEN 1 AND 16),
      account_id bigint REFERENCES accounts(id),
      status text NOT NULL CHECK (status IN ('rated','denied','unrated')),
      reason text CHECK (char_length(reason) <= 60),
      no_reservation boolean NOT NULL DEFAULT false,
      source_ip text NOT NULL CHECK (char_length(source_ip) <= 45),
      sip_username text CHECK (char_length(sip_username) <= 64),
      calling_number text NOT NULL CHECK (char_length(calling_number) <= 64),
      called_number text NOT NULL CHECK (char_length(called_number) <= 64),
      started_at timestamptz NOT NULL,
      answered_at timestamptz,
      ended_at timestamptz NOT NULL,
      duration_sec numeric(12,3) NOT NULL CHECK (duration_sec >= 0),
      billsec numeric(12,3) NOT NULL CHECK (billsec >= 0),
      disposition text NOT NULL CHECK (char_length(disposition) <= 32),
      sip_code integer NOT NULL CHECK (sip_code BETWEEN 100 AND 699),
      hangup_cause text NOT NULL CHECK (char_length(hangup_cause) <= 64),
      egress_trunk text CHECK (char_length(egress_trunk) <= 128),
      rate_id bigint,
      rate_group_id bigint,
      rate_prefix text,
      rate_per_min numeric(20,6),
      connect_fee numeric(20,6),
      included_seconds integer,
      initial_increment integer,
      billing_increment integer,
      charged_sec integer NOT NULL DEFAULT 0,
      cost numeric(20,6) NOT NULL DEFAULT 0 CHECK (cost >= 0),
      ledger_entry_id uuid,
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX cdrs_call_leg_key ON cdrs (call_id, leg)`.execute(db);
  // The customer's CDRs tab: one account, a date range, newest first, keyset on (started_at, id).
  await sql`CREATE INDEX cdrs_account_started_idx ON cdrs (account_id, started_at DESC, id DESC)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE IF EXISTS cdrs`.execute(db);
}

import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here.
// Issue 13: CDRs (and their reseller/provider lines) in tables partitioned by calendar month (UTC)
// of started_at, so raw CDRs past the retention are dropped a whole month at a time, and the
// customer's tab reads one small index per month.
//
// Idempotency: on a partitioned table every unique index must contain the partition key, so
// (call_id, leg) can no longer be unique in `cdrs` itself (a replay with another started_at would
// land in another month). The key moves to `cdr_keys (call_id, leg) -> cdr_id, started_at`, a plain
// table claimed with INSERT ... ON CONFLICT DO NOTHING in the statement that inserts the CDR.
//
// The existing rows are kept: the old tables are renamed, the partitioned parents created with a
// month partition for every month that has rows (plus the current month and three ahead) and a
// DEFAULT partition (a CDR with an odd date is never refused for want of a partition; the
// maintenance job moves such rows into their month's partition), the rows copied, the old tables
// dropped. Ids continue from the old maximum (a sequence, as identity columns on partitioned
// tables need PostgreSQL 17). cdr_lines loses its foreign key to cdrs (a partition referenced by
// a foreign key cannot be dropped): lines are written in the CDR's transaction, joined through
// cdr_keys, and dropped with their CDR's month.

const MONTHS_AHEAD = 3;

const CDR_COLUMNS = `id, call_id, leg, account_id, status, reason, no_reservation, source_ip, sip_username,
  calling_number, called_number, started_at, answered_at, ended_at, duration_sec, billsec, disposition,
  sip_code, hangup_cause, egress_trunk, rate_id, rate_group_id, rate_prefix, rate_per_min, connect_fee,
  included_seconds, initial_increment, billing_increment, charged_sec, cost, ledger_entry_id,
  rating_flags, created_at`;

const LINE_COLUMNS = `id, cdr_id, kind, account_id, rate_id, rate_group_id, rate_prefix, rate_per_min,
  connect_fee, included_seconds, initial_increment, billing_increment, charged_sec, cost,
  ledger_entry_id, payable_entry_id`;

/** 'YYYY-MM-01' of the month `offset` months after the month of `ym` ('YYYY-MM-01'). */
function addMonths(ym: string, offset: number): string {
  const y = Number(ym.slice(0, 4));
  const m = Number(ym.slice(5, 7)) - 1 + offset;
  const d = new Date(Date.UTC(y, m, 1));
  return d.toISOString().slice(0, 10);
}

const suffix = (ym: string) => `p${ym.slice(0, 4)}_${ym.slice(5, 7)}`;

export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE cdr_lines DROP CONSTRAINT IF EXISTS cdr_lines_cdr_id_fkey`.execute(db);
  await sql`ALTER TABLE cdrs RENAME TO cdrs_unpartitioned`.execute(db);
  await sql`ALTER TABLE cdr_lines RENAME TO cdr_lines_unpartitioned`.execute(db);

  await sql`CREATE SEQUENCE cdr_ids`.execute(db);
  await sql`SELECT setval('cdr_ids', coalesce(max(id), 0) + 1, false) FROM cdrs_unpartitioned`.execute(db);
  await sql`CREATE SEQUENCE cdr_line_ids`.execute(db);
  await sql`SELECT setval('cdr_line_ids', coalesce(max(id), 0) + 1, false) FROM cdr_lines_unpartitioned`.execute(
    db,
  );

  await sql`
    CREATE TABLE cdrs (
      id bigint NOT NULL DEFAULT nextval('cdr_ids'),
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
      rating_flags text[] NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL DEFAULT now()
    ) PARTITION BY RANGE (started_at)`.execute(db);
  await sql`ALTER SEQUENCE cdr_ids OWNED BY cdrs.id`.execute(db);
  await sql`
    CREATE TABLE cdr_lines (
      id bigint NOT NULL DEFAULT nextval('cdr_line_ids'),
      cdr_id bigint NOT NULL,
      started_at timestamptz NOT NULL,
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
    ) PARTITION BY RANGE (started_at)`.execute(db);
  await sql`ALTER SEQUENCE cdr_line_ids OWNED BY cdr_lines.id`.execute(db);
  await sql`CREATE TABLE cdrs_default PARTITION OF cdrs DEFAULT`.execute(db);
  await sql`CREATE TABLE cdr_lines_default PARTITION OF cdr_lines DEFAULT`.execute(db);

  // One partition per month that has rows, and the current month with three ahead.
  const now = await sql<{
    m: string;
  }>`SELECT to_char(date_trunc('month', now() AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS m`.execute(db);
  const months = new Set<string>();
  for (let i = 0; i <= MONTHS_AHEAD; i++) months.add(addMonths(now.rows[0]!.m, i));
  const used = await sql<{ m: string }>`
    SELECT DISTINCT to_char(date_trunc('month', started_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS m
      FROM cdrs_unpartitioned`.execute(db);
  for (const r of used.rows) months.add(r.m);
  for (const m of [...months].sort()) {
    const from = `${m} 00:00:00+00`;
    const to = `${addMonths(m, 1)} 00:00:00+00`;
    for (const parent of ['cdrs', 'cdr_lines']) {
      await sql`CREATE TABLE ${sql.id(`${parent}_${suffix(m)}`)} PARTITION OF ${sql.id(parent)}
        FOR VALUES FROM (${sql.lit(from)}) TO (${sql.lit(to)})`.execute(db);
    }
  }

  await sql`INSERT INTO cdrs (${sql.raw(CDR_COLUMNS)}) SELECT ${sql.raw(CDR_COLUMNS)} FROM cdrs_unpartitioned`.execute(
    db,
  );
  await sql`
    INSERT INTO cdr_lines (started_at, ${sql.raw(LINE_COLUMNS)})
    SELECT c.started_at, ${sql.raw(LINE_COLUMNS.replace(/(^|,\s*)(\w+)/g, '$1l.$2'))}
      FROM cdr_lines_unpartitioned l JOIN cdrs_unpartitioned c ON c.id = l.cdr_id`.execute(db);

  await sql`
    CREATE TABLE cdr_keys (
      call_id text NOT NULL,
      leg text NOT NULL,
      cdr_id bigint NOT NULL,
      started_at timestamptz NOT NULL,
      PRIMARY KEY (call_id, leg)
    )`.execute(db);
  await sql`INSERT INTO cdr_keys (call_id, leg, cdr_id, started_at)
    SELECT call_id, leg, id, started_at FROM cdrs_unpartitioned`.execute(db);

  await sql`DROP TABLE cdr_lines_unpartitioned`.execute(db);
  await sql`DROP TABLE cdrs_unpartitioned`.execute(db);

  await sql`ALTER TABLE cdrs ADD PRIMARY KEY (id, started_at)`.execute(db);
  // The customer's CDRs tab: one account, newest first, keyset on (started_at, id).
  await sql`CREATE INDEX cdrs_account_started_idx ON cdrs (account_id, started_at DESC, id DESC)`.execute(db);
  // The CDR search and the dashboard's day figures.
  await sql`CREATE INDEX cdrs_started_idx ON cdrs (started_at DESC, id DESC)`.execute(db);
  await sql`ALTER TABLE cdr_lines ADD PRIMARY KEY (id, started_at)`.execute(db);
  await sql`CREATE UNIQUE INDEX cdr_lines_cdr_key ON cdr_lines (cdr_id, kind, account_id, started_at)`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE cdrs RENAME TO cdrs_partitioned`.execute(db);
  await sql`ALTER TABLE cdr_lines RENAME TO cdr_lines_partitioned`.execute(db);
  await sql`CREATE TABLE cdrs (LIKE cdrs_partitioned INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`.execute(db);
  await sql`INSERT INTO cdrs SELECT * FROM cdrs_partitioned`.execute(db);
  await sql`CREATE TABLE cdr_lines (LIKE cdr_lines_partitioned INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`.execute(
    db,
  );
  await sql`INSERT INTO cdr_lines SELECT * FROM cdr_lines_partitioned`.execute(db);
  await sql`ALTER TABLE cdr_lines DROP COLUMN started_at`.execute(db);
  // Back to identity columns, continuing from the ids given.
  for (const [table, seq] of [
    ['cdrs', 'cdr_ids'],
    ['cdr_lines', 'cdr_line_ids'],
  ] as const) {
    await sql`ALTER TABLE ${sql.id(table)} ALTER COLUMN id DROP DEFAULT`.execute(db);
    await sql`ALTER SEQUENCE ${sql.id(seq)} OWNED BY NONE`.execute(db);
    await sql`ALTER TABLE ${sql.id(table)} ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY`.execute(db);
    await sql`SELECT setval(pg_get_serial_sequence(${table}, 'id'), (SELECT last_value FROM ${sql.id(seq)}))`.execute(
      db,
    );
  }
  await sql`DROP TABLE cdr_lines_partitioned`.execute(db);
  await sql`DROP TABLE cdrs_partitioned`.execute(db);
  await sql`DROP TABLE cdr_keys`.execute(db);
  await sql`DROP SEQUENCE cdr_ids`.execute(db);
  await sql`DROP SEQUENCE cdr_line_ids`.execute(db);
  await sql`ALTER TABLE cdrs ADD PRIMARY KEY (id)`.execute(db);
  await sql`CREATE UNIQUE INDEX cdrs_call_leg_key ON cdrs (call_id, leg)`.execute(db);
  await sql`CREATE INDEX cdrs_account_started_idx ON cdrs (account_id, started_at DESC, id DESC)`.execute(db);
  await sql`CREATE INDEX cdrs_started_idx ON cdrs (started_at DESC, id DESC)`.execute(db);
  await sql`ALTER TABLE cdr_lines ADD PRIMARY KEY (id)`.execute(db);
  await sql`ALTER TABLE cdr_lines ADD FOREIGN KEY (cdr_id) REFERENCES cdrs(id)`.execute(db);
  await sql`CREATE UNIQUE INDEX cdr_lines_cdr_key ON cdr_lines (cdr_id, kind, account_id)`.execute(db);
}

import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here.
// Call authorization (DOMAIN 4, 5): per-reason SIP answers, the durable copy of live-call
// reservations, the "missing end" alarms, and the change notifications that keep the in-memory
// decision state current.

/** Tables whose changes the decision reads, and the column naming what to reload. */
const WATCHED: [table: string, kind: string, column: string][] = [
  ['accounts', 'account', 'id'],
  ['trunks', 'account', 'account_id'],
  ['hosts', 'account', 'account_id'],
  ['sip_devices', 'account', 'account_id'],
  ['caller_ids', 'account', 'account_id'],
  ['force_caller_ids', 'account', 'account_id'],
  ['blocked_codes', 'account', 'account_id'],
  ['speed_dials', 'account', 'account_id'],
  ['dids', 'account', 'account_id'],
  ['rate_groups', 'rate_group', 'id'],
  ['rates', 'rate_group', 'rate_group_id'],
  ['localization_profiles', 'localization', 'id'],
  ['call_auth_reasons', 'reasons', 'reason'],
];

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE call_auth_reasons (
      reason text PRIMARY KEY CHECK (reason ~ '^[A-Z_]{3,40}$'),
      sip_code integer NOT NULL CHECK (sip_code BETWEEN 400 AND 699),
      sip_reason text NOT NULL CHECK (char_length(sip_reason) BETWEEN 1 AND 100),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);

  // One row per live call (or answered call whose CDR is not rated yet); deleted when released.
  // Written in batches after the decision, read back only at start-up.
  await sql`
    CREATE TABLE call_reservations (
      call_id text PRIMARY KEY,
      account_id bigint NOT NULL,
      expires_at timestamptz NOT NULL,
      ended_at timestamptz,
      call jsonb NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX call_reservations_account_idx ON call_reservations (account_id)`.execute(db);

  await sql`
    CREATE TABLE call_auth_alarms (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      kind text NOT NULL CHECK (kind IN ('MISSING_END','MISSING_CDR')),
      call_id text NOT NULL,
      account_id bigint NOT NULL,
      trunk_id bigint,
      host_id bigint,
      called_number text NOT NULL,
      started_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      grant_sec integer NOT NULL,
      amount_held numeric(20,6) NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX call_auth_alarms_created_idx ON call_auth_alarms (created_at DESC, id DESC)`.execute(
    db,
  );
  await sql`CREATE UNIQUE INDEX call_auth_alarms_call_kind_key ON call_auth_alarms (call_id, kind)`.execute(
    db,
  );

  // Statement-level (one notification per statement, not per row, so a million-row deck upload
  // or import sends one), with the changed keys read from the transition tables. NOTIFY is
  // transactional: listeners hear of a change only once it is committed. Above 200 keys the
  // payload says '*' (reload that kind whole) to stay under NOTIFY's 8000-byte limit.
  await sql`
    CREATE FUNCTION call_auth_notify() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      keys text[];
      q text;
    BEGIN
      IF TG_OP = 'INSERT' THEN
        q := format('SELECT array_agg(DISTINCT k) FROM (SELECT %I::text AS k FROM new_rows) s WHERE k IS NOT NULL', TG_ARGV[1]);
      ELSIF TG_OP = 'DELETE' THEN
        q := format('SELECT array_agg(DISTINCT k) FROM (SELECT %I::text AS k FROM old_rows) s WHERE k IS NOT NULL', TG_ARGV[1]);
      ELSE
        q := format('SELECT array_agg(DISTINCT k) FROM (SELECT %I::text AS k FROM new_rows UNION ALL SELECT %I::text FROM old_rows) s WHERE k IS NOT NULL', TG_ARGV[1], TG_ARGV[1]);
      END IF;
      EXECUTE q INTO keys;
      IF keys IS NULL THEN
        RETURN NULL;
      END IF;
      IF cardinality(keys) > 200 THEN
        PERFORM pg_notify('call_auth', TG_ARGV[0] || ':*');
      ELSE
        PERFORM pg_notify('call_auth', TG_ARGV[0] || ':' || array_to_string(keys, ','));
      END IF;
      RETURN NULL;
    END $$`.execute(db);

  for (const [table, kind, column] of WATCHED) {
    const args = sql.raw(`'${kind}', '${column}'`);
    const t = sql.table(table);
    await sql`CREATE TRIGGER ${sql.raw(`${table}_call_auth_ins`)} AFTER INSERT ON ${t}
              REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION call_auth_notify(${args})`.execute(
      db,
    );
    await sql`CREATE TRIGGER ${sql.raw(`${table}_call_auth_upd`)} AFTER UPDATE ON ${t}
              REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION call_auth_notify(${args})`.execute(
      db,
    );
    await sql`CREATE TRIGGER ${sql.raw(`${table}_call_auth_del`)} AFTER DELETE ON ${t}
              REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION call_auth_notify(${args})`.execute(
      db,
    );
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const [table] of WATCHED) {
    for (const op of ['ins', 'upd', 'del'])
      await sql`DROP TRIGGER IF EXISTS ${sql.raw(`${table}_call_auth_${op}`)} ON ${sql.table(table)}`.execute(
        db,
      );
  }
  await sql`DROP FUNCTION IF EXISTS call_auth_notify()`.execute(db);
  for (const t of ['call_auth_alarms', 'call_reservations', 'call_auth_reasons'])
    await sql`DROP TABLE IF EXISTS ${sql.table(t)} CASCADE`.execute(db);
}

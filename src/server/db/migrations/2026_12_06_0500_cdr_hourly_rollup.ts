import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here.
//
// Issue 13: the dashboard's traffic and money per day read raw CDRs and their lines over the
// window: on 10,000,000 CDRs a 7-day chart took 13-21 s (a week of traffic scanned, sorted and
// joined to its lines), and a window longer than the raw-CDR retention lost its early days. Two
// hourly summaries, kept by statement triggers in the transaction that stores the CDRs (so they
// are exact and never ahead of or behind the CDRs), answer it from a few rows per hour:
//
// - cdr_hourly_traffic: calls, answered calls and billed seconds per UTC hour, owner (the
//   customer's parent when the call was stored: a reseller, or null for the operator's own
//   customers), rate code and code name.
// - cdr_hourly_money: the amounts per UTC hour, kind, payer, payee and payer's currency, code and
//   code name. 'charge': the customers' charges (payer null: customers summed), payee the
//   customer's parent; 'reseller': a reseller's buy-rate line, payer the reseller, payee its
//   parent; 'provider': the operator's cost, payer null, payee the provider.
//
// `slot` (the backend's pid mod 8) spreads concurrent transactions over different rows, so two
// batches of CDRs never wait on each other's summary rows; readers sum over it. Days in a time
// zone whose offset is a whole number of hours are whole UTC hours; the application reads raw
// CDRs for the other zones. The rows of CDRs stored before this migration are added once here.

const HOUR = (col: string) => `(date_trunc('hour', ${col} AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')`;
const SLOT = `(pg_backend_pid() % 8)::smallint`;

const traffic = (source: string, slot: string) => `
  INSERT INTO cdr_hourly_traffic AS t (hour, owner_id, code, code_name, slot, calls, answered, billsec)
  SELECT ${HOUR('n.started_at')}, a.parent_id, coalesce(n.rate_prefix, ''),
         coalesce(r.destination, o.destination, ''), ${slot},
         count(*)::int, (count(*) FILTER (WHERE n.billsec > 0))::int, coalesce(sum(n.billsec), 0)
    FROM ${source} n
    JOIN accounts a ON a.id = n.account_id
    LEFT JOIN rates r ON r.id = n.rate_id
    LEFT JOIN customer_rate_overrides o ON o.id = n.rate_override_id
   GROUP BY 1, 2, 3, 4
   ORDER BY 1, 2, 3, 4
  ON CONFLICT (hour, owner_id, code, code_name, slot) DO UPDATE
     SET calls = t.calls + excluded.calls, answered = t.answered + excluded.answered,
         billsec = t.billsec + excluded.billsec`;

const charges = (source: string, slot: string) => `
  INSERT INTO cdr_hourly_money AS m (hour, kind, payer_id, payee_id, currency, code, code_name, slot, amount)
  SELECT ${HOUR('n.started_at')}, 'charge', NULL::bigint, a.parent_id, a.currency, coalesce(n.rate_prefix, ''),
         coalesce(r.destination, o.destination, ''), ${slot}, sum(n.cost)
    FROM ${source} n
    JOIN accounts a ON a.id = n.account_id
    LEFT JOIN rates r ON r.id = n.rate_id
    LEFT JOIN customer_rate_overrides o ON o.id = n.rate_override_id
   WHERE n.status = 'rated' AND n.cost > 0
   GROUP BY 1, 4, 5, 6, 7
   ORDER BY 1, 2, 3, 4, 5, 6, 7
  ON CONFLICT (hour, kind, payer_id, payee_id, currency, code, code_name, slot) DO UPDATE
     SET amount = m.amount + excluded.amount`;

const lines = (source: string, slot: string) => `
  INSERT INTO cdr_hourly_money AS m (hour, kind, payer_id, payee_id, currency, code, code_name, slot, amount)
  SELECT ${HOUR('c.started_at')}, l.kind,
         CASE WHEN l.kind = 'reseller' THEN l.account_id END,
         CASE WHEN l.kind = 'reseller' THEN la.parent_id ELSE l.account_id END,
         la.currency, coalesce(c.rate_prefix, ''), coalesce(r.destination, o.destination, ''), ${slot},
         sum(l.cost)
    FROM ${source} l
    JOIN cdrs c ON c.id = l.cdr_id AND c.started_at = l.started_at
    JOIN accounts la ON la.id = l.account_id
    LEFT JOIN rates r ON r.id = c.rate_id
    LEFT JOIN customer_rate_overrides o ON o.id = c.rate_override_id
   WHERE l.cost > 0
   GROUP BY 1, 2, 3, 4, 5, 6, 7
   ORDER BY 1, 2, 3, 4, 5, 6, 7
  ON CONFLICT (hour, kind, payer_id, payee_id, currency, code, code_name, slot) DO UPDATE
     SET amount = m.amount + excluded.amount`;

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE cdr_hourly_traffic (
      hour timestamptz NOT NULL,
      owner_id bigint,
      code text NOT NULL,
      code_name text NOT NULL,
      slot smallint NOT NULL,
      calls integer NOT NULL CHECK (calls >= 0),
      answered integer NOT NULL CHECK (answered >= 0),
      billsec numeric(18,3) NOT NULL CHECK (billsec >= 0),
      CONSTRAINT cdr_hourly_traffic_key UNIQUE NULLS NOT DISTINCT (hour, owner_id, code, code_name, slot)
    )`.execute(db);
  await sql`
    CREATE TABLE cdr_hourly_money (
      hour timestamptz NOT NULL,
      kind text NOT NULL CHECK (kind IN ('charge', 'reseller', 'provider')),
      payer_id bigint,
      payee_id bigint,
      currency char(3) NOT NULL,
      code text NOT NULL,
      code_name text NOT NULL,
      slot smallint NOT NULL,
      amount numeric(20,6) NOT NULL CHECK (amount >= 0),
      CONSTRAINT cdr_hourly_money_key
        UNIQUE NULLS NOT DISTINCT (hour, kind, payer_id, payee_id, currency, code, code_name, slot)
    )`.execute(db);

  await sql
    .raw(
      `CREATE FUNCTION cdr_rollup_cdrs() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         ${traffic('new_cdrs', SLOT)};
         ${charges('new_cdrs', SLOT)};
         RETURN NULL;
       END $$`,
    )
    .execute(db);
  await sql
    .raw(
      `CREATE FUNCTION cdr_rollup_lines() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         ${lines('new_lines', SLOT)};
         RETURN NULL;
       END $$`,
    )
    .execute(db);
  await sql`CREATE TRIGGER cdrs_hourly_rollup AFTER INSERT ON cdrs REFERENCING NEW TABLE AS new_cdrs
            FOR EACH STATEMENT EXECUTE FUNCTION cdr_rollup_cdrs()`.execute(db);
  await sql`CREATE TRIGGER cdr_lines_hourly_rollup AFTER INSERT ON cdr_lines REFERENCING NEW TABLE AS new_lines
            FOR EACH STATEMENT EXECUTE FUNCTION cdr_rollup_lines()`.execute(db);

  // The CDRs stored before: once, in slot 0.
  await sql.raw(traffic('cdrs', '0::smallint')).execute(db);
  await sql.raw(charges('cdrs', '0::smallint')).execute(db);
  await sql.raw(lines('cdr_lines', '0::smallint')).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TRIGGER IF EXISTS cdr_lines_hourly_rollup ON cdr_lines`.execute(db);
  await sql`DROP TRIGGER IF EXISTS cdrs_hourly_rollup ON cdrs`.execute(db);
  await sql`DROP FUNCTION IF EXISTS cdr_rollup_lines()`.execute(db);
  await sql`DROP FUNCTION IF EXISTS cdr_rollup_cdrs()`.execute(db);
  await sql`DROP TABLE IF EXISTS cdr_hourly_money`.execute(db);
  await sql`DROP TABLE IF EXISTS cdr_hourly_traffic`.execute(db);
}

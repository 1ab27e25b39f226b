import { sql } from 'kysely';
import type { Executor } from '../../platform/db/database.js';

/** The CDRs' SQL (issue #13): intake, replay lookup, fresh rate lookup for CDRs without reservation. */

export const CDR_COLUMNS = [
  'id',
  'call_id',
  'leg',
  'account_id',
  'status',
  'reason',
  'no_reservation',
  'charged_sec',
  'cost',
  'ledger_entry_id',
  'started_at',
] as const;

/**
 * Stored CDRs for these keys (replays), in no particular order: through the key table (the CDR's
 * month partition is then found from its started_at).
 */
export async function findCdrsByKeys(db: Executor, keys: readonly { callId: string; leg: string }[]) {
  if (!keys.length) return [];
  const r = await sql<StoredCdr>`
    SELECT ${sql.join(CDR_COLUMNS.map((c) => sql.ref(`c.${c}`)))}
      FROM unnest(${keys.map((k) => k.callId)}::text[], ${keys.map((k) => k.leg)}::text[]) AS k(call_id, leg)
      JOIN cdr_keys ck ON ck.call_id = k.call_id AND ck.leg = k.leg
      JOIN cdrs c ON c.id = ck.cdr_id AND c.started_at = ck.started_at`.execute(db);
  return r.rows;
}

export interface StoredCdr {
  id: number;
  call_id: string;
  leg: string;
  account_id: number | null;
  status: 'rated' | 'denied' | 'unrated';
  reason: string | null;
  no_reservation: boolean;
  charged_sec: number;
  cost: string;
  ledger_entry_id: string | null;
  started_at: Date;
}

/** A new CDR row as the batch insert takes it (times as ISO text, numbers exact as text). */
export interface CdrRow {
  call_id: string;
  leg: string;
  account_id: number | null;
  status: 'rated' | 'denied' | 'unrated';
  reason: string | null;
  no_reservation: boolean;
  source_ip: string;
  sip_username: string | null;
  calling_number: string;
  called_number: string;
  started_at: string;
  answered_at: string | null;
  ended_at: string;
  duration_sec: string;
  billsec: string;
  disposition: string;
  sip_code: number;
  hangup_cause: string;
  egress_trunk: string | null;
  rate_id: number | null;
  /** The customer rate override that priced the call (rate_id is then null). */
  rate_override_id: number | null;
  rate_group_id: number | null;
  rate_prefix: string | null;
  rate_per_min: string | null;
  connect_fee: string | null;
  included_seconds: number | null;
  initial_increment: number | null;
  billing_increment: number | null;
  charged_sec: number;
  cost: string;
  ledger_entry_id: string | null;
  rating_flags: string[];
}

/**
 * Inserts a batch of CDRs in one statement, in the given order (the caller sorts by (call_id, leg):
 * two batches that share keys then wait on each other's keys in the same order and never deadlock).
 * Each CDR first claims its key in cdr_keys (INSERT ... ON CONFLICT (call_id, leg) DO NOTHING, with
 * the CDR's id and started_at), and only the claimed ones are inserted into the partitioned cdrs:
 * a key already stored, or being stored by a concurrent transaction, is skipped once that one ends,
 * whatever month its started_at falls in. The rows returned are exactly the CDRs this transaction owns.
 */
export async function insertCdrs(db: Executor, rows: readonly CdrRow[]): Promise<StoredCdr[]> {
  if (!rows.length) return [];
  const col = <K extends keyof CdrRow>(k: K) => rows.map((r) => r[k]);
  const r = await sql<StoredCdr>`
    WITH v AS (
      SELECT * FROM unnest(
        ${col('call_id')}::text[], ${col('leg')}::text[], ${col('account_id')}::bigint[],
        ${col('status')}::text[], ${col('reason')}::text[], ${col('no_reservation')}::boolean[],
        ${col('source_ip')}::text[], ${col('sip_username')}::text[], ${col('calling_number')}::text[],
        ${col('called_number')}::text[], ${col('started_at')}::timestamptz[],
        ${col('answered_at')}::timestamptz[], ${col('ended_at')}::timestamptz[],
        ${col('duration_sec')}::numeric[], ${col('billsec')}::numeric[], ${col('disposition')}::text[],
        ${col('sip_code')}::int[], ${col('hangup_cause')}::text[], ${col('egress_trunk')}::text[],
        ${col('rate_id')}::bigint[], ${col('rate_override_id')}::bigint[], ${col('rate_group_id')}::bigint[], ${col('rate_prefix')}::text[],
        ${col('rate_per_min')}::numeric[], ${col('connect_fee')}::numeric[],
        ${col('included_seconds')}::int[], ${col('initial_increment')}::int[],
        ${col('billing_increment')}::int[], ${col('charged_sec')}::int[], ${col('cost')}::numeric[],
        ${col('ledger_entry_id')}::uuid[], ${rows.map((r) => r.rating_flags.join(','))}::text[]
      ) WITH ORDINALITY AS v(call_id, leg, account_id, status, reason, no_reservation, source_ip,
        sip_username, calling_number, called_number, started_at, answered_at, ended_at, duration_sec,
        billsec, disposition, sip_code, hangup_cause, egress_trunk, rate_id, rate_override_id, rate_group_id,
        rate_prefix, rate_per_min, connect_fee, included_seconds, initial_increment, billing_increment,
        charged_sec, cost, ledger_entry_id, rating_flags, ord)
    ), claimed AS (
      INSERT INTO cdr_keys (call_id, leg, cdr_id, started_at)
      SELECT call_id, leg, nextval('cdr_ids'), started_at FROM v ORDER BY ord
      ON CONFLICT (call_id, leg) DO NOTHING
      RETURNING call_id, leg, cdr_id
    )
    INSERT INTO cdrs (id, call_id, leg, account_id, status, reason, no_reservation, source_ip, sip_username,
      calling_number, called_number, started_at, answered_at, ended_at, duration_sec, billsec,
      disposition, sip_code, hangup_cause, egress_trunk, rate_id, rate_override_id, rate_group_id, rate_prefix,
      rate_per_min, connect_fee, included_seconds, initial_increment, billing_increment, charged_sec,
      cost, ledger_entry_id, rating_flags)
    SELECT k.cdr_id, v.call_id, v.leg, account_id, status, reason, no_reservation, source_ip, sip_username,
      calling_number, called_number, started_at, answered_at, ended_at, duration_sec, billsec,
      disposition, sip_code, hangup_cause, egress_trunk, rate_id, rate_override_id, rate_group_id, rate_prefix,
      rate_per_min, connect_fee, included_seconds, initial_increment, billing_increment, charged_sec,
      cost, ledger_entry_id, coalesce(string_to_array(nullif(rating_flags, ''), ','), '{}')
      FROM v JOIN claimed k ON k.call_id = v.call_id AND k.leg = v.leg
     ORDER BY v.ord
    RETURNING ${sql.join(CDR_COLUMNS.map((c) => sql.ref(c)))}`.execute(db);
  return r.rows;
}

/**
 * The provider trunks CDRs name as egressTrunk: a trunk id (digits) or a trunk name, matched
 * without case among the live trunks of provider accounts. A name two providers share, or no
 * trunk, is absent from the map (the CDR is flagged, no provider line).
 */
export async function resolveEgressTrunks(
  db: Executor,
  names: readonly string[],
): Promise<Map<string, { trunkId: number; accountId: number }>> {
  const out = new Map<string, { trunkId: number; accountId: number }>();
  if (!names.length) return out;
  const lower = names.map((n) => n.toLowerCase());
  const r = await sql<{ id: number; account_id: number; lname: string }>`
    SELECT t.id, t.account_id, lower(t.name) AS lname
      FROM trunks t JOIN accounts a ON a.id = t.account_id
     WHERE t.deleted_at IS NULL AND 'provider' = ANY(a.roles)
       AND (t.id::text = ANY(${names}::text[]) OR lower(t.name) = ANY(${lower}::text[]))`.execute(db);
  for (const name of names) {
    const byId = /^[0-9]{1,18}$/.test(name) ? r.rows.find((t) => String(t.id) === name) : undefined;
    const byName = r.rows.filter((t) => t.lname === name.toLowerCase());
    const t = byId ?? (byName.length === 1 ? byName[0] : undefined);
    if (t) out.set(name, { trunkId: Number(t.id), accountId: Number(t.account_id) });
  }
  return out;
}

export interface CdrLineRow {
  callId: string;
  leg: string;
  kind: 'reseller' | 'provider';
  accountId: number;
  rateId: number;
  rateGroupId: number;
  ratePrefix: string;
  ratePerMin: string;
  connectFee: string;
  includedSeconds: number;
  initialIncrement: number;
  billingIncrement: number;
  chargedSec: number;
  cost: string;
  ledgerEntryId: string | null;
  payableEntryId: string | null;
}

/**
 * Inserts the lines of CDRs inserted in this transaction (joined to them through their keys, which
 * give the CDR's id and started_at: a line lives in its CDR's month partition).
 */
export async function insertCdrLines(db: Executor, rows: readonly CdrLineRow[]): Promise<void> {
  if (!rows.length) return;
  const col = <K extends keyof CdrLineRow>(k: K) => rows.map((r) => r[k]);
  await sql`
    INSERT INTO cdr_lines (cdr_id, started_at, kind, account_id, rate_id, rate_group_id, rate_prefix, rate_per_min,
      connect_fee, included_seconds, initial_increment, billing_increment, charged_sec, cost,
      ledger_entry_id, payable_entry_id)
    SELECT k.cdr_id, k.started_at, v.kind, v.account_id, v.rate_id, v.rate_group_id, v.rate_prefix, v.rate_per_min,
           v.connect_fee, v.included_seconds, v.initial_increment, v.billing_increment, v.charged_sec,
           v.cost, v.ledger_entry_id, v.payable_entry_id
      FROM unnest(${col('callId')}::text[], ${col('leg')}::text[], ${col('kind')}::text[],
                  ${col('accountId')}::bigint[], ${col('rateId')}::bigint[], ${col('rateGroupId')}::bigint[],
                  ${col('ratePrefix')}::text[], ${col('ratePerMin')}::numeric[], ${col('connectFee')}::numeric[],
                  ${col('includedSeconds')}::int[], ${col('initialIncrement')}::int[],
                  ${col('billingIncrement')}::int[], ${col('chargedSec')}::int[], ${col('cost')}::numeric[],
                  ${col('ledgerEntryId')}::uuid[], ${col('payableEntryId')}::uuid[])
           AS v(call_id, leg, kind, account_id, rate_id, rate_group_id, rate_prefix, rate_per_min,
                connect_fee, included_seconds, initial_increment, billing_increment, charged_sec, cost,
                ledger_entry_id, payable_entry_id)
      JOIN cdr_keys k ON k.call_id = v.call_id AND k.leg = v.leg`.execute(db);
}

/** What the daily usage takes of a CDR this transaction inserted. */
export type UsageCdr = Pick<
  CdrRow,
  | 'account_id'
  | 'started_at'
  | 'rate_id'
  | 'rate_override_id'
  | 'rate_prefix'
  | 'billsec'
  | 'charged_sec'
  | 'cost'
>;

/**
 * Adds CDRs just inserted in this transaction to their customers' daily usage: one grouped
 * upsert, rows in key order (two batches updating the same days lock them in the same order).
 * The CDRs' values are passed in (the rows just written), not read back from the month
 * partitions: a join of the batch to the partitioned cdrs probed every partition per CDR. A CDR
 * without an account is not counted.
 * The day is the customer's local day; the country is that of the rate's code (the longest dial
 * code beginning it, looked up once per distinct code of the batch: it is a function of the
 * code, so grouping by code first keeps the key unique). Call it after the accounts are locked
 * (lock order: CDR keys, accounts, usage rows).
 */
export async function addDailyUsage(db: Executor, cdrs: readonly UsageCdr[]): Promise<void> {
  const rows = cdrs.filter((c) => c.account_id !== null);
  if (!rows.length) return;
  const col = <K extends keyof UsageCdr>(k: K) => rows.map((r) => r[k]);
  await sql`
    WITH g AS (
      SELECT c.account_id, (c.started_at AT TIME ZONE a.timezone)::date AS day,
             coalesce(r.destination, o.destination, '') AS code_name, coalesce(c.rate_prefix, '') AS code,
             count(*)::int AS calls, (count(*) FILTER (WHERE c.billsec > 0))::int AS answered,
             sum(c.billsec) AS billsec, sum(c.charged_sec) AS charged_sec, sum(c.cost) AS cost
        FROM unnest(${col('account_id')}::bigint[], ${col('started_at')}::timestamptz[],
                    ${col('rate_id')}::bigint[], ${col('rate_override_id')}::bigint[], ${col('rate_prefix')}::text[],
                    ${col('billsec')}::numeric[], ${col('charged_sec')}::int[], ${col('cost')}::numeric[])
             AS c(account_id, started_at, rate_id, rate_override_id, rate_prefix, billsec, charged_sec, cost)
        JOIN accounts a ON a.id = c.account_id
        LEFT JOIN rates r ON r.id = c.rate_id
        LEFT JOIN customer_rate_overrides o ON o.id = c.rate_override_id
       GROUP BY 1, 2, 3, 4),
    k AS (SELECT DISTINCT code FROM g WHERE code <> ''),
    kc AS (
      SELECT k.code, (SELECT d.country FROM dial_codes d
                       WHERE d.code IN (left(k.code, 1), left(k.code, 2), left(k.code, 3), left(k.code, 4))
                       ORDER BY length(d.code) DESC LIMIT 1) AS country
        FROM k)
    INSERT INTO cdr_daily_usage AS u (account_id, day, country, code_name, code, calls, answered, billsec, charged_sec, cost)
    SELECT g.account_id, g.day, coalesce(kc.country, ''), g.code_name, g.code, g.calls, g.answered,
           g.billsec, g.charged_sec, g.cost
      FROM g LEFT JOIN kc ON kc.code = g.code
     ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (account_id, day, country, code_name, code) DO UPDATE
       SET calls = u.calls + excluded.calls, answered = u.answered + excluded.answered,
           billsec = u.billsec + excluded.billsec, charged_sec = u.charged_sec + excluded.charged_sec,
           cost = u.cost + excluded.cost`.execute(db);
}

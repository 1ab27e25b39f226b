import { sql, type RawBuilder } from 'kysely';
import type { Actor } from '../../platform/context.js';
import type { Executor } from '../../platform/db/database.js';
import { accountScope } from '../../platform/tenancy/index.js';

/*
 * CDR reads (issue #13): the customer's CDRs tab and the CDR search share one query, newest first,
 * keyset on (started_at, id). The scope is the actor's accounts (a CDR of an unknown caller has no
 * account and only the operator sees it); the customer's tab also names its account.
 */

export interface CdrFilter {
  accountId?: number;
  from?: Date;
  to?: Date;
  destination?: string;
  disposition?: string;
  reason?: string;
  status?: 'rated' | 'denied' | 'unrated';
  answeredOnly?: boolean;
  sourceIp?: string;
  egressTrunk?: string;
}

export interface CdrKey {
  startedAt: string;
  id: number;
}

function where(actor: Actor, f: CdrFilter): RawBuilder<boolean> {
  const parts: RawBuilder<unknown>[] = [
    actor.kind === 'admin' || actor.kind === 'system'
      ? sql`true`
      : sql`(c.account_id IS NOT NULL AND ${accountScope(actor)})`,
  ];
  if (f.accountId !== undefined) parts.push(sql`c.account_id = ${f.accountId}`);
  if (f.from) parts.push(sql`c.started_at >= ${f.from}`);
  if (f.to) parts.push(sql`c.started_at < ${f.to}`);
  // Digits only (the schema says so): no LIKE metacharacter can reach the pattern.
  if (f.destination) parts.push(sql`c.called_number LIKE ${f.destination + '%'}`);
  if (f.disposition) parts.push(sql`c.disposition = ${f.disposition}`);
  if (f.reason) parts.push(sql`c.reason = ${f.reason}`);
  if (f.status) parts.push(sql`c.status = ${f.status}`);
  if (f.answeredOnly) parts.push(sql`c.billsec > 0`);
  if (f.sourceIp) parts.push(sql`c.source_ip = ${f.sourceIp}`);
  if (f.egressTrunk) parts.push(sql`c.egress_trunk = ${f.egressTrunk}`);
  return sql<boolean>`${sql.join(parts, sql` AND `)}`;
}

export interface CdrListRow {
  id: number;
  call_id: string;
  leg: string;
  account_id: number | null;
  account_number: string | null;
  account_name: string | null;
  currency: string | null;
  status: string;
  reason: string | null;
  no_reservation: boolean;
  source_ip: string;
  calling_number: string;
  called_number: string;
  started_at: Date;
  answered_at: Date | null;
  ended_at: Date;
  billsec: string;
  disposition: string;
  sip_code: number;
  hangup_cause: string;
  egress_trunk: string | null;
  rate_prefix: string | null;
  rate_per_min: string | null;
  connect_fee: string | null;
  charged_sec: number;
  cost: string;
}

export interface CdrDetailRow extends CdrListRow {
  duration_sec: string;
  sip_username: string | null;
  rate_id: number | null;
  rate_override_id: number | null;
  rate_group_id: number | null;
  included_seconds: number | null;
  initial_increment: number | null;
  billing_increment: number | null;
  ledger_entry_id: string | null;
  created_at: Date;
  rating_flags: string[];
}

const LIST_COLUMNS = sql`c.id, c.call_id, c.leg, c.account_id, a.account_number, a.name AS account_name,
  a.currency, c.status, c.reason, c.no_reservation, c.source_ip, c.calling_number, c.called_number,
  c.started_at, c.answered_at, c.ended_at, c.billsec::text AS billsec, c.disposition, c.sip_code,
  c.hangup_cause, c.egress_trunk, c.rate_prefix, c.rate_per_min::text AS rate_per_min,
  c.connect_fee::text AS connect_fee, c.charged_sec, c.cost::text AS cost`;

/** One page, newest first; `next` is the key of the last row when more follow. */
export async function searchCdrsPage(
  db: Executor,
  actor: Actor,
  f: CdrFilter,
  page: { limit: number; after: CdrKey | null },
): Promise<{ rows: CdrListRow[]; next: CdrKey | null }> {
  const after = page.after
    ? sql`AND (c.started_at, c.id) < (${page.after.startedAt}::timestamptz, ${page.after.id}::bigint)`
    : sql``;
  const r = await sql<CdrListRow>`
    SELECT ${LIST_COLUMNS}
    FROM cdrs c LEFT JOIN accounts a ON a.id = c.account_id
    WHERE ${where(actor, f)} ${after}
    ORDER BY c.started_at DESC, c.id DESC
    LIMIT ${page.limit + 1}`.execute(db);
  const rows = r.rows.map((row) => ({
    ...row,
    id: Number(row.id),
    account_id: nullableNumber(row.account_id),
  }));
  const more = rows.length > page.limit;
  if (more) rows.pop();
  const last = rows[rows.length - 1];
  return { rows, next: more && last ? { startedAt: last.started_at.toISOString(), id: last.id } : null };
}

export interface CdrTotalsRow {
  currency: string | null;
  calls: number;
  answered: number;
  denied: number;
  billsec: string;
  charged_sec: number;
  cost: string;
}

/** Totals of the filtered CDRs, one line per currency. */
export async function cdrTotals(db: Executor, actor: Actor, f: CdrFilter): Promise<CdrTotalsRow[]> {
  const r = await sql<CdrTotalsRow>`
    SELECT a.currency, count(*)::int AS calls,
      (count(*) FILTER (WHERE c.billsec > 0))::int AS answered,
      (count(*) FILTER (WHERE c.status = 'denied'))::int AS denied,
      coalesce(sum(c.billsec), 0)::numeric(20,3)::text AS billsec,
      coalesce(sum(c.charged_sec), 0)::bigint::text AS charged_sec,
      coalesce(sum(c.cost), 0)::numeric(20,6)::text AS cost
    FROM cdrs c LEFT JOIN accounts a ON a.id = c.account_id
    WHERE ${where(actor, f)}
    GROUP BY a.currency
    ORDER BY a.currency NULLS LAST`.execute(db);
  return r.rows.map((row) => ({ ...row, charged_sec: Number(row.charged_sec) }));
}

/** One CDR in the actor's scope, with its rate snapshot and ledger entry. */
export async function findCdrById(db: Executor, actor: Actor, id: number): Promise<CdrDetailRow | undefined> {
  const r = await sql<CdrDetailRow>`
    SELECT ${LIST_COLUMNS}, c.duration_sec::text AS duration_sec, c.sip_username, c.rate_id,
      c.rate_override_id, c.rate_group_id, c.included_seconds, c.initial_increment, c.billing_increment,
      c.ledger_entry_id::text AS ledger_entry_id, c.created_at, c.rating_flags
    FROM cdrs c LEFT JOIN accounts a ON a.id = c.account_id
    WHERE c.id = ${id} AND ${where(actor, {})}`.execute(db);
  const row = r.rows[0];
  if (!row) return undefined;
  return {
    ...row,
    id: Number(row.id),
    account_id: nullableNumber(row.account_id),
    rate_id: nullableNumber(row.rate_id),
    rate_override_id: nullableNumber(row.rate_override_id),
    rate_group_id: nullableNumber(row.rate_group_id),
  };
}

const nullableNumber = (v: unknown) => (v === null || v === undefined ? null : Number(v));

export interface CdrLineRow {
  kind: 'reseller' | 'provider';
  account_id: number;
  account_number: string;
  account_name: string;
  currency: string;
  rate_prefix: string;
  rate_per_min: string;
  connect_fee: string;
  charged_sec: number;
  cost: string;
  ledger_entry_id: string | null;
  payable_entry_id: string | null;
}

/**
 * The reseller and provider lines of a CDR the actor may see: the operator all of them; a reseller
 * its own buy line and those of the resellers below it, never what those above it or the carrier
 * are paid; a customer none.
 */
export async function findCdrLines(db: Executor, actor: Actor, cdrId: number): Promise<CdrLineRow[]> {
  if (actor.kind !== 'admin' && actor.kind !== 'system' && actor.kind !== 'reseller') return [];
  const visible =
    actor.kind === 'reseller'
      ? sql`l.kind = 'reseller' AND (a.id = ${actor.accountId} OR ${accountScope(actor)})`
      : sql`true`;
  const r = await sql<CdrLineRow>`
    SELECT l.kind, l.account_id, a.account_number, a.name AS account_name, a.currency, l.rate_prefix,
      l.rate_per_min::text AS rate_per_min, l.connect_fee::text AS connect_fee, l.charged_sec,
      l.cost::text AS cost, l.ledger_entry_id::text AS ledger_entry_id,
      l.payable_entry_id::text AS payable_entry_id
    FROM cdr_lines l JOIN accounts a ON a.id = l.account_id
    WHERE l.cdr_id = ${cdrId} AND ${visible}
    ORDER BY l.kind DESC, cardinality(a.ancestor_ids) DESC`.execute(db);
  return r.rows.map((row) => ({ ...row, account_id: Number(row.account_id) }));
}

import { sql, type RawBuilder } from 'kysely';
import type { Executor } from '../../platform/db/database.js';
import type { Actor } from '../../platform/context.js';
import { accountScope, ownedScope } from '../../platform/tenancy/index.js';

/*
 * The dashboard's traffic and money over a window of local days (issue 13), read from the CDRs and
 * their lines, so days are the viewer's (any zone) and figures exact.
 *
 * Whose money: the viewer V is the operator (admin) or a reseller. V's revenue on a call is what
 * the account V bills directly paid for it: the customer's charge (the CDR's cost) when the
 * customer is V's own, else the buy-rate line of the reseller just below V in the chain. V's cost
 * is what V pays for the call: the provider's cost line for the operator, V's own buy-rate line for
 * a reseller. Each amount is in the currency of the account that pays it; figures are grouped by
 * currency and never summed across currencies (margin = revenue - cost within one currency).
 */

/** The viewer's account id (null: the operator), for "the accounts V bills directly". */
function viewerOf(actor: Actor): number | null {
  return actor.kind === 'reseller' ? actor.accountId : null;
}

export interface Window {
  /** First and last local day, `YYYY-MM-DD`. */
  firstDay: string;
  lastDay: string;
  timezone: string;
}

/**
 * CDRs of customers in the actor's scope started in the window, with their local day as `day`.
 * Uses cdrs_started_idx for the time range.
 */
function cdrsInWindow(actor: Actor, w: Window): RawBuilder<unknown> {
  return sql`
    SELECT c.id, c.account_id, c.status, c.billsec, c.cost, c.rate_id, c.rate_override_id, c.rate_prefix,
           to_char(c.started_at AT TIME ZONE ${w.timezone}, 'YYYY-MM-DD') AS day,
           a.currency, a.parent_id
      FROM cdrs c
      JOIN accounts a ON a.id = c.account_id
     WHERE ${accountScope(actor)}
       AND c.started_at >= (${w.firstDay}::date)::timestamp AT TIME ZONE ${w.timezone}
       AND c.started_at < (${w.lastDay}::date + 1)::timestamp AT TIME ZONE ${w.timezone}`;
}

/**
 * The money of the CDRs `w` (a CTE) as rows (day, rate id, code, currency, revenue, cost): see the
 * header. Each row carries its CDR's day and rate, so no caller joins back to `w` (a join of two
 * scans of one CTE is estimated badly). Zero amounts are dropped.
 */
function moneyOf(actor: Actor): RawBuilder<unknown> {
  const v = viewerOf(actor);
  const own =
    v === null
      ? sql`SELECT w.day, w.rate_id, w.rate_override_id, w.rate_prefix, pa.currency, 0::numeric AS revenue, l.cost
              FROM w JOIN cdr_lines l ON l.cdr_id = w.id AND l.kind = 'provider'
              JOIN accounts pa ON pa.id = l.account_id
             WHERE l.cost > 0`
      : sql`SELECT w.day, w.rate_id, w.rate_override_id, w.rate_prefix, va.currency, 0::numeric AS revenue, l.cost
              FROM w JOIN cdr_lines l ON l.cdr_id = w.id AND l.kind = 'reseller' AND l.account_id = ${v}
              JOIN accounts va ON va.id = l.account_id
             WHERE l.cost > 0`;
  return sql`
    SELECT w.day, w.rate_id, w.rate_override_id, w.rate_prefix, w.currency, w.cost AS revenue, 0::numeric AS cost
      FROM w
     WHERE w.parent_id IS NOT DISTINCT FROM ${v}::bigint AND w.status = 'rated' AND w.cost > 0
    UNION ALL
    SELECT w.day, w.rate_id, w.rate_override_id, w.rate_prefix, ra.currency, l.cost AS revenue, 0::numeric AS cost
      FROM w JOIN cdr_lines l ON l.cdr_id = w.id AND l.kind = 'reseller'
      JOIN accounts ra ON ra.id = l.account_id
     WHERE ra.parent_id IS NOT DISTINCT FROM ${v}::bigint AND l.cost > 0
    UNION ALL
    ${own}`;
}

/** Calls, answered calls and minutes per local day of the window (days without calls absent). */
export async function trafficPerDay(db: Executor, actor: Actor, w: Window) {
  const r = await sql<{ day: string; calls: number; answered: number; minutes: string }>`
    WITH w AS (${cdrsInWindow(actor, w)})
    SELECT day, count(*)::int AS calls, (count(*) FILTER (WHERE billsec > 0))::int AS answered,
           round(coalesce(sum(billsec), 0) / 60, 2)::text AS minutes
      FROM w GROUP BY day ORDER BY day`.execute(db);
  return r.rows.map((x) => ({ ...x, calls: Number(x.calls), answered: Number(x.answered) }));
}

/** Revenue and cost per local day and currency (see the header for whose money). */
export async function moneyPerDay(db: Executor, actor: Actor, w: Window) {
  const r = await sql<{ day: string; currency: string; revenue: string; cost: string }>`
    WITH w AS (${cdrsInWindow(actor, w)}), m AS (${moneyOf(actor)})
    SELECT m.day, m.currency, sum(m.revenue)::numeric(20,6)::text AS revenue,
           sum(m.cost)::numeric(20,6)::text AS cost
      FROM m
     GROUP BY 1, 2 ORDER BY 1, 2`.execute(db);
  return r.rows;
}

/**
 * The destinations of the window's rated CDRs (the customer's rate: code, code name, and the
 * code's country from dial_codes), busiest first (minutes, then calls), at most `limit`, with
 * their revenue and cost per currency.
 */
export async function topDestinations(db: Executor, actor: Actor, w: Window, limit: number) {
  const named = sql`coalesce(r.destination, o.destination, '')`;
  return rankDestinations(
    db,
    sql`
      WITH w AS (${cdrsInWindow(actor, w)})
      SELECT w.rate_prefix AS code, ${named} AS code_name, count(*)::int AS calls,
             (count(*) FILTER (WHERE w.billsec > 0))::int AS answered, sum(w.billsec) AS billsec
        FROM w LEFT JOIN rates r ON r.id = w.rate_id
        LEFT JOIN customer_rate_overrides o ON o.id = w.rate_override_id
       WHERE w.rate_prefix IS NOT NULL
       GROUP BY 1, 2`,
    sql`
      WITH w AS (${cdrsInWindow(actor, w)}), m AS (${moneyOf(actor)})
      SELECT m.rate_prefix AS code, ${named} AS code_name, m.currency, m.revenue, m.cost
        FROM m LEFT JOIN rates r ON r.id = m.rate_id
        LEFT JOIN customer_rate_overrides o ON o.id = m.rate_override_id`,
    limit,
  );
}

/**
 * The busiest `limit` of `destinations` (rows: code, code name, calls, answered, billsec) by
 * minutes then calls, each with the code's country (its longest dial code) and the sums per
 * currency of its `money` rows (code, code name, currency, revenue, cost).
 */
async function rankDestinations(
  db: Executor,
  destinations: RawBuilder<unknown>,
  money: RawBuilder<unknown>,
  limit: number,
) {
  const top = await sql<{
    code: string;
    code_name: string;
    country: string;
    calls: number;
    answered: number;
    minutes: string;
  }>`
    WITH d AS (${destinations})
    SELECT d.code, d.code_name, coalesce(dc.country, '') AS country, d.calls, d.answered,
           round(d.billsec / 60, 2)::text AS minutes
      FROM d
      LEFT JOIN LATERAL (
            SELECT x.country FROM dial_codes x
             WHERE x.code IN (left(d.code, 1), left(d.code, 2), left(d.code, 3), left(d.code, 4))
             ORDER BY length(x.code) DESC LIMIT 1) dc ON true
     ORDER BY d.billsec DESC, d.calls DESC, d.code, d.code_name
     LIMIT ${limit}`.execute(db);
  if (!top.rows.length) return [];
  const sums = await sql<{
    code: string;
    code_name: string;
    currency: string;
    revenue: string;
    cost: string;
  }>`
    WITH m AS (${money})
    SELECT m.code, m.code_name, m.currency, sum(m.revenue)::numeric(20,6)::text AS revenue,
           sum(m.cost)::numeric(20,6)::text AS cost
      FROM m
     WHERE (m.code, m.code_name) IN
           (SELECT * FROM unnest(${top.rows.map((t) => t.code)}::text[], ${top.rows.map((t) => t.code_name)}::text[]))
     GROUP BY 1, 2, 3 ORDER BY 3`.execute(db);
  return top.rows.map((t) => ({
    ...t,
    calls: Number(t.calls),
    answered: Number(t.answered),
    money: sums.rows.filter((m) => m.code === t.code && m.code_name === t.code_name),
  }));
}

/*
 * The same three reads from the hourly summaries (cdr_hourly_traffic, cdr_hourly_money, kept by
 * triggers as CDRs are stored): a few rows per hour instead of every CDR of the window, and still
 * there after the raw CDRs' retention. Exact for a zone whose offset is a whole number of hours
 * (its local days are whole UTC hours); the service uses the raw reads above for the others.
 */

/** Hours of the window, as a predicate on `col`. */
function hoursOf(w: Window, col: string): RawBuilder<boolean> {
  const c = sql.ref(col);
  return sql<boolean>`${c} >= (${w.firstDay}::date)::timestamp AT TIME ZONE ${w.timezone}
    AND ${c} < (${w.lastDay}::date + 1)::timestamp AT TIME ZONE ${w.timezone}`;
}

/**
 * The viewer's money rows of the window's hours (day, code, code name, currency, revenue, cost):
 * revenue is what the accounts it bills directly paid it (customers' charges and resellers'
 * buy-rate lines whose payee is the viewer), cost the provider's lines for the operator and the
 * reseller's own lines for a reseller (see the header).
 */
function hourlyMoneyOf(actor: Actor, w: Window): RawBuilder<unknown> {
  const v = viewerOf(actor);
  const revenue = sql<boolean>`(m.kind <> 'provider' AND m.payee_id IS NOT DISTINCT FROM ${v}::bigint)`;
  const cost =
    v === null
      ? sql<boolean>`(m.kind = 'provider')`
      : sql<boolean>`(m.kind = 'reseller' AND m.payer_id = ${v}::bigint)`;
  return sql`
    SELECT to_char(m.hour AT TIME ZONE ${w.timezone}, 'YYYY-MM-DD') AS day, m.code, m.code_name,
           m.currency, CASE WHEN ${revenue} THEN m.amount ELSE 0 END AS revenue,
           CASE WHEN ${cost} THEN m.amount ELSE 0 END AS cost
      FROM cdr_hourly_money m
     WHERE ${hoursOf(w, 'm.hour')} AND (${revenue} OR ${cost})`;
}

/** trafficPerDay from the hourly summaries. */
export async function trafficPerDayHourly(db: Executor, actor: Actor, w: Window) {
  const r = await sql<{ day: string; calls: number; answered: number; minutes: string }>`
    SELECT to_char(t.hour AT TIME ZONE ${w.timezone}, 'YYYY-MM-DD') AS day, sum(t.calls)::int AS calls,
           sum(t.answered)::int AS answered, round(coalesce(sum(t.billsec), 0) / 60, 2)::text AS minutes
      FROM cdr_hourly_traffic t
     WHERE ${ownedScope(actor, 't.owner_id')} AND ${hoursOf(w, 't.hour')}
     GROUP BY 1 ORDER BY 1`.execute(db);
  return r.rows.map((x) => ({ ...x, calls: Number(x.calls), answered: Number(x.answered) }));
}

/** moneyPerDay from the hourly summaries. */
export async function moneyPerDayHourly(db: Executor, actor: Actor, w: Window) {
  const r = await sql<{ day: string; currency: string; revenue: string; cost: string }>`
    WITH m AS (${hourlyMoneyOf(actor, w)})
    SELECT m.day, m.currency, sum(m.revenue)::numeric(20,6)::text AS revenue,
           sum(m.cost)::numeric(20,6)::text AS cost
      FROM m
     GROUP BY 1, 2 ORDER BY 1, 2`.execute(db);
  return r.rows;
}

/** topDestinations from the hourly summaries. */
export async function topDestinationsHourly(db: Executor, actor: Actor, w: Window, limit: number) {
  return rankDestinations(
    db,
    sql`
      SELECT t.code, t.code_name, sum(t.calls)::int AS calls, sum(t.answered)::int AS answered,
             sum(t.billsec) AS billsec
        FROM cdr_hourly_traffic t
       WHERE ${ownedScope(actor, 't.owner_id')} AND ${hoursOf(w, 't.hour')} AND t.code <> ''
       GROUP BY 1, 2`,
    hourlyMoneyOf(actor, w),
    limit,
  );
}

import { sql, type RawBuilder } from 'kysely';
import type { Actor } from '../../platform/context.js';
import type { Executor } from '../../platform/db/database.js';
import { applyListFilter, type ListFilter } from '../accounts/accounts.repository.js';

const isoUtc = (column: string) =>
  sql.raw(`to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);
const listOf = (column: string) => sql.raw(`NULLIF(array_to_string(${column}, ';'), '')`);

/**
 * Each export column as one SQL expression yielding text (or NULL for an empty cell): the database
 * formats numbers, booleans, lists and timestamps, so the Node side only escapes and joins.
 */
const EXPRESSIONS: Record<string, RawBuilder<unknown>> = {
  account_number: sql.raw('a.account_number'),
  name: sql.raw('a.name'),
  roles: listOf('a.roles'),
  status: sql.raw('a.status'),
  mode: sql.raw('a.mode'),
  currency: sql.raw('a.currency::text'),
  company_name: sql.raw('a.company_name'),
  first_name: sql.raw('a.first_name'),
  last_name: sql.raw('a.last_name'),
  main_email: sql.raw('a.main_email'),
  noc_email: listOf('a.noc_emails'),
  billing_email: listOf('a.billing_emails'),
  rates_email: listOf('a.rates_emails'),
  notification_email: listOf('a.notification_emails'),
  phone: sql.raw('a.phone'),
  address1: sql.raw('a.address1'),
  address2: sql.raw('a.address2'),
  city: sql.raw('a.city'),
  province: sql.raw('a.province'),
  zip: sql.raw('a.zip'),
  country: sql.raw('a.country::text'),
  timezone: sql.raw('a.timezone'),
  tax_id: sql.raw('a.tax_id'),
  reference: sql.raw('a.reference'),
  reseller: sql.raw('a.parent_id::text'),
  rate_group: sql.raw('a.rate_group_id::text'),
  non_cli_rate_group: sql.raw('a.non_cli_rate_group_id::text'),
  cli_pool_mode: sql.raw('a.cli_pool_mode::text'),
  localization: sql.raw('a.localization_id::text'),
  call_limit: sql.raw('a.call_limit::text'),
  cps_limit: sql.raw('a.cps_limit::text'),
  credit_limit: sql.raw('a.credit_limit::text'),
  unlimited_credit: sql.raw('a.unlimited_credit::text'),
  min_profit_type: sql.raw('a.min_profit_type'),
  min_profit_value: sql.raw('a.min_profit_value::text'),
  allow_local_calls: sql.raw('a.allow_local_calls::text'),
  local_call_price_per_min: sql.raw('a.local_call_price_per_min::text'),
  billing_schedule: sql.raw('a.billing_schedule'),
  billing_day: sql.raw('a.billing_day::text'),
  generate_zero_invoice: sql.raw('a.generate_zero_invoice::text'),
  invoice_note: sql.raw('a.invoice_note'),
  notifications_enabled: sql.raw('a.notifications_enabled::text'),
  valid_until: isoUtc('a.valid_until'),
  portal_username: sql.raw('NULL::text'),
  balance: sql.raw('a.balance::text'),
  first_used: isoUtc('a.first_used_at'),
  created_at: isoUtc('a.created_at'),
};

export function isExportColumn(name: string): boolean {
  return Object.hasOwn(EXPRESSIONS, name);
}

/**
 * One keyset batch of the filtered, scoped list in id order: rows with id > afterId. Each row is
 * `[id, ...cells]` with the chosen columns as text or null.
 */
export async function exportBatch(
  db: Executor,
  actor: Actor,
  filter: ListFilter,
  columns: string[],
  afterId: number,
  limit: number,
): Promise<{ id: number; cells: (string | null)[] }[]> {
  const base = db.selectFrom('accounts as a').select('a.id');
  const q = applyListFilter(base, actor, filter)
    .select(columns.map((c, i) => EXPRESSIONS[c]!.as(`c${i}`)))
    .where('a.id', '>', afterId)
    .orderBy('a.id')
    .limit(limit);
  const rows = (await q.execute()) as unknown as Record<string, string | number | null>[];
  const out = rows.map((r) => ({
    id: Number(r.id),
    cells: columns.map((_, i) => r[`c${i}`] as string | null),
  }));
  // Reseller numbers and portal logins come from one lookup per batch, not a subquery per row:
  // constant cost per row whatever the planner's statistics say.
  const resellerAt = columns.indexOf('reseller');
  if (resellerAt >= 0) {
    const parents = [...new Set(out.map((r) => r.cells[resellerAt]).filter((v): v is string => v !== null))];
    const numbers = new Map(
      parents.length
        ? (
            await sql<{ id: string; n: string }>`
              SELECT id::text AS id, account_number AS n FROM accounts WHERE id = ANY(${parents}::bigint[])`.execute(
              db,
            )
          ).rows.map((p) => [p.id, p.n])
        : [],
    );
    for (const r of out) {
      const p = r.cells[resellerAt];
      if (p !== null && p !== undefined) r.cells[resellerAt] = numbers.get(p) ?? null;
    }
  }
  const loginAt = columns.indexOf('portal_username');
  if (loginAt >= 0 && out.length) {
    const logins = await sql<{ account_id: number; login: string; deleted: boolean }>`
      SELECT account_id, login, deleted_at IS NOT NULL AS deleted FROM users
      WHERE account_id = ANY(${out.map((r) => r.id)}::bigint[]) ORDER BY account_id, id`.execute(db);
    const first = new Map<number, string>();
    for (const u of logins.rows)
      if (!u.deleted && !first.has(Number(u.account_id))) first.set(Number(u.account_id), u.login);
    for (const r of out) r.cells[loginAt] = first.get(r.id) ?? null;
  }
  return out;
}

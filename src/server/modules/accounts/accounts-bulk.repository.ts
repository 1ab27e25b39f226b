import { sql } from 'kysely';
import type { Executor } from '../../platform/db/database.js';

// The bulk paths' SQL (import, mass create): one array per column through unnest, and the
// uniqueness lookups over many candidate values at once.

/** A JS string array as a PostgreSQL array literal, for text[] columns passed through unnest. */
function pgArrayLiteral(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',')}}`;
}

// Column name, unnest element type, and the cast from that element to the column.
const COLUMNS: [string, string, string][] = [
  ['account_number', 'text', ''],
  ['is_reseller', 'bool', ''],
  ['roles', 'text', '::text[]'],
  ['parent_id', 'int8', ''],
  ['ancestor_ids', 'text', '::bigint[]'],
  ['name', 'text', ''],
  ['status', 'text', ''],
  ['pin', 'text', ''],
  ['valid_until', 'timestamptz', ''],
  ['company_name', 'text', ''],
  ['first_name', 'text', ''],
  ['last_name', 'text', ''],
  ['main_email', 'text', ''],
  ['noc_emails', 'text', '::text[]'],
  ['billing_emails', 'text', '::text[]'],
  ['rates_emails', 'text', '::text[]'],
  ['notification_emails', 'text', '::text[]'],
  ['phone', 'text', ''],
  ['address1', 'text', ''],
  ['address2', 'text', ''],
  ['city', 'text', ''],
  ['province', 'text', ''],
  ['zip', 'text', ''],
  ['country', 'text', ''],
  ['timezone', 'text', ''],
  ['tax_id', 'text', ''],
  ['reference', 'text', ''],
  ['call_limit', 'int4', ''],
  ['cps_limit', 'numeric', ''],
  ['localization_id', 'int8', ''],
  ['allow_local_calls', 'bool', ''],
  ['local_call_price_per_min', 'numeric', ''],
  ['min_profit_type', 'text', ''],
  ['min_profit_value', 'numeric', ''],
  ['notifications_enabled', 'bool', ''],
  ['online_payment', 'bool', ''],
  ['portal_permissions', 'text', '::text[]'],
  ['mode', 'text', ''],
  ['currency', 'text', ''],
  ['credit_limit', 'numeric', ''],
  ['unlimited_credit', 'bool', ''],
  ['rate_group_id', 'int8', ''],
  ['non_cli_rate_group_id', 'int8', ''],
  ['cli_pool_mode', 'int2', ''],
  ['billing_schedule', 'text', ''],
  ['billing_day', 'int2', ''],
  ['generate_zero_invoice', 'bool', ''],
  ['invoice_note', 'text', ''],
  ['import_id', 'int8', ''],
  ['import_row', 'int4', ''],
];

/**
 * Inserts many account rows in one statement (unnest of one array per column). A row hitting a
 * unique index is left out: the answer holds the rows inserted, by account number.
 */
export async function insertAccountRows(
  db: Executor,
  values: Record<string, unknown>[],
): Promise<{ id: number; account_number: string }[]> {
  const arrays: unknown[][] = COLUMNS.map(() => new Array(values.length));
  values.forEach((v, i) => {
    COLUMNS.forEach(([name, , cast], c) => {
      const value = v[name];
      arrays[c]![i] =
        cast && Array.isArray(value) ? pgArrayLiteral((value as unknown[]).map(String)) : (value ?? null);
    });
  });
  // Columns NULL in every row are left to their default (NULL): less to send and to unpack.
  const used = COLUMNS.map((_, c) => c).filter((c) => arrays[c]!.some((v) => v !== null));
  const names = sql.raw(used.map((c) => COLUMNS[c]![0]).join(', '));
  const selects = sql.raw(used.map((c) => `t.${COLUMNS[c]![0]}${COLUMNS[c]![2]}`).join(', '));
  const unnests = sql.join(used.map((c) => sql`${arrays[c]}::${sql.raw(COLUMNS[c]![1])}[]`));
  const inserted = await sql<{ id: number; account_number: string }>`
    INSERT INTO accounts (${names})
    SELECT ${selects} FROM unnest(${unnests}) AS t(${names})
    ON CONFLICT DO NOTHING
    RETURNING id, account_number`.execute(db);
  return inserted.rows;
}

/** The portal users of freshly inserted accounts, one statement; the account ids that got one. */
export async function insertPortalUsers(
  db: Executor,
  role: 'customer' | 'reseller',
  users: {
    login: string;
    email: string | null;
    displayName: string;
    accountId: number;
    passwordHash: string | null;
  }[],
): Promise<Set<number>> {
  const r = await sql<{ account_id: number }>`
    INSERT INTO users (login, email, display_name, role, account_id, password_hash)
    SELECT t.login, t.email, t.display_name, ${role}::text, t.account_id, t.password_hash
    FROM unnest(
      ${users.map((u) => u.login)}::text[],
      ${users.map((u) => u.email)}::text[],
      ${users.map((u) => u.displayName)}::text[],
      ${users.map((u) => u.accountId)}::bigint[],
      ${users.map((u) => u.passwordHash)}::text[]
    ) AS t(login, email, display_name, account_id, password_hash)
    ON CONFLICT DO NOTHING
    RETURNING account_id`.execute(db);
  return new Set(r.rows.map((u) => Number(u.account_id)));
}

/** Removes account rows inserted in the caller's transaction that could not be completed. */
export async function deleteAccountRows(db: Executor, ids: number[]): Promise<void> {
  await sql`DELETE FROM accounts WHERE id = ANY(${ids}::bigint[])`.execute(db);
}

// Uniqueness lookups for the bulk paths: which of many candidate values are already taken.

/** Of these (owner, lower(name)) pairs, those a live account already uses. */
export async function takenNames(
  db: Executor,
  pairs: { ownerId: number; name: string }[],
): Promise<Set<string>> {
  if (pairs.length === 0) return new Set();
  const r = await sql<{ o: number; n: string }>`
    SELECT coalesce(a.parent_id, 0) AS o, lower(a.name) AS n FROM accounts a
    WHERE a.deleted_at IS NULL AND (coalesce(a.parent_id, 0), lower(a.name)) IN
      (SELECT * FROM unnest(${pairs.map((p) => p.ownerId)}::bigint[], ${pairs.map((p) => p.name.toLowerCase())}::text[]))`.execute(
    db,
  );
  return new Set(r.rows.map((x) => `${Number(x.o)}:${x.n}`));
}

export async function takenLogins(db: Executor, logins: string[]): Promise<Set<string>> {
  if (logins.length === 0) return new Set();
  const r = await sql<{ l: string }>`
    SELECT lower(login) AS l FROM users WHERE deleted_at IS NULL
    AND lower(login) = ANY(${logins.map((l) => l.toLowerCase())}::text[])`.execute(db);
  return new Set(r.rows.map((x) => x.l));
}

export async function takenPins(db: Executor, pins: string[]): Promise<Set<string>> {
  if (pins.length === 0) return new Set();
  const r = await sql<{ pin: string }>`
    SELECT pin FROM accounts WHERE deleted_at IS NULL AND pin = ANY(${pins}::text[])`.execute(db);
  return new Set(r.rows.map((x) => x.pin));
}

/** Account numbers among these that any account (deleted included) already has. */
export async function takenNumbers(db: Executor, numbers: string[]): Promise<Set<string>> {
  if (numbers.length === 0) return new Set();
  const r = await sql<{ account_number: string }>`
    SELECT account_number FROM accounts WHERE account_number = ANY(${numbers}::text[])`.execute(db);
  return new Set(r.rows.map((x) => x.account_number));
}

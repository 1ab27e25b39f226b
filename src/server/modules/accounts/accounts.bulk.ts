import { sql } from 'kysely';
import type { Ctx } from '../../platform/context.js';
import type { Executor } from '../../platform/db/database.js';
import { recordAuditMany } from '../audit/index.js';
import { newAccountValues, type AccountOwner } from './accounts.service.js';
import type { CreateAccountInput } from './accounts.schemas.js';

/** One account for the bulk path: already validated by the caller against the create form. */
export interface NewBulkAccount {
  /** The caller's key for this row (an import row number, a mass-create sequence). */
  key: number;
  input: CreateAccountInput & { accountNumber: string };
  roles: string[];
  owner: AccountOwner | null;
  passwordHash: string | null;
  importId?: number | null;
  importRow?: number | null;
  /** What the audit entry says about where the account came from. */
  source: Record<string, unknown>;
}

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
 * Inserts many accounts with their portal users and audit entries in a few statements (unnest of
 * one array per column), inside the caller's transaction. The caller has validated every row and
 * checked uniqueness; a row that still hits a unique index (a concurrent writer) is left out and
 * reported in `conflicted`, never half-created: an account whose user cannot be inserted is
 * removed again in the same transaction.
 */
export async function insertAccountsBulk(
  ctx: Ctx,
  kind: 'customer' | 'reseller',
  rows: NewBulkAccount[],
): Promise<{ created: Map<number, { id: number; accountNumber: string }>; conflicted: number[] }> {
  const created = new Map<number, { id: number; accountNumber: string }>();
  if (rows.length === 0) return { created, conflicted: [] };
  const arrays: unknown[][] = COLUMNS.map(() => new Array(rows.length));
  rows.forEach((r, i) => {
    const v = newAccountValues(kind, r.input, r.roles, r.owner) as Record<string, unknown>;
    v.account_number = r.input.accountNumber;
    v.import_id = r.importId ?? null;
    v.import_row = r.importRow ?? null;
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
    RETURNING id, account_number`.execute(ctx.db);
  const idByNumber = new Map(inserted.rows.map((r) => [r.account_number, Number(r.id)]));

  const withAccount = rows.filter((r) => idByNumber.has(r.input.accountNumber));
  const users = await sql<{ account_id: number }>`
    INSERT INTO users (login, email, display_name, role, account_id, password_hash)
    SELECT t.login, t.email, t.display_name, ${kind}::text, t.account_id, t.password_hash
    FROM unnest(
      ${withAccount.map((r) => r.input.portalUsername ?? r.input.accountNumber)}::text[],
      ${withAccount.map((r) => r.input.mainEmail ?? null)}::text[],
      ${withAccount.map((r) => r.input.name.trim())}::text[],
      ${withAccount.map((r) => idByNumber.get(r.input.accountNumber)!)}::bigint[],
      ${withAccount.map((r) => r.passwordHash)}::text[]
    ) AS t(login, email, display_name, account_id, password_hash)
    ON CONFLICT DO NOTHING
    RETURNING account_id`.execute(ctx.db);
  const withUser = new Set(users.rows.map((u) => Number(u.account_id)));
  const orphans = withAccount
    .map((r) => idByNumber.get(r.input.accountNumber)!)
    .filter((id) => !withUser.has(id));
  if (orphans.length) await sql`DELETE FROM accounts WHERE id = ANY(${orphans}::bigint[])`.execute(ctx.db);

  const conflicted: number[] = [];
  const audits = [];
  for (const r of rows) {
    const id = idByNumber.get(r.input.accountNumber);
    if (id === undefined || !withUser.has(id)) {
      conflicted.push(r.key);
      continue;
    }
    created.set(r.key, { id, accountNumber: r.input.accountNumber });
    // A compact entry: what the account was created from. Its values are the account's own at
    // creation; writing them all again per row would double the cost of a million-row import.
    audits.push({
      action: `${kind}.create`,
      entityType: 'account',
      entityId: id,
      accountId: id,
      after: { accountNumber: r.input.accountNumber, name: r.input.name.trim(), ...r.source },
    });
  }
  await recordAuditMany(ctx, audits);
  return { created, conflicted };
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

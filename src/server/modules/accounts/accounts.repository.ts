import { sql, type ExpressionBuilder, type Insertable, type SelectQueryBuilder } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { Executor } from '../../platform/db/database.js';
import type { Actor } from '../../platform/context.js';
import { accountScope, subtreeRangeOf, type SubtreeRange } from '../../platform/tenancy/index.js';
import { belowLowBalanceThreshold } from './low-balance-filter.js';
import type { AccountKind, SortField } from './accounts.schemas.js';

/** Columns read for an account; secrets live in `users` and are never selected here. */
const ACCOUNT_COLUMNS = [
  'a.id',
  'a.account_number',
  'a.is_reseller',
  'a.roles',
  'a.parent_id',
  'a.ancestor_ids',
  'a.name',
  'a.status',
  'a.pin',
  'a.valid_until',
  'a.first_used_at',
  'a.company_name',
  'a.first_name',
  'a.last_name',
  'a.main_email',
  'a.noc_emails',
  'a.billing_emails',
  'a.rates_emails',
  'a.notification_emails',
  'a.phone',
  'a.address1',
  'a.address2',
  'a.city',
  'a.province',
  'a.zip',
  'a.country',
  'a.timezone',
  'a.tax_id',
  'a.reference',
  'a.call_limit',
  'a.cps_limit',
  'a.localization_id',
  'a.allow_local_calls',
  'a.local_call_price_per_min',
  'a.min_profit_type',
  'a.min_profit_value',
  'a.notifications_enabled',
  'a.online_payment',
  'a.portal_permissions',
  'a.mode',
  'a.currency',
  'a.credit_limit',
  'a.unlimited_credit',
  'a.balance',
  'a.rate_group_id',
  'a.non_cli_rate_group_id',
  'a.cli_pool_mode',
  'a.billing_schedule',
  'a.billing_day',
  'a.generate_zero_invoice',
  'a.invoice_note',
  'a.template_id',
  'a.template_version',
  'a.created_at',
  'a.updated_at',
  'a.deleted_at',
] as const;

export type AccountQuery = SelectQueryBuilder<DB & { a: DB['accounts'] }, 'a', object>;

function baseSelect(db: Executor) {
  return db
    .selectFrom('accounts as a')
    .select(ACCOUNT_COLUMNS)
    .select((eb) => [
      eb
        .selectFrom('accounts as p')
        .select('p.name')
        .whereRef('p.id', '=', 'a.parent_id')
        .as('reseller_name'),
      // The grid's Rate Group and Localization columns show names, not ids.
      eb
        .selectFrom('rate_groups as rg')
        .select('rg.name')
        .whereRef('rg.id', '=', 'a.rate_group_id')
        .as('rate_group_name'),
      eb
        .selectFrom('rate_groups as nrg')
        .select('nrg.name')
        .whereRef('nrg.id', '=', 'a.non_cli_rate_group_id')
        .as('non_cli_rate_group_name'),
      eb
        .selectFrom('localization_profiles as lp')
        .select('lp.name')
        .whereRef('lp.id', '=', 'a.localization_id')
        .as('localization_name'),
      eb
        .selectFrom('users as u')
        .select('u.login')
        .whereRef('u.account_id', '=', 'a.id')
        .where('u.deleted_at', 'is', null)
        .orderBy('u.id')
        .limit(1)
        .as('portal_username'),
      eb
        .selectFrom('users as u')
        .select(sql<boolean>`u.password_hash IS NOT NULL`.as('x'))
        .whereRef('u.account_id', '=', 'a.id')
        .where('u.deleted_at', 'is', null)
        .orderBy('u.id')
        .limit(1)
        .as('has_password'),
      // The grid's Trunks column: live ingress trunks (the partial index on trunks.account_id).
      eb
        .selectFrom('trunks as t')
        .select(sql<number>`count(*)::int`.as('n'))
        .whereRef('t.account_id', '=', 'a.id')
        .where('t.deleted_at', 'is', null)
        .as('trunk_count'),
    ]);
}

export type AccountRow = Awaited<ReturnType<ReturnType<typeof baseSelect>['executeTakeFirstOrThrow']>>;

/**
 * The tenant scope. Every read of accounts goes through here: an admin sees all, a reseller its
 * subtree (never itself or its siblings), a customer only itself.
 *
 * A reseller's subtree is `ancestor_ids @> {r}` (GIN), or, when the caller has read the
 * reseller's `SubtreeRange` (subtreeRangeOf), the same rows as a btree range: the list uses that,
 * because the planner estimates a range of constants from the column's statistics and
 * accounts_subtree_idx answers it with an index-only scan.
 */
export function scopeAccounts<Q extends AccountQuery>(q: Q, actor: Actor, subtree?: SubtreeRange | null): Q {
  return q.where(accountScope(actor, { subtree })) as Q;
}

export function kindPredicate(kind: AccountKind, role?: 'customer' | 'provider' | 'any') {
  return (eb: ExpressionBuilder<DB & { a: DB['accounts'] }, 'a'>) => {
    if (kind === 'reseller') return eb('a.is_reseller', '=', true);
    const wanted = kind === 'provider' ? 'provider' : (role ?? 'customer');
    if (wanted === 'any') return eb('a.is_reseller', '=', false);
    return eb.and([eb('a.is_reseller', '=', false), sql<boolean>`${wanted} = ANY(a.roles)`]);
  };
}

export async function findAccount(
  db: Executor,
  actor: Actor,
  kind: AccountKind | null,
  id: number,
  opts: { forUpdate?: boolean; includeDeleted?: boolean } = {},
): Promise<AccountRow | undefined> {
  let q = scopeAccounts(baseSelect(db).where('a.id', '=', id), actor);
  if (kind) q = q.where(kindPredicate(kind, kind === 'customer' ? 'any' : undefined));
  if (!opts.includeDeleted) q = q.where('a.deleted_at', 'is', null);
  if (opts.forUpdate) q = q.forUpdate('a');
  return q.executeTakeFirst();
}

/** Live accounts in the actor's scope among `ids`, in id order (missing ones are left out). */
export async function findAccountsByIds(db: Executor, actor: Actor, ids: number[]): Promise<AccountRow[]> {
  if (ids.length === 0) return [];
  return scopeAccounts(baseSelect(db).where('a.id', 'in', ids), actor)
    .where('a.deleted_at', 'is', null)
    .orderBy('a.id')
    .execute();
}

const SORT_COLUMNS: Record<SortField, { expr: string; nullable: boolean; type: 'text' | 'num' | 'time' }> = {
  accountNumber: { expr: 'a.account_number', nullable: false, type: 'text' },
  name: { expr: 'lower(a.name)', nullable: false, type: 'text' },
  companyName: { expr: 'lower(a.company_name)', nullable: true, type: 'text' },
  firstName: { expr: 'a.first_name', nullable: true, type: 'text' },
  lastName: { expr: 'a.last_name', nullable: true, type: 'text' },
  mode: { expr: 'a.mode', nullable: false, type: 'text' },
  balance: { expr: 'a.balance', nullable: false, type: 'num' },
  creditLimit: { expr: 'a.credit_limit', nullable: false, type: 'num' },
  callLimit: { expr: 'a.call_limit', nullable: true, type: 'num' },
  cpsLimit: { expr: 'a.cps_limit', nullable: true, type: 'num' },
  firstUsedAt: { expr: 'a.first_used_at', nullable: true, type: 'time' },
  validUntil: { expr: 'a.valid_until', nullable: true, type: 'time' },
  createdAt: { expr: 'a.created_at', nullable: false, type: 'time' },
  status: { expr: 'a.status', nullable: false, type: 'text' },
  rateGroupId: { expr: 'a.rate_group_id', nullable: true, type: 'num' },
  localizationId: { expr: 'a.localization_id', nullable: true, type: 'num' },
  resellerId: { expr: 'a.parent_id', nullable: true, type: 'num' },
};

/** The type of a sort column's values, which a cursor's key must match. */
export function sortKeyType(sort: SortField): 'text' | 'num' | 'time' {
  return SORT_COLUMNS[sort].type;
}

export interface ListFilter {
  kind: AccountKind;
  role?: 'customer' | 'provider' | 'any';
  q?: string;
  status?: 'active' | 'inactive';
  mode?: 'prepaid' | 'postpaid';
  resellerId?: number | 'none';
  company?: string;
  name?: string;
  accountNumber?: string;
  rateGroupId?: number;
  createdFrom?: string;
  createdTo?: string;
  lowBalance?: boolean;
}

export interface Cursor {
  /** The sort key of the last row, as text (null for a null key). */
  v: string | null;
  id: number;
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => '\\' + c);
}

/**
 * How the grid states a reseller's scope. The btree range unless a text condition is present:
 * then the trigram bitmap is combined with the scope's bitmap, and the GIN index (compact
 * posting lists) builds that one far faster than a range of the wide covering btree.
 */
async function gridSubtree(db: Executor, actor: Actor, f: ListFilter): Promise<SubtreeRange | null> {
  if (f.q || f.company || f.name) return null;
  return subtreeRangeOf(db, actor);
}

/**
 * The list filter of GET /customers (scope, live rows, kind and every query filter), applied to any
 * select over `accounts as a`: the grid, its count and the CSV export share it.
 */
export function applyListFilter<Q extends AccountQuery>(
  q: Q,
  actor: Actor,
  f: ListFilter,
  subtree: SubtreeRange | null = null,
): Q {
  let r = scopeAccounts(q, actor, subtree)
    .where('a.deleted_at', 'is', null)
    .where(kindPredicate(f.kind, f.role));
  if (f.q) r = r.where(sql<boolean>`a.search_text LIKE ${'%' + escapeLike(f.q.toLowerCase()) + '%'}`);
  if (f.status) r = r.where('a.status', '=', f.status);
  if (f.mode) r = r.where('a.mode', '=', f.mode);
  if (f.resellerId === 'none') r = r.where('a.parent_id', 'is', null);
  else if (f.resellerId) r = r.where('a.parent_id', '=', f.resellerId);
  // search_text holds lower(name) and lower(company_name) verbatim, so it contains whatever they
  // contain: the search_text LIKE lets the trigram index find the candidates, and strpos() (the
  // same exact substring test as an escaped LIKE) keeps only the real matches. strpos rather than
  // a second LIKE so the planner's row estimate comes from search_text alone, not from the
  // product of two correlated conditions.
  if (f.company) {
    const needle = f.company.toLowerCase();
    r = r
      .where(sql<boolean>`a.search_text LIKE ${'%' + escapeLike(needle) + '%'}`)
      .where(sql<boolean>`strpos(lower(a.company_name), ${needle}) > 0`);
  }
  if (f.name) {
    const needle = f.name.toLowerCase();
    r = r
      .where(sql<boolean>`a.search_text LIKE ${'%' + escapeLike(needle) + '%'}`)
      .where(sql<boolean>`strpos(lower(a.name), ${needle}) > 0`);
  }
  if (f.accountNumber) r = r.where('a.account_number', 'like', escapeLike(f.accountNumber) + '%');
  if (f.rateGroupId) r = r.where('a.rate_group_id', '=', f.rateGroupId);
  if (f.createdFrom) r = r.where('a.created_at', '>=', new Date(f.createdFrom));
  if (f.createdTo) r = r.where('a.created_at', '<', new Date(f.createdTo));
  if (f.lowBalance) r = r.where(belowLowBalanceThreshold('a'));
  return r as Q;
}

/** Live accounts in the actor's scope matching the filter; the caller chooses the columns. */
function filtered(db: Executor, actor: Actor, f: ListFilter, subtree: SubtreeRange | null) {
  return applyListFilter(db.selectFrom('accounts as a'), actor, f, subtree);
}

/**
 * One page by keyset (never OFFSET): rows after the cursor in (sortKey, id) order, nulls last.
 *
 * Two steps in one statement: the inner query finds the page's ids and sort keys (where an
 * index holds every column it needs, as accounts_subtree_idx does for a reseller's grid, that is
 * an index-only scan and a top-N sort), the outer one reads the full rows of those ids only.
 */
export async function listAccountsPage(
  db: Executor,
  actor: Actor,
  f: ListFilter,
  page: { sort: SortField; order: 'asc' | 'desc'; limit: number; cursor: Cursor | null },
): Promise<{ rows: AccountRow[]; next: Cursor | null }> {
  const col = SORT_COLUMNS[page.sort];
  const key = sql.raw(col.expr);
  const cast = sql.raw(col.type === 'num' ? 'numeric' : col.type === 'time' ? 'timestamptz' : 'text');
  const cmp = sql.raw(page.order === 'asc' ? '>' : '<');
  const dir = sql.raw(page.order === 'asc' ? 'ASC' : 'DESC');
  // NULLS LAST only where nulls can occur: on a NOT NULL column it would stop a descending
  // page from walking its btree index backwards (which yields NULLS FIRST order).
  const nulls = sql.raw(col.nullable ? ' NULLS LAST' : '');
  let q = filtered(db, actor, f, await gridSubtree(db, actor, f));
  const c = page.cursor;
  if (c) {
    if (c.v === null) {
      q = q.where(sql<boolean>`(${key} IS NULL AND a.id ${cmp} ${c.id})`);
    } else if (col.nullable) {
      q = q.where(
        sql<boolean>`(${key} ${cmp} ${c.v}::${cast} OR (${key} = ${c.v}::${cast} AND a.id ${cmp} ${c.id}) OR ${key} IS NULL)`,
      );
    } else {
      q = q.where(sql<boolean>`(${key}, a.id) ${cmp} (${c.v}::${cast}, ${c.id}::bigint)`);
    }
  }
  const keys = q
    .select([
      'a.id',
      sql<unknown>`${key}`.as('k'),
      // The cursor carries the key as the database writes it: a Date would cut a timestamp to
      // the millisecond (rows inside that millisecond were skipped, or repeated forever), and JS
      // toLowerCase() is not PostgreSQL's lower().
      sql<string | null>`(${key})::text`.as('sort_key'),
    ])
    .orderBy(sql`${key} ${dir}${nulls}`)
    .orderBy(sql`a.id ${dir}`)
    .limit(page.limit + 1);
  const rows = await baseSelect(db)
    .innerJoin(keys.as('k'), 'k.id', 'a.id')
    .select('k.sort_key')
    .orderBy(sql`k.k ${dir}${nulls}`)
    .orderBy(sql`k.id ${dir}`)
    .execute();
  const hasMore = rows.length > page.limit;
  const pageRows = hasMore ? rows.slice(0, page.limit) : rows;
  const last = pageRows[pageRows.length - 1];
  return { rows: pageRows, next: hasMore && last ? { v: last.sort_key, id: last.id } : null };
}

/** Counts matches up to `cap` + 1 so the total stays cheap on a million rows. */
export async function countAccounts(
  db: Executor,
  actor: Actor,
  f: ListFilter,
  cap: number,
): Promise<{ total: number; capped: boolean }> {
  const inner = filtered(db, actor, f, await gridSubtree(db, actor, f))
    .select(sql`1`.as('one'))
    .limit(cap + 1);
  const r = await db
    .selectFrom(inner.as('m'))
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  const n = Number(r.n);
  return n > cap ? { total: cap, capped: true } : { total: n, capped: false };
}

/** Live account ids of the subtree under a reseller, deepest first (for bottom-up cascades). */
export async function subtreeIdsDeepestFirst(db: Executor, resellerId: number): Promise<number[]> {
  const rows = await db
    .selectFrom('accounts')
    .select(['id'])
    .where(sql<boolean>`ancestor_ids @> ARRAY[${resellerId}]::bigint[]`)
    .where('deleted_at', 'is', null)
    .orderBy(sql`cardinality(ancestor_ids)`, 'desc')
    .orderBy('id')
    .execute();
  return rows.map((r) => r.id);
}

/**
 * Inserts one account unless its number is taken (any account, deleted included): its id, or
 * undefined when the number was taken, so the caller can draw another.
 */
export async function insertAccountIfNumberFree(
  db: Executor,
  values: Insertable<DB['accounts']>,
): Promise<{ id: number } | undefined> {
  return db
    .insertInto('accounts')
    .values(values)
    .onConflict((oc) => oc.column('account_number').doNothing())
    .returning('id')
    .executeTakeFirst();
}

/** Writes an account's own columns (already mapped from the API's fields) and its updated_at. */
export async function updateAccountColumns(
  db: Executor,
  id: number,
  set: Record<string, unknown>,
): Promise<void> {
  await db
    .updateTable('accounts')
    .set({ ...set, updated_at: sql`now()` } as never)
    .where('id', '=', id)
    .execute();
}

/** Locks these accounts' rows (inside the caller's transaction) and reads their balances. */
export async function lockBalancesOf(
  db: Executor,
  ids: number[],
): Promise<{ id: number; balance: string }[]> {
  return db.selectFrom('accounts').select(['id', 'balance']).where('id', 'in', ids).forUpdate().execute();
}

/** Marks accounts deleted and inactive; the rows stay, with their history (DOMAIN 3.8). */
export async function softDeleteAccounts(
  db: Executor,
  ids: number[],
  now: Date,
  deletedBy: number | null,
): Promise<void> {
  await db
    .updateTable('accounts')
    .set({ deleted_at: now, deleted_by: deletedBy, status: 'inactive', updated_at: now })
    .where('id', 'in', ids)
    .execute();
}

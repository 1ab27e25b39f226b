import { sql } from 'kysely';
import type { LedgerEntryType } from '../../db/schema.js';
import type { Actor } from '../../platform/context.js';
import type { Executor } from '../../platform/db/database.js';
import { accountScope } from '../../platform/tenancy/index.js';

/** What a posting needs of its account: read under `FOR UPDATE` inside the posting transaction. */
export interface LedgerAccount {
  id: number;
  account_number: string;
  is_reseller: boolean;
  mode: 'prepaid' | 'postpaid';
  currency: string;
  credit_limit: string;
  unlimited_credit: boolean;
  balance: string;
  portal_permissions: string[];
}

const ACCOUNT_COLUMNS = [
  'a.id',
  'a.account_number',
  'a.is_reseller',
  'a.mode',
  'a.currency',
  'a.credit_limit',
  'a.unlimited_credit',
  'a.balance',
  'a.portal_permissions',
] as const;

/**
 * One account through the tenant scope of the accounts module (a reseller reaches its subtree, a
 * customer itself). `kind` 'customer' matches every non-reseller account, as GET /customers/{id} does.
 * With `forUpdate` the row stays locked until the transaction ends: call it inside one.
 */
export async function findLedgerAccount(
  db: Executor,
  actor: Actor,
  kind: 'customer' | 'provider' | 'reseller' | null,
  id: number,
  opts: { forUpdate?: boolean; includeDeleted?: boolean } = {},
): Promise<LedgerAccount | undefined> {
  let q = db
    .selectFrom('accounts as a')
    .select(ACCOUNT_COLUMNS)
    .where('a.id', '=', id)
    .where(accountScope(actor));
  if (kind) q = q.where('a.is_reseller', '=', kind === 'reseller');
  if (!opts.includeDeleted) q = q.where('a.deleted_at', 'is', null);
  if (opts.forUpdate) q = q.forUpdate('a');
  return q.executeTakeFirst();
}

export const ENTRY_COLUMNS = [
  'e.id',
  'e.seq',
  'e.account_id',
  'e.type',
  'e.amount',
  'e.balance_after',
  'e.currency',
  'e.idempotency_key',
  'e.request_hash',
  'e.reason',
  'e.method',
  'e.external_ref',
  'e.reverses_entry_id',
  'e.allow_negative',
  'e.created_by',
  'e.created_at',
] as const;

export interface EntryRow {
  id: string;
  seq: number;
  account_id: number;
  type: LedgerEntryType;
  amount: string;
  balance_after: string;
  currency: string;
  idempotency_key: string;
  request_hash: string;
  reason: string;
  method: string | null;
  external_ref: string | null;
  reverses_entry_id: string | null;
  allow_negative: boolean;
  created_by: string;
  created_at: Date;
}

export interface ListedEntryRow extends EntryRow {
  reversed_by_entry_id: string | null;
}

export async function findEntryByKey(db: Executor, key: string): Promise<EntryRow | undefined> {
  return db
    .selectFrom('ledger_entries as e')
    .select(ENTRY_COLUMNS)
    .where('e.idempotency_key', '=', key)
    .executeTakeFirst();
}

/** One entry of one account, with the reversal that undid it, if any. */
export async function findEntry(
  db: Executor,
  accountId: number,
  entryId: string,
): Promise<ListedEntryRow | undefined> {
  return db
    .selectFrom('ledger_entries as e')
    .leftJoin('ledger_entries as r', 'r.reverses_entry_id', 'e.id')
    .select(ENTRY_COLUMNS)
    .select('r.id as reversed_by_entry_id')
    .where('e.account_id', '=', accountId)
    .where('e.id', '=', entryId)
    .executeTakeFirst();
}

/** Locks live accounts, in id order (a fixed order, so two batches never deadlock each other). */
export async function lockAccounts(db: Executor, ids: number[]): Promise<LedgerAccount[]> {
  return db
    .selectFrom('accounts as a')
    .select(ACCOUNT_COLUMNS)
    .where('a.id', 'in', ids)
    .where('a.deleted_at', 'is', null)
    .orderBy('a.id')
    .forUpdate()
    .execute();
}

/**
 * Locks accounts in id order, deleted ones included (a late call of a deleted customer is still
 * charged: its balance stays the sum of its entries). Call it inside a transaction.
 * FOR NO KEY UPDATE, not FOR UPDATE: it serializes balance changes all the same (it conflicts with
 * itself and with FOR UPDATE), but not with the KEY SHARE locks that inserting rows referencing
 * the account takes (CDRs, ledger entries), which a concurrent CDR batch holds in another order.
 */
export async function lockAccountsForCharges(db: Executor, ids: number[]): Promise<LedgerAccount[]> {
  if (!ids.length) return [];
  return db
    .selectFrom('accounts as a')
    .select(ACCOUNT_COLUMNS)
    .where('a.id', '=', sql<number>`any(${ids}::bigint[])`)
    .orderBy('a.id')
    .forNoKeyUpdate()
    .execute();
}

export async function findEntriesByKeys(db: Executor, keys: string[]): Promise<EntryRow[]> {
  return db
    .selectFrom('ledger_entries as e')
    .select(ENTRY_COLUMNS)
    .where('e.idempotency_key', 'in', keys)
    .execute();
}

export interface NewEntry {
  /** Chosen by the caller when it must reference the entry in the same transaction (CDR rows). */
  id?: string;
  accountId: number;
  type: LedgerEntryType;
  amount: string;
  balanceAfter: string;
  currency: string;
  idempotencyKey: string;
  requestHash: string;
  reason: string;
  method: string | null;
  externalRef: string | null;
  reversesEntryId: string | null;
  allowNegative: boolean;
  createdBy: string;
  createdByUserId: number | null;
  createdByApiKeyId: number | null;
  requestId: string | null;
  createdAt: Date;
}

/**
 * Appends entries (in the given order, which seq follows) and moves the cached balances, in one
 * statement: `ins` inserts them (ON CONFLICT (idempotency_key) DO NOTHING, so a key taken by a
 * concurrent transaction is skipped, not an error), `upd` sets each account's balance to its last
 * balance_after, `ob` writes a "payment received" outbox row per PAYMENT. (outbox_events belongs to
 * platform/outbox; this is its one writer outside it, to keep the posting one statement.)
 * Call it inside the transaction that holds the accounts' row locks. Returns the inserted rows: fewer
 * than given means a key was taken, and the caller must roll back.
 * `firstUsed` (the CDR intake: each account's first rated call) sets first_used_at where it is
 * still null, in the same UPDATE as the balance, so an account gets one new row version per batch,
 * not two (every accounts update that is not HOT writes to each of its indexes).
 */
export async function appendEntries(
  db: Executor,
  rows: NewEntry[],
  firstUsed: readonly { accountId: number; at: string }[] = [],
): Promise<EntryRow[]> {
  const col = <T>(f: (e: NewEntry) => T) => rows.map(f);
  // The accounts the UPDATE may touch, as an array it can look up by key: the moves CTE alone is
  // estimated so loosely that the planner hashed it against a scan of the whole accounts table.
  const moved = [...new Set([...rows.map((e) => e.accountId), ...firstUsed.map((f) => f.accountId)])];
  const r = await sql<EntryRow>`
    WITH v AS (
      SELECT * FROM unnest(
        ${col((e) => e.id ?? null)}::uuid[], ${col((e) => e.accountId)}::bigint[], ${col((e) => e.type)}::text[],
        ${col((e) => e.amount)}::numeric[], ${col((e) => e.balanceAfter)}::numeric[],
        ${col((e) => e.currency)}::text[], ${col((e) => e.idempotencyKey)}::text[],
        ${col((e) => e.requestHash)}::text[], ${col((e) => e.reason)}::text[],
        ${col((e) => e.method)}::text[], ${col((e) => e.externalRef)}::text[],
        ${col((e) => e.reversesEntryId)}::uuid[], ${col((e) => e.allowNegative)}::boolean[],
        ${col((e) => e.createdBy)}::text[],
        ${col((e) => e.createdByUserId)}::bigint[], ${col((e) => e.createdByApiKeyId)}::bigint[],
        ${col((e) => e.requestId)}::text[], ${col((e) => e.createdAt.toISOString())}::timestamptz[]
      ) WITH ORDINALITY AS v(id, account_id, type, amount, balance_after, currency, idempotency_key,
        request_hash, reason, method, external_ref, reverses_entry_id, allow_negative, created_by,
        created_by_user_id, created_by_api_key_id, request_id, created_at, ord)
    ),
    ins AS (
      INSERT INTO ledger_entries (id, account_id, type, amount, balance_after, currency, idempotency_key,
        request_hash, reason, method, external_ref, reverses_entry_id, allow_negative, created_by,
        created_by_user_id, created_by_api_key_id, request_id, created_at)
      SELECT coalesce(id, gen_random_uuid()), account_id, type, amount, balance_after, currency, idempotency_key, request_hash, reason,
             method, external_ref, reverses_entry_id, allow_negative, created_by, created_by_user_id,
             created_by_api_key_id, request_id, created_at
        FROM v ORDER BY ord
      ON CONFLICT (idempotency_key) DO NOTHING
      RETURNING id, seq, account_id, type, amount, balance_after, currency, idempotency_key,
                request_hash, reason, method, external_ref, reverses_entry_id, allow_negative, created_by,
                created_at
    ),
    last AS (
      SELECT DISTINCT ON (account_id) account_id, balance_after FROM v ORDER BY account_id, ord DESC
    ),
    firsts AS (
      SELECT * FROM unnest(${firstUsed.map((f) => f.accountId)}::bigint[],
                           ${firstUsed.map((f) => f.at)}::timestamptz[]) AS f(account_id, at)
    ),
    moves AS (
      SELECT coalesce(last.account_id, firsts.account_id) AS account_id, last.balance_after, firsts.at
        FROM last FULL JOIN firsts ON firsts.account_id = last.account_id
    ),
    upd AS (
      UPDATE accounts a
         SET balance = coalesce(moves.balance_after, a.balance),
             first_used_at = coalesce(a.first_used_at, moves.at)
        FROM moves
       WHERE a.id = moves.account_id AND a.id = any(${moved}::bigint[])
         AND (moves.balance_after IS NOT NULL OR a.first_used_at IS NULL)
      RETURNING a.id
    ),
    ob AS (
      INSERT INTO outbox_events (topic, dedupe_key, account_id, payload)
      SELECT 'payment.received', ins.id::text, ins.account_id,
             jsonb_build_object(
               'entryId', ins.id, 'accountId', ins.account_id, 'amount', ins.amount::text,
               'currency', ins.currency, 'balanceAfter', ins.balance_after::text, 'method', ins.method,
               'externalRef', ins.external_ref,
               'createdAt', to_char(ins.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
        FROM ins WHERE ins.type = 'PAYMENT'
      ON CONFLICT (topic, dedupe_key) DO NOTHING
      RETURNING id
    )
    SELECT * FROM ins`.execute(db);
  return r.rows;
}

export async function accountHasEntries(db: Executor, accountId: number): Promise<boolean> {
  const row = await db
    .selectFrom('ledger_entries')
    .select('id')
    .where('account_id', '=', accountId)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

export interface EntryCursor {
  t: string;
  s: number;
}

/** Newest first by (created_at, seq), keyset-paged (never OFFSET). */
export async function listEntriesPage(
  db: Executor,
  accountId: number,
  f: { from?: Date; to?: Date; types?: LedgerEntryType[] },
  page: { limit: number; cursor: EntryCursor | null },
): Promise<{ rows: ListedEntryRow[]; next: EntryCursor | null }> {
  let q = db
    .selectFrom('ledger_entries as e')
    .leftJoin('ledger_entries as r', 'r.reverses_entry_id', 'e.id')
    .select(ENTRY_COLUMNS)
    .select('r.id as reversed_by_entry_id')
    .where('e.account_id', '=', accountId);
  if (f.from) q = q.where('e.created_at', '>=', f.from);
  if (f.to) q = q.where('e.created_at', '<', f.to);
  if (f.types?.length) q = q.where('e.type', 'in', f.types);
  const c = page.cursor;
  if (c) q = q.where(sql<boolean>`(e.created_at, e.seq) < (${c.t}::timestamptz, ${c.s}::bigint)`);
  const rows = await q
    .orderBy('e.created_at', 'desc')
    .orderBy('e.seq', 'desc')
    .limit(page.limit + 1)
    .execute();
  const hasMore = rows.length > page.limit;
  const pageRows = hasMore ? rows.slice(0, page.limit) : rows;
  const last = pageRows[pageRows.length - 1];
  return {
    rows: pageRows,
    next: hasMore && last ? { t: last.created_at.toISOString(), s: last.seq } : null,
  };
}

export interface ReconcileRow {
  account_id: number;
  account_number: string;
  cached_balance: string;
  ledger_balance: string;
  difference: string;
  last_balance_after: string | null;
  chain_breaks: number;
  currency_mismatches: number;
}

/**
 * Recomputes every balance from the ledger in one statement (one snapshot): the sum of amounts must
 * equal the cached balance and the newest balance_after, every balance_after must be the running sum
 * in posting order, and every entry must carry its account's currency.
 */
export async function reconcileBalances(
  db: Executor,
  maxRows: number,
): Promise<{ accounts: number; entries: number; rows: ReconcileRow[] }> {
  const r = await sql<{ accounts: number; entries: number; rows: ReconcileRow[] | null }>`
    WITH per_entry AS (
      SELECT e.account_id, e.amount, e.balance_after, e.currency,
             sum(e.amount) OVER (PARTITION BY e.account_id ORDER BY e.seq) AS running,
             row_number() OVER (PARTITION BY e.account_id ORDER BY e.seq DESC) AS newest
        FROM ledger_entries e
    ),
    per_account AS (
      SELECT p.account_id,
             sum(p.amount) AS total,
             max(p.balance_after) FILTER (WHERE p.newest = 1) AS last_balance_after,
             count(*) FILTER (WHERE p.balance_after <> p.running)::int AS chain_breaks,
             count(*) FILTER (WHERE p.currency <> a.currency)::int AS currency_mismatches
        FROM per_entry p JOIN accounts a ON a.id = p.account_id
       GROUP BY p.account_id
    ),
    diffs AS (
      SELECT a.id AS account_id, a.account_number,
             a.balance::text AS cached_balance,
             coalesce(s.total, 0)::numeric(20,6)::text AS ledger_balance,
             (a.balance - coalesce(s.total, 0))::numeric(20,6)::text AS difference,
             s.last_balance_after::text AS last_balance_after,
             coalesce(s.chain_breaks, 0) AS chain_breaks,
             coalesce(s.currency_mismatches, 0) AS currency_mismatches
        FROM accounts a LEFT JOIN per_account s ON s.account_id = a.id
       WHERE a.balance <> coalesce(s.total, 0)
          OR a.balance <> coalesce(s.last_balance_after, 0)
          OR coalesce(s.chain_breaks, 0) > 0
          OR coalesce(s.currency_mismatches, 0) > 0
       ORDER BY a.id
       LIMIT ${maxRows}
    )
    SELECT (SELECT count(*) FROM accounts)::int AS accounts,
           (SELECT count(*) FROM ledger_entries)::int AS entries,
           (SELECT json_agg(d ORDER BY d.account_id) FROM diffs d) AS rows
  `.execute(db);
  const row = r.rows[0];
  return { accounts: row.accounts, entries: row.entries, rows: row.rows ?? [] };
}

export interface NewPayable {
  id: string;
  accountId: number;
  amount: string;
  idempotencyKey: string;
  reason: string;
  externalRef: string | null;
  createdAt: Date;
}

/**
 * Appends payable entries (what we owe providers) in one statement, in the account's currency. No
 * cached balance moves and no row is locked: the payable balance is the sum of the entries.
 * Returns how many were written: fewer than given means a key was already posted.
 */
export async function appendPayables(db: Executor, rows: readonly NewPayable[]): Promise<number> {
  if (!rows.length) return 0;
  const col = <T>(f: (e: NewPayable) => T) => rows.map(f);
  const r = await sql<{ id: string }>`
    INSERT INTO payable_entries (id, account_id, type, amount, currency, idempotency_key, reason, external_ref, created_at)
    SELECT v.id, v.account_id, 'CALL_COST', v.amount, a.currency, v.idempotency_key, v.reason, v.external_ref, v.created_at
      FROM unnest(${col((e) => e.id)}::uuid[], ${col((e) => e.accountId)}::bigint[], ${col((e) => e.amount)}::numeric[],
                  ${col((e) => e.idempotencyKey)}::text[], ${col((e) => e.reason)}::text[],
                  ${col((e) => e.externalRef)}::text[], ${col((e) => e.createdAt.toISOString())}::timestamptz[])
             WITH ORDINALITY AS v(id, account_id, amount, idempotency_key, reason, external_ref, created_at, ord)
      JOIN accounts a ON a.id = v.account_id
     ORDER BY v.ord
    ON CONFLICT (idempotency_key) DO NOTHING
    RETURNING id`.execute(db);
  return r.rows.length;
}

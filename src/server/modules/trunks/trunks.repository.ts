import crypto from 'node:crypto';
import { sql } from 'kysely';
import type { Executor } from '../../platform/db/database.js';
import type { Actor } from '../../platform/context.js';
import { escapeLike } from '../../platform/db/like.js';
import { accountScope } from '../../platform/tenancy/index.js';
import { enqueueOutboxEvent } from '../../platform/outbox/index.js';

/*
 * The only SQL of trunks and hosts. Every read joins the owning account `a` and applies the
 * tenant scope there, so an id outside the actor's subtree reads as absent.
 */

function trunkSelect(db: Executor) {
  return db
    .selectFrom('trunks as t')
    .innerJoin('accounts as a', 'a.id', 't.account_id')
    .select([
      't.id',
      't.account_id',
      't.name',
      't.status',
      't.disabled_reason',
      't.call_limit',
      't.cps_limit',
      't.max_duration_sec',
      't.min_profit_type',
      't.min_profit_value',
      't.tech_prefix',
      't.created_at',
      't.updated_at',
      'a.name as customer_name',
      'a.status as customer_status',
      'a.call_limit as customer_call_limit',
      'a.cps_limit as customer_cps_limit',
      'a.min_profit_type as customer_min_profit_type',
      'a.min_profit_value as customer_min_profit_value',
    ])
    .select((eb) =>
      eb
        .selectFrom('hosts as h')
        .select(sql<number>`count(*)::int`.as('n'))
        .whereRef('h.trunk_id', '=', 't.id')
        .where('h.deleted_at', 'is', null)
        .as('host_count'),
    )
    .where('t.deleted_at', 'is', null)
    .where('a.deleted_at', 'is', null);
}
export type TrunkRow = Awaited<ReturnType<ReturnType<typeof trunkSelect>['executeTakeFirstOrThrow']>>;

export async function findTrunk(db: Executor, actor: Actor, id: number, opts: { forUpdate?: boolean } = {}) {
  let q = trunkSelect(db).where('t.id', '=', id).where(accountScope(actor));
  if (opts.forUpdate) q = q.forUpdate(['t']);
  return q.executeTakeFirst();
}

export async function listTrunksOfAccount(db: Executor, accountId: number): Promise<TrunkRow[]> {
  return trunkSelect(db).where('t.account_id', '=', accountId).orderBy('t.id').execute();
}

export async function listTrunksOfAccounts(db: Executor, accountIds: number[]): Promise<TrunkRow[]> {
  if (accountIds.length === 0) return [];
  return trunkSelect(db).where('t.account_id', 'in', accountIds).orderBy('t.id').execute();
}

export async function listTrunksPage(
  db: Executor,
  actor: Actor,
  f: { customerId?: number; name?: string; status?: 'active' | 'inactive' },
  page: { limit: number; afterId: number | null },
): Promise<TrunkRow[]> {
  let q = trunkSelect(db).where(accountScope(actor));
  if (f.customerId) q = q.where('t.account_id', '=', f.customerId);
  if (f.status) q = q.where('t.status', '=', f.status);
  if (f.name) q = q.where(sql<boolean>`lower(t.name) LIKE ${'%' + escapeLike(f.name.toLowerCase()) + '%'}`);
  if (page.afterId) q = q.where('t.id', '>', page.afterId);
  return q
    .orderBy('t.id')
    .limit(page.limit + 1)
    .execute();
}

export async function insertTrunk(
  db: Executor,
  v: {
    accountId: number;
    name: string;
    status: 'active' | 'inactive';
    callLimit: number | null;
    cpsLimit: string | null;
    maxDurationSec: number | null;
    minProfitType: 'percent' | 'absolute' | null;
    minProfitValue: string | null;
    techPrefix: string;
  },
): Promise<number> {
  const r = await db
    .insertInto('trunks')
    .values({
      account_id: v.accountId,
      name: v.name,
      status: v.status,
      call_limit: v.callLimit,
      cps_limit: v.cpsLimit,
      max_duration_sec: v.maxDurationSec,
      min_profit_type: v.minProfitType,
      min_profit_value: v.minProfitValue,
      tech_prefix: v.techPrefix,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

export type TrunkUpdate = Partial<{
  name: string;
  status: 'active' | 'inactive';
  disabled_reason: string | null;
  call_limit: number | null;
  cps_limit: string | null;
  max_duration_sec: number | null;
  min_profit_type: 'percent' | 'absolute' | null;
  min_profit_value: string | null;
  tech_prefix: string;
}>;

export async function updateTrunk(db: Executor, id: number, set: TrunkUpdate, now: Date): Promise<void> {
  await db
    .updateTable('trunks')
    .set({ ...set, updated_at: now })
    .where('id', '=', id)
    .execute();
}

/** Soft-deletes a trunk and its hosts (which frees their IP/prefix pairs). */
export async function softDeleteTrunk(db: Executor, id: number, now: Date): Promise<void> {
  await db
    .updateTable('hosts')
    .set({ deleted_at: now, updated_at: now })
    .where('trunk_id', '=', id)
    .where('deleted_at', 'is', null)
    .execute();
  await db
    .updateTable('trunks')
    .set({ deleted_at: now, updated_at: now, status: 'inactive' })
    .where('id', '=', id)
    .execute();
}

function hostSelect(db: Executor) {
  return db
    .selectFrom('hosts as h')
    .innerJoin('trunks as t', 't.id', 'h.trunk_id')
    .innerJoin('accounts as a', 'a.id', 'h.account_id')
    .select([
      'h.id',
      'h.trunk_id',
      'h.account_id',
      sql<string>`h.cidr::text`.as('cidr'),
      'h.port',
      'h.tech_prefix',
      'h.status',
      'h.call_limit',
      'h.cps_limit',
      'h.created_at',
      'h.updated_at',
      't.name as trunk_name',
      't.status as trunk_status',
      't.call_limit as trunk_call_limit',
      't.cps_limit as trunk_cps_limit',
      'a.name as customer_name',
      'a.account_number',
      'a.status as customer_status',
      'a.call_limit as customer_call_limit',
      'a.cps_limit as customer_cps_limit',
    ])
    .where('h.deleted_at', 'is', null)
    .where('t.deleted_at', 'is', null)
    .where('a.deleted_at', 'is', null);
}
export type HostRow = Awaited<ReturnType<ReturnType<typeof hostSelect>['executeTakeFirstOrThrow']>>;

export async function findHost(db: Executor, actor: Actor, id: number, opts: { forUpdate?: boolean } = {}) {
  let q = hostSelect(db).where('h.id', '=', id).where(accountScope(actor));
  if (opts.forUpdate) q = q.forUpdate(['h']);
  return q.executeTakeFirst();
}

export async function listHostsOfTrunk(db: Executor, trunkId: number): Promise<HostRow[]> {
  return hostSelect(db).where('h.trunk_id', '=', trunkId).orderBy('h.id').execute();
}

export async function listHostsOfAccount(db: Executor, accountId: number): Promise<HostRow[]> {
  return hostSelect(db).where('h.account_id', '=', accountId).orderBy('h.trunk_id').orderBy('h.id').execute();
}

/** The Host view: filters of DOMAIN 3.9, keyset on id. `ip` overlaps (contains or is contained). */
export async function listHostView(
  db: Executor,
  actor: Actor,
  f: { status?: 'active' | 'inactive'; customerId?: number; customer?: string; trunk?: string; ip?: string },
  page: { limit: number; afterId: number | null },
): Promise<HostRow[]> {
  let q = hostSelect(db).where(accountScope(actor));
  if (f.status) q = q.where('h.status', '=', f.status);
  if (f.customerId) q = q.where('h.account_id', '=', f.customerId);
  if (f.customer)
    q = q.where(sql<boolean>`lower(a.name) LIKE ${'%' + escapeLike(f.customer.toLowerCase()) + '%'}`);
  if (f.trunk) q = q.where(sql<boolean>`lower(t.name) LIKE ${'%' + escapeLike(f.trunk.toLowerCase()) + '%'}`);
  if (f.ip) q = q.where(sql<boolean>`h.cidr && ${f.ip}::cidr`);
  if (page.afterId) q = q.where('h.id', '>', page.afterId);
  return q
    .orderBy('h.id')
    .limit(page.limit + 1)
    .execute();
}

export async function insertHost(
  db: Executor,
  v: {
    trunkId: number;
    accountId: number;
    cidr: string;
    port: number | null;
    techPrefix: string;
    status: 'active' | 'inactive';
    callLimit: number | null;
    cpsLimit: string | null;
  },
): Promise<number> {
  const r = await db
    .insertInto('hosts')
    .values({
      trunk_id: v.trunkId,
      account_id: v.accountId,
      cidr: sql<string>`${v.cidr}::cidr` as unknown as string,
      port: v.port,
      tech_prefix: v.techPrefix,
      status: v.status,
      call_limit: v.callLimit,
      cps_limit: v.cpsLimit,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

export type HostUpdate = Partial<{
  cidr: string;
  port: number | null;
  tech_prefix: string;
  status: 'active' | 'inactive';
  call_limit: number | null;
  cps_limit: string | null;
}>;

export async function updateHost(db: Executor, id: number, set: HostUpdate, now: Date): Promise<void> {
  const { cidr, ...rest } = set;
  await db
    .updateTable('hosts')
    .set({
      ...rest,
      ...(cidr !== undefined ? { cidr: sql<string>`${cidr}::cidr` as unknown as string } : {}),
      updated_at: now,
    })
    .where('id', '=', id)
    .execute();
}

export async function softDeleteHost(db: Executor, id: number, now: Date): Promise<void> {
  await db.updateTable('hosts').set({ deleted_at: now, updated_at: now }).where('id', '=', id).execute();
}

function customerLimitSelect(db: Executor, actor: Actor) {
  return db
    .selectFrom('accounts as a')
    .select([
      'a.id',
      'a.account_number',
      'a.name',
      'a.status',
      'a.mode',
      'a.currency',
      'a.credit_limit',
      'a.unlimited_credit',
      'a.call_limit',
      'a.cps_limit',
    ])
    .select((eb) =>
      eb
        .selectFrom('trunks as t')
        .select(sql<number>`count(*)::int`.as('n'))
        .whereRef('t.account_id', '=', 'a.id')
        .where('t.deleted_at', 'is', null)
        .as('trunk_count'),
    )
    .where('a.deleted_at', 'is', null)
    .where('a.is_reseller', '=', false)
    .where(sql<boolean>`'customer' = ANY(a.roles)`)
    .where(accountScope(actor));
}
export type CustomerLimitDbRow = Awaited<
  ReturnType<ReturnType<typeof customerLimitSelect>['executeTakeFirstOrThrow']>
>;

/** Customer Limit view rows: live customers in scope, keyset on (lower(name), id). */
export async function listCustomerLimits(
  db: Executor,
  actor: Actor,
  f: { status?: 'active' | 'inactive'; name?: string },
  page: { limit: number; after: { k: string; id: number } | null },
): Promise<CustomerLimitDbRow[]> {
  let q = customerLimitSelect(db, actor);
  if (f.status) q = q.where('a.status', '=', f.status);
  if (f.name) q = q.where(sql<boolean>`lower(a.name) LIKE ${'%' + escapeLike(f.name.toLowerCase()) + '%'}`);
  if (page.after)
    q = q.where(sql<boolean>`(lower(a.name), a.id) > (${page.after.k}, ${page.after.id}::bigint)`);
  return q
    .orderBy(sql`lower(a.name)`)
    .orderBy('a.id')
    .limit(page.limit + 1)
    .execute();
}

export async function findCustomerLimit(db: Executor, actor: Actor, id: number) {
  return customerLimitSelect(db, actor).where('a.id', '=', id).executeTakeFirst();
}

/** Hosts of the given accounts whose own limits matter for the customer-level warnings. */
export async function listHostLimitsOfAccounts(db: Executor, accountIds: number[]) {
  if (accountIds.length === 0) return [];
  return db
    .selectFrom('hosts')
    .select(['id', 'account_id', 'call_limit', 'cps_limit', sql<string>`cidr::text`.as('cidr')])
    .where('account_id', 'in', accountIds)
    .where('deleted_at', 'is', null)
    .execute();
}

/** A "trunk update" event for the notification capability (DOMAIN 3.15), in the caller's transaction. */
export async function insertTrunkUpdateEvent(
  db: Executor,
  accountId: number,
  payload: Record<string, unknown>,
): Promise<void> {
  // Every change is its own event; the notifier merges those within 5 minutes (DOMAIN 3.15).
  await enqueueOutboxEvent(db, {
    topic: 'trunk.updated',
    dedupeKey: crypto.randomUUID(),
    accountId,
    payload,
  });
}

/** Per account: how many live hosts and active trunks it has (before the delete cascade runs). */
export async function trunkFootprint(db: Executor, accountIds: number[]) {
  const r = await sql<{ account_id: number; hosts: number; trunks: number }>`
    SELECT a.id AS account_id,
      (SELECT count(*)::int FROM hosts h WHERE h.account_id = a.id AND h.deleted_at IS NULL) AS hosts,
      (SELECT count(*)::int FROM trunks t WHERE t.account_id = a.id AND t.deleted_at IS NULL AND t.status = 'active') AS trunks
    FROM accounts a WHERE a.id = ANY(${accountIds}::bigint[])`.execute(db);
  return r.rows;
}

/** The delete cascade, DOMAIN 3.8 step 6: the accounts' trunks are switched off, tagged so the reason shows. */
export async function deactivateTrunksOf(db: Executor, accountIds: number[], now: Date): Promise<number> {
  const r = await sql`
    UPDATE trunks SET status = 'inactive', disabled_reason = 'ACCOUNT_DELETED', updated_at = ${now}
    WHERE account_id = ANY(${accountIds}::bigint[]) AND deleted_at IS NULL AND status = 'active'`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}

/** Live ingress trunks of an account. */
export async function countLiveTrunks(db: Executor, accountId: number): Promise<number> {
  const r = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM trunks WHERE account_id = ${accountId} AND deleted_at IS NULL`.execute(db);
  return Number(r.rows[0]?.n ?? 0);
}

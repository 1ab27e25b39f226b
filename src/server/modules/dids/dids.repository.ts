import { sql } from 'kysely';
import type { Executor } from '../../platform/db/database.js';
import type { Actor } from '../../platform/context.js';
import { ownedScope } from '../../platform/tenancy/index.js';

function didSelect(db: Executor) {
  return db
    .selectFrom('dids as d')
    .leftJoin('accounts as c', 'c.id', 'd.account_id')
    .select([
      'd.id',
      'd.number',
      'd.owner_id',
      'd.account_id',
      'd.status',
      'd.description',
      'd.monthly_fee',
      'd.assigned_at',
      'd.created_at',
      'd.updated_at',
      'c.name as customer_name',
    ])
    .where('d.deleted_at', 'is', null);
}
export type DidRow = Awaited<ReturnType<ReturnType<typeof didSelect>['executeTakeFirstOrThrow']>>;

export async function findDid(db: Executor, actor: Actor, id: number, forUpdate = false) {
  let q = didSelect(db).where('d.id', '=', id).where(ownedScope(actor, 'd.owner_id'));
  if (forUpdate) q = q.forUpdate(['d']);
  return q.executeTakeFirst();
}

export async function listDidsPage(
  db: Executor,
  actor: Actor,
  f: { number?: string; assigned?: boolean; customerId?: number; status?: 'active' | 'inactive' },
  page: { limit: number; afterId: number | null },
) {
  let q = didSelect(db).where(ownedScope(actor, 'd.owner_id'));
  if (f.number) q = q.where('d.number', 'like', f.number + '%');
  if (f.assigned === true) q = q.where('d.account_id', 'is not', null);
  if (f.assigned === false) q = q.where('d.account_id', 'is', null);
  if (f.customerId) q = q.where('d.account_id', '=', f.customerId);
  if (f.status) q = q.where('d.status', '=', f.status);
  if (page.afterId) q = q.where('d.id', '>', page.afterId);
  return q
    .orderBy('d.id')
    .limit(page.limit + 1)
    .execute();
}

export async function listDidsOfAccount(db: Executor, accountId: number) {
  return didSelect(db).where('d.account_id', '=', accountId).orderBy('d.number').execute();
}

export async function insertDid(
  db: Executor,
  v: {
    number: string;
    ownerId: number | null;
    description: string | null;
    monthlyFee: string;
    status: 'active' | 'inactive';
  },
) {
  const r = await db
    .insertInto('dids')
    .values({
      number: v.number,
      owner_id: v.ownerId,
      description: v.description,
      monthly_fee: v.monthlyFee,
      status: v.status,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

export async function updateDid(
  db: Executor,
  id: number,
  set: Partial<{
    description: string | null;
    monthly_fee: string;
    status: 'active' | 'inactive';
    owner_id: number | null;
    account_id: number | null;
    assigned_at: Date | null;
  }>,
  now: Date,
) {
  await db
    .updateTable('dids')
    .set({ ...set, updated_at: now })
    .where('id', '=', id)
    .execute();
}

export async function softDeleteDid(db: Executor, id: number, now: Date) {
  await db
    .updateTable('dids')
    .set({ deleted_at: now, updated_at: now, account_id: null })
    .where('id', '=', id)
    .execute();
}

/** The delete cascade, DOMAIN 3.8 step 4: the accounts' assigned DIDs go back to their pool. */
export async function releaseDidsOf(db: Executor, accountIds: number[], now: Date): Promise<number> {
  const r = await sql`
    UPDATE dids SET account_id = NULL, assigned_at = NULL, updated_at = ${now}
    WHERE account_id = ANY(${accountIds}::bigint[]) AND deleted_at IS NULL`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}

/**
 * The pool of a deleted reseller moves up to its nearest ancestor that is not being deleted (or
 * the operator), so no DID is stranded in a pool nobody can see.
 */
export async function movePoolsOf(db: Executor, accountIds: number[], now: Date): Promise<number> {
  const r = await sql`
    UPDATE dids d SET updated_at = ${now}, owner_id = (
      SELECT u.x FROM unnest(a.ancestor_ids) WITH ORDINALITY AS u(x, o)
      WHERE u.x <> ALL(${accountIds}::bigint[]) ORDER BY u.o DESC LIMIT 1)
    FROM accounts a
    WHERE a.id = d.owner_id AND d.owner_id = ANY(${accountIds}::bigint[]) AND d.deleted_at IS NULL`.execute(
    db,
  );
  return Number(r.numAffectedRows ?? 0);
}

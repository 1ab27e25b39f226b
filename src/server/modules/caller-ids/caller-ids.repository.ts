import type { Executor } from '../../platform/db/database.js';
import type { Actor } from '../../platform/context.js';
import { accountScope } from '../../platform/tenancy/index.js';

const CALLER_ID_COLUMNS = [
  'c.id',
  'c.account_id',
  'c.number',
  'c.description',
  'c.status',
  'c.created_at',
] as const;

function callerIdSelect(db: Executor) {
  return db
    .selectFrom('caller_ids as c')
    .innerJoin('accounts as a', 'a.id', 'c.account_id')
    .select(CALLER_ID_COLUMNS)
    .where('c.deleted_at', 'is', null)
    .where('a.deleted_at', 'is', null);
}
export type CallerIdRow = Awaited<ReturnType<ReturnType<typeof callerIdSelect>['executeTakeFirstOrThrow']>>;

export async function findCallerId(db: Executor, actor: Actor, id: number, forUpdate = false) {
  let q = callerIdSelect(db).where('c.id', '=', id).where(accountScope(actor));
  if (forUpdate) q = q.forUpdate(['c']);
  return q.executeTakeFirst();
}
export async function listCallerIds(db: Executor, accountId: number) {
  return callerIdSelect(db).where('c.account_id', '=', accountId).orderBy('c.number').execute();
}
export async function insertCallerId(
  db: Executor,
  v: { accountId: number; number: string; description: string | null; status: 'active' | 'inactive' },
) {
  const r = await db
    .insertInto('caller_ids')
    .values({ account_id: v.accountId, number: v.number, description: v.description, status: v.status })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}
export async function updateCallerId(
  db: Executor,
  id: number,
  set: Partial<{ number: string; description: string | null; status: 'active' | 'inactive' }>,
) {
  if (Object.keys(set).length) await db.updateTable('caller_ids').set(set).where('id', '=', id).execute();
}
export async function softDeleteCallerId(db: Executor, id: number, now: Date) {
  await db.updateTable('caller_ids').set({ deleted_at: now }).where('id', '=', id).execute();
}

function forceSelect(db: Executor) {
  return db
    .selectFrom('force_caller_ids as f')
    .innerJoin('accounts as a', 'a.id', 'f.account_id')
    .select(['f.id', 'f.account_id', 'f.name', 'f.number', 'f.status', 'f.created_at'])
    .where('f.deleted_at', 'is', null)
    .where('a.deleted_at', 'is', null);
}
export type ForceRow = Awaited<ReturnType<ReturnType<typeof forceSelect>['executeTakeFirstOrThrow']>>;

export async function findForce(db: Executor, actor: Actor, id: number, forUpdate = false) {
  let q = forceSelect(db).where('f.id', '=', id).where(accountScope(actor));
  if (forUpdate) q = q.forUpdate(['f']);
  return q.executeTakeFirst();
}
export async function listForce(db: Executor, accountId: number) {
  return forceSelect(db).where('f.account_id', '=', accountId).orderBy('f.id').execute();
}
export async function insertForce(
  db: Executor,
  v: { accountId: number; name: string | null; number: string; status: 'active' | 'inactive' },
) {
  const r = await db
    .insertInto('force_caller_ids')
    .values({ account_id: v.accountId, name: v.name, number: v.number, status: v.status })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}
export async function updateForce(
  db: Executor,
  id: number,
  set: Partial<{ name: string | null; number: string; status: 'active' | 'inactive' }>,
) {
  if (Object.keys(set).length)
    await db.updateTable('force_caller_ids').set(set).where('id', '=', id).execute();
}
export async function softDeleteForce(db: Executor, id: number, now: Date) {
  await db.updateTable('force_caller_ids').set({ deleted_at: now }).where('id', '=', id).execute();
}

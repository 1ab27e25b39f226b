import type { Executor } from '../../platform/db/database.js';
import type { Actor } from '../../platform/context.js';
import { accountScope } from '../../platform/tenancy/index.js';

function codeSelect(db: Executor) {
  return db
    .selectFrom('blocked_codes as b')
    .innerJoin('accounts as a', 'a.id', 'b.account_id')
    .select(['b.id', 'b.account_id', 'b.prefix', 'b.label', 'b.created_at'])
    .where('b.deleted_at', 'is', null)
    .where('a.deleted_at', 'is', null);
}
export type BlockedCodeRow = Awaited<ReturnType<ReturnType<typeof codeSelect>['executeTakeFirstOrThrow']>>;

export async function findCode(db: Executor, actor: Actor, id: number, forUpdate = false) {
  let q = codeSelect(db).where('b.id', '=', id).where(accountScope(actor));
  if (forUpdate) q = q.forUpdate(['b']);
  return q.executeTakeFirst();
}
export async function listCodes(db: Executor, accountId: number) {
  return codeSelect(db).where('b.account_id', '=', accountId).orderBy('b.prefix').execute();
}
/** The live prefixes blocked for any of the given accounts (a customer and its resellers). */
export async function listPrefixesOf(db: Executor, accountIds: number[]) {
  if (!accountIds.length) return [];
  return db
    .selectFrom('blocked_codes')
    .select(['account_id', 'prefix'])
    .where('account_id', 'in', accountIds)
    .where('deleted_at', 'is', null)
    .execute();
}
export async function insertCode(
  db: Executor,
  v: { accountId: number; prefix: string; label: string | null },
) {
  const r = await db
    .insertInto('blocked_codes')
    .values({ account_id: v.accountId, prefix: v.prefix, label: v.label })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}
export async function updateCode(
  db: Executor,
  id: number,
  set: Partial<{ prefix: string; label: string | null }>,
) {
  if (Object.keys(set).length) await db.updateTable('blocked_codes').set(set).where('id', '=', id).execute();
}
export async function softDeleteCode(db: Executor, id: number, now: Date) {
  await db.updateTable('blocked_codes').set({ deleted_at: now }).where('id', '=', id).execute();
}

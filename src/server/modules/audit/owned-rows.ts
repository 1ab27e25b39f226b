import type { Actor, Ctx } from '../../platform/context.js';
import type { Executor } from '../../platform/db/database.js';
import { recordAudit, recordUpdate } from './audit.service.js';

/*
 * The create, edit and delete of a row that belongs to one account (caller IDs, force caller IDs,
 * blocked codes): insert it under an account already checked in scope, or find it in the actor's
 * scope and lock it (404 otherwise), write, and audit. Each runs in the caller's transaction.
 */

export interface OwnedRowKind<R extends { account_id: number }, D extends object> {
  /** The audit's entity type and action prefix: `caller_id` -> `caller_id.update`. */
  entity: string;
  find: (db: Executor, actor: Actor, id: number, forUpdate?: boolean) => Promise<R | undefined>;
  toDto: (row: R) => D;
  notFound: () => Error;
}

/** Inserts the row for an account the caller has checked, audits what it is. */
export async function createOwnedRow<R extends { account_id: number }, D extends object>(
  tx: Ctx,
  kind: OwnedRowKind<R, D>,
  accountId: number,
  insert: (db: Executor) => Promise<number>,
): Promise<D> {
  const id = await insert(tx.db);
  const dto = kind.toDto((await kind.find(tx.db, tx.actor, id))!);
  await recordAudit(tx, {
    action: `${kind.entity}.create`,
    entityType: kind.entity,
    entityId: id,
    accountId,
    after: dto as Record<string, unknown>,
  });
  return dto;
}

/** Locks the row, writes the patch, audits what changed (nothing when nothing did). */
export async function updateOwnedRow<R extends { account_id: number }, D extends object>(
  tx: Ctx,
  kind: OwnedRowKind<R, D>,
  id: number,
  write: (db: Executor) => Promise<void>,
): Promise<D> {
  const row = await kind.find(tx.db, tx.actor, id, true);
  if (!row) throw kind.notFound();
  await write(tx.db);
  const after = kind.toDto((await kind.find(tx.db, tx.actor, id))!);
  await recordUpdate(tx, {
    action: `${kind.entity}.update`,
    entityType: kind.entity,
    entityId: id,
    accountId: row.account_id,
    before: kind.toDto(row),
    after,
  });
  return after;
}

/** Locks the row, soft-deletes it, audits what it was. */
export async function deleteOwnedRow<R extends { account_id: number }, D extends object>(
  tx: Ctx,
  kind: OwnedRowKind<R, D>,
  id: number,
  softDelete: (db: Executor, now: Date) => Promise<void>,
): Promise<void> {
  const row = await kind.find(tx.db, tx.actor, id, true);
  if (!row) throw kind.notFound();
  await softDelete(tx.db, tx.now());
  await recordAudit(tx, {
    action: `${kind.entity}.delete`,
    entityType: kind.entity,
    entityId: id,
    accountId: row.account_id,
    before: kind.toDto(row) as Record<string, unknown>,
  });
}

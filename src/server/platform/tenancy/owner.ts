import { sql } from 'kysely';
import type { Actor, Ctx } from '../context.js';
import { AppError, notFound } from '../errors.js';
import { accountScope } from './scope.js';

/** The reseller an account or a reseller-owned row goes under: its id and its own ancestors. */
export interface OwnerRef {
  id: number;
  ancestor_ids: number[];
}

/** The reseller named as owner does not exist or is not visible to the actor. */
export const resellerNotFound = () =>
  new AppError('RESELLER_NOT_FOUND', 'Reseller not found.', { field: 'resellerId' });

/** The owner new rows get by default: the reseller actor itself, or null (the operator). */
export function ownerOf(actor: Actor): number | null {
  return actor.kind === 'reseller' ? actor.accountId : null;
}

/**
 * The owner of something being created, from the `resellerId` the caller named: none (undefined
 * or null) means the actor's default owner (a reseller itself, the operator for an admin); a
 * named one must be a live reseller that is the actor itself or in its scope, else
 * RESELLER_NOT_FOUND. Answers null for the operator.
 */
export async function resolveOwner(
  ctx: Ctx,
  resellerId: number | null | undefined,
): Promise<OwnerRef | null> {
  const id = resellerId ?? ownerOf(ctx.actor);
  if (id === null) return null;
  const r = await sql<{ id: number; ancestor_ids: number[] }>`
    SELECT a.id, a.ancestor_ids FROM accounts a
    WHERE a.id = ${id} AND a.is_reseller AND a.deleted_at IS NULL
      AND ${accountScope(ctx.actor, { includeSelf: true })}`.execute(ctx.db);
  const row = r.rows[0];
  if (!row) throw resellerNotFound();
  return { id: Number(row.id), ancestor_ids: row.ancestor_ids.map(Number) };
}

/** As resolveOwner, the owner's id alone (null for the operator). */
export async function resolveOwnerId(
  ctx: Ctx,
  resellerId: number | null | undefined,
): Promise<number | null> {
  return (await resolveOwner(ctx, resellerId))?.id ?? null;
}

/** The account does not exist, is deleted, or is outside the actor's scope (never told apart). */
export const accountNotFound = () => notFound('ACCOUNT_NOT_FOUND', 'Account not found.');

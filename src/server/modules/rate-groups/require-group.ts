import type { Ctx } from '../../platform/context.js';
import { rateGroupNotFound } from './rate-groups.errors.js';
import * as repo from './rate-groups.repository.js';

/** The group in the actor's scope (locked when asked, inside a transaction), or RATE_GROUP_NOT_FOUND. */
export async function requireGroup(ctx: Ctx, id: number, forUpdate = false) {
  const g = await repo.findRateGroup(ctx.db, ctx.actor, id, { forUpdate });
  if (!g) throw rateGroupNotFound();
  return g;
}

import type { Ctx } from '../../platform/context.js';
import { inTransaction } from '../../platform/db/transaction.js';
import { conflict, forbidden, isUniqueViolation, notFound, validationError } from '../../platform/errors.js';
import * as repo from './route-plans.repository.js';

/*
 * Route plans (DOMAIN 4 step 8), the minimal egress: an admin lists, per destination prefix, the
 * provider trunks to try in priority order; a customer given a plan gets its routes in every
 * decision, filtered by min profitability. Operator-level only for now (resellers do not route).
 */

export interface RoutePlanInput {
  name: string;
  entries: { prefix: string; priority: number; providerTrunkId: number }[];
}

const planNotFound = () => notFound('ROUTE_PLAN_NOT_FOUND', 'Route plan not found.');

function requireAdmin(ctx: Ctx): void {
  if (ctx.actor.kind !== 'admin') throw forbidden('Only an admin manages route plans.');
}

async function checkEntries(ctx: Ctx, entries: RoutePlanInput['entries']): Promise<void> {
  const ok = await repo.providerTrunkIds(ctx.db, [...new Set(entries.map((e) => e.providerTrunkId))]);
  const seen = new Set<string>();
  entries.forEach((e, i) => {
    if (!ok.has(e.providerTrunkId))
      throw validationError(
        `entries.${i}.providerTrunkId`,
        'Not a live trunk of a provider.',
        'ROUTE_PLAN_TRUNK_INVALID',
      );
    const key = `${e.prefix}/${e.providerTrunkId}`;
    if (seen.has(key))
      throw validationError(
        `entries.${i}.prefix`,
        'This prefix already lists this trunk.',
        'ROUTE_PLAN_DUPLICATE_ENTRY',
      );
    seen.add(key);
  });
}

async function dto(ctx: Ctx, id: number) {
  const p = await repo.findPlan(ctx.db, id);
  if (!p) throw planNotFound();
  const entries = await repo.entriesOf(ctx.db, id);
  return {
    id: p.id,
    name: p.name,
    entries: entries.map((e) => ({
      prefix: e.prefix,
      priority: e.priority,
      providerTrunkId: e.provider_trunk_id,
    })),
  };
}

const nameTaken = () => conflict('ROUTE_PLAN_NAME_TAKEN', 'name', 'A route plan with this name exists.');

/** Creates a plan with its entries. */
export async function createRoutePlan(ctx: Ctx, input: RoutePlanInput) {
  requireAdmin(ctx);
  await checkEntries(ctx, input.entries);
  try {
    return await inTransaction(ctx, async (tx) => {
      const { id } = await repo.insertPlan(tx.db, input.name);
      await repo.replaceEntries(tx.db, id, input.entries);
      return dto(tx, id);
    });
  } catch (err) {
    if (isUniqueViolation(err, 'route_plans_name_key')) throw nameTaken();
    throw err;
  }
}

/** Renames a plan and replaces its entries. */
export async function updateRoutePlan(ctx: Ctx, id: number, input: RoutePlanInput) {
  requireAdmin(ctx);
  await checkEntries(ctx, input.entries);
  try {
    return await inTransaction(ctx, async (tx) => {
      if (!(await repo.findPlan(tx.db, id))) throw planNotFound();
      await repo.renamePlan(tx.db, id, input.name, tx.now());
      await repo.replaceEntries(tx.db, id, input.entries);
      return dto(tx, id);
    });
  } catch (err) {
    if (isUniqueViolation(err, 'route_plans_name_key')) throw nameTaken();
    throw err;
  }
}

export async function getRoutePlan(ctx: Ctx, id: number) {
  requireAdmin(ctx);
  return dto(ctx, id);
}

export async function listRoutePlans(ctx: Ctx) {
  requireAdmin(ctx);
  const { plans, entries } = await repo.loadPlans(ctx.db);
  return plans.map((p) => ({
    id: p.id,
    name: p.name,
    entries: entries
      .filter((e) => e.route_plan_id === p.id)
      .map((e) => ({ prefix: e.prefix, priority: e.priority, providerTrunkId: e.provider_trunk_id })),
  }));
}

/** Deletes a plan; its customers route on their own again. */
export async function deleteRoutePlan(ctx: Ctx, id: number) {
  requireAdmin(ctx);
  await inTransaction(ctx, async (tx) => {
    if (!(await repo.findPlan(tx.db, id))) throw planNotFound();
    await repo.softDeletePlan(tx.db, id, tx.now());
  });
}

/** The plan a customer is given (null: the switch routes its calls on its own). */
export async function routePlanOf(ctx: Ctx, customerId: number) {
  requireAdmin(ctx);
  if (!(await repo.isLiveCustomer(ctx.db, customerId)))
    throw notFound('ACCOUNT_NOT_FOUND', 'Account not found.');
  return { customerId, routePlanId: await repo.planOf(ctx.db, customerId) };
}

/** Gives a customer a plan, or none (null). */
export async function assignRoutePlan(ctx: Ctx, customerId: number, routePlanId: number | null) {
  requireAdmin(ctx);
  if (!(await repo.isLiveCustomer(ctx.db, customerId)))
    throw notFound('ACCOUNT_NOT_FOUND', 'Account not found.');
  if (routePlanId !== null && !(await repo.findPlan(ctx.db, routePlanId)))
    throw validationError('routePlanId', 'Route plan not found.', 'ROUTE_PLAN_NOT_FOUND');
  await repo.assignPlan(ctx.db, customerId, routePlanId);
  return { customerId, routePlanId };
}

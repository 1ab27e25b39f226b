import type { Actor, Ctx } from '../context.js';
import { forbidden } from '../errors.js';
import type { Role } from '../http/types.js';

/*
 * The role guards, written once. Routes declare their roles (`config.roles`); services guard
 * again, because they are also called by jobs and other services.
 */

/** The roles of routes that manage accounts and their connectivity: operator staff and resellers. */
export const MANAGER_ROLES: Role[] = ['admin', 'reseller'];

/** Operator staff, or the system itself (start-up, jobs). */
export function isOperator(actor: Actor): boolean {
  return actor.kind === 'admin' || actor.kind === 'system';
}

/** Operator staff, a reseller or the system: who manages accounts (customers, switches and anonymous may not). */
export function isManager(actor: Actor): boolean {
  return isOperator(actor) || actor.kind === 'reseller';
}

/** Staff of the operator or of a reseller; customers and anonymous callers get 403. */
export function requireManager(ctx: Ctx, message = 'Customers cannot manage this.'): void {
  if (!isManager(ctx.actor)) throw forbidden(message);
}

/** Operator staff only (or the system); resellers, customers and anonymous callers get 403. */
export function requireOperator(ctx: Ctx, message = 'Only an operator admin may do this.'): void {
  if (!isOperator(ctx.actor)) throw forbidden(message);
}

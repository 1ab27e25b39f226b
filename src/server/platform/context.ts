import type { Executor } from './db/database.js';

/**
 * Who acts. Services take it first and scope every query by it; routes never branch on it.
 * - admin: operator staff (a user, or an admin API key)
 * - reseller: a user of a reseller account; sees its whole subtree
 * - customer: a user of a customer/provider account; sees only itself
 * - switch: a softswitch's API key; reaches only the call-authorization routes and sees no account
 * - system: start-up and background jobs; sees everything, so no request ever runs as it
 * - anonymous: a request before sign-in (public routes); sees nothing and may do nothing
 */
export type Actor =
  | { kind: 'admin'; userId: number | null; apiKeyId: number | null; label: string }
  | { kind: 'reseller'; userId: number; accountId: number; label: string; impersonatorUserId: number | null }
  | { kind: 'customer'; userId: number; accountId: number; label: string; impersonatorUserId: number | null }
  | { kind: 'switch'; userId: null; apiKeyId: number; label: string; impersonatorUserId: null }
  | { kind: 'system'; label: string }
  | { kind: 'anonymous'; label: string };

export interface Ctx {
  actor: Actor;
  db: Executor;
  now: () => Date;
  requestId?: string;
}

export function withExecutor(ctx: Ctx, db: Executor): Ctx {
  return { ...ctx, db };
}

export const systemActor: Actor = { kind: 'system', label: 'system' };

/** The actor of a public route (login): every scope predicate is false for it, every guard refuses it. */
export const anonymousActor: Actor = { kind: 'anonymous', label: 'anonymous' };

/** The signed-in user behind the actor (null for the system, anonymous callers and API keys). */
export function userIdOf(actor: Actor): number | null {
  return actor.kind === 'system' || actor.kind === 'anonymous' ? null : actor.userId;
}

/** The API key behind the actor (admins only). */
export function apiKeyIdOf(actor: Actor): number | null {
  return actor.kind === 'admin' ? actor.apiKeyId : null;
}

/** The actor's label as audits and ledger entries show it, naming an impersonator when there is one. */
export function actorLabelOf(actor: Actor): string {
  return (actor.kind === 'reseller' || actor.kind === 'customer') && actor.impersonatorUserId
    ? `${actor.label} (impersonated by user ${actor.impersonatorUserId})`
    : actor.label;
}

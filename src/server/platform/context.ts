import type { Executor } from './db/database.js';

/**
 * Who acts. Services take it first and scope every query by it; routes never branch on it.
 * - admin: operator staff (a user, or an admin API key)
 * - reseller: a user of a reseller account; sees its whole subtree
 * - customer: a user of a customer/provider account; sees only itself
 * - switch: a softswitch's API key; reaches only the call-authorization routes and sees no account
 * - system: start-up and background jobs
 */
export type Actor =
  | { kind: 'admin'; userId: number | null; apiKeyId: number | null; label: string }
  | { kind: 'reseller'; userId: number; accountId: number; label: string; impersonatorUserId: number | null }
  | { kind: 'customer'; userId: number; accountId: number; label: string; impersonatorUserId: number | null }
  | { kind: 'switch'; userId: null; apiKeyId: number; label: string; impersonatorUserId: null }
  | { kind: 'system'; label: string };

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

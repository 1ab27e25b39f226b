import { sql } from 'kysely';
import type { Ctx } from '../context.js';
import { validationError } from '../errors.js';
import { accountNotFound } from './owner.js';
import { accountScope } from './scope.js';

/** What a module that hangs rows off an account needs to know of it. */
export interface ReachedAccount {
  id: number;
  roles: string[];
  main_email: string | null;
  mode: 'prepaid' | 'postpaid';
  credit_limit: string;
  unlimited_credit: boolean;
  notifications_enabled: boolean;
}

/**
 * A live account the actor may reach, or ACCOUNT_NOT_FOUND (never told apart from one out of scope);
 * `customer: true` also requires the customer role (a 400 on `customerId`). The light form of the
 * accounts module's requireAccount, for modules the accounts module itself depends on (so that
 * neither imports the other).
 */
export async function reachAccount(
  ctx: Ctx,
  id: number,
  opts: { customer?: boolean; forUpdate?: boolean } = {},
): Promise<ReachedAccount> {
  const r = await sql<ReachedAccount>`
    SELECT a.id, a.roles, a.main_email, a.mode, a.credit_limit, a.unlimited_credit, a.notifications_enabled
    FROM accounts a
    WHERE a.id = ${id} AND a.deleted_at IS NULL
      ${opts.customer ? sql`AND NOT a.is_reseller` : sql``}
      AND ${accountScope(ctx.actor)}
    ${opts.forUpdate ? sql`FOR UPDATE OF a` : sql``}`.execute(ctx.db);
  const row = r.rows[0];
  if (!row) throw accountNotFound();
  if (opts.customer && !row.roles.includes('customer'))
    throw validationError(
      'customerId',
      'This account does not have the customer role.',
      'ACCOUNT_NOT_CUSTOMER',
    );
  return { ...row, id: Number(row.id) };
}

import type { Ctx } from '../../platform/context.js';
import { validationError } from '../../platform/errors.js';
import { accountNotFound } from '../../platform/tenancy/index.js';
import { findAccount } from './accounts.repository.js';

export type AccountRow = NonNullable<Awaited<ReturnType<typeof findAccount>>>;

/** A live account the actor may reach; `customer: true` also requires a non-reseller customer. */
export async function requireAccount(
  ctx: Ctx,
  id: number,
  opts: { customer?: boolean; forUpdate?: boolean } = {},
): Promise<AccountRow> {
  const row = await findAccount(ctx.db, ctx.actor, opts.customer ? 'customer' : null, id, {
    forUpdate: opts.forUpdate,
  });
  if (!row) throw accountNotFound();
  if (opts.customer && !row.roles.includes('customer'))
    throw validationError(
      'customerId',
      'This account does not have the customer role.',
      'ACCOUNT_NOT_CUSTOMER',
    );
  return row;
}

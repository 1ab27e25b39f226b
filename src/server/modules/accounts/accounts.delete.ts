import { userIdOf, type Ctx } from '../../platform/context.js';
import { inTransaction } from '../../platform/db/transaction.js';
import { AppError, validationError } from '../../platform/errors.js';
import { formatMoney, money } from '../../platform/money.js';
import { recordAudit } from '../audit/index.js';
import { usersRepository as users } from '../auth/index.js';
import { runAccountsDeleted } from '../../platform/account-lifecycle.js';
import { accountNotFound, balanceConfirmationRequired } from './accounts.errors.js';
import {
  findAccount,
  lockBalancesOf,
  softDeleteAccounts,
  subtreeIdsDeepestFirst,
} from './accounts.repository.js';
import { requireAccountManager } from './accounts.rules.js';
import type { AccountKind } from './accounts.schemas.js';
import { changeAccountPassword, setAccountStatus } from './accounts.update.js';

/**
 * The delete cascade (DOMAIN 3.8), shared by single, bulk and reseller delete: soft-deletes the
 * account (and a reseller's whole subtree, deepest first), its users and sessions; keeps the row,
 * its financial history and its audit, and the number is never reused.
 * A non-zero balance (summed over the subtree) must be quoted back in `confirmBalance`.
 */
export async function deleteAccount(
  ctx: Ctx,
  kind: AccountKind,
  id: number,
  opts: { confirmBalance?: string; acceptAnyBalance?: boolean; force?: boolean } = {},
): Promise<void> {
  requireAccountManager(ctx);
  await inTransaction(ctx, async (tx) => {
    const row = await findAccount(tx.db, tx.actor, kind, id, { forUpdate: true });
    if (!row) throw accountNotFound();
    const ids = row.is_reseller ? [...(await subtreeIdsDeepestFirst(tx.db, id)), id] : [id];
    const balances = await lockBalancesOf(tx.db, ids);
    const total = balances.reduce((sum, b) => sum.plus(b.balance), money(0));
    if (!total.isZero() && !opts.acceptAnyBalance) {
      const quoted = formatMoney(total);
      if (opts.confirmBalance === undefined || !money(opts.confirmBalance).eq(total))
        throw balanceConfirmationRequired(quoted);
    }
    const now = tx.now();
    const deletedBy = userIdOf(tx.actor);
    await softDeleteAccounts(tx.db, ids, now, deletedBy);
    await users.revokeSessionsOfAccounts(tx.db, ids, now);
    await users.softDeleteUsersOfAccounts(tx.db, ids, now);
    const released = await runAccountsDeleted(tx, ids, now);
    if (Object.values(released).some((n) => n > 0))
      await recordAudit(tx, {
        action: 'connectivity.release',
        entityType: 'account',
        entityId: ids[ids.length - 1],
        accountId: ids[ids.length - 1],
        after: { accountIds: ids, ...released },
      });
    for (const deletedId of ids) {
      await recordAudit(tx, {
        action: `${kind}.delete`,
        entityType: 'account',
        entityId: deletedId,
        accountId: deletedId,
        before: deletedId === id ? { status: row.status, balance: row.balance } : { cascadeFrom: id },
        after: { deletedAt: now.toISOString() },
      });
    }
  });
}

export type BulkAction = 'activate' | 'deactivate' | 'delete' | 'changePassword';

/** Runs one transaction per id and reports one result per id (DOMAIN 3.1); at most 1,000 ids. */
export async function bulkAccounts(
  ctx: Ctx,
  kind: AccountKind,
  action: BulkAction,
  ids: number[],
  params: { password?: string; confirmBalances?: boolean },
) {
  requireAccountManager(ctx);
  if (action === 'changePassword' && !params.password)
    throw validationError('password', 'A new password is needed for changePassword.');
  const results: { id: number; ok: boolean; error?: { code: string; message: string } }[] = [];
  for (const id of ids) {
    try {
      if (action === 'activate') await setAccountStatus(ctx, kind, id, 'active');
      else if (action === 'deactivate') await setAccountStatus(ctx, kind, id, 'inactive');
      else if (action === 'changePassword') await changeAccountPassword(ctx, kind, id, params.password!);
      else await deleteAccount(ctx, kind, id, { acceptAnyBalance: params.confirmBalances === true });
      results.push({ id, ok: true });
    } catch (err) {
      if (err instanceof AppError && err.status < 500) {
        results.push({ id, ok: false, error: { code: err.code, message: err.message } });
      } else throw err;
    }
  }
  const succeeded = results.filter((r) => r.ok).length;
  return { results, succeeded, failed: results.length - succeeded };
}

import type { AccountLifecycleHooks } from '../../platform/account-lifecycle.js';
import { softDeleteRowsOfAccounts } from '../../platform/db/soft-delete.js';
import { AppError } from '../../platform/errors.js';
import {
  countLiveTrunks,
  deactivateTrunksOf,
  insertTrunkUpdateEvent,
  trunkFootprint,
} from './trunks.repository.js';

export const trunkAccountHooks: AccountLifecycleHooks = {
  /** DOMAIN 3.7: the customer role cannot be removed while the account has ingress trunks. */
  async changing(ctx, change) {
    const losesCustomerRole =
      change.after.roles !== undefined &&
      change.before.roles.includes('customer') &&
      !change.after.roles.includes('customer');
    if (!losesCustomerRole) return;
    const n = await countLiveTrunks(ctx.db, change.id);
    if (n > 0)
      throw new AppError(
        'ACCOUNT_HAS_TRUNKS',
        `The account has ${n} ingress trunk(s); delete them before removing the customer role.`,
        { field: 'roles', trunks: n },
      );
  },
  /**
   * DOMAIN 3.8 steps 3 and 6: hosts are soft-deleted, trunks switched off, and every account that
   * had trunks or hosts gets a "trunk update" event (the switch reloads its ACL).
   */
  async deleted(ctx, ids, now) {
    const footprint = await trunkFootprint(ctx.db, ids);
    const hosts = await softDeleteRowsOfAccounts(ctx.db, 'hosts', ids, now);
    const trunksDeactivated = await deactivateTrunksOf(ctx.db, ids, now);
    for (const f of footprint)
      if (f.hosts > 0 || f.trunks > 0)
        await insertTrunkUpdateEvent(ctx.db, f.account_id, {
          action: 'account.delete',
          hostsRemoved: f.hosts,
          trunksDeactivated: f.trunks,
        });
    return { hosts, trunksDeactivated };
  },
};

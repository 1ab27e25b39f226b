import type { AccountLifecycleHooks } from '../../platform/account-lifecycle.js';
import { softDeleteRowsOfAccounts } from '../../platform/db/soft-delete.js';

export const speedDialAccountHooks: AccountLifecycleHooks = {
  async deleted(ctx, ids, now) {
    return { speed_dials: await softDeleteRowsOfAccounts(ctx.db, 'speed_dials', ids, now) };
  },
};

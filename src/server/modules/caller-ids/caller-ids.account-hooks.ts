import type { AccountLifecycleHooks } from '../../platform/account-lifecycle.js';
import { softDeleteRowsOfAccounts } from '../../platform/db/soft-delete.js';

export const callerIdAccountHooks: AccountLifecycleHooks = {
  async deleted(ctx, ids, now) {
    return {
      caller_ids: await softDeleteRowsOfAccounts(ctx.db, 'caller_ids', ids, now),
      force_caller_ids: await softDeleteRowsOfAccounts(ctx.db, 'force_caller_ids', ids, now),
    };
  },
};

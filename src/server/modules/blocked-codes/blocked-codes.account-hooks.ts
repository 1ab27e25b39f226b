import type { AccountLifecycleHooks } from '../../platform/account-lifecycle.js';
import { softDeleteRowsOfAccounts } from '../../platform/db/soft-delete.js';

export const blockedCodeAccountHooks: AccountLifecycleHooks = {
  async deleted(ctx, ids, now) {
    return { blocked_codes: await softDeleteRowsOfAccounts(ctx.db, 'blocked_codes', ids, now) };
  },
};

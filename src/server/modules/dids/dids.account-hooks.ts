import type { AccountLifecycleHooks } from '../../platform/account-lifecycle.js';
import { movePoolsOf, releaseDidsOf } from './dids.repository.js';

export const didAccountHooks: AccountLifecycleHooks = {
  /** DOMAIN 3.8 step 4: assigned DIDs go back to their pool; a deleted reseller's pool moves up. */
  async deleted(ctx, ids, now) {
    return {
      didsReleased: await releaseDidsOf(ctx.db, ids, now),
      poolsMoved: await movePoolsOf(ctx.db, ids, now),
    };
  },
};

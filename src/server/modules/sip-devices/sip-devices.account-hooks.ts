import type { AccountLifecycleHooks } from '../../platform/account-lifecycle.js';
import { softDeleteRowsOfAccounts } from '../../platform/db/soft-delete.js';
import { isUniqueViolation } from '../../platform/errors.js';
import { sipUsernameTaken } from './sip-devices.errors.js';
import { insertDeviceFor } from './sip-devices.service.js';

export const sipDeviceAccountHooks: AccountLifecycleHooks = {
  /**
   * "Create SIP device: yes" (DOMAIN 3.2): a device whose username is the account number, with a
   * random secret returned once in the create answer.
   */
  async created(ctx, account) {
    if (!account.createSipDevice) return;
    try {
      const d = await insertDeviceFor(ctx, account.id, { username: account.accountNumber });
      return { sipDevice: { id: d.id, username: d.username, secret: d.secret } };
    } catch (err) {
      if (isUniqueViolation(err, 'sip_devices_username_key')) throw sipUsernameTaken('createSipDevice');
      throw err;
    }
  },
  async deleted(ctx, ids, now) {
    return { sip_devices: await softDeleteRowsOfAccounts(ctx.db, 'sip_devices', ids, now) };
  },
};

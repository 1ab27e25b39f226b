import type { AccountLifecycleHooks } from '../../platform/account-lifecycle.js';
import { validationError } from '../../platform/errors.js';
import type { NotificationSettingsInput } from './settings.schemas.js';
import { saveSettingsOnCreate } from './settings.service.js';

export const notificationAccountHooks: AccountLifecycleHooks = {
  /** The create form's Notification Setting section, checked as on edit and saved with the account. */
  async created(ctx, account) {
    if (!account.notificationSettings) return;
    if (account.kind === 'reseller' || !account.roles.includes('customer'))
      throw validationError('notificationSettings', 'Notification settings are for customer accounts.');
    await saveSettingsOnCreate(
      ctx,
      {
        id: account.id,
        mode: account.mode as 'prepaid' | 'postpaid',
        credit_limit: account.creditLimit ?? '0',
        unlimited_credit: account.unlimitedCredit,
      },
      account.notificationSettings as NotificationSettingsInput,
    );
  },
};

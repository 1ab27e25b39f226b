import type { AccountLifecycleHooks } from '../../platform/account-lifecycle.js';
import { conflict } from '../../platform/errors.js';
import { accountHasLedgerEntries, postOpeningBalances } from './ledger.service.js';

export const ledgerAccountHooks: AccountLifecycleHooks = {
  /** DOMAIN 3.2: the opening balance and test credit of a new account, as ledger entries. */
  async created(ctx, account) {
    await postOpeningBalances(ctx, account.id, {
      initialBalance: account.initialBalance,
      testCredit: account.testCredit,
    });
  },
  /** DOMAIN 2: the currency is fixed once the account has a ledger entry. */
  async changing(ctx, change) {
    if (change.after.currency === undefined || change.after.currency === change.before.currency) return;
    if (await accountHasLedgerEntries(ctx, change.id))
      throw conflict(
        'CURRENCY_LOCKED',
        'currency',
        'The currency cannot change once the account has ledger entries.',
      );
  },
};

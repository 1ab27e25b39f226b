import type { Ctx } from '../../platform/context.js';
import { inTransaction } from '../../platform/db/transaction.js';
import { validationError } from '../../platform/errors.js';
import { hashPassword } from '../../platform/passwords.js';
import { recordAudit, recordUpdate } from '../audit/index.js';
import { usersRepository as users } from '../auth/index.js';
import { checkAccountReferences, runAccountChanging } from '../../platform/account-lifecycle.js';
import { accountNotFound } from './accounts.errors.js';
import { toAccountDto } from './accounts.mapper.js';
import { findAccount, updateAccountColumns } from './accounts.repository.js';
import { checkAccountRules, mapUniqueViolation, requireAccountManager } from './accounts.rules.js';
import type { AccountDto, AccountKind, PatchAccountInput } from './accounts.schemas.js';

const COLUMN_OF: Record<string, string> = {
  name: 'name',
  roles: 'roles',
  status: 'status',
  pin: 'pin',
  validUntil: 'valid_until',
  companyName: 'company_name',
  firstName: 'first_name',
  lastName: 'last_name',
  mainEmail: 'main_email',
  nocEmails: 'noc_emails',
  billingEmails: 'billing_emails',
  ratesEmails: 'rates_emails',
  notificationEmails: 'notification_emails',
  phone: 'phone',
  address1: 'address1',
  address2: 'address2',
  city: 'city',
  province: 'province',
  zip: 'zip',
  country: 'country',
  timezone: 'timezone',
  taxId: 'tax_id',
  reference: 'reference',
  callLimit: 'call_limit',
  cpsLimit: 'cps_limit',
  localizationId: 'localization_id',
  allowLocalCalls: 'allow_local_calls',
  localCallPricePerMin: 'local_call_price_per_min',
  notificationsEnabled: 'notifications_enabled',
  onlinePayment: 'online_payment',
  portalPermissions: 'portal_permissions',
  mode: 'mode',
  currency: 'currency',
  creditLimit: 'credit_limit',
  unlimitedCredit: 'unlimited_credit',
  rateGroupId: 'rate_group_id',
  nonCliRateGroupId: 'non_cli_rate_group_id',
  cliPoolMode: 'cli_pool_mode',
  billingSchedule: 'billing_schedule',
  billingDay: 'billing_day',
  generateZeroInvoice: 'generate_zero_invoice',
  invoiceNote: 'invoice_note',
};

/** Edits an account's own fields. The balance is never written here (ASTPP #168). */
export async function updateAccount(
  ctx: Ctx,
  kind: AccountKind,
  id: number,
  patch: PatchAccountInput,
): Promise<AccountDto> {
  requireAccountManager(ctx);
  try {
    return await inTransaction(ctx, async (tx) => {
      const row = await findAccount(tx.db, tx.actor, kind, id, { forUpdate: true });
      if (!row) throw accountNotFound();
      const before = toAccountDto(row);
      const next = { ...patch };
      const mode = next.mode ?? row.mode;
      if (mode === 'prepaid') {
        // DOMAIN 2.1: switching to prepaid clears the credit; a prepaid account has none.
        if (row.mode === 'postpaid' && next.mode === 'prepaid') {
          if (next.creditLimit === undefined) next.creditLimit = '0';
          if (next.unlimitedCredit === undefined) next.unlimitedCredit = false;
        }
      }
      if (next.roles) {
        if (kind === 'reseller') throw validationError('roles', 'Resellers have no roles to edit.');
        if (kind === 'customer' && !next.roles.includes('customer') && !next.roles.includes('provider'))
          throw validationError('roles', 'Choose at least one role.');
      }
      checkAccountRules(tx, {
        ...next,
        mode,
        cliPoolMode: next.cliPoolMode ?? row.cli_pool_mode,
        nonCliRateGroupId:
          next.nonCliRateGroupId !== undefined ? next.nonCliRateGroupId : row.non_cli_rate_group_id,
      });
      if (next.unlimitedCredit === true && row.unlimited_credit) delete next.unlimitedCredit;
      // Refusals owned by other modules: trunks left when the customer role goes, a currency in use.
      await runAccountChanging(tx, {
        id,
        before: { roles: row.roles, currency: row.currency },
        after: { roles: next.roles, currency: next.currency },
      });
      if (
        next.rateGroupId !== undefined ||
        next.nonCliRateGroupId !== undefined ||
        next.localizationId !== undefined ||
        next.currency !== undefined
      ) {
        // A new currency re-checks the rate groups kept; otherwise only the references changed.
        const currencyChanged = next.currency !== undefined && next.currency !== row.currency;
        await checkAccountReferences(tx, {
          ownerId: row.parent_id,
          currency: next.currency ?? row.currency,
          rateGroupId: next.rateGroupId ?? (currencyChanged ? row.rate_group_id : undefined),
          nonCliRateGroupId:
            next.nonCliRateGroupId ?? (currencyChanged ? row.non_cli_rate_group_id : undefined),
          localizationId: next.localizationId,
        });
      }

      const set: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(next)) {
        if (key === 'portalUsername' || key === 'minProfitability') continue;
        const col = COLUMN_OF[key];
        if (col) set[col] = value;
      }
      if (next.name) set.name = next.name.trim();
      if (next.minProfitability !== undefined) {
        set.min_profit_type = next.minProfitability?.type ?? null;
        set.min_profit_value = next.minProfitability?.value ?? null;
      }
      if (Object.keys(set).length) {
        await updateAccountColumns(tx.db, id, set);
      }
      if (next.portalUsername !== undefined) {
        const user = await users.findPortalUser(tx.db, id);
        if (user) await users.updateUser(tx.db, user.id, { login: next.portalUsername });
      }
      if (next.status === 'inactive' && row.status === 'active') {
        await users.revokeSessionsOfAccounts(tx.db, [id], tx.now());
      }
      const after = toAccountDto((await findAccount(tx.db, tx.actor, kind, id))!);
      await recordUpdate(tx, {
        action: `${kind}.update`,
        entityType: 'account',
        entityId: id,
        accountId: id,
        before,
        after,
      });
      return after;
    });
  } catch (err) {
    mapUniqueViolation(err);
  }
}

/** Activates or deactivates; deactivation ends the account's sessions at once. */
export async function setAccountStatus(
  ctx: Ctx,
  kind: AccountKind,
  id: number,
  status: 'active' | 'inactive',
): Promise<AccountDto> {
  return updateAccount(ctx, kind, id, { status });
}

/** Sets the portal password (argon2id) and ends the user's sessions. */
export async function changeAccountPassword(
  ctx: Ctx,
  kind: AccountKind,
  id: number,
  password: string,
): Promise<void> {
  requireAccountManager(ctx);
  const passwordHash = await hashPassword(password);
  await inTransaction(ctx, async (tx) => {
    const row = await findAccount(tx.db, tx.actor, kind, id, { forUpdate: true });
    if (!row) throw accountNotFound();
    const user = await users.findPortalUser(tx.db, id);
    if (!user) throw accountNotFound();
    if (user.login.toLowerCase() === password.toLowerCase())
      throw validationError('password', 'The password must differ from the username.');
    await users.updateUser(tx.db, user.id, { passwordHash });
    await users.revokeSessionsOfUser(tx.db, user.id, tx.now());
    await recordAudit(tx, {
      action: `${kind}.password_change`,
      entityType: 'account',
      entityId: id,
      accountId: id,
      after: { password: 'changed' },
    });
  });
}

import type { Ctx } from '../../platform/context.js';
import { inTransaction } from '../../platform/db/transaction.js';
import { validationError } from '../../platform/errors.js';
import { hashPassword } from '../../platform/passwords.js';
import { recordAudit } from '../audit/index.js';
import { usersRepository as users } from '../auth/index.js';
import { checkAccountReferences, runAccountCreated } from '../../platform/account-lifecycle.js';
import { enqueueOutboxEvent } from '../../platform/outbox/index.js';
import { resolveOwner } from '../../platform/tenancy/index.js';
import { accountNumberTaken } from './accounts.errors.js';
import { toAccountDto } from './accounts.mapper.js';
import { findAccount, insertAccountIfNumberFree } from './accounts.repository.js';
import {
  checkAccountRules,
  generateAccountNumber,
  mapUniqueViolation,
  newAccountValues,
  requireAccountManager,
} from './accounts.rules.js';
import type { AccountDto, AccountKind, CreateAccountInput } from './accounts.schemas.js';

const GENERATED_NUMBER_ATTEMPTS = 8;

/** Creates a customer, provider or reseller with its portal user, in one transaction. */
export async function createAccount(
  ctx: Ctx,
  kind: AccountKind,
  input: CreateAccountInput,
): Promise<AccountDto & { sipDevice?: { id: number; username: string; secret: string } }> {
  requireAccountManager(ctx);
  const roles =
    kind === 'provider'
      ? (input.roles ?? ['provider'])
      : kind === 'reseller'
        ? ['customer']
        : (input.roles ?? ['customer']);
  if (kind === 'provider' && !roles.includes('provider'))
    throw validationError('roles', 'A provider must have the provider role.');
  if (kind === 'customer' && !roles.includes('customer'))
    throw validationError('roles', 'A customer must have the customer role.');
  const mode = input.mode ?? 'prepaid';
  checkAccountRules(ctx, { ...input, mode });
  const portalUsername = input.portalUsername;
  if (input.password && input.password === (portalUsername ?? input.accountNumber))
    throw validationError('password', 'The password must differ from the username.');
  const passwordHash = input.password ? await hashPassword(input.password) : null;

  try {
    return await inTransaction(ctx, async (tx) => {
      const owner = await resolveOwner(tx, input.resellerId);
      if (input.createSipDevice && kind === 'reseller')
        throw validationError('createSipDevice', 'A reseller account has no SIP device.');
      await checkAccountReferences(tx, {
        ownerId: owner?.id ?? null,
        currency: input.currency,
        rateGroupId: input.rateGroupId,
        nonCliRateGroupId: input.nonCliRateGroupId,
        localizationId: input.localizationId,
      });
      const values = newAccountValues(kind, input, roles, owner);
      let id: number | undefined;
      let accountNumber = input.accountNumber;
      for (let attempt = 0; attempt < GENERATED_NUMBER_ATTEMPTS && id === undefined; attempt++) {
        const candidate = input.accountNumber ?? generateAccountNumber();
        const row = await insertAccountIfNumberFree(tx.db, { ...values, account_number: candidate });
        if (row) {
          id = row.id;
          accountNumber = candidate;
        } else if (input.accountNumber) {
          throw accountNumberTaken();
        }
      }
      if (id === undefined) throw new Error('Could not generate a free account number');
      const login = portalUsername ?? accountNumber!;
      if (input.password && input.password === login)
        throw validationError('password', 'The password must differ from the username.');
      await users.insertUser(tx.db, {
        login,
        email: input.mainEmail ?? null,
        displayName: input.name.trim(),
        role: kind === 'reseller' ? 'reseller' : 'customer',
        accountId: id,
        passwordHash,
      });
      // Opening entries (ledger) and the SIP device of "Create SIP device: yes", among others.
      const extra = await runAccountCreated(tx, {
        id,
        accountNumber: accountNumber!,
        kind,
        initialBalance: input.initialBalance,
        testCredit: input.testCredit,
        createSipDevice: input.createSipDevice,
        roles,
        mode: values.mode,
        creditLimit: values.credit_limit,
        unlimitedCredit: values.unlimited_credit,
        notificationSettings: input.notificationSettings,
      });
      const created = toAccountDto((await findAccount(tx.db, tx.actor, null, id))!);
      await recordAudit(tx, {
        action: `${kind}.create`,
        entityType: 'account',
        entityId: id,
        accountId: id,
        after: created,
      });
      // The notifications module turns this event into the welcome letter (after the commit).
      if (input.sendWelcomeLetter)
        await enqueueOutboxEvent(tx.db, {
          topic: 'account.welcome_requested',
          dedupeKey: String(id),
          accountId: id,
          payload: { accountId: id },
        });
      return { ...created, ...extra };
    });
  } catch (err) {
    mapUniqueViolation(err);
  }
}

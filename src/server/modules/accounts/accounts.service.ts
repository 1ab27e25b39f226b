import crypto from 'node:crypto';
import { sql } from 'kysely';
import { userIdOf, type Ctx } from '../../platform/context.js';
import { inTransaction } from '../../platform/db/transaction.js';
import { AppError, isUniqueViolation, validationError } from '../../platform/errors.js';
import { formatMoney, money } from '../../platform/money.js';
import { hashPassword } from '../../platform/passwords.js';
import { isCountryCode, isCurrencyCode, isTimeZone } from '../../platform/reference-data.js';
import { listAuditForAccount, recordAudit, recordUpdate } from '../audit/index.js';
import { usersRepository as users } from '../auth/index.js';
import {
  checkAccountReferences,
  runAccountChanging,
  runAccountCreated,
  runAccountsDeleted,
} from '../../platform/account-lifecycle.js';
import {
  accountNameTaken,
  accountNotFound,
  accountNumberTaken,
  balanceConfirmationRequired,
  pinTaken,
  portalUsernameTaken,
} from './accounts.errors.js';
import { toAccountDto } from './accounts.mapper.js';
import {
  countAccounts,
  findAccount,
  listAccountsPage,
  sortKeyType,
  subtreeIdsDeepestFirst,
  type AccountRow,
  type Cursor,
} from './accounts.repository.js';
import type {
  AccountDto,
  AccountKind,
  CreateAccountInput,
  ListAccountsQuery,
  PatchAccountInput,
  SortField,
} from './accounts.schemas.js';
import { enqueueOutboxEvent } from '../../platform/outbox/index.js';
import {
  decodeCursor,
  encodeCursor,
  invalidCursor,
  isCursorId,
  isCursorKey,
} from '../../platform/cursor-keys.js';
import { isOperator, requireManager, resolveOwner, type OwnerRef } from '../../platform/tenancy/index.js';

const TOTAL_CAP = 10_000;
/**
 * A substring search (q, name, company) counts through the trigram index, rechecking each
 * candidate row: counting to 10,000 costs 25-60 ms on a million rows, to 1,000 a tenth of that,
 * and "1,000+ matches" says as much to someone refining a search.
 */
const SEARCH_TOTAL_CAP = 1_000;

/** How far the list's total is counted exactly before it says "cap+" (totalCapped). */
export function totalCapFor(f: { q?: string; name?: string; company?: string }): number {
  return f.q || f.name || f.company ? SEARCH_TOTAL_CAP : TOTAL_CAP;
}
const GENERATED_NUMBER_ATTEMPTS = 8;

/** A 10-digit account number from a CSPRNG, never starting with 0 (DOMAIN 3.2). */
export function generateAccountNumber(length = 10, prefix = ''): string {
  let s = prefix;
  while (s.length < length) {
    const d = crypto.randomInt(s.length === 0 ? 1 : 0, 10);
    s += String(d);
  }
  return s;
}

const requireAccountManager = (ctx: Ctx) => requireManager(ctx, 'Customers cannot manage accounts.');

/** Field rules that TypeBox cannot state: reference codes and rules across fields. */
export function checkAccountRules(ctx: Ctx, next: Partial<CreateAccountInput>): void {
  if (next.country !== undefined && !isCountryCode(next.country))
    throw validationError('country', 'Use an ISO 3166-1 alpha-2 country code, such as US.');
  if (next.timezone !== undefined && !isTimeZone(next.timezone))
    throw validationError('timezone', 'Use an IANA time zone name, such as Europe/Paris.');
  if (next.currency !== undefined && !isCurrencyCode(next.currency))
    throw validationError('currency', 'Use an ISO 4217 currency code, such as USD.');
  if (next.validUntil && Number.isNaN(Date.parse(next.validUntil)))
    throw validationError('validUntil', 'Not a valid date-time.');
  if (next.mode === 'prepaid') {
    if (next.creditLimit !== undefined && !money(next.creditLimit).isZero())
      throw validationError(
        'creditLimit',
        'A prepaid account has no credit limit; set mode to postpaid first.',
      );
    if (next.unlimitedCredit)
      throw validationError('unlimitedCredit', 'A prepaid account cannot have unlimited credit.');
  }
  if (next.unlimitedCredit === true && !isOperator(ctx.actor))
    throw new AppError('FORBIDDEN', 'Only an operator admin may grant unlimited credit.', {
      field: 'unlimitedCredit',
    });
  if (
    next.cliPoolMode !== undefined &&
    next.cliPoolMode >= 3 &&
    next.cliPoolMode <= 5 &&
    !next.nonCliRateGroupId
  )
    throw validationError('nonCliRateGroupId', 'CLI pool modes 3 to 5 need a non-CLI rate group.');
  if (
    next.password !== undefined &&
    next.portalUsername !== undefined &&
    next.password === next.portalUsername
  )
    throw validationError('password', 'The password must differ from the username.');
}

/** Maps unique-index violations to the API field they protect. */
function mapUniqueViolation(err: unknown): never {
  if (isUniqueViolation(err, 'accounts_owner_name_key')) throw accountNameTaken();
  if (isUniqueViolation(err, 'accounts_pin_key')) throw pinTaken();
  if (isUniqueViolation(err, 'users_login_key')) throw portalUsernameTaken();
  if (isUniqueViolation(err, 'accounts_account_number_key')) throw accountNumberTaken();
  throw err;
}

/** The owner an account hangs under: its id and its own ancestors. */
export type AccountOwner = OwnerRef;

/**
 * The row a create-form input becomes (defaults included). Shared by createAccount and the bulk
 * paths (import, mass create), so every way of creating an account stores the same thing.
 */
export function newAccountValues(
  kind: AccountKind,
  input: CreateAccountInput,
  roles: string[],
  owner: AccountOwner | null,
) {
  const mode = input.mode ?? 'prepaid';
  return {
    is_reseller: kind === 'reseller',
    roles,
    parent_id: owner?.id ?? null,
    ancestor_ids: owner ? [...owner.ancestor_ids, owner.id] : [],
    name: input.name.trim(),
    status: input.status ?? 'active',
    pin: input.pin ?? null,
    valid_until: input.validUntil ?? null,
    company_name: input.companyName ?? null,
    first_name: input.firstName ?? null,
    last_name: input.lastName ?? null,
    main_email: input.mainEmail ?? null,
    noc_emails: input.nocEmails ?? [],
    billing_emails: input.billingEmails ?? [],
    rates_emails: input.ratesEmails ?? [],
    notification_emails: input.notificationEmails ?? [],
    phone: input.phone ?? null,
    address1: input.address1 ?? null,
    address2: input.address2 ?? null,
    city: input.city ?? null,
    province: input.province ?? null,
    zip: input.zip ?? null,
    country: input.country,
    timezone: input.timezone,
    tax_id: input.taxId ?? null,
    reference: input.reference ?? null,
    call_limit: input.callLimit ?? null,
    cps_limit: input.cpsLimit ?? null,
    localization_id: input.localizationId ?? null,
    allow_local_calls: input.allowLocalCalls ?? false,
    local_call_price_per_min: input.localCallPricePerMin ?? '0',
    min_profit_type: input.minProfitability?.type ?? null,
    min_profit_value: input.minProfitability?.value ?? null,
    notifications_enabled: input.notificationsEnabled ?? true,
    online_payment: input.onlinePayment ?? false,
    portal_permissions: input.portalPermissions ?? ['accountSummary', 'balance', 'invoices'],
    mode,
    currency: input.currency,
    credit_limit: mode === 'postpaid' ? (input.creditLimit ?? '0') : '0',
    unlimited_credit: mode === 'postpaid' ? (input.unlimitedCredit ?? false) : false,
    rate_group_id: input.rateGroupId ?? null,
    non_cli_rate_group_id: input.nonCliRateGroupId ?? null,
    cli_pool_mode: input.cliPoolMode ?? 0,
    billing_schedule: input.billingSchedule ?? 'monthly',
    billing_day: input.billingDay ?? 1,
    generate_zero_invoice: input.generateZeroInvoice ?? false,
    invoice_note: input.invoiceNote ?? null,
  };
}

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
        const row = await tx.db
          .insertInto('accounts')
          .values({ ...values, account_number: candidate })
          .onConflict((oc) => oc.column('account_number').doNothing())
          .returning('id')
          .executeTakeFirst();
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

export async function getAccount(ctx: Ctx, kind: AccountKind, id: number): Promise<AccountDto> {
  const row = await findAccount(ctx.db, ctx.actor, kind, id);
  if (!row) throw accountNotFound();
  return toAccountDto(row);
}

/** The client's cursor, its key checked against the type of the column the page is sorted by. */
function decodeAccountCursor(s: string, sort: SortField): Cursor {
  const valid = (c: any): c is Cursor =>
    typeof c === 'object' &&
    c !== null &&
    isCursorId(c.id) &&
    (c.v === null || isCursorKey(sortKeyType(sort), c.v));
  return decodeCursor(s, valid, invalidCursor);
}

/** The account grid: filters, any sortable column, keyset pages, a capped total. */
export async function listAccounts(ctx: Ctx, kind: AccountKind, query: ListAccountsQuery) {
  if (query.role && kind !== 'customer')
    throw validationError('role', 'The role filter applies to customers only.');
  const filter = { ...query, kind };
  const sort = query.sort ?? 'createdAt';
  const order = query.order ?? (query.sort ? 'asc' : 'desc');
  const cursor = query.cursor ? decodeAccountCursor(query.cursor, sort) : null;
  const [page, count] = await Promise.all([
    listAccountsPage(ctx.db, ctx.actor, filter, { sort, order, limit: query.limit ?? 25, cursor }),
    countAccounts(ctx.db, ctx.actor, filter, totalCapFor(filter)),
  ]);
  return {
    data: page.rows.map(toAccountDto),
    nextCursor: page.next ? encodeCursor(page.next) : null,
    total: count.total,
    totalCapped: count.capped,
  };
}

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
        await tx.db
          .updateTable('accounts')
          .set({ ...set, updated_at: sql`now()` } as never)
          .where('id', '=', id)
          .execute();
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

/**
 * The delete cascade (DOMAIN 3.8), shared by single, bulk and reseller delete: soft-deletes the
 * account (and a reseller's whole subtree, deepest first), its users and sessions; keeps the row,
 * its financial history and its audit, and the number is never reused.
 * A non-zero balance (summed over the subtree) must be quoted back in `confirmBalance`.
 */
export async function deleteAccount(
  ctx: Ctx,
  kind: AccountKind,
  id: number,
  opts: { confirmBalance?: string; acceptAnyBalance?: boolean; force?: boolean } = {},
): Promise<void> {
  requireAccountManager(ctx);
  await inTransaction(ctx, async (tx) => {
    const row = await findAccount(tx.db, tx.actor, kind, id, { forUpdate: true });
    if (!row) throw accountNotFound();
    const ids = row.is_reseller ? [...(await subtreeIdsDeepestFirst(tx.db, id)), id] : [id];
    const balances = await tx.db
      .selectFrom('accounts')
      .select(['id', 'balance'])
      .where('id', 'in', ids)
      .forUpdate()
      .execute();
    const total = balances.reduce((sum, b) => sum.plus(b.balance), money(0));
    if (!total.isZero() && !opts.acceptAnyBalance) {
      const quoted = formatMoney(total);
      if (opts.confirmBalance === undefined || !money(opts.confirmBalance).eq(total))
        throw balanceConfirmationRequired(quoted);
    }
    const now = tx.now();
    const deletedBy = userIdOf(tx.actor);
    await tx.db
      .updateTable('accounts')
      .set({ deleted_at: now, deleted_by: deletedBy, status: 'inactive', updated_at: now })
      .where('id', 'in', ids)
      .execute();
    await users.revokeSessionsOfAccounts(tx.db, ids, now);
    await users.softDeleteUsersOfAccounts(tx.db, ids, now);
    const released = await runAccountsDeleted(tx, ids, now);
    if (Object.values(released).some((n) => n > 0))
      await recordAudit(tx, {
        action: 'connectivity.release',
        entityType: 'account',
        entityId: ids[ids.length - 1],
        accountId: ids[ids.length - 1],
        after: { accountIds: ids, ...released },
      });
    for (const deletedId of ids) {
      await recordAudit(tx, {
        action: `${kind}.delete`,
        entityType: 'account',
        entityId: deletedId,
        accountId: deletedId,
        before: deletedId === id ? { status: row.status, balance: row.balance } : { cascadeFrom: id },
        after: { deletedAt: now.toISOString() },
      });
    }
  });
}

export type BulkAction = 'activate' | 'deactivate' | 'delete' | 'changePassword';

/** Runs one transaction per id and reports one result per id (DOMAIN 3.1); at most 1,000 ids. */
export async function bulkAccounts(
  ctx: Ctx,
  kind: AccountKind,
  action: BulkAction,
  ids: number[],
  params: { password?: string; confirmBalances?: boolean },
) {
  requireAccountManager(ctx);
  if (action === 'changePassword' && !params.password)
    throw validationError('password', 'A new password is needed for changePassword.');
  const results: { id: number; ok: boolean; error?: { code: string; message: string } }[] = [];
  for (const id of ids) {
    try {
      if (action === 'activate') await setAccountStatus(ctx, kind, id, 'active');
      else if (action === 'deactivate') await setAccountStatus(ctx, kind, id, 'inactive');
      else if (action === 'changePassword') await changeAccountPassword(ctx, kind, id, params.password!);
      else await deleteAccount(ctx, kind, id, { acceptAnyBalance: params.confirmBalances === true });
      results.push({ id, ok: true });
    } catch (err) {
      if (err instanceof AppError && err.status < 500) {
        results.push({ id, ok: false, error: { code: err.code, message: err.message } });
      } else throw err;
    }
  }
  const succeeded = results.filter((r) => r.ok).length;
  return { results, succeeded, failed: results.length - succeeded };
}

export async function getAccountAudit(
  ctx: Ctx,
  kind: AccountKind,
  id: number,
  limit: number,
  beforeId?: number,
) {
  const row = await findAccount(ctx.db, ctx.actor, kind, id, { includeDeleted: ctx.actor.kind === 'admin' });
  if (!row) throw accountNotFound();
  const rows = await listAuditForAccount(ctx.db, id, { limit, beforeId });
  return rows.map((r) => ({
    id: r.id,
    at: r.at.toISOString(),
    actor: r.actorLabel,
    actorName: r.actorName ?? null,
    action: r.action,
    entityType: r.entityType,
    entityId: r.entityId,
    before: r.before,
    after: r.after,
    requestId: r.requestId,
  }));
}

export type { AccountRow };

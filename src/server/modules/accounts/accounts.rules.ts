import crypto from 'node:crypto';
import type { Ctx } from '../../platform/context.js';
import { AppError, isUniqueViolation, validationError } from '../../platform/errors.js';
import { money } from '../../platform/money.js';
import { isCountryCode, isCurrencyCode, isTimeZone } from '../../platform/reference-data.js';
import { isOperator, requireManager, type OwnerRef } from '../../platform/tenancy/index.js';
import { accountNameTaken, accountNumberTaken, pinTaken, portalUsernameTaken } from './accounts.errors.js';
import type { AccountKind, CreateAccountInput } from './accounts.schemas.js';

// What every way of creating or editing an account shares: its field rules, its stored values,
// the generated number, the unique-index mapping. No SQL, no transaction.

/** A 10-digit account number from a CSPRNG, never starting with 0 (DOMAIN 3.2). */
export function generateAccountNumber(length = 10, prefix = ''): string {
  let s = prefix;
  while (s.length < length) {
    const d = crypto.randomInt(s.length === 0 ? 1 : 0, 10);
    s += String(d);
  }
  return s;
}

export const requireAccountManager = (ctx: Ctx) => requireManager(ctx, 'Customers cannot manage accounts.');

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
export function mapUniqueViolation(err: unknown): never {
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

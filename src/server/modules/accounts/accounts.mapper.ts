import type { AccountRow } from './accounts.repository.js';
import type { AccountDto, AccountKind } from './accounts.schemas.js';
import { formatMoney, money } from '../../platform/money.js';

const iso = (d: Date | string | null): string | null => (d === null ? null : new Date(d).toISOString());

export function kindOf(row: Pick<AccountRow, 'is_reseller' | 'roles'>): AccountKind {
  if (row.is_reseller) return 'reseller';
  return row.roles.includes('customer') ? 'customer' : 'provider';
}

/** DOMAIN 2.1: available = balance + effective credit limit (0 for prepaid, null = unlimited). */
export function availableCredit(
  row: Pick<AccountRow, 'mode' | 'balance' | 'credit_limit' | 'unlimited_credit'>,
) {
  if (row.mode === 'postpaid' && row.unlimited_credit) return null;
  const limit = row.mode === 'postpaid' ? money(row.credit_limit) : money(0);
  return formatMoney(money(row.balance).plus(limit));
}

export function toAccountDto(row: AccountRow): AccountDto {
  return {
    id: row.id,
    kind: kindOf(row),
    accountNumber: row.account_number,
    isReseller: row.is_reseller,
    roles: row.roles,
    resellerId: row.parent_id,
    resellerName: row.reseller_name ?? null,
    trunkCount: Number(row.trunk_count ?? 0),
    name: row.name,
    status: row.status,
    portalUsername: row.portal_username ?? null,
    hasPassword: Boolean(row.has_password),
    pin: row.pin,
    validUntil: iso(row.valid_until),
    firstUsedAt: iso(row.first_used_at),
    companyName: row.company_name,
    firstName: row.first_name,
    lastName: row.last_name,
    mainEmail: row.main_email,
    nocEmails: row.noc_emails,
    billingEmails: row.billing_emails,
    ratesEmails: row.rates_emails,
    notificationEmails: row.notification_emails,
    phone: row.phone,
    address1: row.address1,
    address2: row.address2,
    city: row.city,
    province: row.province,
    zip: row.zip,
    country: row.country,
    timezone: row.timezone,
    taxId: row.tax_id,
    reference: row.reference,
    callLimit: row.call_limit,
    cpsLimit: row.cps_limit,
    localizationId: row.localization_id,
    localizationName: row.localization_name ?? null,
    allowLocalCalls: row.allow_local_calls,
    localCallPricePerMin: row.local_call_price_per_min,
    minProfitability:
      row.min_profit_type && row.min_profit_value !== null
        ? { type: row.min_profit_type, value: row.min_profit_value }
        : null,
    notificationsEnabled: row.notifications_enabled,
    onlinePayment: row.online_payment,
    portalPermissions: row.portal_permissions,
    mode: row.mode,
    currency: row.currency,
    creditLimit: row.credit_limit,
    unlimitedCredit: row.unlimited_credit,
    balance: row.balance,
    availableCredit: availableCredit(row),
    rateGroupId: row.rate_group_id,
    nonCliRateGroupId: row.non_cli_rate_group_id,
    rateGroupName: row.rate_group_name ?? null,
    nonCliRateGroupName: row.non_cli_rate_group_name ?? null,
    cliPoolMode: row.cli_pool_mode,
    billingSchedule: row.billing_schedule,
    billingDay: row.billing_day,
    generateZeroInvoice: row.generate_zero_invoice,
    invoiceNote: row.invoice_note,
    templateId: row.template_id,
    templateVersion: row.template_version,
    createdAt: iso(row.created_at)!,
    updatedAt: iso(row.updated_at)!,
    deletedAt: iso(row.deleted_at),
  };
}

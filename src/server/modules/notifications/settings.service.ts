import { Decimal } from 'decimal.js';
import { reachAccount, type ReachedAccount } from '../../platform/tenancy/index.js';
import type { Ctx } from '../../platform/context.js';
import { forbidden, validationError } from '../../platform/errors.js';
import { inTransaction } from '../../platform/db/transaction.js';
import { recordUpdate } from '../audit/index.js';
import { iso } from '../../platform/http/schemas.js';
import { defaultSettings, findSettings, saveSettings, type SettingsRow } from './settings.repository.js';
import { stateOf } from './low-balance.service.js';
import type { NotificationSettingsDto, NotificationSettingsInput } from './settings.schemas.js';

function requireStaff(ctx: Ctx) {
  if (ctx.actor.kind === 'customer') throw forbidden('Customers cannot change notification settings.');
}

function toInput(s: SettingsRow): NotificationSettingsInput & { signInNotification: boolean } {
  return {
    lowBalance: {
      enabled: s.low_balance_enabled,
      thresholdType: s.threshold_type,
      amount: new Decimal(s.threshold_amount).toFixed(),
      percent: s.threshold_percent === null ? null : new Decimal(s.threshold_percent).toFixed(),
      schedule: s.schedule,
      sendAt: s.send_at,
      repeatDays: s.repeat_days,
      recipient: s.recipient,
      disableTrunksAfterDays: s.disable_trunks_after_days,
    },
    sendTrunkUpdate: s.send_trunk_update,
    paymentReceivedAlert: s.payment_received_alert,
    zeroBalanceNotification: s.zero_balance_notification,
    signInNotification: s.sign_in_notification,
  };
}

async function toDto(ctx: Ctx, a: ReachedAccount, s: SettingsRow): Promise<NotificationSettingsDto> {
  const st = await stateOf(ctx, a.id);
  return {
    customerId: a.id,
    notificationsEnabled: a.notifications_enabled,
    ...toInput(s),
    state: { state: st.state, lowSince: iso(st.lowSince), escalatedAt: iso(st.escalatedAt) },
  };
}

export async function getNotificationSettings(
  ctx: Ctx,
  customerId: number,
): Promise<NotificationSettingsDto> {
  requireStaff(ctx);
  const a = await reachAccount(ctx, customerId, { customer: true });
  return toDto(ctx, a, await findSettings(ctx.db, a.id));
}

type SettingsAccount = Pick<ReachedAccount, 'id' | 'mode' | 'unlimited_credit' | 'credit_limit'>;

/**
 * What the schema cannot say (DOMAIN 3.15): amounts above 0, a percent in (0, 100], and a percent
 * threshold only for postpaid with a finite credit limit > 0, as in DNL. `field` prefixes the
 * field an error names (`notificationSettings.` on the create form).
 */
function checkSettings(a: SettingsAccount, input: NotificationSettingsInput, field = ''): void {
  const lb = input.lowBalance;
  if (new Decimal(lb.amount).lte(0))
    throw validationError(`${field}lowBalance.amount`, 'The alert amount must be more than 0.');
  if (lb.thresholdType === 'percent') {
    if (lb.percent === null || new Decimal(lb.percent).lte(0))
      throw validationError(`${field}lowBalance.percent`, 'A percent threshold needs a percent in (0, 100].');
    if (a.mode !== 'postpaid' || a.unlimited_credit || new Decimal(a.credit_limit).lte(0))
      throw validationError(
        `${field}lowBalance.thresholdType`,
        'A percent threshold needs a postpaid account with a finite credit limit above 0.',
        'LOW_BALANCE_PERCENT_NOT_ALLOWED',
      );
  }
}

function rowOf(accountId: number, input: NotificationSettingsInput, before: SettingsRow): SettingsRow {
  const lb = input.lowBalance;
  return {
    account_id: accountId,
    low_balance_enabled: lb.enabled,
    threshold_type: lb.thresholdType,
    threshold_amount: lb.amount,
    threshold_percent: lb.percent,
    schedule: lb.schedule,
    send_at: lb.sendAt,
    repeat_days: lb.repeatDays,
    recipient: lb.recipient,
    disable_trunks_after_days: lb.disableTrunksAfterDays,
    send_trunk_update: input.sendTrunkUpdate,
    payment_received_alert: input.paymentReceivedAlert,
    zero_balance_notification: input.zeroBalanceNotification,
    sign_in_notification: input.signInNotification ?? before.sign_in_notification,
  };
}

/** Saves the Notification Setting / Alert Threshold sections of an existing customer. */
export async function putNotificationSettings(
  ctx: Ctx,
  customerId: number,
  input: NotificationSettingsInput,
): Promise<NotificationSettingsDto> {
  requireStaff(ctx);
  return inTransaction(ctx, async (tx) => {
    const a = await reachAccount(tx, customerId, { customer: true, forUpdate: true });
    checkSettings(a, input);
    const before = await findSettings(tx.db, a.id);
    const row = rowOf(a.id, input, before);
    await saveSettings(tx.db, row, tx.now());
    await recordUpdate(tx, {
      action: 'notification_settings.update',
      entityType: 'account',
      entityId: a.id,
      accountId: a.id,
      before: toInput(before),
      after: toInput(row),
    });
    return toDto(tx, a, row);
  });
}

/**
 * The same sections given on the create form: checked as on edit and saved in the creating
 * transaction (the caller's `tx`), so a refused setting creates no customer.
 */
export async function saveSettingsOnCreate(
  tx: Ctx,
  account: SettingsAccount,
  input: NotificationSettingsInput,
): Promise<void> {
  requireStaff(tx);
  checkSettings(account, input, 'notificationSettings.');
  await saveSettings(tx.db, rowOf(account.id, input, defaultSettings(account.id)), tx.now());
}

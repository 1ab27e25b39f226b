import type { Executor } from '../../platform/db/database.js';

const COLUMNS = [
  'account_id',
  'low_balance_enabled',
  'threshold_type',
  'threshold_amount',
  'threshold_percent',
  'schedule',
  'send_at',
  'repeat_days',
  'recipient',
  'disable_trunks_after_days',
  'send_trunk_update',
  'payment_received_alert',
  'zero_balance_notification',
  'sign_in_notification',
] as const;

export interface SettingsRow {
  account_id: number;
  low_balance_enabled: boolean;
  threshold_type: 'amount' | 'percent';
  threshold_amount: string;
  threshold_percent: string | null;
  schedule: 'daily' | 'hourly';
  send_at: string;
  repeat_days: number;
  recipient: 'owner' | 'partner' | 'both';
  disable_trunks_after_days: number | null;
  send_trunk_update: boolean;
  payment_received_alert: boolean;
  zero_balance_notification: boolean;
  sign_in_notification: boolean;
}

/** The defaults of an account without a row (the migration's column defaults). */
export const defaultSettings = (accountId: number): SettingsRow => ({
  account_id: accountId,
  low_balance_enabled: false,
  threshold_type: 'amount',
  threshold_amount: '5',
  threshold_percent: null,
  schedule: 'daily',
  send_at: '09:00',
  repeat_days: 3,
  recipient: 'partner',
  disable_trunks_after_days: null,
  send_trunk_update: false,
  payment_received_alert: false,
  zero_balance_notification: false,
  sign_in_notification: false,
});

export async function findSettings(db: Executor, accountId: number): Promise<SettingsRow> {
  const r = await db
    .selectFrom('notification_settings')
    .select(COLUMNS)
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  return r ?? defaultSettings(accountId);
}

export async function saveSettings(db: Executor, s: SettingsRow, now: Date): Promise<void> {
  const { account_id, ...rest } = s;
  await db
    .insertInto('notification_settings')
    .values({ account_id, ...rest, updated_at: now })
    .onConflict((oc) => oc.column('account_id').doUpdateSet({ ...rest, updated_at: now }))
    .execute();
}

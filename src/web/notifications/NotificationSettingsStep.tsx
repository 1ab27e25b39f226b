import { Alert, Box, Typography } from '@mui/material';
import { useController, useWatch } from 'react-hook-form';
import type { FormSection, SectionProps } from '../accounts/form-sections.js';
import { NotificationSettingsFields } from './CustomerNotificationTabs.js';
import { DEFAULT_NOTIFICATION_SETTINGS, type NotificationSettingsBody } from './notifications-api.js';

const MONEY = /^(0|[1-9][0-9]{0,13})(\.[0-9]{1,6})?$/;
const PERCENT = /^(100(\.0{1,2})?|[0-9]{1,2}(\.[0-9]{1,2})?)$/;
const HHMM = /^([01][0-9]|2[0-3]):[0-5][0-9]$/;

/**
 * The rules PUT /customers/{id}/notification-settings checks (DOMAIN 3.15), for the create form
 * before it is sent: a percent threshold only for postpaid with a finite credit limit above 0.
 */
export function notificationSettingsProblem(
  s: NotificationSettingsBody,
  account: { mode?: unknown; creditLimit?: unknown; unlimitedCredit?: unknown },
): { field: string; message: string } | null {
  const lb = s.lowBalance;
  if (lb.thresholdType === 'amount' && (!MONEY.test(lb.amount) || Number(lb.amount) <= 0))
    return { field: 'lowBalance.amount', message: 'The alert amount must be more than 0.' };
  if (lb.thresholdType === 'percent') {
    if (!lb.percent || !PERCENT.test(lb.percent) || Number(lb.percent) <= 0)
      return { field: 'lowBalance.percent', message: 'A percent threshold needs a percent in (0, 100].' };
    if (account.mode !== 'postpaid' || account.unlimitedCredit === true || !(Number(account.creditLimit) > 0))
      return {
        field: 'lowBalance.thresholdType',
        message: 'A percent threshold needs a postpaid account with a finite credit limit above 0.',
      };
  }
  if (!HHMM.test(lb.sendAt)) return { field: 'lowBalance.sendAt', message: 'HH:MM, e.g. 09:00.' };
  if (!Number.isInteger(lb.repeatDays) || lb.repeatDays < 1 || lb.repeatDays > 60)
    return { field: 'lowBalance.repeatDays', message: 'From 1 to 60 days.' };
  const d = lb.disableTrunksAfterDays;
  if (d !== null && (!Number.isInteger(d) || d < 1 || d > 365))
    return { field: 'lowBalance.disableTrunksAfterDays', message: 'From 1 to 365 days, or empty.' };
  return null;
}

/**
 * The create form's Notification Setting step: the edit tab's fields, kept in the form value
 * `notificationSettings` (left undefined, and not sent, until the operator changes something).
 */
function NotificationSettingsStep(_props: SectionProps) {
  const account = useWatch({ name: ['mode', 'creditLimit', 'unlimitedCredit'] }) as unknown[];
  const acct = { mode: account[0], creditLimit: account[1], unlimitedCredit: account[2] };
  const { field, fieldState, formState } = useController({
    name: 'notificationSettings',
    rules: {
      validate: (v: NotificationSettingsBody | undefined) =>
        v ? (notificationSettingsProblem(v, acct)?.message ?? true) : true,
    },
  });
  const value = (field.value as NotificationSettingsBody | undefined) ?? DEFAULT_NOTIFICATION_SETTINGS;
  const problem = field.value ? notificationSettingsProblem(value, acct) : null;
  const shown = formState.submitCount > 0 || fieldState.isTouched;
  const fieldError = (f: string) => (shown && problem?.field === f ? problem.message : undefined);
  // A server refusal of these settings arrives as an error on the whole value.
  const serverError = fieldState.error && !problem ? fieldState.error.message : null;
  return (
    <Box onBlur={field.onBlur}>
      <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }}>
        Low balance, zero balance, payment, trunk update and sign-in mails; the master switch is
        &quot;Notifications&quot; in Account Settings.
      </Typography>
      {serverError && (
        <Alert severity="error" sx={{ mb: 2 }}>
          {serverError}
        </Alert>
      )}
      <NotificationSettingsFields
        value={value}
        onChange={(next) => field.onChange(next)}
        fieldError={fieldError}
        headingLevel="h3"
      />
    </Box>
  );
}

/** The create form's last step, customers only (the edit page has its Notifications tab). */
export const NOTIFICATION_FORM_SECTION: FormSection = {
  key: 'notifications',
  title: 'Notification Setting',
  fields: ['notificationSettings'],
  Component: NotificationSettingsStep,
};

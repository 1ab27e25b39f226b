import { useViewerTimeZone } from '../format/viewer-zone.js';
import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  Box,
  Button,
  Checkbox,
  FormControlLabel,
  MenuItem,
  Stack,
  TextField,
  Typography,
} from '@mui/material';
import type { EditTabProps } from '../accounts/AccountEdit.js';
import { errorMessage } from '../shared/error-message.js';
import { formatDateTime } from '../format/format.js';
import { MailTable } from './MailTable.js';
import {
  notificationsApi,
  type NotificationSettings,
  type NotificationSettingsBody,
} from './notifications-api.js';

/** The customer's Emails tab (the documents' tab): every mail with its status, resend, row actions. */
export function EmailsTab({ record }: EditTabProps) {
  const viewerZone = useViewerTimeZone();
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const queryClient = useQueryClient();
  const act = async (what: 'welcome' | 'alert') => {
    try {
      const r =
        what === 'welcome'
          ? await notificationsApi.welcomeLetter(record.id)
          : await notificationsApi.lowBalanceAlert(record.id);
      setNotice(r.status === 'queued' ? 'Mail queued.' : `Kept, not sent: ${r.skipReason}`);
      // The Emails list (react-admin's query of that resource) reads the new mail.
      await queryClient.invalidateQueries({ queryKey: [`customers/${record.id}/emails`] });
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  return (
    <Box>
      <Stack direction="row" spacing={1} sx={{ mb: 2 }}>
        <Typography variant="h6" component="h2" sx={{ flex: 1 }}>
          Emails
        </Typography>
        <Button variant="outlined" onClick={() => void act('welcome')}>
          Send welcome letter
        </Button>
        <Button variant="outlined" onClick={() => void act('alert')}>
          Send low balance alert
        </Button>
      </Stack>
      {notice && (
        <Alert severity="success" sx={{ mb: 2 }} onClose={() => setNotice(null)}>
          {notice}
        </Alert>
      )}
      {error && (
        <Alert severity="error" sx={{ mb: 2 }} onClose={() => setError(null)}>
          {error}
        </Alert>
      )}
      <MailTable customerId={record.id} timeZone={viewerZone} />
    </Box>
  );
}

const toBody = (s: NotificationSettings): NotificationSettingsBody => ({
  lowBalance: s.lowBalance,
  sendTrunkUpdate: s.sendTrunkUpdate,
  paymentReceivedAlert: s.paymentReceivedAlert,
  zeroBalanceNotification: s.zeroBalanceNotification,
  signInNotification: s.signInNotification,
});

export interface NotificationSettingsFieldsProps {
  value: NotificationSettingsBody;
  onChange: (next: NotificationSettingsBody) => void;
  /** The message for a field (`lowBalance.amount` ...), or undefined. */
  fieldError?: (field: string) => string | undefined;
  /** Heading level of the two section titles (h2 on the edit tab, h3 inside a create step). */
  headingLevel?: 'h2' | 'h3';
}

/**
 * The Alert Threshold and Notification Setting sections (DOMAIN 3.15), controlled: the edit
 * page's Notifications tab and the create form's step show the same fields.
 */
export function NotificationSettingsFields({
  value: form,
  onChange: setForm,
  fieldError = () => undefined,
  headingLevel = 'h2',
}: NotificationSettingsFieldsProps) {
  const lb = form.lowBalance;
  const setLb = (patch: Partial<NotificationSettingsBody['lowBalance']>) =>
    setForm({ ...form, lowBalance: { ...lb, ...patch } });
  const check = (label: string, checked: boolean, onChange: (v: boolean) => void) => (
    <FormControlLabel
      control={<Checkbox checked={checked} onChange={(e) => onChange(e.target.checked)} />}
      label={label}
    />
  );
  return (
    <>
      <Box component="section" aria-labelledby="section-alert-threshold" sx={{ mb: 3 }}>
        <Typography variant="h6" component={headingLevel} id="section-alert-threshold" sx={{ mb: 1 }}>
          Alert Threshold
        </Typography>
        {check('Low balance notification', lb.enabled, (v) => setLb({ enabled: v }))}
        <Box
          sx={{
            mt: 1,
            display: 'grid',
            gap: 2,
            gridTemplateColumns: 'repeat(auto-fill, minmax(220px, 1fr))',
          }}
        >
          <TextField
            select
            size="small"
            label="Threshold type"
            value={lb.thresholdType}
            onChange={(e) => setLb({ thresholdType: e.target.value as 'amount' | 'percent' })}
            error={!!fieldError('lowBalance.thresholdType')}
            helperText={fieldError('lowBalance.thresholdType')}
          >
            <MenuItem value="amount">Amount</MenuItem>
            <MenuItem value="percent">Percent of credit limit</MenuItem>
          </TextField>
          {lb.thresholdType === 'amount' ? (
            <TextField
              size="small"
              label="Balance below"
              value={lb.amount}
              onChange={(e) => setLb({ amount: e.target.value })}
              error={!!fieldError('lowBalance.amount')}
              helperText={fieldError('lowBalance.amount')}
            />
          ) : (
            <TextField
              size="small"
              label="Percent"
              value={lb.percent ?? ''}
              onChange={(e) => setLb({ percent: e.target.value || null })}
              error={!!fieldError('lowBalance.percent')}
              helperText={fieldError('lowBalance.percent')}
            />
          )}
          <TextField
            select
            size="small"
            label="Schedule"
            value={lb.schedule}
            onChange={(e) => setLb({ schedule: e.target.value as 'daily' | 'hourly' })}
          >
            <MenuItem value="daily">Daily</MenuItem>
            <MenuItem value="hourly">Hourly</MenuItem>
          </TextField>
          <TextField
            size="small"
            label={lb.schedule === 'daily' ? 'Send at (HH:MM)' : 'Send at minute (00:MM)'}
            value={lb.sendAt}
            onChange={(e) => setLb({ sendAt: e.target.value })}
            error={!!fieldError('lowBalance.sendAt')}
            helperText={fieldError('lowBalance.sendAt')}
          />
          <TextField
            size="small"
            type="number"
            label="Repeat for days"
            value={lb.repeatDays}
            onChange={(e) => setLb({ repeatDays: Number(e.target.value) })}
            slotProps={{ htmlInput: { min: 1, max: 60 } }}
            error={!!fieldError('lowBalance.repeatDays')}
            helperText={fieldError('lowBalance.repeatDays')}
          />
          <TextField
            select
            size="small"
            label="Send to"
            value={lb.recipient}
            onChange={(e) => setLb({ recipient: e.target.value as 'owner' | 'partner' | 'both' })}
          >
            <MenuItem value="owner">Owner (my billing)</MenuItem>
            <MenuItem value="partner">Partner billing</MenuItem>
            <MenuItem value="both">Both</MenuItem>
          </TextField>
          <TextField
            size="small"
            type="number"
            label="Disable trunks after days"
            value={lb.disableTrunksAfterDays ?? ''}
            onChange={(e) =>
              setLb({ disableTrunksAfterDays: e.target.value ? Number(e.target.value) : null })
            }
            error={!!fieldError('lowBalance.disableTrunksAfterDays')}
            helperText={fieldError('lowBalance.disableTrunksAfterDays') ?? 'empty = never'}
          />
        </Box>
      </Box>
      <Box component="section" aria-labelledby="section-notification-setting" sx={{ mb: 3 }}>
        <Typography variant="h6" component={headingLevel} id="section-notification-setting" sx={{ mb: 1 }}>
          Notification Setting
        </Typography>
        <Stack>
          {check('Zero balance notification', form.zeroBalanceNotification, (v) =>
            setForm({ ...form, zeroBalanceNotification: v }),
          )}
          {check('Payment received alert', form.paymentReceivedAlert, (v) =>
            setForm({ ...form, paymentReceivedAlert: v }),
          )}
          {check('Send trunk update (to the NOC address)', form.sendTrunkUpdate, (v) =>
            setForm({ ...form, sendTrunkUpdate: v }),
          )}
          {check('Sign-in notification (to the main email)', form.signInNotification, (v) =>
            setForm({ ...form, signInNotification: v }),
          )}
        </Stack>
      </Box>
    </>
  );
}

const settingsKey = (customerId: number) => ['customers', customerId, 'notification-settings'];

/** Notification Setting and Alert Threshold (DOMAIN 3.15), with the low-balance state. */
export function NotificationsTab({ record }: EditTabProps) {
  const settings = useQuery({
    queryKey: settingsKey(record.id),
    queryFn: () => notificationsApi.settings(record.id),
    retry: false,
  });
  if (settings.error) return <Alert severity="error">{errorMessage(settings.error)}</Alert>;
  if (!settings.data) return null;
  return <NotificationsForm customerId={record.id} saved={settings.data} />;
}

/** The tab's form, from the settings as loaded (its inputs start from them). */
function NotificationsForm({ customerId, saved }: { customerId: number; saved: NotificationSettings }) {
  const viewerZone = useViewerTimeZone();
  const queryClient = useQueryClient();
  const [form, setForm] = useState<NotificationSettingsBody>(() => toBody(saved));
  const [error, setError] = useState<{ message: string; field?: string } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const fieldError = (f: string) => (error?.field === f ? error.message : undefined);
  const update = useMutation({
    mutationFn: (body: NotificationSettingsBody) => notificationsApi.saveSettings(customerId, body),
    onSuccess: (s) => {
      queryClient.setQueryData(settingsKey(customerId), s);
      setForm(toBody(s));
      setError(null);
      setNotice('Saved.');
    },
    onError: (e) => {
      const details = (e as { details?: { field?: string } }).details;
      setError({ message: errorMessage(e), field: details?.field });
    },
  });
  const save = () => update.mutate(form);
  return (
    <Box component="form" onSubmit={(e) => (e.preventDefault(), save())}>
      {!saved.notificationsEnabled && (
        <Alert severity="warning" sx={{ mb: 2 }}>
          Notifications are off for this account (Customer Profile): mail is kept, not sent.
        </Alert>
      )}
      <Typography variant="body2" sx={{ mb: 2 }}>
        Balance state: <b>{saved.state.state}</b>
        {saved.state.lowSince && ` since ${formatDateTime(saved.state.lowSince, viewerZone)}`}
        {saved.state.escalatedAt &&
          `; trunks disabled ${formatDateTime(saved.state.escalatedAt, viewerZone)}`}
      </Typography>
      <NotificationSettingsFields value={form} onChange={setForm} fieldError={fieldError} />
      {error && !error.field && (
        <Alert severity="error" sx={{ mb: 2 }}>
          {error.message}
        </Alert>
      )}
      {notice && (
        <Alert severity="success" sx={{ mb: 2 }} onClose={() => setNotice(null)}>
          {notice}
        </Alert>
      )}
      <Button type="submit" variant="contained">
        Save
      </Button>
    </Box>
  );
}

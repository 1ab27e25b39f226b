import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, CardContent, Stack, TextField, Typography } from '@mui/material';
import { Title } from 'react-admin';
import { api, ApiError } from '../api/http.js';
import { errorMessage } from '../shared/error-message.js';
import type * as Wire from '../../server/api-types.js';

/** The system settings (admins): for now the retention of raw CDRs (issue 13). */
type SystemSettings = Wire.SystemSettingsDto;

const SETTINGS_KEY = ['settings'];

/** The form, from the settings as loaded (its input starts from them). */
function SettingsForm({ settings, onError }: { settings: SystemSettings; onError: (m: string) => void }) {
  const queryClient = useQueryClient();
  const [months, setMonths] = useState(
    settings.cdrRetentionMonths === null ? '' : String(settings.cdrRetentionMonths),
  );
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const update = useMutation({
    mutationFn: (body: Wire.SystemSettingsBodyDto) => api<SystemSettings>('PATCH', '/settings', { body }),
    onSuccess: (s) => {
      queryClient.setQueryData(SETTINGS_KEY, s);
      setSaved(true);
    },
    onError: (e) => {
      if (e instanceof ApiError && e.details.field === 'cdrRetentionMonths') setFieldError(e.message);
      else onError(errorMessage(e));
    },
  });
  function save() {
    setFieldError(null);
    setSaved(false);
    const text = months.trim();
    if (text !== '' && (!/^\d{1,3}$/.test(text) || Number(text) < 1 || Number(text) > 120))
      return setFieldError('Whole months from 1 to 120, or empty to keep CDRs forever.');
    update.mutate({ cdrRetentionMonths: text === '' ? null : Number(text) });
  }
  return (
    <Stack spacing={2} sx={{ maxWidth: 520 }}>
      <TextField
        label="Keep raw CDRs (months)"
        value={months}
        onChange={(e) => setMonths(e.target.value)}
        error={fieldError !== null}
        helperText={
          fieldError ??
          'Whole months kept before the current one; older months are dropped hourly, a month at a time. Daily usage summaries and the ledger stay. Empty: keep forever.'
        }
        slotProps={{ htmlInput: { inputMode: 'numeric', 'aria-label': 'Keep raw CDRs (months)' } }}
      />
      <Stack direction="row" spacing={2} sx={{ alignItems: 'center' }}>
        <Button variant="contained" onClick={save}>
          Save
        </Button>
        {saved && <Typography color="success.main">Saved.</Typography>}
      </Stack>
    </Stack>
  );
}

export function SettingsPage() {
  const settings = useQuery({
    queryKey: SETTINGS_KEY,
    queryFn: () => api<SystemSettings>('GET', '/settings'),
    retry: false,
  });
  const [saveError, setSaveError] = useState<string | null>(null);
  const error = saveError ?? (settings.error ? errorMessage(settings.error) : null);
  return (
    <Card sx={{ mt: 2 }}>
      <Title title="Settings" />
      <CardContent>
        <Typography variant="h5" component="h1" sx={{ mb: 2 }}>
          Settings
        </Typography>
        {error && (
          <Alert severity="error" sx={{ mb: 2 }}>
            {error}
          </Alert>
        )}
        {settings.data && <SettingsForm settings={settings.data} onError={setSaveError} />}
      </CardContent>
    </Card>
  );
}

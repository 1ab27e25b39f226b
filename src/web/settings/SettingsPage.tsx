import { useEffect, useState } from 'react';
import { Alert, Button, Card, CardContent, Stack, TextField, Typography } from '@mui/material';
import { Title } from 'react-admin';
import { api, ApiError } from '../api/http.js';
import { errorMessage } from '../shared/error-message.js';

/** The system settings (admins): for now the retention of raw CDRs (issue 13). */
interface SystemSettings {
  cdrRetentionMonths: number | null;
  updatedAt: string;
}

export function SettingsPage() {
  const [settings, setSettings] = useState<SystemSettings | null>(null);
  const [months, setMonths] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    api<SystemSettings>('GET', '/settings')
      .then((s) => {
        setSettings(s);
        setMonths(s.cdrRetentionMonths === null ? '' : String(s.cdrRetentionMonths));
      })
      .catch((e: unknown) => setError(errorMessage(e)));
  }, []);
  async function save() {
    setFieldError(null);
    setSaved(false);
    const text = months.trim();
    if (text !== '' && (!/^\d{1,3}$/.test(text) || Number(text) < 1 || Number(text) > 120))
      return setFieldError('Whole months from 1 to 120, or empty to keep CDRs forever.');
    try {
      const s = await api<SystemSettings>('PATCH', '/settings', {
        body: { cdrRetentionMonths: text === '' ? null : Number(text) },
      });
      setSettings(s);
      setSaved(true);
    } catch (e) {
      if (e instanceof ApiError && e.details.field === 'cdrRetentionMonths') setFieldError(e.message);
      else setError(errorMessage(e));
    }
  }
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
        {settings && (
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
              <Button variant="contained" onClick={() => void save()}>
                Save
              </Button>
              {saved && <Typography color="success.main">Saved.</Typography>}
            </Stack>
          </Stack>
        )}
      </CardContent>
    </Card>
  );
}

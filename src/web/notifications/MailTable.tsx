import { useState } from 'react';
import { useGetOne } from 'react-admin';
import {
  Alert,
  Box,
  Button,
  Chip,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  MenuItem,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  TextField,
  Typography,
} from '@mui/material';
import { formatDateTime } from '../format/format.js';
import { errorMessage } from '../shared/error-message.js';
import { ResourceListPager, setListFilter, useResourceList } from '../shared/resource-list.js';
import {
  KIND_NAMES,
  notificationsApi,
  type Mail,
  type MailDetail,
  type MailStatus,
} from './notifications-api.js';

const PAGE = 25;
const STATUS_COLOR: Record<MailStatus, 'default' | 'success' | 'error' | 'warning' | 'info'> = {
  queued: 'info',
  sending: 'info',
  sent: 'success',
  failed: 'error',
  skipped: 'warning',
};

/** Why a mail is where it is: the skip reason, the server's answer, or the next try. */
function detailOf(m: Mail, timeZone: string): string {
  if (m.status === 'skipped') return m.skipReason ?? '';
  if (m.status === 'failed') return m.lastError ?? '';
  if (m.status === 'queued' && m.lastError)
    return `retry at ${formatDateTime(m.nextAttemptAt, timeZone)}: ${m.lastError}`;
  return '';
}

function MailDialog({ id, timeZone, onClose }: { id: number; timeZone: string; onClose: () => void }) {
  const { data: mail, error: loadError } = useGetOne<MailDetail>('mails', { id }, { retry: false });
  const error = loadError ? errorMessage(loadError) : null;
  return (
    <Dialog open onClose={onClose} maxWidth="md" fullWidth aria-labelledby="mail-dialog-title">
      <DialogTitle id="mail-dialog-title">{mail?.subject ?? 'Mail'}</DialogTitle>
      <DialogContent>
        {error && <Alert severity="error">{error}</Alert>}
        {mail && (
          <Stack spacing={1}>
            <Typography variant="body2">To: {mail.to.join(', ') || '(nobody)'}</Typography>
            {mail.from && <Typography variant="body2">From: {mail.from}</Typography>}
            <Typography variant="body2">
              Status: {mail.status} {mail.sentAt ? `at ${formatDateTime(mail.sentAt, timeZone)}` : ''}
            </Typography>
            <Typography variant="subtitle2">Text</Typography>
            <Box component="pre" sx={{ whiteSpace: 'pre-wrap', bgcolor: 'action.hover', p: 1, m: 0 }}>
              {mail.textBody}
            </Box>
            {mail.htmlBody && (
              <>
                <Typography variant="subtitle2">HTML</Typography>
                <Box
                  component="iframe"
                  title="HTML part"
                  sandbox=""
                  srcDoc={mail.htmlBody}
                  sx={{ width: '100%', minHeight: 200, border: 1, borderColor: 'divider' }}
                />
              </>
            )}
          </Stack>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Close</Button>
      </DialogActions>
    </Dialog>
  );
}

/**
 * Mails newest first with status, why, and Resend: the customer's Emails tab (customerId given)
 * or the Mail log across customers. Keyset pages like the other grids.
 */
export function MailTable({ customerId, timeZone }: { customerId?: number; timeZone: string }) {
  const list = useResourceList<Mail>(customerId ? `customers/${customerId}/emails` : 'mails', {
    perPage: PAGE,
  });
  const status = String(list.filterValues.status ?? '');
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [open, setOpen] = useState<number | null>(null);

  const resend = async (id: number) => {
    try {
      const r = await notificationsApi.resend(id);
      setNotice(r.status === 'queued' ? `Mail ${id} queued again.` : `Not queued: ${r.skipReason}`);
      setError(null);
      // The new try is the newest mail: back to the first page, read again.
      if (list.page !== 1) list.setPage(1);
      else void list.refetch();
    } catch (e) {
      setError(errorMessage(e));
    }
  };

  return (
    <Box>
      <Stack direction="row" spacing={2} sx={{ mb: 2, alignItems: 'center' }}>
        <TextField
          select
          size="small"
          label="Status"
          value={status}
          onChange={(e) => setListFilter(list, 'status', e.target.value)}
          sx={{ minWidth: 160 }}
        >
          <MenuItem value="">Any</MenuItem>
          {(['queued', 'sent', 'failed', 'skipped'] as const).map((s) => (
            <MenuItem key={s} value={s}>
              {s}
            </MenuItem>
          ))}
        </TextField>
      </Stack>
      {error && (
        <Alert severity="error" sx={{ mb: 2 }}>
          {error}
        </Alert>
      )}
      {notice && (
        <Alert severity="success" sx={{ mb: 2 }} onClose={() => setNotice(null)}>
          {notice}
        </Alert>
      )}
      <Table size="small" aria-label={customerId ? 'Emails' : 'Mail log'}>
        <TableHead>
          <TableRow>
            <TableCell>Created</TableCell>
            {!customerId && <TableCell>Account</TableCell>}
            <TableCell>Kind</TableCell>
            <TableCell>To</TableCell>
            <TableCell>Subject</TableCell>
            <TableCell>Status</TableCell>
            <TableCell>Why</TableCell>
            <TableCell />
          </TableRow>
        </TableHead>
        <TableBody>
          {list.data?.map((m) => (
            <TableRow key={m.id}>
              <TableCell>{formatDateTime(m.createdAt, timeZone)}</TableCell>
              {!customerId && (
                <TableCell>
                  {m.accountNumber ? `${m.accountNumber} ${m.accountName ?? ''}` : 'operator'}
                </TableCell>
              )}
              <TableCell>{KIND_NAMES[m.kind] ?? m.kind}</TableCell>
              <TableCell>{m.to.join(', ')}</TableCell>
              <TableCell>
                <Button
                  size="small"
                  onClick={() => setOpen(m.id)}
                  sx={{ textTransform: 'none', textAlign: 'left' }}
                >
                  {m.subject}
                </Button>
              </TableCell>
              <TableCell>
                <Chip size="small" label={m.status} color={STATUS_COLOR[m.status]} />
              </TableCell>
              <TableCell sx={{ maxWidth: 320, overflowWrap: 'anywhere' }}>{detailOf(m, timeZone)}</TableCell>
              <TableCell>
                {m.status !== 'queued' && m.status !== 'sending' && (
                  <Button size="small" onClick={() => void resend(m.id)} aria-label={`Resend mail ${m.id}`}>
                    Resend
                  </Button>
                )}
              </TableCell>
            </TableRow>
          ))}
          {list.data?.length === 0 && (
            <TableRow>
              <TableCell colSpan={8}>No mail yet.</TableCell>
            </TableRow>
          )}
        </TableBody>
      </Table>
      <ResourceListPager list={list} />
      {open !== null && <MailDialog id={open} timeZone={timeZone} onClose={() => setOpen(null)} />}
    </Box>
  );
}

import { useCallback, useEffect, useState } from 'react';
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
import {
  KIND_NAMES,
  notificationsApi,
  type Mail,
  type MailDetail,
  type MailStatus,
  type Page,
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
  const [mail, setMail] = useState<MailDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    notificationsApi.mail(id).then(setMail, (e) => setError(errorMessage(e)));
  }, [id]);
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
export function MailTable({
  customerId,
  timeZone,
  refreshKey = 0,
}: {
  customerId?: number;
  timeZone: string;
  refreshKey?: number;
}) {
  const [status, setStatus] = useState('');
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [page, setPage] = useState<Page<Mail> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [open, setOpen] = useState<number | null>(null);
  const [tick, setTick] = useState(0);
  const cursor = cursors[cursors.length - 1];

  const load = useCallback(() => {
    const query = { limit: PAGE, cursor, status: status || undefined };
    return customerId ? notificationsApi.customerMails(customerId, query) : notificationsApi.mails(query);
  }, [customerId, cursor, status]);

  useEffect(() => {
    let live = true;
    load().then(
      (p) => live && (setPage(p), setError(null)),
      (e) => live && setError(errorMessage(e)),
    );
    return () => {
      live = false;
    };
  }, [load, tick, refreshKey]);

  const resend = async (id: number) => {
    try {
      const r = await notificationsApi.resend(id);
      setNotice(r.status === 'queued' ? `Mail ${id} queued again.` : `Not queued: ${r.skipReason}`);
      setCursors([undefined]);
      setTick((x) => x + 1);
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
          onChange={(e) => {
            setStatus(e.target.value);
            setCursors([undefined]);
          }}
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
          {page?.data.map((m) => (
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
          {page && page.data.length === 0 && (
            <TableRow>
              <TableCell colSpan={8}>No mail yet.</TableCell>
            </TableRow>
          )}
        </TableBody>
      </Table>
      <Stack direction="row" spacing={1} sx={{ mt: 1 }}>
        <Button disabled={cursors.length <= 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
          Previous
        </Button>
        <Button disabled={!page?.nextCursor} onClick={() => setCursors((c) => [...c, page!.nextCursor!])}>
          Next
        </Button>
      </Stack>
      {open !== null && <MailDialog id={open} timeZone={timeZone} onClose={() => setOpen(null)} />}
    </Box>
  );
}

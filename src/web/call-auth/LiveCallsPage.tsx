import { useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  Box,
  Button,
  Card,
  CardContent,
  Chip,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Typography,
} from '@mui/material';
import { Title, usePermissions } from 'react-admin';
import { errorMessage } from '../shared/error-message.js';
import { formatDateTime, formatMoney } from '../format/format.js';
import { useViewerTimeZone } from '../format/viewer-zone.js';
import { RouterLink } from '../layout/RouterLink.js';
import { callAuthApi, durationText, type CallAlarm } from './call-auth-api.js';

/*
 * Live Calls (issue 12): every call holding a slot or money now, as the counters see it (memory or
 * Redis), refreshed every few seconds; then the alarms the sweeper raised for calls whose end or
 * CDR never came. Admins see all; a reseller the calls of its subtree (the API scopes it).
 */

export const LIVE_CALLS_REFRESH_MS = 5000;
const ALARMS_KEY = ['call-auth/alarms'];

function money(amount: string, currency: string | null) {
  return currency ? formatMoney(amount, currency) : amount;
}

function Account({
  row,
}: {
  row: { accountId: number; accountName: string | null; accountNumber: string | null };
}) {
  return (
    <RouterLink to={`/customers/${row.accountId}`}>
      {row.accountName ?? `#${row.accountId}`}
      {row.accountNumber ? ` (${row.accountNumber})` : ''}
    </RouterLink>
  );
}

function AlarmTable({
  alarms,
  zone,
  label,
  onAcknowledge,
  busyId,
}: {
  alarms: CallAlarm[];
  zone: string;
  label: string;
  /** Open alarms: the Acknowledge button; acknowledged ones: who and when instead. */
  onAcknowledge?: (a: CallAlarm) => void;
  busyId?: number | null;
}) {
  return (
    <Box sx={{ overflowX: 'auto' }}>
      <Table size="small" aria-label={label}>
        <TableHead>
          <TableRow>
            <TableCell>Raised</TableCell>
            <TableCell>Alarm</TableCell>
            <TableCell>Account</TableCell>
            <TableCell>Trunk</TableCell>
            <TableCell>Host</TableCell>
            <TableCell>Destination</TableCell>
            <TableCell>Started</TableCell>
            <TableCell>Grant</TableCell>
            <TableCell>Held</TableCell>
            <TableCell>Call-ID</TableCell>
            <TableCell>{onAcknowledge ? '' : 'Acknowledged'}</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {alarms.map((a) => (
            <TableRow key={a.id} data-testid={`alarm-${a.id}`}>
              <TableCell>{formatDateTime(a.createdAt, zone)}</TableCell>
              <TableCell>
                <Chip
                  size="small"
                  color={a.acknowledgedAt ? 'default' : 'warning'}
                  label={a.kind === 'MISSING_END' ? 'Missing end' : 'Missing CDR'}
                />
              </TableCell>
              <TableCell>
                <Account row={a} />
              </TableCell>
              <TableCell>{a.trunkName ?? '—'}</TableCell>
              <TableCell>{a.hostAddress ?? '—'}</TableCell>
              <TableCell>{a.calledNumber}</TableCell>
              <TableCell>{formatDateTime(a.startedAt, zone)}</TableCell>
              <TableCell>{durationText(a.grantSec)}</TableCell>
              <TableCell>{money(a.amountHeld, a.currency)}</TableCell>
              <TableCell sx={{ fontFamily: 'monospace', fontSize: 12 }}>{a.callId}</TableCell>
              <TableCell>
                {onAcknowledge ? (
                  <Button
                    size="small"
                    variant="outlined"
                    disabled={busyId === a.id}
                    onClick={() => onAcknowledge(a)}
                  >
                    Acknowledge
                  </Button>
                ) : (
                  <Typography variant="body2">
                    {a.acknowledgedAt ? formatDateTime(a.acknowledgedAt, zone) : '—'}
                    {a.acknowledgedBy ? ` by ${a.acknowledgedBy}` : ''}
                  </Typography>
                )}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </Box>
  );
}

/** The sweeper's alarms: open ones first, each with Acknowledge; the acknowledged ones below, apart. */
function Alarms({ zone }: { zone: string }) {
  const queryClient = useQueryClient();
  const [busyId, setBusyId] = useState<number | null>(null);
  // A refused acknowledge shows until the next load of the alarms.
  const [ackError, setAckError] = useState<{ message: string; at: number } | null>(null);
  const alarms = useQuery({
    queryKey: ALARMS_KEY,
    queryFn: () => Promise.all([callAuthApi.alarms(false), callAuthApi.alarms(true)]),
    refetchInterval: LIVE_CALLS_REFRESH_MS * 6,
    retry: false,
  });
  const open = alarms.data?.[0].data ?? null;
  const done = alarms.data?.[1].data ?? null;
  const error =
    ackError && ackError.at > alarms.dataUpdatedAt
      ? ackError.message
      : alarms.error
        ? errorMessage(alarms.error)
        : null;
  const acknowledge = (a: CallAlarm) => {
    setBusyId(a.id);
    callAuthApi
      .acknowledgeAlarm(a.id)
      .then(() => queryClient.invalidateQueries({ queryKey: ALARMS_KEY }))
      .catch((e: unknown) => setAckError({ message: errorMessage(e), at: Date.now() }))
      .finally(() => setBusyId(null));
  };
  return (
    <Box component="section" aria-label="Alarms" sx={{ mt: 4 }}>
      <Typography variant="h6" component="h2" sx={{ mb: 1 }}>
        Alarms
      </Typography>
      <Typography color="text.secondary" variant="body2" sx={{ mb: 1 }}>
        Calls the sweeper freed after their grant and margin: the switch never reported the end (missing end),
        or the call ended answered but its CDR never came (missing CDR). Acknowledge an alarm once it is
        looked into: it moves to the acknowledged list with your name and the time.
      </Typography>
      {error && <Alert severity="error">{error}</Alert>}
      {open?.length === 0 && <Typography>No open alarms.</Typography>}
      {open && open.length > 0 && (
        <AlarmTable
          alarms={open}
          zone={zone}
          label="Open alarms"
          onAcknowledge={acknowledge}
          busyId={busyId}
        />
      )}
      {done && done.length > 0 && (
        <>
          <Typography variant="subtitle1" component="h3" sx={{ mt: 3, mb: 1 }}>
            Acknowledged ({done.length === 50 ? 'latest 50' : done.length})
          </Typography>
          <AlarmTable alarms={done} zone={zone} label="Acknowledged alarms" />
        </>
      )}
    </Box>
  );
}

export function LiveCallsPage() {
  const zone = useViewerTimeZone();
  const { permissions } = usePermissions<string>();
  const live = useQuery({
    queryKey: ['calls/live'],
    queryFn: () => callAuthApi.liveCalls(),
    refetchInterval: LIVE_CALLS_REFRESH_MS,
    retry: false,
  });
  const calls = live.data?.data ?? null;
  const error = live.error ? errorMessage(live.error) : null;
  const updatedAt = live.dataUpdatedAt ? new Date(live.dataUpdatedAt) : null;
  return (
    <Card sx={{ mt: 2 }}>
      <Title title="Live Calls" />
      <CardContent>
        <Stack direction="row" spacing={2} sx={{ alignItems: 'baseline', mb: 2 }}>
          <Typography variant="h5" component="h1">
            Live Calls
          </Typography>
          {calls && (
            <Typography color="text.secondary" data-testid="live-count">
              {calls.length} {calls.length === 1 ? 'call' : 'calls'}
              {updatedAt &&
                ` · refreshed ${updatedAt.toLocaleTimeString()} (every ${LIVE_CALLS_REFRESH_MS / 1000} s)`}
            </Typography>
          )}
        </Stack>
        {error && <Alert severity="error">{error}</Alert>}
        {calls?.length === 0 && <Typography>No live calls.</Typography>}
        {calls && calls.length > 0 && (
          <Box sx={{ overflowX: 'auto' }}>
            <Table size="small" aria-label="Live calls">
              <TableHead>
                <TableRow>
                  <TableCell>Account</TableCell>
                  <TableCell>Trunk</TableCell>
                  <TableCell>Host</TableCell>
                  <TableCell>Destination</TableCell>
                  <TableCell>Caller</TableCell>
                  <TableCell>Started</TableCell>
                  <TableCell>Grant</TableCell>
                  <TableCell>Held</TableCell>
                  <TableCell>State</TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {calls.map((c) => (
                  <TableRow key={c.callId} title={`Call-ID ${c.callId}`}>
                    <TableCell>
                      <Account row={c} />
                    </TableCell>
                    <TableCell>{c.trunkName ?? (c.sipDeviceId ? 'SIP device' : '—')}</TableCell>
                    <TableCell>{c.hostAddress ?? '—'}</TableCell>
                    <TableCell>{c.calledNumber}</TableCell>
                    <TableCell>{c.callingNumber || '—'}</TableCell>
                    <TableCell>{formatDateTime(c.startedAt, zone)}</TableCell>
                    <TableCell>{durationText(c.grantSec)}</TableCell>
                    <TableCell>{money(c.amountHeld, c.currency)}</TableCell>
                    <TableCell>
                      {c.state === 'live' ? (
                        <Chip size="small" color="success" label="Live" />
                      ) : (
                        <Chip size="small" label="Awaiting CDR" />
                      )}
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </Box>
        )}
        {permissions === 'admin' && <Alarms zone={zone} />}
      </CardContent>
    </Card>
  );
}

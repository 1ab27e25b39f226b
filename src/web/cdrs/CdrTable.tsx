import { useMemo, useState } from 'react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useGetOne } from 'react-admin';
import DownloadIcon from '@mui/icons-material/Download';
import {
  Alert,
  Box,
  Button,
  Checkbox,
  Chip,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  FormControlLabel,
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
import { errorMessage } from '../shared/error-message.js';
import { ResourceListPager, useResourceList } from '../shared/resource-list.js';
import {
  formatCount,
  formatDateTime,
  formatMoney,
  formatRate,
  nextDate,
  startOfDayIn,
} from '../format/format.js';
import { useViewerTimeZone } from '../format/viewer-zone.js';
import { RouterLink } from '../layout/RouterLink.js';
import {
  cdrQuery,
  cdrsApi,
  type Cdr,
  type CdrDetail,
  type CdrFilter,
  type CdrTotalsLine,
} from './cdrs-api.js';

const PAGE = 25;

/** Seconds as a person reads a call's length: `0:47`, `12:03`, `1:02:00`. */
export function formatDuration(seconds: string | number): string {
  const s = Math.ceil(Number(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/** What happened to the call, in words: answered, not answered, or the reason it was refused. */
function outcome(c: Cdr) {
  if (c.status === 'denied')
    return <Chip size="small" color="error" variant="outlined" label={c.reason ?? 'Denied'} />;
  if (Number(c.billsec) > 0) return <Chip size="small" color="success" variant="outlined" label="Answered" />;
  return <Chip size="small" variant="outlined" label={`${c.disposition} (${c.sipCode})`} />;
}

function Field({ label, value }: { label: string; value: string | number | null | undefined }) {
  return (
    <Stack direction="row" spacing={2}>
      <Typography variant="body2" color="text.secondary" sx={{ width: 170, flexShrink: 0 }}>
        {label}
      </Typography>
      <Typography variant="body2">
        {value === null || value === undefined || value === '' ? '—' : value}
      </Typography>
    </Stack>
  );
}

/** One CDR's rating detail: what was dialled, what was billed and with which rate. */
function CdrDialog({ id, timeZone, onClose }: { id: number; timeZone: string; onClose: () => void }) {
  const { data: cdr, error: loadError } = useGetOne<CdrDetail>('cdrs', { id }, { retry: false });
  const error = loadError ? errorMessage(loadError) : null;
  const cur = cdr?.currency ?? 'USD';
  return (
    <Dialog open onClose={onClose} maxWidth="sm" fullWidth aria-labelledby="cdr-dialog-title">
      <DialogTitle id="cdr-dialog-title">Call to {cdr?.calledNumber ?? '…'}</DialogTitle>
      <DialogContent>
        {error && <Alert severity="error">{error}</Alert>}
        {cdr && (
          <Stack spacing={0.5}>
            <Field
              label="Customer"
              value={cdr.accountNumber ? `${cdr.accountName} (${cdr.accountNumber})` : 'unknown caller'}
            />
            <Field
              label="From"
              value={`${cdr.callingNumber} via ${cdr.sourceIp}${cdr.sipUsername ? ` (${cdr.sipUsername})` : ''}`}
            />
            <Field label="Started" value={formatDateTime(cdr.startedAt, timeZone)} />
            <Field
              label="Answered"
              value={cdr.answeredAt ? formatDateTime(cdr.answeredAt, timeZone) : 'not answered'}
            />
            <Field label="Ended" value={formatDateTime(cdr.endedAt, timeZone)} />
            <Field
              label="Outcome"
              value={
                cdr.status === 'denied'
                  ? `Refused: ${cdr.reason}`
                  : `${cdr.disposition}, SIP ${cdr.sipCode}, ${cdr.hangupCause}`
              }
            />
            <Field
              label="Duration / billed"
              value={`${formatDuration(cdr.durationSec)} / ${formatDuration(cdr.billsec)}`}
            />
            <Typography variant="subtitle2" sx={{ pt: 1 }}>
              Rating
            </Typography>
            <Field
              label="Rate"
              value={
                cdr.ratePrefix
                  ? `${cdr.ratePrefix}: ${formatRate(cdr.ratePerMin, cur)}/min` +
                    (cdr.rateOverrideId ? ` (the customer's rate override #${cdr.rateOverrideId})` : '')
                  : null
              }
            />
            <Field label="Connect fee" value={formatRate(cdr.connectFee, cur)} />
            <Field label="Included seconds" value={cdr.includedSeconds} />
            <Field
              label="Increments"
              value={cdr.initialIncrement ? `${cdr.initialIncrement}/${cdr.billingIncrement}` : null}
            />
            <Field label="Charged seconds" value={cdr.chargedSec} />
            <Field label="Cost" value={formatRate(cdr.cost, cur)} />
            <Field
              label="Rate snapshot"
              value={
                cdr.noReservation
                  ? 'looked up at the call start (no reservation)'
                  : 'from the call\u2019s authorization'
              }
            />
            <Field label="Ledger entry" value={cdr.ledgerEntryId} />
            <Field label="Call ID / leg" value={`${cdr.callId} / ${cdr.leg}`} />
          </Stack>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Close</Button>
      </DialogActions>
    </Dialog>
  );
}

function Totals({ lines }: { lines: CdrTotalsLine[] }) {
  if (!lines.length) return null;
  return (
    <Stack direction="row" useFlexGap spacing={3} sx={{ mb: 1, flexWrap: 'wrap' }} aria-label="Totals">
      {lines.map((t) => (
        <Typography key={t.currency ?? 'none'} variant="body2">
          <strong>{formatCount(t.calls)}</strong> calls, <strong>{formatCount(t.answered)}</strong> answered
          {t.denied ? `, ${formatCount(t.denied)} refused` : ''}, <strong>{formatDuration(t.billsec)}</strong>{' '}
          billed, <strong>{t.currency ? formatMoney(t.cost, t.currency) : t.cost}</strong>
          {t.currency ? '' : ' (unknown callers)'}
        </Typography>
      ))}
    </Stack>
  );
}

/**
 * CDRs newest first with filters, totals and CSV: the customer's CDRs tab (customerId given) or
 * the CDR search across customers (with customer, host and egress trunk filters).
 */
export function CdrTable({ customerId }: { customerId?: number }) {
  const timeZone = useViewerTimeZone();
  const [fromDate, setFromDate] = useState('');
  const [toDate, setToDate] = useState('');
  const [destination, setDestination] = useState('');
  const [status, setStatus] = useState('');
  const [answeredOnly, setAnsweredOnly] = useState(false);
  const [customer, setCustomer] = useState('');
  const [sourceIp, setSourceIp] = useState('');
  const [egressTrunk, setEgressTrunk] = useState('');
  const [open, setOpen] = useState<number | null>(null);

  const filter: CdrFilter = useMemo(
    () => ({
      from: fromDate ? startOfDayIn(fromDate, timeZone) : undefined,
      to: toDate ? startOfDayIn(nextDate(toDate), timeZone) : undefined,
      destination: /^[0-9]{1,32}$/.test(destination) ? destination : undefined,
      status: status === 'answered' ? undefined : status || undefined,
      answeredOnly: answeredOnly || status === 'answered',
      customerId: /^[1-9][0-9]{0,14}$/.test(customer) ? Number(customer) : undefined,
      sourceIp: sourceIp.trim() || undefined,
      egressTrunk: egressTrunk.trim() || undefined,
    }),
    [fromDate, toDate, destination, status, answeredOnly, customer, sourceIp, egressTrunk, timeZone],
  );

  // Keyset pages through the data provider, as the account lists walk them; the filter inputs are
  // this screen's own (dates in the viewer's zone), sent as the list's fixed filter.
  const list = useResourceList<Cdr>(customerId ? `customers/${customerId}/cdrs` : 'cdrs', {
    filter: cdrQuery(filter),
    perPage: PAGE,
  });
  const totalsQuery = useQuery({
    queryKey: ['cdrs/totals', customerId, filter],
    queryFn: () => cdrsApi.totals(customerId, filter),
    placeholderData: keepPreviousData,
    retry: false,
  });
  const totals: CdrTotalsLine[] = totalsQuery.isError ? [] : (totalsQuery.data?.byCurrency ?? []);

  const reset =
    <T,>(set: (v: T) => void) =>
    (v: T) => {
      set(v);
      list.setPage(1);
    };
  const search = !customerId;

  return (
    <Box>
      <Stack direction="row" useFlexGap spacing={1.5} sx={{ mb: 2, alignItems: 'center', flexWrap: 'wrap' }}>
        <TextField
          size="small"
          type="date"
          label="From"
          value={fromDate}
          onChange={(e) => reset(setFromDate)(e.target.value)}
          slotProps={{ inputLabel: { shrink: true } }}
          sx={{ width: 165 }}
        />
        <TextField
          size="small"
          type="date"
          label="To"
          value={toDate}
          onChange={(e) => reset(setToDate)(e.target.value)}
          slotProps={{ inputLabel: { shrink: true } }}
          sx={{ width: 165 }}
        />
        <TextField
          size="small"
          label="Destination starts with"
          value={destination}
          onChange={(e) => reset(setDestination)(e.target.value.replace(/[^0-9]/g, ''))}
          sx={{ width: 190 }}
        />
        <TextField
          select
          size="small"
          label="Outcome"
          value={status}
          onChange={(e) => reset(setStatus)(e.target.value)}
          sx={{ width: 150 }}
        >
          <MenuItem value="">Any</MenuItem>
          <MenuItem value="answered">Answered</MenuItem>
          <MenuItem value="rated">Rated</MenuItem>
          <MenuItem value="denied">Refused</MenuItem>
        </TextField>
        {search && (
          <>
            <TextField
              size="small"
              label="Customer ID"
              value={customer}
              onChange={(e) => reset(setCustomer)(e.target.value.replace(/[^0-9]/g, ''))}
              sx={{ width: 120 }}
            />
            <TextField
              size="small"
              label="Host IP"
              value={sourceIp}
              onChange={(e) => reset(setSourceIp)(e.target.value)}
              sx={{ width: 150 }}
            />
            <TextField
              size="small"
              label="Egress trunk"
              value={egressTrunk}
              onChange={(e) => reset(setEgressTrunk)(e.target.value)}
              sx={{ width: 150 }}
            />
          </>
        )}
        <FormControlLabel
          control={
            <Checkbox checked={answeredOnly} onChange={(e) => reset(setAnsweredOnly)(e.target.checked)} />
          }
          label="Answered only"
        />
        <Box sx={{ flex: 1 }} />
        <Button
          component="a"
          href={cdrsApi.exportUrl(customerId, filter)}
          download
          startIcon={<DownloadIcon />}
        >
          Export CSV
        </Button>
      </Stack>
      <Totals lines={totals} />
      <Table size="small" aria-label={search ? 'CDR search' : 'CDRs'}>
        <TableHead>
          <TableRow>
            <TableCell>Started</TableCell>
            {search && <TableCell>Customer</TableCell>}
            <TableCell>From</TableCell>
            <TableCell>To</TableCell>
            <TableCell>Outcome</TableCell>
            <TableCell align="right">Billed</TableCell>
            <TableCell>Rate</TableCell>
            <TableCell align="right">Cost</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {list.data?.map((c) => {
            const cur = c.currency ?? 'USD';
            return (
              <TableRow key={c.id} hover>
                <TableCell sx={{ whiteSpace: 'nowrap' }}>
                  <Button
                    size="small"
                    onClick={() => setOpen(c.id)}
                    sx={{ textTransform: 'none', p: 0, minWidth: 0 }}
                    aria-label={`CDR ${c.id} detail`}
                  >
                    {formatDateTime(c.startedAt, timeZone)}
                  </Button>
                </TableCell>
                {search && (
                  <TableCell sx={{ whiteSpace: 'nowrap' }}>
                    {c.accountId ? (
                      <RouterLink to={`/customers/${c.accountId}`}>
                        {c.accountName} ({c.accountNumber})
                      </RouterLink>
                    ) : (
                      `unknown (${c.sourceIp})`
                    )}
                  </TableCell>
                )}
                <TableCell>{c.callingNumber}</TableCell>
                <TableCell>{c.calledNumber}</TableCell>
                <TableCell>{outcome(c)}</TableCell>
                <TableCell align="right">{formatDuration(c.billsec)}</TableCell>
                <TableCell sx={{ whiteSpace: 'nowrap' }}>
                  {c.ratePrefix ? `${c.ratePrefix} · ${formatRate(c.ratePerMin, cur)}/min` : '—'}
                </TableCell>
                <TableCell align="right">{formatRate(c.cost, cur)}</TableCell>
              </TableRow>
            );
          })}
          {list.data?.length === 0 && (
            <TableRow>
              <TableCell colSpan={8}>No calls match.</TableCell>
            </TableRow>
          )}
        </TableBody>
      </Table>
      <ResourceListPager list={list} />
      {open !== null && <CdrDialog id={open} timeZone={timeZone} onClose={() => setOpen(null)} />}
    </Box>
  );
}

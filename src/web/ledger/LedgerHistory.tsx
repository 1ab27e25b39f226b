import { useMemo, useState } from 'react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import {
  Box,
  Button,
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
import DownloadIcon from '@mui/icons-material/Download';
import { dateIn, formatDateTime, formatMoney, nextDate, startOfDayIn } from '../format/format.js';
import { useViewerTimeZone } from '../format/viewer-zone.js';
import { auditActorName } from '../accounts/audit-text.js';
import { ReverseEntryDialog } from './LedgerDialogs.js';
import { usePermissions } from 'react-admin';
import type { EditTabProps } from '../accounts/AccountEdit.js';
import { ResourceListPager, useResourceList } from '../shared/resource-list.js';
import { ENTRY_TYPE_NAMES, ENTRY_TYPES, ledgerApi, ledgerBase, type LedgerEntry } from './ledger-api.js';

const PAGE = 25;

/**
 * Charge History (every entry) or Refill Report (payments): a date range in the viewer's time zone
 * (today by default), a type filter for the history, keyset pages and a CSV export of the same filter.
 */
function LedgerTable({ record, resource, kind }: EditTabProps & { kind: 'ledger-entries' | 'refills' }) {
  const zone = useViewerTimeZone();
  const { permissions } = usePermissions<string>();
  // The reversal of a ledger entry, from the charge history (managers only).
  const canReverse = kind === 'ledger-entries' && (permissions === 'admin' || permissions === 'reseller');
  const [reversing, setReversing] = useState<LedgerEntry | null>(null);
  const today = dateIn(new Date().toISOString(), zone);
  const [fromDate, setFromDate] = useState(today);
  const [toDate, setToDate] = useState(today);
  const [type, setType] = useState('');
  const range = useMemo(
    () => ({
      from: fromDate ? startOfDayIn(fromDate, zone) : undefined,
      to: toDate ? startOfDayIn(nextDate(toDate), zone) : undefined,
      type: kind === 'ledger-entries' && type ? type : undefined,
    }),
    [fromDate, toDate, type, kind, zone],
  );
  const title = kind === 'refills' ? 'Refill Report' : 'Charge History';

  // Keyset pages through the data provider, as the account lists walk them; the range and type
  // inputs are this tab's own, sent as the list's fixed filter. A new entry (payment, reversal...)
  // refreshes every query, this list with them.
  const list = useResourceList<LedgerEntry>(`${ledgerBase(resource)}/${record.id}/${kind}`, {
    filter: range,
    perPage: PAGE,
  });
  const rows = list.data ?? null;

  const resetPages = () => list.setPage(1);
  return (
    <Box>
      {reversing && (
        <ReverseEntryDialog
          record={record}
          resource={resource}
          entry={reversing}
          onClose={() => setReversing(null)}
        />
      )}
      <Typography variant="h6" component="h2" sx={{ mb: 1 }}>
        {title}
      </Typography>
      <Stack direction="row" spacing={2} useFlexGap sx={{ mb: 2, alignItems: 'center', flexWrap: 'wrap' }}>
        <TextField
          type="date"
          size="small"
          label="From"
          value={fromDate}
          onChange={(e) => {
            setFromDate(e.target.value);
            resetPages();
          }}
          slotProps={{ inputLabel: { shrink: true } }}
          sx={{ width: 180 }}
        />
        <TextField
          type="date"
          size="small"
          label="To"
          value={toDate}
          onChange={(e) => {
            setToDate(e.target.value);
            resetPages();
          }}
          slotProps={{ inputLabel: { shrink: true } }}
          sx={{ width: 180 }}
        />
        {kind === 'ledger-entries' && (
          <TextField
            select
            size="small"
            label="Type"
            value={type}
            onChange={(e) => {
              setType(e.target.value);
              resetPages();
            }}
            sx={{ width: 200 }}
          >
            <MenuItem value="">All types</MenuItem>
            {ENTRY_TYPES.map((t) => (
              <MenuItem key={t} value={t}>
                {ENTRY_TYPE_NAMES[t]}
              </MenuItem>
            ))}
          </TextField>
        )}
        <Box sx={{ flex: 1 }} />
        <Button
          component="a"
          href={ledgerApi.exportUrl(resource, record.id, kind, range)}
          download
          startIcon={<DownloadIcon />}
        >
          Export CSV
        </Button>
      </Stack>
      {rows && (
        <Table size="small" aria-label={title}>
          <TableHead>
            <TableRow>
              <TableCell>Date</TableCell>
              <TableCell>Type</TableCell>
              <TableCell>Description</TableCell>
              {kind === 'refills' && <TableCell>Method</TableCell>}
              <TableCell>Reference</TableCell>
              <TableCell align="right">Amount</TableCell>
              <TableCell align="right" sx={{ whiteSpace: 'nowrap' }}>
                Balance after
              </TableCell>
              <TableCell>By</TableCell>
              {canReverse && <TableCell align="right">Actions</TableCell>}
            </TableRow>
          </TableHead>
          <TableBody>
            {rows.length === 0 && (
              <TableRow>
                <TableCell colSpan={9}>No entries in this period.</TableCell>
              </TableRow>
            )}
            {rows.map((e) => (
              <TableRow key={e.id}>
                <TableCell sx={{ whiteSpace: 'nowrap' }}>{formatDateTime(e.createdAt, zone)}</TableCell>
                <TableCell>{ENTRY_TYPE_NAMES[e.type] ?? e.type}</TableCell>
                <TableCell>{e.reason}</TableCell>
                {kind === 'refills' && <TableCell>{e.method ?? '—'}</TableCell>}
                <TableCell>{e.externalRef ?? '—'}</TableCell>
                <TableCell
                  align="right"
                  sx={{ color: e.amount.startsWith('-') ? 'error.main' : 'success.main' }}
                >
                  {formatMoney(e.amount, e.currency)}
                </TableCell>
                <TableCell align="right">{formatMoney(e.balanceAfter, e.currency)}</TableCell>
                <TableCell>
                  {auditActorName({ actor: e.createdBy, action: '', before: null, after: null })}
                </TableCell>
                {canReverse && (
                  <TableCell align="right" sx={{ whiteSpace: 'nowrap' }}>
                    {e.type === 'REVERSAL' ? null : e.reversedByEntryId ? (
                      <Typography variant="body2" color="text.secondary">
                        Reversed
                      </Typography>
                    ) : (
                      <Button size="small" onClick={() => setReversing(e)}>
                        Reverse
                      </Button>
                    )}
                  </TableCell>
                )}
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      <ResourceListPager list={list} />
    </Box>
  );
}

export const ChargeHistoryTab = (p: EditTabProps) => <LedgerTable {...p} kind="ledger-entries" />;
export const RefillReportTab = (p: EditTabProps) => <LedgerTable {...p} kind="refills" />;

const BALANCE_REFRESH_MS = 15_000;

/**
 * Balance, credit limit and available credit from the balance endpoint, in the account currency
 * (a prepaid account has no credit), then what live calls hold and the funds left to call with.
 */
export function BalanceLine({ record, resource }: EditTabProps) {
  const summary = useQuery({
    queryKey: [
      'ledger',
      resource,
      record.id,
      'balance',
      record.balance,
      record.creditLimit,
      record.updatedAt,
    ],
    queryFn: () => ledgerApi.balance(resource, record.id),
    // Live calls come and go: what they hold is read again every little while.
    refetchInterval: BALANCE_REFRESH_MS,
    placeholderData: keepPreviousData,
    retry: false,
  });
  // Unreadable: the record's own figures, without what live calls hold.
  const b = summary.isError ? null : (summary.data ?? null);
  const s = b ?? {
    balance: record.balance,
    currency: record.currency,
    creditLimit: record.creditLimit,
    unlimitedCredit: record.unlimitedCredit,
    availableCredit: record.availableCredit,
  };
  return (
    <Stack direction="row" spacing={2} aria-label="Balance" role="group" sx={{ alignItems: 'baseline' }}>
      <Typography>
        Balance: <strong data-testid="balance">{formatMoney(s.balance, s.currency)}</strong>
      </Typography>
      {/* Prepaid accounts have no credit: the balance is what they may spend. */}
      {record.mode !== 'prepaid' && (
        <>
          <Typography color="text.secondary">
            Credit limit: {s.unlimitedCredit ? 'Unlimited' : formatMoney(s.creditLimit, s.currency)}
          </Typography>
          <Typography color="text.secondary">
            Available: {s.availableCredit === null ? 'Unlimited' : formatMoney(s.availableCredit, s.currency)}
          </Typography>
        </>
      )}
      {b?.heldForLiveCalls !== undefined && (
        <>
          <Typography color="text.secondary">
            Held for live calls: <span data-testid="held">{formatMoney(b.heldForLiveCalls, s.currency)}</span>
          </Typography>
          <Typography color="text.secondary">
            Available funds:{' '}
            <span data-testid="available-funds">
              {b.availableFunds === null || b.availableFunds === undefined
                ? 'Unlimited'
                : formatMoney(b.availableFunds, s.currency)}
            </span>
          </Typography>
        </>
      )}
    </Stack>
  );
}

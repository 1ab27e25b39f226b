import { useInfiniteQuery } from '@tanstack/react-query';
import {
  Alert,
  Box,
  Button,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Typography,
} from '@mui/material';
import type { AuditEntry } from '../api/data-provider.js';
import { formatDateTime } from '../format/format.js';
import { useViewerTimeZone } from '../format/viewer-zone.js';
import { auditActionName, auditActorName, auditChanges, auditSubject, isAccountEntry } from './audit-text.js';
import { errorMessage } from '../shared/error-message.js';
import { useAccountOps } from './use-account-ops.js';
import type { Account, AccountResource } from './types.js';

function Changes({ entry, currency }: { entry: AuditEntry; currency: string }) {
  if (!isAccountEntry(entry)) return <>{auditSubject(entry) || '—'}</>;
  if (entry.action.endsWith('.create')) return <>Account created</>;
  const changes = auditChanges(entry, currency);
  if (changes.length === 0) return <>—</>;
  return (
    <Box component="ul" sx={{ m: 0, pl: 2 }}>
      {changes.map((c) => (
        <li key={c.label}>
          <strong>{c.label}</strong>: {c.before} → {c.after}
        </li>
      ))}
    </Box>
  );
}

/** Who changed what on this account, newest first, in the viewer's time zone. */
export function AuditHistory({ record, resource }: { record: Account; resource: AccountResource }) {
  const { dataProvider } = useAccountOps();
  const zone = useViewerTimeZone();
  const audit = useInfiniteQuery({
    // updatedAt in the key: an edit of the record reloads its history from the newest entry.
    queryKey: [resource, record.id, 'audit', record.updatedAt],
    queryFn: ({ pageParam }) => dataProvider.audit(resource, record.id, pageParam),
    initialPageParam: undefined as number | undefined,
    getNextPageParam: (last) => (last.length === 50 ? last[last.length - 1]?.id : undefined),
    retry: false,
  });
  const entries = audit.data?.pages.flat() ?? null;
  const more = audit.hasNextPage;
  const error = audit.error ? errorMessage(audit.error) : null;

  if (error) return <Alert severity="error">{error}</Alert>;
  if (!entries) return <Typography>Loading…</Typography>;
  return (
    <Box>
      <Typography variant="h6" component="h2" sx={{ mb: 1 }}>
        Audit History
      </Typography>
      <Table size="small" aria-label="Audit history">
        <TableHead>
          <TableRow>
            <TableCell>When</TableCell>
            <TableCell>Who</TableCell>
            <TableCell>Action</TableCell>
            <TableCell>Changes</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {entries.map((e) => (
            <TableRow key={e.id}>
              <TableCell sx={{ whiteSpace: 'nowrap' }}>{formatDateTime(e.at, zone)}</TableCell>
              <TableCell>{auditActorName(e)}</TableCell>
              <TableCell>{auditActionName(e)}</TableCell>
              <TableCell>
                <Changes entry={e} currency={record.currency} />
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {more && (
        <Button sx={{ mt: 1 }} onClick={() => void audit.fetchNextPage()}>
          Show older entries
        </Button>
      )}
    </Box>
  );
}

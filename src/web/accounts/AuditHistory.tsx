import { useEffect, useState } from 'react';
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
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [more, setMore] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const zone = useViewerTimeZone();

  const load = async (beforeId?: number) => {
    try {
      const page = await dataProvider.audit(resource, record.id, beforeId);
      setEntries((prev) => [...(beforeId ? (prev ?? []) : []), ...page]);
      setMore(page.length === 50);
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  useEffect(() => {
    void load();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- reloads when the record changes; load is recreated every render (issue 11: these screens move to react-admin resources)
  }, [record.id, record.updatedAt]);

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
        <Button sx={{ mt: 1 }} onClick={() => void load(entries[entries.length - 1]?.id)}>
          Show older entries
        </Button>
      )}
    </Box>
  );
}

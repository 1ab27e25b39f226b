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
import { errorMessage, useAccountOps } from './use-account-ops.js';
import type { Account, AccountResource } from './types.js';

const ACTION_NAMES: Record<string, string> = {
  create: 'Created',
  update: 'Edited',
  delete: 'Deleted',
  password_change: 'Password changed',
};

function actionName(action: string): string {
  const verb = action.split('.').pop() ?? action;
  return ACTION_NAMES[verb] ?? action;
}

function show(v: unknown): string {
  if (v === null || v === undefined || v === '') return '—';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function Changes({ entry }: { entry: AuditEntry }) {
  if (entry.action.endsWith('.create')) return <>Account created</>;
  const after = entry.after ?? {};
  const before = entry.before ?? {};
  const keys = Object.keys(after).filter((k) => k !== 'updatedAt');
  if (keys.length === 0) return <>—</>;
  return (
    <Box component="ul" sx={{ m: 0, pl: 2 }}>
      {keys.map((k) => (
        <li key={k}>
          <strong>{k}</strong>: {show(before[k])} → {show(after[k])}
        </li>
      ))}
    </Box>
  );
}

/** Who changed what on this account, newest first, in the account's time zone. */
export function AuditHistory({ record, resource }: { record: Account; resource: AccountResource }) {
  const { dataProvider } = useAccountOps();
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [more, setMore] = useState(false);
  const [error, setError] = useState<string | null>(null);

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
            <TableCell>When ({record.timezone})</TableCell>
            <TableCell>Who</TableCell>
            <TableCell>Action</TableCell>
            <TableCell>Changes</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {entries.map((e) => (
            <TableRow key={e.id}>
              <TableCell sx={{ whiteSpace: 'nowrap' }}>{formatDateTime(e.at, record.timezone)}</TableCell>
              <TableCell>{e.actor}</TableCell>
              <TableCell>{actionName(e.action)}</TableCell>
              <TableCell>
                <Changes entry={e} />
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

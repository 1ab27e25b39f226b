import { useState } from 'react';
import {
  Alert,
  Box,
  Button,
  Card,
  CardContent,
  Checkbox,
  FormControlLabel,
  Link as MuiLink,
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
import AddIcon from '@mui/icons-material/Add';
import UploadFileIcon from '@mui/icons-material/UploadFile';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { Title, useDataProvider, useGetOne } from 'react-admin';
import { ApiError } from '../api/http.js';
import { ConfirmDialog } from '../shared/dialogs.js';
import { errorMessage } from '../shared/error-message.js';
import { CURRENCY_CHOICES } from '../accounts/reference-choices.js';
import { formatCount, formatRate } from '../format/format.js';
import { EntityDialog, type FieldSpec } from '../shared/EntityDialog.js';
import { STATUS_CHOICES } from './choices.js';
import { connApi, type DeckError, type Rate, type RateGroup, type UploadResult } from './conn-api.js';
import { ResourceListPager, setListFilter, useResourceList } from '../shared/resource-list.js';
import { ownerField, useOwnerChoices, withOwner } from './choices.js';
import { StatusChip, statusLabel } from '../layout/StatusChip.js';

/* Rate groups: the list, one group with its rates, the CSV deck upload and "find the rate". */

const GROUP_FIELDS: FieldSpec[] = [
  { name: 'name', label: 'Name', required: true },
  { name: 'description', label: 'Description', nullable: true, help: ' ', width: 400 },
  {
    name: 'currency',
    label: 'Currency',
    kind: 'select',
    choices: CURRENCY_CHOICES,
    required: true,
    only: 'create',
    help: 'Fixed once created',
  },
  { name: 'status', label: 'Status', kind: 'select', choices: STATUS_CHOICES, width: 160 },
  { name: 'initialIncrement', label: 'Initial increment (s)', kind: 'integer', width: 200 },
  { name: 'billingIncrement', label: 'Billing increment (s)', kind: 'integer', width: 200 },
];

export function RateGroupList() {
  const dataProvider = useDataProvider();
  const [creating, setCreating] = useState(false);
  const navigate = useNavigate();
  const owners = useOwnerChoices();
  const ownerName = (id: number | null) =>
    id === null ? owners[0]?.name : (owners.find((o) => o.id === String(id))?.name ?? `#${id}`);
  const list = useResourceList<RateGroup>('rate-groups');
  const rows = list.isPending ? null : list.data;
  return (
    <Card sx={{ mt: 2 }}>
      <Title title="Rate Groups" />
      <CardContent>
        <Stack direction="row" spacing={2} sx={{ mb: 2, alignItems: 'center' }}>
          <Typography variant="h5" component="h1" sx={{ whiteSpace: 'nowrap' }}>
            Rate Groups
          </Typography>
          <Button startIcon={<AddIcon />} onClick={() => setCreating(true)} sx={{ whiteSpace: 'nowrap' }}>
            Add rate group
          </Button>
          <TextField
            size="small"
            label="Name"
            value={String(list.filterValues.name ?? '')}
            onChange={(e) => setListFilter(list, 'name', e.target.value)}
            sx={{ width: 260 }}
          />
        </Stack>
        <Table size="small" aria-label="Rate groups">
          <TableHead>
            <TableRow>
              <TableCell>Name</TableCell>
              <TableCell>Owner</TableCell>
              <TableCell>Currency</TableCell>
              <TableCell>Status</TableCell>
              <TableCell>Increments</TableCell>
              <TableCell align="right">Rates</TableCell>
              <TableCell align="right">Used by</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {(rows ?? []).map((g) => (
              <TableRow key={g.id} hover>
                <TableCell>
                  <MuiLink component={Link} to={`/rate-groups/${g.id}`}>
                    {g.name}
                  </MuiLink>
                </TableCell>
                <TableCell>{ownerName(g.resellerId)}</TableCell>
                <TableCell>{g.currency}</TableCell>
                <TableCell>
                  <StatusChip status={g.status} />
                </TableCell>
                <TableCell>
                  {g.initialIncrement}/{g.billingIncrement}
                </TableCell>
                <TableCell align="right">{formatCount(g.rateCount)}</TableCell>
                <TableCell align="right">{formatCount(g.customerCount)}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
        {rows?.length === 0 && <Typography sx={{ mt: 1 }}>No rate groups yet.</Typography>}
        <ResourceListPager list={list} />
        {creating && (
          <EntityDialog
            title="Add rate group"
            fields={[...GROUP_FIELDS, ownerField(owners)]}
            defaults={{ currency: 'USD', status: 'active', initialIncrement: 1, billingIncrement: 1 }}
            submitLabel="Add"
            onClose={() => setCreating(false)}
            onSubmit={async (body) => {
              const { data } = await dataProvider.create<RateGroup>('rate-groups', {
                data: { currency: 'USD', ...withOwner(body) },
              });
              void navigate(`/rate-groups/${data.id}`);
            }}
          />
        )}
      </CardContent>
    </Card>
  );
}

/** Upload a CSV deck: replace or append, optionally a dry run; per-row errors listed. */
function DeckUpload({ group, onLoaded }: { group: RateGroup; onLoaded: () => void }) {
  const [file, setFile] = useState<File | null>(null);
  const [mode, setMode] = useState<'replace' | 'append'>('replace');
  const [dryRun, setDryRun] = useState(false);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<UploadResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [rowErrors, setRowErrors] = useState<DeckError[]>([]);

  async function upload() {
    if (!file) return;
    setBusy(true);
    setResult(null);
    setError(null);
    setRowErrors([]);
    try {
      const r = await connApi.uploadDeck(group.id, file, mode, dryRun);
      setResult(r);
      if (!r.dryRun) onLoaded();
    } catch (e) {
      setError(errorMessage(e));
      if (e instanceof ApiError && Array.isArray(e.details.errors))
        setRowErrors(e.details.errors as DeckError[]);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Box component="section" aria-label="Upload rate deck" sx={{ mb: 3 }}>
      <Typography variant="h6" component="h2" sx={{ mb: 1 }}>
        Upload rate deck
      </Typography>
      <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
        CSV with a header row: prefix, rate_per_min (required), destination, connect_fee, included_seconds,
        initial_increment, billing_increment, effective_from, effective_to. A file with any bad row loads
        nothing.
      </Typography>
      <Stack direction="row" spacing={2} useFlexGap sx={{ alignItems: 'center', flexWrap: 'wrap' }}>
        <Button component="label" variant="outlined" startIcon={<UploadFileIcon />}>
          {file ? file.name : 'Choose CSV file'}
          <input
            hidden
            type="file"
            accept=".csv,text/csv"
            aria-label="Rate deck file"
            onChange={(e) => setFile(e.target.files?.[0] ?? null)}
          />
        </Button>
        <TextField
          select
          size="small"
          label="Mode"
          value={mode}
          onChange={(e) => setMode(e.target.value as 'replace' | 'append')}
          sx={{ width: 260 }}
        >
          <MenuItem value="replace">Replace the group&apos;s rates</MenuItem>
          <MenuItem value="append">Add to the group&apos;s rates</MenuItem>
        </TextField>
        <FormControlLabel
          control={<Checkbox checked={dryRun} onChange={(e) => setDryRun(e.target.checked)} />}
          label="Dry run (check only)"
        />
        <Button variant="contained" disabled={!file || busy} onClick={() => void upload()}>
          {busy ? 'Uploading…' : 'Upload'}
        </Button>
      </Stack>
      {result && (
        <Alert severity="success" sx={{ mt: 2 }} role="status">
          {result.dryRun
            ? `Dry run: ${formatCount(result.rows)} rows are valid; nothing was loaded.`
            : `Loaded ${formatCount(result.inserted)} rates` +
              (result.deleted ? `, replacing ${formatCount(result.deleted)}` : '') +
              ` in ${(result.durationMs / 1000).toFixed(1)} s.`}
        </Alert>
      )}
      {error && (
        <Alert severity="error" sx={{ mt: 2 }}>
          {error}
        </Alert>
      )}
      {rowErrors.length > 0 && (
        <Table size="small" aria-label="Rate deck errors" sx={{ mt: 1 }}>
          <TableHead>
            <TableRow>
              <TableCell>Row</TableCell>
              <TableCell>Column</TableCell>
              <TableCell>Reason</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {rowErrors.slice(0, 200).map((r, i) => (
              <TableRow key={i}>
                <TableCell>{r.row}</TableCell>
                <TableCell>{r.column ?? ''}</TableCell>
                <TableCell>{r.reason}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </Box>
  );
}

function FindRate({ group }: { group: RateGroup }) {
  const [number, setNumber] = useState('');
  const [answer, setAnswer] = useState<{ rate: Rate | null; candidates: Rate[] } | null>(null);
  const [error, setError] = useState<string | null>(null);
  async function find() {
    try {
      setError(null);
      setAnswer(await connApi.lookup(group.id, number));
    } catch (e) {
      setError(errorMessage(e));
      setAnswer(null);
    }
  }
  return (
    <Box component="section" aria-label="Find the rate" sx={{ mb: 3 }}>
      <Typography variant="h6" component="h2" sx={{ mb: 1 }}>
        Find the rate for a number
      </Typography>
      <Stack
        direction="row"
        spacing={2}
        component="form"
        onSubmit={(e) => {
          e.preventDefault();
          void find();
        }}
      >
        <TextField
          size="small"
          label="Number"
          value={number}
          onChange={(e) => setNumber(e.target.value)}
          sx={{ width: 240 }}
        />
        <Button type="submit" variant="outlined">
          Find
        </Button>
      </Stack>
      {error && (
        <Alert severity="error" sx={{ mt: 1 }}>
          {error}
        </Alert>
      )}
      {answer && (
        <Alert severity={answer.rate ? 'info' : 'warning'} sx={{ mt: 1 }} role="status">
          {answer.rate
            ? `${answer.rate.prefix} ${answer.rate.destination}: ${formatRate(answer.rate.ratePerMin, group.currency)}/min` +
              ` (connect ${formatRate(answer.rate.connectFee, group.currency)}, ${answer.rate.initialIncrement || group.initialIncrement}/` +
              `${answer.rate.billingIncrement || group.billingIncrement}); ${answer.candidates.length} matching codes`
            : 'No rate: calls to this number would be refused.'}
        </Alert>
      )}
    </Box>
  );
}

const RATE_FIELDS: FieldSpec[] = [
  { name: 'prefix', label: 'Prefix', required: true, only: 'create' },
  { name: 'destination', label: 'Destination' },
  { name: 'ratePerMin', label: 'Rate per minute', kind: 'decimal', required: true, width: 180 },
  { name: 'connectFee', label: 'Connect fee', kind: 'decimal', width: 160 },
  { name: 'includedSeconds', label: 'Included seconds', kind: 'integer', width: 160 },
  {
    name: 'initialIncrement',
    label: 'Initial increment',
    kind: 'integer',
    help: "0 = the group's",
    width: 160,
  },
  {
    name: 'billingIncrement',
    label: 'Billing increment',
    kind: 'integer',
    help: "0 = the group's",
    width: 160,
  },
  { name: 'effectiveFrom', label: 'Effective from', help: 'ISO date-time; blank = now', width: 250 },
  { name: 'effectiveTo', label: 'Effective to', nullable: true, help: 'Blank = open-ended', width: 250 },
];

export function RateGroupShow() {
  const id = Number(useParams().id);
  const navigate = useNavigate();
  const dataProvider = useDataProvider();
  const [dialog, setDialog] = useState<'group' | 'rate' | Rate | null>(null);
  const [deleting, setDeleting] = useState<'group' | Rate | null>(null);
  const [error, setError] = useState<string | null>(null);
  const { data: group, refetch: refetchGroup } = useGetOne<RateGroup>('rate-groups', { id });
  const list = useResourceList<Rate>(`rate-groups/${id}/rates`, { perPage: 50 });
  const rows = list.isPending ? null : list.data;
  const prefix = String(list.filterValues.prefix ?? '');
  const changed = () => {
    void refetchGroup();
    void list.refetch();
  };
  if (!group) return null;
  return (
    <Card sx={{ mt: 2 }}>
      <Title title={`Rate group: ${group.name}`} />
      <CardContent>
        <Stack direction="row" spacing={2} sx={{ mb: 2, alignItems: 'center', flexWrap: 'wrap' }}>
          <Typography variant="h5" component="h1">
            {group.name}
          </Typography>
          <Typography color="text.secondary">
            {group.currency} · {statusLabel(group.status)} · increments {group.initialIncrement}/
            {group.billingIncrement} · {formatCount(group.rateCount)} rates · used by{' '}
            {formatCount(group.customerCount)} accounts
          </Typography>
          <Button onClick={() => setDialog('group')}>Edit group</Button>
          <Button color="error" onClick={() => setDeleting('group')}>
            Delete group
          </Button>
          <Button component={Link} to="/rate-groups">
            All rate groups
          </Button>
        </Stack>
        {error && (
          <Alert severity="error" sx={{ mb: 2 }} onClose={() => setError(null)}>
            {error}
          </Alert>
        )}
        <DeckUpload group={group} onLoaded={changed} />
        <FindRate group={group} />
        <Stack direction="row" spacing={2} sx={{ mb: 1, alignItems: 'center' }}>
          <Typography variant="h6" component="h2">
            Rates
          </Typography>
          <Button size="small" startIcon={<AddIcon />} onClick={() => setDialog('rate')}>
            Add rate
          </Button>
          <TextField
            size="small"
            label="Prefix starts with"
            value={prefix}
            onChange={(e) => setListFilter(list, 'prefix', e.target.value)}
            sx={{ width: 200 }}
          />
        </Stack>
        <Table size="small" aria-label="Rates">
          <TableHead>
            <TableRow>
              <TableCell>Prefix</TableCell>
              <TableCell>Destination</TableCell>
              <TableCell align="right">Rate/min</TableCell>
              <TableCell align="right">Connect fee</TableCell>
              <TableCell align="right">Included s</TableCell>
              <TableCell>Increments</TableCell>
              <TableCell>Effective</TableCell>
              <TableCell>Actions</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {(rows ?? []).map((r) => (
              <TableRow key={r.id}>
                <TableCell>{r.prefix}</TableCell>
                <TableCell>{r.destination}</TableCell>
                <TableCell align="right">{formatRate(r.ratePerMin, group.currency)}</TableCell>
                <TableCell align="right">{formatRate(r.connectFee, group.currency)}</TableCell>
                <TableCell align="right">{r.includedSeconds}</TableCell>
                <TableCell>
                  {r.initialIncrement || group.initialIncrement}/
                  {r.billingIncrement || group.billingIncrement}
                </TableCell>
                <TableCell>
                  {r.effectiveFrom.slice(0, 10)} – {r.effectiveTo ? r.effectiveTo.slice(0, 10) : 'open'}
                </TableCell>
                <TableCell sx={{ whiteSpace: 'nowrap' }}>
                  <Button size="small" onClick={() => setDialog(r)}>
                    Edit
                  </Button>
                  <Button size="small" onClick={() => setDeleting(r)}>
                    Delete
                  </Button>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
        {rows?.length === 0 && <Typography sx={{ mt: 1 }}>No rates{prefix ? ' match' : ' yet'}.</Typography>}
        <ResourceListPager list={list} />
        {dialog === 'group' && (
          <EntityDialog
            title="Edit rate group"
            fields={GROUP_FIELDS}
            initial={group as unknown as Record<string, unknown>}
            submitLabel="Save"
            onClose={() => setDialog(null)}
            onSubmit={async (body) => {
              await dataProvider.update('rate-groups', { id: group.id, data: body, previousData: group });
              setDialog(null);
              changed();
            }}
          />
        )}
        {dialog !== null && dialog !== 'group' && (
          <EntityDialog
            title={dialog === 'rate' ? 'Add rate' : `Edit rate ${dialog.prefix}`}
            fields={RATE_FIELDS}
            initial={dialog === 'rate' ? undefined : (dialog as unknown as Record<string, unknown>)}
            submitLabel={dialog === 'rate' ? 'Add' : 'Save'}
            onClose={() => setDialog(null)}
            onSubmit={async (body) => {
              if (dialog === 'rate')
                await dataProvider.create(`rate-groups/${group.id}/rates`, { data: body });
              else await dataProvider.update('rates', { id: dialog.id, data: body, previousData: dialog });
              setDialog(null);
              changed();
            }}
          />
        )}
        {deleting && (
          <ConfirmDialog
            title="Please confirm"
            confirmLabel="Delete"
            danger
            error={error}
            onClose={() => setDeleting(null)}
            onConfirm={() =>
              void (async () => {
                try {
                  if (deleting === 'group') {
                    await dataProvider.delete('rate-groups', { id: group.id, previousData: group });
                    void navigate('/rate-groups');
                  } else {
                    await dataProvider.delete('rates', { id: deleting.id, previousData: deleting });
                    changed();
                  }
                  setDeleting(null);
                } catch (e) {
                  setError(errorMessage(e));
                  setDeleting(null);
                }
              })()
            }
          >
            {deleting === 'group'
              ? `Delete the rate group ${group.name}? Only a group no account uses can be deleted.`
              : `Delete the rate for ${deleting.prefix}?`}
          </ConfirmDialog>
        )}
      </CardContent>
    </Card>
  );
}

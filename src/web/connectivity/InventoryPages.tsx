import { StatusChip } from '../layout/StatusChip.js';
import { RouterLink } from '../layout/RouterLink.js';
import { useState } from 'react';
import {
  Link as MuiLink,
  Alert,
  Box,
  Button,
  Card,
  CardContent,
  IconButton,
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
import ArrowUpwardIcon from '@mui/icons-material/ArrowUpward';
import ArrowDownwardIcon from '@mui/icons-material/ArrowDownward';
import DeleteIcon from '@mui/icons-material/Delete';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { Title, useDataProvider, useGetOne } from 'react-admin';
import { ApiError } from '../api/http.js';
import { errorMessage } from '../shared/error-message.js';
import { ConfirmDialog } from '../shared/dialogs.js';
import { formatCount } from '../format/format.js';
import { EntityDialog, type FieldSpec } from '../shared/EntityDialog.js';
import { STATUS_CHOICES } from './choices.js';
import {
  connApi,
  type Did,
  type Localization,
  type PreviewResult,
  type Rule,
  type Translation,
} from './conn-api.js';
import { ResourceListPager, setListFilter, useResourceList } from '../shared/resource-list.js';
import { ownerField, useOwnerChoices, withOwner } from './choices.js';

/* The DID inventory and the localization profiles (rules with a "try a number" preview). */

const DID_FIELDS: FieldSpec[] = [
  { name: 'number', label: 'Number', required: true, only: 'create', help: 'Digits' },
  { name: 'description', label: 'Description', nullable: true, help: ' ', width: 300 },
  { name: 'monthlyFee', label: 'Monthly fee', kind: 'decimal', width: 160 },
  { name: 'status', label: 'Status', kind: 'select', choices: STATUS_CHOICES, width: 160 },
];

export function DidInventoryPage() {
  const dataProvider = useDataProvider();
  const [dialog, setDialog] = useState<'new' | Did | null>(null);
  const [error, setError] = useState<string | null>(null);
  const list = useResourceList<Did>('dids');
  const rows = list.isPending ? null : list.data;
  const filterText = (name: string) => String(list.filterValues[name] ?? '');
  const reload = () => void list.refetch();
  async function act(fn: () => Promise<unknown>) {
    try {
      setError(null);
      await fn();
      reload();
    } catch (e) {
      setError(errorMessage(e));
    }
  }
  return (
    <Card sx={{ mt: 2 }}>
      <Title title="DIDs" />
      <CardContent>
        <Stack direction="row" spacing={2} useFlexGap sx={{ mb: 2, alignItems: 'center', flexWrap: 'wrap' }}>
          <Typography variant="h5" component="h1">
            DIDs
          </Typography>
          <Button startIcon={<AddIcon />} onClick={() => setDialog('new')}>
            Add DID
          </Button>
          <TextField
            size="small"
            label="Number starts with"
            fullWidth={false}
            value={filterText('number')}
            onChange={(e) => setListFilter(list, 'number', e.target.value)}
          />
          <TextField
            select
            size="small"
            label="Assigned"
            value={filterText('assigned')}
            onChange={(e) => setListFilter(list, 'assigned', e.target.value)}
            sx={{ width: 160 }}
          >
            <MenuItem value="">All</MenuItem>
            <MenuItem value="true">Assigned</MenuItem>
            <MenuItem value="false">In the pool</MenuItem>
          </TextField>
        </Stack>
        {error && (
          <Alert severity="error" sx={{ mb: 2 }} onClose={() => setError(null)}>
            {error}
          </Alert>
        )}
        <Table size="small" aria-label="DIDs">
          <TableHead>
            <TableRow>
              <TableCell>Number</TableCell>
              <TableCell>Customer</TableCell>
              <TableCell>Monthly fee</TableCell>
              <TableCell>Description</TableCell>
              <TableCell>Status</TableCell>
              <TableCell>Actions</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {(rows ?? []).map((d) => (
              <TableRow key={d.id}>
                <TableCell>{d.number}</TableCell>
                <TableCell>
                  {d.customerId ? (
                    <RouterLink to={`/customers/${d.customerId}/dids`}>{d.customerName}</RouterLink>
                  ) : (
                    'In the pool'
                  )}
                </TableCell>
                <TableCell>{d.monthlyFee}</TableCell>
                <TableCell>{d.description ?? ''}</TableCell>
                <TableCell>
                  <StatusChip status={d.status} />
                </TableCell>
                <TableCell sx={{ whiteSpace: 'nowrap' }}>
                  <Button size="small" onClick={() => setDialog(d)}>
                    Edit
                  </Button>
                  {d.customerId && (
                    <Button size="small" onClick={() => void act(() => connApi.releaseDid(d.id))}>
                      Release
                    </Button>
                  )}
                  {!d.customerId && (
                    <Button
                      size="small"
                      onClick={() =>
                        void act(() => dataProvider.delete('dids', { id: d.id, previousData: d }))
                      }
                    >
                      Remove
                    </Button>
                  )}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
        {rows?.length === 0 && <Typography sx={{ mt: 1 }}>No DIDs match.</Typography>}
        <ResourceListPager list={list} />
        {dialog && (
          <EntityDialog
            title={dialog === 'new' ? 'Add DID' : `Edit ${dialog.number}`}
            fields={DID_FIELDS}
            initial={dialog === 'new' ? undefined : (dialog as unknown as Record<string, unknown>)}
            submitLabel={dialog === 'new' ? 'Add' : 'Save'}
            onClose={() => setDialog(null)}
            onSubmit={async (body) => {
              if (dialog === 'new') await dataProvider.create('dids', { data: body });
              else await dataProvider.update('dids', { id: dialog.id, data: body, previousData: dialog });
              setDialog(null);
              reload();
            }}
          />
        )}
      </CardContent>
    </Card>
  );
}

export function LocalizationList() {
  const dataProvider = useDataProvider();
  const [creating, setCreating] = useState(false);
  const navigate = useNavigate();
  const list = useResourceList<Localization>('localizations');
  const rows = list.isPending ? null : list.data;
  const owners = useOwnerChoices();
  const ownerName = (id: number | null) =>
    id === null ? owners[0]?.name : (owners.find((o) => o.id === String(id))?.name ?? `#${id}`);
  return (
    <Card sx={{ mt: 2 }}>
      <Title title="Localizations" />
      <CardContent>
        <Stack direction="row" spacing={2} sx={{ mb: 2, alignItems: 'center' }}>
          <Typography variant="h5" component="h1">
            Localizations
          </Typography>
          <Button startIcon={<AddIcon />} onClick={() => setCreating(true)}>
            Add localization
          </Button>
        </Stack>
        <Table size="small" aria-label="Localizations">
          <TableHead>
            <TableRow>
              <TableCell>Name</TableCell>
              <TableCell>Owner</TableCell>
              <TableCell align="right">Destination rules</TableCell>
              <TableCell align="right">Caller number rules</TableCell>
              <TableCell align="right">Caller name rules</TableCell>
              <TableCell align="right">Used by</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {(rows ?? []).map((l) => (
              <TableRow key={l.id}>
                <TableCell>
                  <MuiLink component={Link} to={`/localizations/${l.id}`}>
                    {l.name}
                  </MuiLink>
                </TableCell>
                <TableCell>{ownerName(l.resellerId)}</TableCell>
                <TableCell align="right">{l.destinationRules.length}</TableCell>
                <TableCell align="right">{l.callerNumberRules.length}</TableCell>
                <TableCell align="right">{l.callerNameRules.length}</TableCell>
                <TableCell align="right">{formatCount(l.customerCount)}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
        {rows?.length === 0 && <Typography sx={{ mt: 1 }}>No localization profiles yet.</Typography>}
        <ResourceListPager list={list} />
        {creating && (
          <EntityDialog
            title="Add localization"
            fields={[{ name: 'name', label: 'Name', required: true }, ownerField(owners)]}
            defaults={{ resellerId: '' }}
            submitLabel="Add"
            onClose={() => setCreating(false)}
            onSubmit={async (body) => {
              const { data } = await dataProvider.create<Localization>('localizations', {
                data: withOwner(body),
              });
              void navigate(`/localizations/${data.id}`);
            }}
          />
        )}
      </CardContent>
    </Card>
  );
}

type RuleListKey = 'destinationRules' | 'callerNumberRules' | 'callerNameRules';
/** How the server names a rule's field: `destinationRules.2.match`. */
const RULE_FIELD = /^(destinationRules|callerNumberRules|callerNameRules)\.\d+\.(match|action|value)$/;
const RULE_LISTS: { key: RuleListKey; title: string }[] = [
  { key: 'destinationRules', title: 'Destination rules' },
  { key: 'callerNumberRules', title: 'Caller number rules' },
  { key: 'callerNameRules', title: 'Caller name rules' },
];

/** Strip with a prefix removes the prefix and takes no value; with `*` the value is a count. */
const takesValue = (r: Rule) => r.action !== 'strip' || r.match === '*';

function RulesEditor(props: {
  title: string;
  rules: Rule[];
  onChange: (r: Rule[]) => void;
  /** The server's message for rule `index`'s `field`, if it named one. */
  errorOf: (index: number, field: 'match' | 'action' | 'value') => string | undefined;
}) {
  const { rules, onChange, errorOf } = props;
  const set = (i: number, patch: Partial<Rule>) =>
    onChange(
      rules.map((r, j) => {
        if (j !== i) return r;
        const next = { ...r, ...patch };
        return takesValue(next) ? next : { ...next, value: '' };
      }),
    );
  const move = (i: number, d: number) => {
    const next = [...rules];
    [next[i], next[i + d]] = [next[i + d], next[i]];
    onChange(next);
  };
  return (
    <Box component="section" aria-label={props.title} sx={{ mb: 2 }}>
      <Stack direction="row" spacing={2} sx={{ alignItems: 'center', mb: 1 }}>
        <Typography variant="subtitle1" component="h3">
          {props.title}
        </Typography>
        <Button
          size="small"
          startIcon={<AddIcon />}
          onClick={() => onChange([...rules, { match: '', action: 'strip', value: '' }])}
        >
          Add rule
        </Button>
      </Stack>
      {rules.length === 0 && (
        <Typography color="text.secondary">No rules: the value passes unchanged.</Typography>
      )}
      {rules.map((r, i) => (
        <Stack key={i} direction="row" spacing={1} sx={{ mb: 1, alignItems: 'flex-start' }}>
          <Typography sx={{ width: 24, pt: 1 }}>{i + 1}.</Typography>
          <TextField
            size="small"
            label="Match"
            value={r.match}
            onChange={(e) => set(i, { match: e.target.value })}
            error={!!errorOf(i, 'match')}
            helperText={errorOf(i, 'match') ?? (i === 0 ? 'A prefix, or * for any' : undefined)}
            sx={{ width: 200 }}
          />
          <TextField
            select
            size="small"
            label="Action"
            value={r.action}
            onChange={(e) => set(i, { action: e.target.value as Rule['action'] })}
            error={!!errorOf(i, 'action')}
            helperText={errorOf(i, 'action')}
            sx={{ width: 140 }}
          >
            <MenuItem value="strip">Strip</MenuItem>
            <MenuItem value="replace">Replace with</MenuItem>
            <MenuItem value="prepend">Prepend</MenuItem>
          </TextField>
          <TextField
            size="small"
            label={r.action === 'strip' && r.match === '*' ? 'Characters' : 'Value'}
            value={r.value}
            onChange={(e) => set(i, { value: e.target.value })}
            disabled={!takesValue(r)}
            error={!!errorOf(i, 'value')}
            helperText={
              errorOf(i, 'value') ??
              (r.action === 'strip'
                ? r.match === '*'
                  ? 'How many to remove'
                  : 'Not used by Strip'
                : undefined)
            }
            sx={{ width: 200 }}
          />
          <IconButton aria-label="Move up" disabled={i === 0} onClick={() => move(i, -1)}>
            <ArrowUpwardIcon fontSize="small" />
          </IconButton>
          <IconButton aria-label="Move down" disabled={i === rules.length - 1} onClick={() => move(i, 1)}>
            <ArrowDownwardIcon fontSize="small" />
          </IconButton>
          <IconButton aria-label="Remove rule" onClick={() => onChange(rules.filter((_, j) => j !== i))}>
            <DeleteIcon fontSize="small" />
          </IconButton>
        </Stack>
      ))}
    </Box>
  );
}

function Steps({ title, t }: { title: string; t: Translation | null }) {
  if (!t) return null;
  return (
    <Box sx={{ mb: 1 }}>
      <Typography variant="subtitle2">
        {title}: {t.input} → <strong data-testid={`preview-${title}`}>{t.output}</strong>
        {t.matchedRule === null ? ' (no rule matched)' : ` (rule ${t.matchedRule + 1})`}
      </Typography>
      <Box component="ol" sx={{ m: 0, pl: 3 }}>
        {t.steps.map((s) => (
          <li key={s.index}>
            {s.rule.match} {s.rule.action} {s.rule.value}: {s.matched ? `matched → ${s.output}` : 'no match'}
          </li>
        ))}
      </Box>
    </Box>
  );
}

export function LocalizationEdit() {
  const id = Number(useParams().id);
  const navigate = useNavigate();
  const dataProvider = useDataProvider();
  const { data: loc, error: loadError, refetch } = useGetOne<Localization>('localizations', { id });
  const [draft, setDraft] = useState<Localization | null>(null);
  const [sample, setSample] = useState({ destination: '', callerNumber: '', callerName: '' });
  const [preview, setPreview] = useState<PreviewResult | null>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [fieldError, setFieldError] = useState<{ field: string; message: string } | null>(null);
  const [deleting, setDeleting] = useState(false);
  // The editor starts from the profile as loaded (once per profile; a later refetch keeps the edits).
  if (loc && loc.id !== draft?.id) setDraft(loc);
  if (!loc || !draft || loc.id !== draft.id)
    return loadError ? <Alert severity="error">{errorMessage(loadError)}</Alert> : null;
  const rulesOf = (d: Localization) => ({
    destinationRules: d.destinationRules,
    callerNumberRules: d.callerNumberRules,
    callerNameRules: d.callerNameRules,
  });
  /** A server error that names a field we show (a rule's match or value, the name) goes there. */
  function fail(e: unknown) {
    const field = e instanceof ApiError ? e.details.field : undefined;
    if (typeof field === 'string' && (field === 'name' || RULE_FIELD.test(field))) {
      setFieldError({ field, message: (e as Error).message });
      setMessage(null);
    } else setMessage({ ok: false, text: errorMessage(e) });
  }
  async function tryIt() {
    try {
      setMessage(null);
      setFieldError(null);
      const body: Record<string, unknown> = { ...rulesOf(draft!) };
      for (const [k, v] of Object.entries(sample)) if (v) body[k] = v;
      setPreview(await connApi.previewRules(body));
    } catch (e) {
      fail(e);
    }
  }
  async function save() {
    try {
      setFieldError(null);
      const { data: saved } = await dataProvider.update<Localization>('localizations', {
        id: loc!.id,
        data: { name: draft!.name, ...rulesOf(draft!) },
        previousData: loc!,
      });
      setDraft(saved);
      void refetch();
      setMessage({ ok: true, text: 'Saved.' });
    } catch (e) {
      fail(e);
    }
  }
  return (
    <Card sx={{ mt: 2 }}>
      <Title title={`Localization: ${loc.name}`} />
      <CardContent>
        <Stack direction="row" spacing={2} sx={{ mb: 2, alignItems: 'center' }}>
          <TextField
            size="small"
            label="Name"
            value={draft.name}
            sx={{ width: 300 }}
            error={fieldError?.field === 'name'}
            helperText={fieldError?.field === 'name' ? fieldError.message : undefined}
            onChange={(e) => setDraft({ ...draft, name: e.target.value })}
          />
          <Typography color="text.secondary">
            Used by {loc.customerCount} accounts · the first matching rule wins
          </Typography>
          <Button component={Link} to="/localizations">
            All localizations
          </Button>
          <Button color="error" onClick={() => setDeleting(true)}>
            Delete
          </Button>
        </Stack>
        {RULE_LISTS.map((l) => (
          <RulesEditor
            key={l.key}
            title={l.title}
            rules={draft[l.key]}
            onChange={(rules) => setDraft({ ...draft, [l.key]: rules })}
            errorOf={(i, f) => (fieldError?.field === `${l.key}.${i}.${f}` ? fieldError.message : undefined)}
          />
        ))}
        <Button variant="contained" onClick={() => void save()} sx={{ mb: 3 }}>
          Save
        </Button>
        {message && (
          <Alert severity={message.ok ? 'success' : 'error'} sx={{ mb: 2 }}>
            {message.text}
          </Alert>
        )}
        <Box component="section" aria-label="Try a number">
          <Typography variant="h6" component="h2" sx={{ mb: 1 }}>
            Try a number
          </Typography>
          <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
            Runs the rules above as edited (saved or not) and shows each step.
          </Typography>
          <Stack direction="row" spacing={2} useFlexGap sx={{ mb: 2, flexWrap: 'wrap' }}>
            <TextField
              size="small"
              label="Destination"
              value={sample.destination}
              sx={{ width: 220 }}
              onChange={(e) => setSample({ ...sample, destination: e.target.value })}
            />
            <TextField
              size="small"
              label="Caller number"
              value={sample.callerNumber}
              sx={{ width: 220 }}
              onChange={(e) => setSample({ ...sample, callerNumber: e.target.value })}
            />
            <TextField
              size="small"
              label="Caller name"
              value={sample.callerName}
              sx={{ width: 220 }}
              onChange={(e) => setSample({ ...sample, callerName: e.target.value })}
            />
            <Button variant="outlined" onClick={() => void tryIt()}>
              Try
            </Button>
          </Stack>
          {preview && (
            <Box role="status">
              <Steps title="Destination" t={preview.destination} />
              <Steps title="Caller number" t={preview.callerNumber} />
              <Steps title="Caller name" t={preview.callerName} />
            </Box>
          )}
        </Box>
        {deleting && (
          <ConfirmDialog
            title="Please confirm"
            confirmLabel="Delete"
            danger
            onClose={() => setDeleting(false)}
            onConfirm={() =>
              void dataProvider
                .delete('localizations', { id: loc.id, previousData: loc })
                .then(() => navigate('/localizations'))
                .catch((e: unknown) => {
                  setDeleting(false);
                  setMessage({ ok: false, text: errorMessage(e) });
                })
            }
          >
            Delete {loc.name}? Only a profile no account uses can be deleted.
          </ConfirmDialog>
        )}
      </CardContent>
    </Card>
  );
}

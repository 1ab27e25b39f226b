import { useCallback, useMemo, useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  Box,
  Button,
  Card,
  CardContent,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
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
import DeleteIcon from '@mui/icons-material/Delete';
import { Title } from 'react-admin';
import { ApiError } from '../api/http.js';
import { ConfirmDialog } from '../shared/dialogs.js';
import { errorMessage } from '../shared/error-message.js';
import type { EditTabProps } from '../accounts/AccountEdit.js';
import { callAuthApi, type ProviderTrunk, type ReasonSetting, type RoutePlan } from './call-auth-api.js';

/*
 * Route plans (issue 12, DOMAIN 4 step 8): destination prefix -> provider trunks in priority
 * order; the customer's Routing tab gives it one. And the SIP answer of each refusal reason.
 */

interface EntryRow {
  prefix: string;
  priority: string;
  providerTrunkId: string;
}

const trunkLabel = (t: ProviderTrunk) => `${t.customerName} — ${t.name}`;

/** The add/edit dialog of a plan: its name and its entries; server errors at the field they name. */
function RoutePlanDialog(props: {
  plan: RoutePlan | null;
  trunks: ProviderTrunk[];
  onClose: () => void;
  onSaved: () => void;
}) {
  const [name, setName] = useState(props.plan?.name ?? '');
  const [entries, setEntries] = useState<EntryRow[]>(
    props.plan?.entries.map((e) => ({
      prefix: e.prefix,
      priority: String(e.priority),
      providerTrunkId: String(e.providerTrunkId),
    })) ?? [{ prefix: '', priority: '1', providerTrunkId: '' }],
  );
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});

  const set = (i: number, patch: Partial<EntryRow>) =>
    setEntries(entries.map((e, j) => (j === i ? { ...e, ...patch } : e)));

  async function save() {
    // What the browser can tell before asking: an empty prefix or trunk, a non-number priority.
    const local: Record<string, string> = {};
    if (!name.trim()) local.name = 'A name is required.';
    entries.forEach((e, i) => {
      if (!/^[0-9]{1,20}$/.test(e.prefix.trim())) local[`entries.${i}.prefix`] = 'Digits only, 1 to 20.';
      if (!/^\d+$/.test(e.priority.trim()) || Number(e.priority) > 1000)
        local[`entries.${i}.priority`] = 'A whole number from 0 to 1000.';
      if (!e.providerTrunkId) local[`entries.${i}.providerTrunkId`] = 'Choose a provider trunk.';
    });
    setFieldErrors(local);
    setError(null);
    if (Object.keys(local).length) return;
    const body = {
      name: name.trim(),
      entries: entries.map((e) => ({
        prefix: e.prefix.trim(),
        priority: Number(e.priority),
        providerTrunkId: Number(e.providerTrunkId),
      })),
    };
    setBusy(true);
    try {
      if (props.plan) await callAuthApi.updateRoutePlan(props.plan.id, body);
      else await callAuthApi.createRoutePlan(body);
      props.onSaved();
    } catch (e) {
      const field = e instanceof ApiError ? e.details.field : undefined;
      if (typeof field === 'string' && (field === 'name' || field.startsWith('entries.')))
        setFieldErrors({ [field]: (e as Error).message });
      else setError(errorMessage(e));
      setBusy(false);
    }
  }

  return (
    <Dialog
      open
      onClose={busy ? undefined : props.onClose}
      fullWidth
      maxWidth="md"
      aria-labelledby="plan-title"
    >
      <DialogTitle id="plan-title">
        {props.plan ? `Edit route plan ${props.plan.name}` : 'Add route plan'}
      </DialogTitle>
      <DialogContent>
        <TextField
          label="Name"
          size="small"
          value={name}
          onChange={(e) => setName(e.target.value)}
          error={!!fieldErrors.name}
          helperText={fieldErrors.name}
          sx={{ mt: 1, mb: 2, width: 300 }}
          slotProps={{ htmlInput: { 'aria-label': 'Name', maxLength: 100 } }}
        />
        <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
          For each destination prefix, the provider trunks to try, lowest priority first. A call takes the
          entries of its longest matching prefix; routes below the customer's minimum profitability are left
          out.
        </Typography>
        <Table size="small" aria-label="Entries">
          <TableHead>
            <TableRow>
              <TableCell>Destination prefix</TableCell>
              <TableCell>Priority</TableCell>
              <TableCell>Provider trunk</TableCell>
              <TableCell />
            </TableRow>
          </TableHead>
          <TableBody>
            {entries.map((e, i) => {
              const err = (f: string) => fieldErrors[`entries.${i}.${f}`];
              return (
                <TableRow key={i}>
                  <TableCell>
                    <TextField
                      size="small"
                      value={e.prefix}
                      onChange={(ev) => set(i, { prefix: ev.target.value })}
                      error={!!err('prefix')}
                      helperText={err('prefix')}
                      slotProps={{ htmlInput: { 'aria-label': `Prefix ${i + 1}` } }}
                    />
                  </TableCell>
                  <TableCell>
                    <TextField
                      size="small"
                      value={e.priority}
                      onChange={(ev) => set(i, { priority: ev.target.value })}
                      error={!!err('priority')}
                      helperText={err('priority')}
                      sx={{ width: 110 }}
                      slotProps={{ htmlInput: { 'aria-label': `Priority ${i + 1}` } }}
                    />
                  </TableCell>
                  <TableCell>
                    <TextField
                      select
                      size="small"
                      value={e.providerTrunkId}
                      onChange={(ev) => set(i, { providerTrunkId: ev.target.value })}
                      error={!!err('providerTrunkId')}
                      helperText={err('providerTrunkId')}
                      sx={{ minWidth: 260 }}
                      label={`Trunk ${i + 1}`}
                    >
                      {props.trunks.map((t) => (
                        <MenuItem key={t.id} value={String(t.id)}>
                          {trunkLabel(t)}
                        </MenuItem>
                      ))}
                    </TextField>
                  </TableCell>
                  <TableCell>
                    <IconButton
                      aria-label={`Remove entry ${i + 1}`}
                      onClick={() => setEntries(entries.filter((_, j) => j !== i))}
                    >
                      <DeleteIcon fontSize="small" />
                    </IconButton>
                  </TableCell>
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
        <Button
          size="small"
          startIcon={<AddIcon />}
          sx={{ mt: 1 }}
          onClick={() => {
            const last = entries[entries.length - 1];
            setEntries([
              ...entries,
              {
                prefix: last?.prefix ?? '',
                priority: String(last ? Number(last.priority || 0) + 1 : 1),
                providerTrunkId: '',
              },
            ]);
          }}
        >
          Add entry
        </Button>
        {props.trunks.length === 0 && (
          <Alert severity="info" sx={{ mt: 2 }}>
            No provider has a trunk yet: add one to a provider first.
          </Alert>
        )}
        {error && (
          <Alert severity="error" sx={{ mt: 2 }} role="alert">
            {error}
          </Alert>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose} disabled={busy}>
          Cancel
        </Button>
        <Button variant="contained" onClick={() => void save()} disabled={busy}>
          {props.plan ? 'Save' : 'Add'}
        </Button>
      </DialogActions>
    </Dialog>
  );
}

const ROUTE_PLANS_KEY = ['route-plans'];
const PROVIDER_TRUNKS_KEY = ['provider-trunks'];
const REASONS_KEY = ['call-auth/reasons'];
const routePlanOfKey = (customerId: number) => ['customers', customerId, 'route-plan'];
const NO_TRUNKS: ProviderTrunk[] = [];

export function RoutePlansPage() {
  const queryClient = useQueryClient();
  const plansQuery = useQuery({
    queryKey: ROUTE_PLANS_KEY,
    queryFn: () => callAuthApi.routePlans(),
    retry: false,
  });
  const trunksQuery = useQuery({
    queryKey: PROVIDER_TRUNKS_KEY,
    queryFn: () => callAuthApi.providerTrunks(),
    retry: false,
  });
  // The plans show once both are loaded (a plan's entries name their trunks).
  const plans = trunksQuery.data ? (plansQuery.data ?? null) : null;
  const trunks = trunksQuery.data ?? NO_TRUNKS;
  const [writeError, setError] = useState<string | null>(null);
  const loadError = plansQuery.error ?? trunksQuery.error;
  const error = writeError ?? (loadError ? errorMessage(loadError) : null);
  const [editing, setEditing] = useState<{ plan: RoutePlan | null } | null>(null);
  const [deleting, setDeleting] = useState<RoutePlan | null>(null);
  const byId = useMemo(() => new Map(trunks.map((t) => [t.id, t])), [trunks]);
  const reload = useCallback(() => {
    setError(null);
    void queryClient.invalidateQueries({ queryKey: ROUTE_PLANS_KEY });
    void queryClient.invalidateQueries({ queryKey: PROVIDER_TRUNKS_KEY });
  }, [queryClient]);
  return (
    <Card sx={{ mt: 2 }}>
      <Title title="Route Plans" />
      <CardContent>
        <Stack direction="row" spacing={2} sx={{ alignItems: 'center', mb: 2 }}>
          <Typography variant="h5" component="h1">
            Route Plans
          </Typography>
          <Button startIcon={<AddIcon />} onClick={() => setEditing({ plan: null })}>
            Add route plan
          </Button>
        </Stack>
        <Typography color="text.secondary" variant="body2" sx={{ mb: 2 }}>
          A customer given a plan gets, in every call decision, the provider trunks to try for the
          destination. Without a plan the switch routes the customer's calls on its own.
        </Typography>
        {error && (
          <Alert severity="error" sx={{ mb: 2 }}>
            {error}
          </Alert>
        )}
        {plans?.length === 0 && <Typography>No route plans yet.</Typography>}
        {plans && plans.length > 0 && (
          <Table size="small" aria-label="Route plans">
            <TableHead>
              <TableRow>
                <TableCell>Name</TableCell>
                <TableCell>Entries</TableCell>
                <TableCell>Actions</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {plans.map((p) => (
                <TableRow key={p.id}>
                  <TableCell>{p.name}</TableCell>
                  <TableCell>
                    {p.entries.length === 0
                      ? 'No entries'
                      : [...p.entries]
                          .sort((a, b) => a.prefix.localeCompare(b.prefix) || a.priority - b.priority)
                          .map((e) => {
                            const t = byId.get(e.providerTrunkId);
                            return (
                              <Box key={`${e.prefix}/${e.providerTrunkId}`}>
                                {e.prefix} → {e.priority}. {t ? trunkLabel(t) : `trunk #${e.providerTrunkId}`}
                              </Box>
                            );
                          })}
                  </TableCell>
                  <TableCell sx={{ whiteSpace: 'nowrap' }}>
                    <Button size="small" onClick={() => setEditing({ plan: p })}>
                      Edit
                    </Button>
                    <Button size="small" color="error" onClick={() => setDeleting(p)}>
                      Delete
                    </Button>
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
        {editing && (
          <RoutePlanDialog
            plan={editing.plan}
            trunks={trunks}
            onClose={() => setEditing(null)}
            onSaved={() => {
              setEditing(null);
              reload();
            }}
          />
        )}
        {deleting && (
          <ConfirmDialog
            title="Please confirm"
            confirmLabel="Delete"
            danger
            busy={false}
            onClose={() => setDeleting(null)}
            onConfirm={() => {
              callAuthApi
                .deleteRoutePlan(deleting.id)
                .then(() => reload())
                .catch((e: unknown) => setError(errorMessage(e)))
                .finally(() => setDeleting(null));
            }}
          >
            Delete the route plan {deleting.name}? Its customers' calls are routed by the switch again.
          </ConfirmDialog>
        )}
      </CardContent>
    </Card>
  );
}

/** The customer's Routing tab: which route plan it is given (admins only). */
export function RoutingTab({ record }: EditTabProps) {
  const queryClient = useQueryClient();
  const plansQuery = useQuery({
    queryKey: ROUTE_PLANS_KEY,
    queryFn: () => callAuthApi.routePlans(),
    retry: false,
  });
  const assigned = useQuery({
    queryKey: routePlanOfKey(record.id),
    queryFn: () => callAuthApi.routePlanOf(record.id),
    retry: false,
  });
  // The choice shows once both are loaded.
  const plans = assigned.data ? (plansQuery.data ?? null) : null;
  const saved = assigned.data?.routePlanId == null ? '' : String(assigned.data.routePlanId);
  // The admin's pick in the select, until saved (null: the saved plan).
  const [choice, setChoice] = useState<string | null>(null);
  const current = choice ?? saved;
  const setCurrent = setChoice;
  const [writeError, setError] = useState<string | null>(null);
  const loadError = plansQuery.error ?? assigned.error;
  const error = writeError ?? (loadError ? errorMessage(loadError) : null);
  const [notice, setNotice] = useState<string | null>(null);
  async function save() {
    setError(null);
    setNotice(null);
    try {
      const routePlanId = current === '' ? null : Number(current);
      await callAuthApi.assignRoutePlan(record.id, routePlanId);
      queryClient.setQueryData(routePlanOfKey(record.id), { ...assigned.data, routePlanId });
      setChoice(null);
      setNotice('Saved: the next call decision uses it.');
    } catch (e) {
      setError(errorMessage(e));
    }
  }
  return (
    <Box component="section" aria-label="Routing">
      <Typography variant="h6" component="h2" sx={{ mb: 1 }}>
        Routing
      </Typography>
      <Typography color="text.secondary" variant="body2" sx={{ mb: 2 }}>
        With a route plan, each call decision lists the provider trunks to try; without one, the switch routes
        this customer's calls on its own.
      </Typography>
      {plans && (
        <Stack direction="row" spacing={2} sx={{ alignItems: 'center' }}>
          <TextField
            select
            size="small"
            label="Route plan"
            value={current}
            onChange={(e) => setCurrent(e.target.value)}
            sx={{ minWidth: 280 }}
          >
            <MenuItem value="">No route plan (the switch routes)</MenuItem>
            {plans.map((p) => (
              <MenuItem key={p.id} value={String(p.id)}>
                {p.name}
              </MenuItem>
            ))}
          </TextField>
          <Button variant="contained" disabled={current === saved} onClick={() => void save()}>
            Save
          </Button>
        </Stack>
      )}
      {notice && (
        <Alert severity="success" sx={{ mt: 2 }}>
          {notice}
        </Alert>
      )}
      {error && (
        <Alert severity="error" sx={{ mt: 2 }}>
          {error}
        </Alert>
      )}
    </Box>
  );
}

/** The SIP code and text a switch answers each refusal with. */
export function RefusalReasonsPage() {
  const queryClient = useQueryClient();
  const reasons = useQuery({ queryKey: REASONS_KEY, queryFn: () => callAuthApi.reasons(), retry: false });
  const rows = reasons.data ?? null;
  const [writeError, setError] = useState<string | null>(null);
  const error = writeError ?? (reasons.error ? errorMessage(reasons.error) : null);
  const reload = () => void queryClient.invalidateQueries({ queryKey: REASONS_KEY });
  const [editing, setEditing] = useState<ReasonSetting | null>(null);
  const [code, setCode] = useState('');
  const [text, setText] = useState('');
  const [fieldError, setFieldError] = useState<{ field: string; message: string } | null>(null);
  const open = (r: ReasonSetting) => {
    setEditing(r);
    setCode(String(r.sipCode));
    setText(r.sipReason);
    setFieldError(null);
  };
  async function save(values: { sipCode: string; sipReason: string }) {
    if (!editing) return;
    setFieldError(null);
    const n = Number(values.sipCode.trim());
    if (!/^\d{3}$/.test(values.sipCode.trim()) || n < 400 || n > 699)
      return setFieldError({ field: 'sipCode', message: 'A SIP code from 400 to 699.' });
    try {
      await callAuthApi.setReason(editing.reason, {
        sipCode: Number(values.sipCode),
        sipReason: values.sipReason.trim(),
      });
      setEditing(null);
      reload();
    } catch (e) {
      const field = e instanceof ApiError ? e.details.field : undefined;
      if (field === 'sipCode' || field === 'sipReason')
        setFieldError({ field, message: (e as Error).message });
      else setError(errorMessage(e));
    }
  }
  return (
    <Card sx={{ mt: 2 }}>
      <Title title="Refusal Reasons" />
      <CardContent>
        <Typography variant="h5" component="h1" sx={{ mb: 1 }}>
          Refusal Reasons
        </Typography>
        <Typography color="text.secondary" variant="body2" sx={{ mb: 2 }}>
          The SIP answer the switch sends when a call is refused for each reason. A change applies to the next
          decision.
        </Typography>
        {error && (
          <Alert severity="error" sx={{ mb: 2 }}>
            {error}
          </Alert>
        )}
        {rows && (
          <Table size="small" aria-label="Refusal reasons">
            <TableHead>
              <TableRow>
                <TableCell>Reason</TableCell>
                <TableCell>SIP code</TableCell>
                <TableCell>SIP text</TableCell>
                <TableCell>Default</TableCell>
                <TableCell />
              </TableRow>
            </TableHead>
            <TableBody>
              {rows.map((r) => {
                const changed = r.sipCode !== r.defaultSipCode || r.sipReason !== r.defaultSipReason;
                return (
                  <TableRow key={r.reason}>
                    <TableCell sx={{ fontFamily: 'monospace' }}>{r.reason}</TableCell>
                    <TableCell sx={{ fontWeight: changed ? 600 : undefined }}>{r.sipCode}</TableCell>
                    <TableCell sx={{ fontWeight: changed ? 600 : undefined }}>{r.sipReason}</TableCell>
                    <TableCell sx={{ color: 'text.secondary' }}>
                      {r.defaultSipCode} {r.defaultSipReason}
                    </TableCell>
                    <TableCell sx={{ whiteSpace: 'nowrap' }}>
                      <Button size="small" aria-label={`Edit ${r.reason}`} onClick={() => open(r)}>
                        Edit
                      </Button>
                      {changed && (
                        <Button
                          size="small"
                          aria-label={`Reset ${r.reason}`}
                          onClick={() =>
                            void callAuthApi
                              .setReason(r.reason, {
                                sipCode: r.defaultSipCode,
                                sipReason: r.defaultSipReason,
                              })
                              .then(() => reload())
                              .catch((e: unknown) => setError(errorMessage(e)))
                          }
                        >
                          Reset
                        </Button>
                      )}
                    </TableCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        )}
        {editing && (
          <Dialog open onClose={() => setEditing(null)} aria-labelledby="reason-title">
            <DialogTitle id="reason-title">SIP answer for {editing.reason}</DialogTitle>
            <DialogContent>
              <Stack direction="row" spacing={2} sx={{ pt: 1 }}>
                <TextField
                  label="SIP code"
                  size="small"
                  value={code}
                  onChange={(e) => setCode(e.target.value)}
                  error={fieldError?.field === 'sipCode'}
                  helperText={fieldError?.field === 'sipCode' ? fieldError.message : '400–699'}
                  sx={{ width: 140 }}
                  slotProps={{ htmlInput: { 'aria-label': 'SIP code' } }}
                />
                <TextField
                  label="SIP text"
                  size="small"
                  value={text}
                  onChange={(e) => setText(e.target.value)}
                  error={fieldError?.field === 'sipReason'}
                  helperText={fieldError?.field === 'sipReason' ? fieldError.message : undefined}
                  sx={{ width: 320 }}
                  slotProps={{ htmlInput: { 'aria-label': 'SIP text' } }}
                />
              </Stack>
            </DialogContent>
            <DialogActions>
              <Button onClick={() => setEditing(null)}>Cancel</Button>
              <Button variant="contained" onClick={() => void save({ sipCode: code, sipReason: text })}>
                Save
              </Button>
            </DialogActions>
          </Dialog>
        )}
      </CardContent>
    </Card>
  );
}

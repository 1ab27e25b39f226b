import { useState } from 'react';
import {
  Alert,
  Box,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  MenuItem,
  Stack,
  TextField,
  Typography,
} from '@mui/material';
import { useDataProvider } from 'react-admin';
import type { EditTabProps } from '../accounts/AccountEdit.js';
import { errorMessage } from '../shared/error-message.js';
import { formatDateTime, formatMoney } from '../format/format.js';
import { useViewerTimeZone } from '../format/viewer-zone.js';
import { StatusChip } from '../layout/StatusChip.js';
import { CopyButton } from '../layout/CopyButton.js';
import type { FieldSpec } from '../shared/EntityDialog.js';
import { ResourceTable, resourceWrites } from '../shared/ResourceTable.js';
import { useResourceList } from '../shared/resource-list.js';
import { STATUS_CHOICES } from './choices.js';
import { Warnings } from './Warnings.js';
import {
  connApi,
  limitText,
  type BlockedCode,
  type CallerId,
  type Did,
  type ForceCallerId,
  type Host,
  type SipDevice,
  type SpeedDial,
  type Trunk,
} from './conn-api.js';

/*
 * The customer edit page's connectivity tabs (004): Trunks with their hosts, IP Settings, SIP
 * Devices, Caller IDs and Force Caller ID, Blocked Codes, Speed Dial and DIDs. Each reads its
 * customer's list through the data provider (useResourceList; these lists come whole) and writes
 * through it too, except the actions that are not an add, edit or delete (reset a SIP password,
 * set a speed dial key, assign or release a DID).
 */

/** A customer's list comes whole from the API: one page, no pager. */
const WHOLE = { perPage: 500 };

const LIMIT_FIELDS: FieldSpec[] = [
  { name: 'callLimit', label: 'Call limit', kind: 'integer', nullable: true, width: 160 },
  { name: 'cpsLimit', label: 'CPS limit', kind: 'decimal', nullable: true, width: 160 },
];

const limits = (r: { callLimit: number | null; cpsLimit: string | null }) =>
  `Calls ${limitText(r.callLimit)} · CPS ${limitText(r.cpsLimit)}`;

const TRUNK_FIELDS: FieldSpec[] = [
  { name: 'name', label: 'Trunk name', required: true },
  { name: 'status', label: 'Status', kind: 'select', choices: STATUS_CHOICES, width: 160 },
  ...LIMIT_FIELDS,
  {
    name: 'maxDurationSec',
    label: 'Max call duration (s)',
    kind: 'integer',
    nullable: true,
    help: 'Blank = no maximum',
    width: 200,
  },
  { name: 'techPrefix', label: 'Tech prefix', help: 'Digits; the default for new hosts', width: 200 },
  {
    name: 'mpType',
    label: 'Min profitability',
    kind: 'select',
    choices: [
      { id: 'inherit', name: "Customer's value" },
      { id: 'percent', name: 'Percent' },
      { id: 'absolute', name: 'Amount per minute' },
    ],
    width: 200,
  },
  { name: 'mpValue', label: 'Min profitability value', kind: 'decimal', width: 200 },
];

/** The dialog's two min-profitability inputs become the API's `minProfitability` object. */
function trunkBody(body: Record<string, unknown>, row?: Trunk): Record<string, unknown> {
  const { mpType, mpValue, ...rest } = body;
  if (mpType === undefined && mpValue === undefined) return rest;
  const type = (mpType ?? row?.minProfitability?.type ?? 'inherit') as string;
  const value = (mpValue ?? row?.minProfitability?.value ?? '0') as string;
  return { ...rest, minProfitability: type === 'inherit' ? null : { type, value: value || '0' } };
}

const trunkInitial = (t: Trunk) => ({
  ...t,
  mpType: t.minProfitability?.type ?? 'inherit',
  mpValue: t.minProfitability?.value ?? '',
});

const HOST_FIELDS: FieldSpec[] = [
  { name: 'cidr', label: 'IP or CIDR', required: true, help: 'IPv4 or IPv6; a bare address is one host' },
  { name: 'port', label: 'Port', kind: 'integer', nullable: true, help: 'Blank = any port', width: 140 },
  { name: 'techPrefix', label: 'Tech prefix', help: "Blank = the trunk's", width: 180 },
  { name: 'status', label: 'Status', kind: 'select', choices: STATUS_CHOICES, width: 160 },
  ...LIMIT_FIELDS,
];

function HostTable(props: { trunk: Trunk; onChanged: () => void }) {
  const dataProvider = useDataProvider();
  const hosts = `trunks/${props.trunk.id}/hosts`;
  const list = useResourceList<Host>(hosts, WHOLE);
  return (
    <ResourceTable
      title={`Hosts of ${props.trunk.name}`}
      noun="host"
      list={list}
      fields={HOST_FIELDS}
      {...resourceWrites<Host>(dataProvider, hosts, 'hosts')}
      onChanged={props.onChanged}
      columns={[
        { label: 'Host', value: (h) => (h.port ? `${h.cidr} : ${h.port}` : h.cidr) },
        { label: 'Tech prefix', value: (h) => h.techPrefix || '—' },
        { label: 'Status', value: (h) => <StatusChip status={h.status} effective={h.effectiveStatus} /> },
        {
          label: 'Limits',
          value: (h) => (
            <>
              {limits(h)} <Warnings warnings={h.warnings} />
            </>
          ),
        },
      ]}
    />
  );
}

export function TrunksTab({ record }: EditTabProps) {
  const dataProvider = useDataProvider();
  const trunks = `customers/${record.id}/trunks`;
  const list = useResourceList<Trunk>(trunks, WHOLE);
  return (
    <ResourceTable
      title="Trunks"
      noun="trunk"
      list={list}
      fields={TRUNK_FIELDS}
      toInitial={trunkInitial}
      {...resourceWrites<Trunk>(dataProvider, trunks, 'trunks', trunkBody)}
      empty="No trunks yet. Add one, then its hosts (the IPs the customer sends calls from)."
      expand={{
        label: (t) => `Hosts (${t.hostCount})`,
        render: (t, changed) => <HostTable trunk={t} onChanged={changed} />,
      }}
      columns={[
        { label: 'Name', value: (t) => t.name },
        {
          label: 'Status',
          value: (t) => (
            <>
              <StatusChip status={t.status} effective={t.effectiveStatus} />
              {t.disabledReason && <Typography variant="caption"> ({t.disabledReason})</Typography>}
            </>
          ),
        },
        {
          label: 'Limits',
          value: (t) => (
            <>
              {limits(t)} <Warnings warnings={t.warnings} />
            </>
          ),
        },
        { label: 'Tech prefix', value: (t) => t.techPrefix || '—' },
        {
          label: 'Min profitability',
          value: (t) =>
            t.effectiveMinProfitability
              ? `${t.effectiveMinProfitability.value}${t.effectiveMinProfitability.type === 'percent' ? ' %' : ''} (${t.effectiveMinProfitability.source})`
              : '—',
        },
      ]}
    />
  );
}

/** IP Settings: every host of the customer across its trunks. */
export function IpSettingsTab({ record }: EditTabProps) {
  const dataProvider = useDataProvider();
  const list = useResourceList<Host>(`customers/${record.id}/hosts`, WHOLE);
  const { update, remove } = resourceWrites<Host>(dataProvider, `customers/${record.id}/hosts`, 'hosts');
  return (
    <ResourceTable
      title="IP Settings"
      noun="host"
      list={list}
      fields={HOST_FIELDS}
      update={update}
      remove={remove}
      empty="No IPs yet: add a trunk and its hosts on the Trunks tab."
      columns={[
        { label: 'Host', value: (h) => (h.port ? `${h.cidr} : ${h.port}` : h.cidr) },
        { label: 'Trunk', value: (h) => h.trunkName },
        { label: 'Tech prefix', value: (h) => h.techPrefix || '—' },
        { label: 'Status', value: (h) => <StatusChip status={h.status} effective={h.effectiveStatus} /> },
        { label: 'Limits', value: (h) => limits(h) },
      ]}
    />
  );
}

const SIP_FIELDS: FieldSpec[] = [
  { name: 'username', label: 'Username', required: true },
  {
    name: 'secret',
    label: 'Password',
    kind: 'secret',
    only: 'create',
    help: 'At least 12 characters; blank = generate one',
  },
  { name: 'callerIdName', label: 'Caller ID name', nullable: true, help: ' ' },
  { name: 'callerIdNumber', label: 'Caller ID number', nullable: true, help: 'Digits' },
  { name: 'status', label: 'Status', kind: 'select', choices: STATUS_CHOICES, width: 160 },
  { name: 'codecs', label: 'Codecs', kind: 'list', help: 'In order of preference, comma separated' },
  { name: 'voicemailEnabled', label: 'Voicemail', kind: 'boolean' },
];

/** The secret, shown once after create or reset. */
function SecretDialog({ device, onClose }: { device: SipDevice; onClose: () => void }) {
  return (
    <Dialog open onClose={onClose} aria-labelledby="secret-title">
      <DialogTitle id="secret-title">Password of {device.username}</DialogTitle>
      <DialogContent>
        <Alert severity="warning" sx={{ mb: 2 }}>
          This password is shown only now. Put it in the phone or PBX before closing.
        </Alert>
        <Typography component="code" data-testid="sip-secret" sx={{ fontSize: 18 }}>
          {device.secret}
        </Typography>
        <CopyButton text={device.secret ?? ''} label="Copy the password" />
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} variant="contained">
          Done
        </Button>
      </DialogActions>
    </Dialog>
  );
}

export function SipDevicesTab({ record }: EditTabProps) {
  const [shown, setShown] = useState<SipDevice | null>(null);
  const dataProvider = useDataProvider();
  const devices = `customers/${record.id}/sip-devices`;
  const list = useResourceList<SipDevice>(devices, WHOLE);
  const { update, remove } = resourceWrites<SipDevice>(dataProvider, devices, 'sip-devices');
  return (
    <>
      <ResourceTable
        title="SIP Devices"
        noun="SIP device"
        list={list}
        fields={SIP_FIELDS}
        // The answer carries the password, shown once here; it never enters react-admin's cache.
        create={async (b) => setShown((await dataProvider.create<SipDevice>(devices, { data: b })).data)}
        update={update}
        remove={remove}
        actions={[
          {
            label: () => 'New password',
            confirm: (d) => `Generate a new password for ${d.username}? The old one stops working.`,
            run: async (d) => setShown(await connApi.resetSipSecret(d.id)),
          },
        ]}
        columns={[
          { label: 'Username', value: (d) => d.username },
          {
            label: 'Caller ID',
            value: (d) =>
              [d.callerIdName, d.callerIdNumber && `<${d.callerIdNumber}>`].filter(Boolean).join(' ') || '—',
          },
          { label: 'Codecs', value: (d) => d.codecs.join(', ') || '—' },
          { label: 'Voicemail', value: (d) => (d.voicemailEnabled ? 'Yes' : 'No') },
          { label: 'Status', value: (d) => <StatusChip status={d.status} effective={d.effectiveStatus} /> },
        ]}
      />
      {shown && <SecretDialog device={shown} onClose={() => setShown(null)} />}
    </>
  );
}

export function CallerIdsTab({ record }: EditTabProps) {
  const dataProvider = useDataProvider();
  const callerIds = `customers/${record.id}/caller-ids`;
  const forced = `customers/${record.id}/force-caller-ids`;
  const list = useResourceList<CallerId>(callerIds, WHOLE);
  const forcedList = useResourceList<ForceCallerId>(forced, WHOLE);
  return (
    <>
      <ResourceTable
        title="Caller IDs"
        noun="caller ID"
        list={list}
        fields={[
          { name: 'number', label: 'Number', required: true, help: 'Digits' },
          { name: 'description', label: 'Description', nullable: true, help: ' ' },
          { name: 'status', label: 'Status', kind: 'select', choices: STATUS_CHOICES, width: 160 },
        ]}
        {...resourceWrites<CallerId>(dataProvider, callerIds, 'caller-ids')}
        empty="No caller IDs: the customer may present any CLI its CLI pool mode allows."
        columns={[
          { label: 'Number', value: (c) => c.number },
          { label: 'Description', value: (c) => c.description ?? '' },
          { label: 'Status', value: (c) => <StatusChip status={c.status} /> },
        ]}
      />
      <ResourceTable
        title="Force Caller ID"
        noun="force caller ID"
        list={forcedList}
        fields={[
          { name: 'name', label: 'Name', nullable: true, help: ' ' },
          { name: 'number', label: 'Number', required: true, help: 'Digits' },
          { name: 'status', label: 'Status', kind: 'select', choices: STATUS_CHOICES, width: 160 },
        ]}
        {...resourceWrites<ForceCallerId>(dataProvider, forced, 'force-caller-ids')}
        empty="No forced caller ID: calls keep the caller ID they arrive with."
        columns={[
          { label: 'Name', value: (c) => c.name ?? '' },
          { label: 'Number', value: (c) => c.number },
          { label: 'Status', value: (c) => <StatusChip status={c.status} /> },
        ]}
      />
    </>
  );
}

export function BlockedCodesTab({ record }: EditTabProps) {
  const zone = useViewerTimeZone();
  const dataProvider = useDataProvider();
  const codes = `customers/${record.id}/blocked-codes`;
  const list = useResourceList<BlockedCode>(codes, WHOLE);
  return (
    <ResourceTable
      title="Blocked Codes"
      noun="blocked code"
      list={list}
      fields={[
        { name: 'prefix', label: 'Destination prefix', required: true, help: 'Digits, e.g. 4470' },
        { name: 'label', label: 'Label', nullable: true, help: ' ' },
      ]}
      {...resourceWrites<BlockedCode>(dataProvider, codes, 'blocked-codes')}
      empty="No blocked codes."
      columns={[
        { label: 'Prefix', value: (c) => c.prefix },
        { label: 'Label', value: (c) => c.label ?? '' },
        { label: 'Blocked since', value: (c) => formatDateTime(c.createdAt, zone) },
      ]}
    />
  );
}

const KEYS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 0];

/** The ten keys, set or not (the API lists the set ones). */
function allKeys(set: SpeedDial[]) {
  const numbers = new Map(set.map((s) => [s.key, s.number]));
  return KEYS.map((key) => ({ id: key + 1, key, number: numbers.get(key) ?? '' }));
}

export function SpeedDialTab({ record }: EditTabProps) {
  const list = useResourceList<SpeedDial>(`customers/${record.id}/speed-dials`, WHOLE);
  return (
    <ResourceTable
      title="Speed Dial"
      noun="key"
      list={list}
      rows={allKeys}
      fields={[{ name: 'number', label: 'Number', required: true, help: 'Digits' }]}
      update={(s, b) => connApi.putSpeedDial(record.id, s.key, String(b.number ?? ''))}
      actions={[
        {
          label: () => 'Clear',
          show: (s) => s.number !== '',
          run: (s) => connApi.clearSpeedDial(record.id, s.key),
        },
      ]}
      columns={[
        { label: 'Key', value: (s) => s.key },
        { label: 'Number', value: (s) => s.number || '—' },
      ]}
    />
  );
}

/** Assign a DID from the pool: search by leading digits, pick one. */
function AssignDidDialog(props: { customerId: number; onDone: () => void; onClose: () => void }) {
  const dataProvider = useDataProvider();
  const [prefix, setPrefix] = useState('');
  const [choices, setChoices] = useState<Did[] | null>(null);
  const [picked, setPicked] = useState('');
  const [error, setError] = useState<string | null>(null);
  async function search() {
    try {
      setError(null);
      const r = await dataProvider.getList<Did>('dids', {
        filter: { assigned: false, status: 'active', number: prefix },
        pagination: { page: 1, perPage: 50 },
        sort: { field: 'id', order: 'ASC' },
      });
      setChoices(r.data);
      setPicked(r.data[0] ? String(r.data[0].id) : '');
    } catch (e) {
      setError(errorMessage(e));
    }
  }
  async function assign() {
    try {
      await connApi.assignDid(Number(picked), props.customerId);
      props.onDone();
    } catch (e) {
      setError(errorMessage(e));
    }
  }
  return (
    <Dialog open onClose={props.onClose} aria-labelledby="assign-title" fullWidth maxWidth="sm">
      <DialogTitle id="assign-title">Assign a DID</DialogTitle>
      <DialogContent>
        <Stack direction="row" spacing={1} sx={{ pt: 1, mb: 2 }}>
          <TextField
            size="small"
            label="Number starts with"
            value={prefix}
            onChange={(e) => setPrefix(e.target.value)}
          />
          <Button onClick={() => void search()}>Search the pool</Button>
        </Stack>
        {choices && choices.length === 0 && <Typography>No free DIDs match.</Typography>}
        {choices && choices.length > 0 && (
          <TextField
            select
            size="small"
            label="DID"
            value={picked}
            onChange={(e) => setPicked(e.target.value)}
            fullWidth
          >
            {choices.map((d) => (
              <MenuItem key={d.id} value={String(d.id)}>
                {d.number} · {d.monthlyFee}/month {d.description ? `· ${d.description}` : ''}
              </MenuItem>
            ))}
          </TextField>
        )}
        {error && (
          <Alert severity="error" sx={{ mt: 2 }}>
            {error}
          </Alert>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>Cancel</Button>
        <Button variant="contained" disabled={!picked} onClick={() => void assign()}>
          Assign
        </Button>
      </DialogActions>
    </Dialog>
  );
}

export function DidsTab({ record }: EditTabProps) {
  const zone = useViewerTimeZone();
  const [assigning, setAssigning] = useState(false);
  const list = useResourceList<Did>(`customers/${record.id}/dids`, WHOLE);
  return (
    <Box>
      <ResourceTable
        title="DIDs"
        noun="DID"
        list={list}
        empty="No DIDs assigned."
        headerExtra={
          <Button size="small" onClick={() => setAssigning(true)}>
            Assign from pool
          </Button>
        }
        actions={[
          {
            label: () => 'Release',
            confirm: (d) => `Return ${d.number} to its pool?`,
            run: (d) => connApi.releaseDid(d.id),
          },
        ]}
        columns={[
          { label: 'Number', value: (d) => d.number },
          { label: 'Monthly fee', value: (d) => formatMoney(d.monthlyFee, record.currency) },
          { label: 'Description', value: (d) => d.description ?? '' },
          { label: 'Assigned', value: (d) => formatDateTime(d.assignedAt, zone) },
          { label: 'Status', value: (d) => <StatusChip status={d.status} /> },
        ]}
      />
      {assigning && (
        <AssignDidDialog
          customerId={record.id}
          onClose={() => setAssigning(false)}
          onDone={() => {
            setAssigning(false);
            void list.refetch();
          }}
        />
      )}
    </Box>
  );
}

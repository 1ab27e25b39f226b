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
import type { EditTabProps } from '../accounts/AccountEdit.js';
import { errorMessage } from '../shared/error-message.js';
import { formatDateTime, formatMoney } from '../format/format.js';
import { useViewerTimeZone } from '../format/viewer-zone.js';
import { StatusChip } from '../layout/StatusChip.js';
import { CopyButton } from '../layout/CopyButton.js';
import { CrudTable, STATUS_CHOICES, Warnings, type FieldSpec } from './CrudTable.js';
import { connApi, limitText, type Did, type Host, type SipDevice, type Trunk } from './conn-api.js';

/*
 * The customer edit page's connectivity tabs (004): Trunks with their hosts, IP Settings, SIP
 * Devices, Caller IDs and Force Caller ID, Blocked Codes, Speed Dial and DIDs.
 */

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
  return (
    <CrudTable<Host>
      title={`Hosts of ${props.trunk.name}`}
      noun="host"
      load={() => connApi.hostsOfTrunk(props.trunk.id)}
      fields={HOST_FIELDS}
      create={(b) => connApi.createHost(props.trunk.id, b)}
      update={(h, b) => connApi.patchHost(h.id, b)}
      remove={(h) => connApi.deleteHost(h.id)}
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
  return (
    <CrudTable<Trunk>
      title="Trunks"
      noun="trunk"
      load={() => connApi.trunks(record.id)}
      fields={TRUNK_FIELDS}
      toInitial={trunkInitial}
      create={(b) => connApi.createTrunk(record.id, trunkBody(b))}
      update={(t, b) => connApi.patchTrunk(t.id, trunkBody(b, t))}
      remove={(t) => connApi.deleteTrunk(t.id)}
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
  return (
    <CrudTable<Host>
      title="IP Settings"
      noun="host"
      load={() => connApi.hostsOfCustomer(record.id)}
      fields={HOST_FIELDS}
      update={(h, b) => connApi.patchHost(h.id, b)}
      remove={(h) => connApi.deleteHost(h.id)}
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
  return (
    <>
      <CrudTable<SipDevice>
        title="SIP Devices"
        noun="SIP device"
        load={() => connApi.sipDevices(record.id)}
        fields={SIP_FIELDS}
        create={async (b) => setShown(await connApi.createSipDevice(record.id, b))}
        update={(d, b) => connApi.patchSipDevice(d.id, b)}
        remove={(d) => connApi.deleteSipDevice(d.id)}
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
  return (
    <>
      <CrudTable
        title="Caller IDs"
        noun="caller ID"
        load={() => connApi.callerIds(record.id)}
        fields={[
          { name: 'number', label: 'Number', required: true, help: 'Digits' },
          { name: 'description', label: 'Description', nullable: true, help: ' ' },
          { name: 'status', label: 'Status', kind: 'select', choices: STATUS_CHOICES, width: 160 },
        ]}
        create={(b) => connApi.createCallerId(record.id, b)}
        update={(c, b) => connApi.patchCallerId(c.id, b)}
        remove={(c) => connApi.deleteCallerId(c.id)}
        empty="No caller IDs: the customer may present any CLI its CLI pool mode allows."
        columns={[
          { label: 'Number', value: (c) => c.number },
          { label: 'Description', value: (c) => c.description ?? '' },
          { label: 'Status', value: (c) => <StatusChip status={c.status} /> },
        ]}
      />
      <CrudTable
        title="Force Caller ID"
        noun="force caller ID"
        load={() => connApi.forceCallerIds(record.id)}
        fields={[
          { name: 'name', label: 'Name', nullable: true, help: ' ' },
          { name: 'number', label: 'Number', required: true, help: 'Digits' },
          { name: 'status', label: 'Status', kind: 'select', choices: STATUS_CHOICES, width: 160 },
        ]}
        create={(b) => connApi.createForceCallerId(record.id, b)}
        update={(c, b) => connApi.patchForceCallerId(c.id, b)}
        remove={(c) => connApi.deleteForceCallerId(c.id)}
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
  return (
    <CrudTable
      title="Blocked Codes"
      noun="blocked code"
      load={() => connApi.blockedCodes(record.id)}
      fields={[
        { name: 'prefix', label: 'Destination prefix', required: true, help: 'Digits, e.g. 4470' },
        { name: 'label', label: 'Label', nullable: true, help: ' ' },
      ]}
      create={(b) => connApi.createBlockedCode(record.id, b)}
      update={(c, b) => connApi.patchBlockedCode(c.id, b)}
      remove={(c) => connApi.deleteBlockedCode(c.id)}
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

export function SpeedDialTab({ record }: EditTabProps) {
  return (
    <CrudTable<{ id: number; key: number; number: string }>
      title="Speed Dial"
      noun="key"
      load={async () => {
        const set = new Map((await connApi.speedDials(record.id)).map((s) => [s.key, s.number]));
        return KEYS.map((key) => ({ id: key + 1, key, number: set.get(key) ?? '' }));
      }}
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
  const [prefix, setPrefix] = useState('');
  const [choices, setChoices] = useState<Did[] | null>(null);
  const [picked, setPicked] = useState('');
  const [error, setError] = useState<string | null>(null);
  async function search() {
    try {
      setError(null);
      const r = await connApi.dids({
        assigned: false,
        status: 'active',
        number: prefix || undefined,
        limit: 50,
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
  const [version, setVersion] = useState(0);
  return (
    <Box>
      <CrudTable<Did>
        title="DIDs"
        noun="DID"
        version={version}
        load={() => connApi.didsOfCustomer(record.id)}
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
            setVersion((v) => v + 1);
          }}
        />
      )}
    </Box>
  );
}

import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useQuery } from '@tanstack/react-query';
import {
  Alert,
  Box,
  Button,
  Card,
  CardContent,
  LinearProgress,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Typography,
} from '@mui/material';
import DownloadIcon from '@mui/icons-material/Download';
import {
  AutocompleteInput,
  BooleanInput,
  Form,
  FormDataConsumer,
  ReferenceInput,
  SaveButton,
  SelectInput,
  TextInput,
  Title,
  maxValue,
  minValue,
  number,
  regex,
  required,
  useGetOne,
  usePermissions,
} from 'react-admin';
import { useWatch } from 'react-hook-form';
import { Link } from 'react-router-dom';
import { ApiError, saveBlob } from '../api/http.js';
import { errorMessage } from '../shared/error-message.js';
import {
  CLI_POOL_CHOICES,
  COUNTRY_CHOICES,
  CURRENCY_CHOICES,
  TIMEZONE_CHOICES,
} from '../accounts/reference-choices.js';
import type { Account } from '../accounts/types.js';
import { browserTimeZone, formatCount, formatDateTime } from '../format/format.js';
import { useViewerTimeZone } from '../format/viewer-zone.js';
import { RateGroupInputs } from '../accounts/RateGroupInputs.js';
import { BillingScheduleInputs } from '../accounts/form-sections.js';
import { massCreateApi, type MassCreate } from './bulk-api.js';
import { massCreateBody } from './mass-create-form.js';

const POLL_MS = 500;

const DEFAULTS = {
  count: '10',
  startPrefix: '',
  accountNumberLength: '10',
  generatePin: false,
  createSipDevices: false,
  pinLength: '6',
  validDays: '',
  currency: 'USD',
  country: 'US',
  timezone: browserTimeZone(),
  mode: 'prepaid',
  balance: '0',
  creditLimit: '0',
  cliPoolMode: 0,
  billingSchedule: 'monthly',
  billingDay: 1,
};

const wholeNumber = (min: number, max: number) => [
  regex(/^[0-9]+$/, 'A whole number.'),
  number(),
  minValue(min),
  maxValue(max),
];
const money = (message: string) => regex(/^(0|[1-9][0-9]{0,13})(\.[0-9]{1,6})?$/, message);

function Row({ children }: { children: ReactNode }) {
  return (
    <Box sx={{ display: 'flex', flexWrap: 'wrap', columnGap: 2, '& > *': { flex: '1 1 240px' } }}>
      {children}
    </Box>
  );
}

/** "Room for N more numbers" under the prefix, from GET /customer-mass-creates/capacity. */
function CapacityHint() {
  const prefix = String(useWatch({ name: 'startPrefix' }) ?? '');
  const length = Number(useWatch({ name: 'accountNumberLength' }));
  const [capacity, setCapacity] = useState<string | null>(null);
  useEffect(() => {
    setCapacity(null);
    if (!/^[0-9]{0,19}$/.test(prefix) || !Number.isInteger(length) || length < 4 || length > 20) return;
    if (length <= prefix.length) return;
    let alive = true;
    const t = setTimeout(() => {
      massCreateApi
        .capacity(prefix, length)
        .then((r) => alive && setCapacity(r.capacity))
        .catch(() => alive && setCapacity(null));
    }, 300);
    return () => {
      alive = false;
      clearTimeout(t);
    };
  }, [prefix, length]);
  if (capacity === null) return null;
  const big = capacity.length > 15;
  return (
    <Typography variant="body2" color="text.secondary" data-testid="capacity-hint" sx={{ mb: 2 }}>
      {prefix ? `Prefix ${prefix}` : 'No prefix'} with {length} digits: room for{' '}
      {big ? capacity : formatCount(Number(capacity))} more account number{capacity === '1' ? '' : 's'}.
    </Typography>
  );
}

function Parameters() {
  const { permissions } = usePermissions<string>();
  return (
    <>
      <Typography variant="h6" component="h2" sx={{ mb: 1 }}>
        Accounts
      </Typography>
      <Row>
        <TextInput
          source="count"
          label="Number of Accounts"
          validate={[required(), ...wholeNumber(1, 10_000)]}
          helperText="1 to 10,000."
        />
        <TextInput
          source="startPrefix"
          label="Start Prefix"
          validate={regex(/^[0-9]{0,19}$/, 'Digits only.')}
          helperText="Every account number starts with it. May be empty."
        />
        <TextInput
          source="accountNumberLength"
          label="Account Number Length"
          validate={[required(), ...wholeNumber(4, 20)]}
          helperText="4 to 20 digits, prefix included."
        />
      </Row>
      <CapacityHint />
      <Row>
        <BooleanInput source="generatePin" label="Generate PIN" />
        <FormDataConsumer>
          {({ formData }) =>
            formData.generatePin ? (
              <TextInput source="pinLength" label="PIN Length" validate={wholeNumber(6, 12)} />
            ) : (
              <span />
            )
          }
        </FormDataConsumer>
        <TextInput
          source="validDays"
          label="Valid Days"
          validate={wholeNumber(1, 36_500)}
          helperText="Empty: never expires."
        />
      </Row>
      <Row>
        <BooleanInput
          source="createSipDevices"
          label="Create SIP Devices"
          helperText="One per account: the account number as username, a random password in the CSV."
        />
      </Row>
      {permissions === 'admin' && (
        <Row>
          <ReferenceInput source="resellerId" reference="resellers">
            <AutocompleteInput
              label="Reseller"
              helperText="Leave empty for accounts of your own."
              optionText={(r: Account) => `${r.name} (${r.accountNumber})`}
              filterToQuery={(q: string) => ({ q })}
            />
          </ReferenceInput>
        </Row>
      )}
      <Typography variant="h6" component="h2" sx={{ my: 1 }}>
        Profile
      </Typography>
      <Row>
        <AutocompleteInput
          source="currency"
          label="Currency"
          choices={CURRENCY_CHOICES}
          validate={required()}
        />
        <AutocompleteInput source="country" label="Country" choices={COUNTRY_CHOICES} validate={required()} />
        <AutocompleteInput
          source="timezone"
          label="Timezone"
          choices={TIMEZONE_CHOICES}
          validate={required()}
        />
      </Row>
      <Typography variant="h6" component="h2" sx={{ my: 1 }}>
        Billing
      </Typography>
      <Row>
        <SelectInput
          source="mode"
          label="Account Type"
          validate={required()}
          choices={[
            { id: 'prepaid', name: 'Prepaid' },
            { id: 'postpaid', name: 'Postpaid' },
          ]}
        />
        <FormDataConsumer>
          {({ formData }) =>
            formData.mode === 'postpaid' ? (
              <TextInput
                source="creditLimit"
                label="Credit Limit"
                validate={money('An amount of 0 or more, up to 6 decimals.')}
                helperText="Each account's credit limit."
              />
            ) : (
              <TextInput
                source="balance"
                label="Balance"
                validate={regex(/^-?(0|[1-9][0-9]{0,13})(\.[0-9]{1,6})?$/, 'An amount, up to 6 decimals.')}
                helperText="Each account's opening balance (an Initial Balance entry)."
              />
            )
          }
        </FormDataConsumer>
      </Row>
      <Row>
        <SelectInput source="cliPoolMode" label="CLI Pool" choices={CLI_POOL_CHOICES} validate={required()} />
      </Row>
      <RateGroupInputs />
      <BillingScheduleInputs />
    </>
  );
}

function statusText(m: MassCreate): string {
  if (m.status === 'queued') return 'Waiting for the job to start…';
  if (m.status === 'failed') return `Failed: ${m.failure?.message ?? 'unknown error'}`;
  if (m.status === 'done')
    return `Created ${formatCount(m.created)} of ${formatCount(m.count)} accounts (100%)`;
  if (m.prepared < m.count)
    return `Generating passwords: ${formatCount(m.prepared)} of ${formatCount(m.count)} (${m.percent}%)`;
  return `Creating ${formatCount(m.count)} accounts in one transaction… (${m.percent}%)`;
}

/** Follows a started mass create: progress bar, then the one-time CSV download. */
function Progress({
  started,
  onAgain,
}: {
  started: { massCreate: MassCreate; downloadKey: string };
  onAgain: () => void;
}) {
  const [downloaded, setDownloaded] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const id = started.massCreate.id;
  // Progress through the data provider: react-query polls until the job is over.
  const { data, error: pollError } = useGetOne<MassCreate>(
    'customer-mass-creates',
    { id },
    {
      placeholderData: started.massCreate,
      refetchInterval: (query) => {
        const status = query.state.data?.status;
        return status === 'done' || status === 'failed' ? false : POLL_MS;
      },
    },
  );
  const job = data ?? started.massCreate;

  const download = async () => {
    setBusy(true);
    setError(null);
    try {
      const blob = await massCreateApi.result(id, started.downloadKey);
      saveBlob(blob, `mass-create-${id}.csv`);
      setDownloaded(true);
    } catch (e) {
      if (e instanceof ApiError && e.code === 'MASS_CREATE_RESULT_GONE') setDownloaded(true);
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  const prefix = String(job.params.startPrefix ?? '');
  const listUrl = prefix
    ? `/customers?filter=${encodeURIComponent(JSON.stringify({ accountNumber: prefix }))}`
    : '/customers';
  return (
    <Box>
      <Box sx={{ my: 2 }}>
        <LinearProgress
          variant="determinate"
          value={job.percent}
          aria-label="Mass create progress"
          aria-valuetext={statusText(job)}
          color={job.status === 'failed' ? 'error' : 'primary'}
          sx={{ height: 10, borderRadius: 1 }}
        />
        <Typography variant="body2" sx={{ mt: 0.5 }} role="status">
          {statusText(job)}
        </Typography>
      </Box>
      {(error ?? pollError) && (
        <Alert severity="error" sx={{ mb: 2 }}>
          {error ?? errorMessage(pollError)}
        </Alert>
      )}
      {job.status === 'done' && (
        <>
          <Alert severity={downloaded ? 'success' : 'warning'} sx={{ mb: 2 }}>
            {downloaded
              ? 'Downloaded. The passwords are no longer kept; this file cannot be downloaded again.'
              : 'The file holds every account with its one-time password (and PIN). It can be downloaded ONCE: keep this page open until you have it, and store it safely.'}
          </Alert>
          <Stack direction="row" spacing={2} useFlexGap sx={{ flexWrap: 'wrap' }}>
            <Button
              variant="contained"
              startIcon={<DownloadIcon />}
              disabled={busy || downloaded}
              onClick={() => void download()}
            >
              Download accounts and passwords (CSV)
            </Button>
            <Button component={Link} to={listUrl}>
              Show the customers
            </Button>
            <Button onClick={onAgain}>Mass create more</Button>
          </Stack>
        </>
      )}
      {job.status === 'failed' && (
        <Stack direction="row" spacing={2}>
          <Button onClick={onAgain}>Try again</Button>
        </Stack>
      )}
    </Box>
  );
}

/** Calls `onChange` when any value of the form changes (to drop a stale refusal). */
function OnValuesChange({ onChange }: { onChange: () => void }) {
  const values: unknown = useWatch();
  const key = JSON.stringify(values);
  const first = useRef(key);
  useEffect(() => {
    if (key !== first.current) onChange();
  }, [key, onChange]);
  return null;
}

/** A server error that names a field -> that input; anything else only in the alert. */
function fieldErrorsOf(e: unknown): Record<string, string> | undefined {
  if (!(e instanceof ApiError) || typeof e.details.field !== 'string') return undefined;
  const field = e.details.field.split('.')[0];
  return field && field !== 'body' ? { [field]: e.message } : undefined;
}

/**
 * Mass Create (DOMAIN 3.4): the parameters, a refusal up front when the prefix and length cannot
 * hold that many numbers, then a background job with a progress bar and a one-time CSV download
 * of the accounts with their passwords.
 */
const RESULT_TEXT: Record<MassCreate['resultState'], string> = {
  pending: 'Not ready',
  ready: 'Ready (key held by the page that started it)',
  downloaded: 'Downloaded',
};

/** The last 50 mass creates: what ran, when, how it ended, and whether its passwords were taken. */
function RecentMassCreates() {
  const zone = useViewerTimeZone();
  const recent = useQuery({
    queryKey: ['customer-mass-creates', 'recent'],
    queryFn: () => massCreateApi.list(),
    retry: false,
  });
  const rows = recent.data?.data ?? null;
  const error = recent.error ? errorMessage(recent.error) : null;
  if (error) return <Alert severity="error">{error}</Alert>;
  if (!rows || rows.length === 0) return null;
  return (
    <Box component="section" aria-labelledby="recent-mass-creates" sx={{ mt: 4 }}>
      <Typography variant="h6" component="h2" id="recent-mass-creates" sx={{ mb: 1 }}>
        Recent mass creates
      </Typography>
      <Table size="small" aria-label="Recent mass creates">
        <TableHead>
          <TableRow>
            <TableCell>Started</TableCell>
            <TableCell>Prefix / length</TableCell>
            <TableCell align="right">Accounts</TableCell>
            <TableCell>Status</TableCell>
            <TableCell>Passwords</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {rows.map((m) => {
            const p = m.params as { startPrefix?: string; accountNumberLength?: number };
            return (
              <TableRow key={m.id}>
                <TableCell>{formatDateTime(m.createdAt, zone)}</TableCell>
                <TableCell>
                  {p.startPrefix || '(none)'} / {p.accountNumberLength}
                </TableCell>
                <TableCell align="right">
                  {formatCount(m.created)} of {formatCount(m.count)}
                </TableCell>
                <TableCell>
                  {m.status === 'failed' ? `Failed: ${m.failure?.message ?? ''}` : m.status}
                </TableCell>
                <TableCell>{RESULT_TEXT[m.resultState]}</TableCell>
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
    </Box>
  );
}

export function MassCreatePage() {
  const [started, setStarted] = useState<{ massCreate: MassCreate; downloadKey: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const formKey = useRef(0);

  const submit = async (values: Record<string, unknown>) => {
    setError(null);
    try {
      setStarted(await massCreateApi.start(massCreateBody(values)));
      return undefined;
    } catch (e) {
      setError(errorMessage(e));
      return fieldErrorsOf(e);
    }
  };

  return (
    <Card sx={{ mt: 2, maxWidth: 980 }}>
      <Title title="Mass Create Customers" />
      <CardContent>
        <Stack direction="row" spacing={2} sx={{ alignItems: 'center', mb: 2 }}>
          <Typography variant="h5" component="h1">
            Mass Create Customers
          </Typography>
          <Box sx={{ flex: 1 }} />
          <Button component={Link} to="/customers">
            Back to customers
          </Button>
        </Stack>
        {started ? (
          <Progress
            started={started}
            onAgain={() => {
              formKey.current++;
              setStarted(null);
            }}
          />
        ) : (
          <>
            <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }}>
              Creates the accounts in the background, all or nothing, with random account numbers under the
              prefix and a random portal password each (no email). At the end the passwords can be downloaded
              once, as a CSV.
            </Typography>
            {error && (
              <Alert severity="error" sx={{ mb: 2 }} role="alert">
                {error}
              </Alert>
            )}
            <Form key={formKey.current} defaultValues={DEFAULTS} onSubmit={submit} mode="onBlur">
              <Parameters />
              {error && <OnValuesChange onChange={() => setError(null)} />}
              <SaveButton label="Create accounts" icon={<></>} alwaysEnable />
            </Form>
            <RecentMassCreates />
          </>
        )}
      </CardContent>
    </Card>
  );
}

import { fieldLabel, humanMessage } from '../accounts/field-labels.js';
import { useEffect, useRef, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import {
  Alert,
  Box,
  Button,
  Card,
  CardContent,
  LinearProgress,
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
import UploadFileIcon from '@mui/icons-material/UploadFile';
import DownloadIcon from '@mui/icons-material/Download';
import { Title, useNotify } from 'react-admin';
import { Link } from 'react-router-dom';
import { errorMessage } from '../shared/error-message.js';
import { formatCount } from '../format/format.js';
import {
  importApi,
  type CustomerImport,
  type ImportKind,
  type ImportField,
  type ImportIssue,
  type ImportLayout,
  type ImportSettings,
} from './bulk-api.js';

const DEFAULTABLE_SHOWN = ['currency', 'country', 'timezone', 'mode', 'credit_limit', 'billing_schedule'];
const POLL_MS = 500;

/** The run being followed (dry run or the real one) and whether `imp` shows it over. */
type Watch = { run: 'dry' | 'real'; id: number; seq: number };
const finished = (i: CustomerImport, run: Watch['run']) =>
  i.status === 'failed' || (run === 'dry' ? i.dryRun?.status === 'done' : i.status === 'done');

async function allIssues(id: number, run: 'dry' | 'real'): Promise<ImportIssue[]> {
  const out: ImportIssue[] = [];
  let after: number | undefined;
  for (let i = 0; i < 20; i++) {
    const page = await importApi.issues(id, run, after);
    out.push(...page.data);
    if (page.nextAfterId === null) break;
    after = page.nextAfterId;
  }
  return out;
}

function IssueTable({ issues, label }: { issues: ImportIssue[]; label: string }) {
  return (
    <Table size="small" aria-label={label}>
      <TableHead>
        <TableRow>
          <TableCell>Row</TableCell>
          <TableCell>Field</TableCell>
          <TableCell>Severity</TableCell>
          <TableCell>Reason</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {issues.map((i) => (
          <TableRow key={i.id}>
            <TableCell>{i.rowNumber}</TableCell>
            <TableCell>{i.column ? fieldLabel(i.column) : '—'}</TableCell>
            <TableCell>{i.severity === 'error' ? 'Error' : 'Warning'}</TableCell>
            <TableCell>{humanMessage(i.message)}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

/** `a, b or c` */
const orList = (xs: string[]) =>
  xs.length < 2 ? xs.join('') : `${xs.slice(0, -1).join(', ')} or ${xs.at(-1)}`;

/**
 * What a file may hold, as the server defines it (GET /customer-imports/fields): every column it
 * reads, with the form's label and the other headers it recognises (ASTPP's included), and a
 * sample file per layout.
 */
function AcceptedColumns({ fields, layouts }: { fields: ImportField[]; layouts: ImportLayout[] }) {
  return (
    <Box sx={{ mb: 2 }}>
      <Typography variant="h6" component="h2">
        Sample files
      </Typography>
      <Stack direction="row" spacing={2} useFlexGap sx={{ flexWrap: 'wrap', alignItems: 'center', my: 1 }}>
        {layouts.map((l) => (
          <Button
            key={l.id}
            component="a"
            href={importApi.sampleUrl(l.id)}
            download={l.fileName}
            variant="outlined"
            startIcon={<DownloadIcon />}
          >
            Sample: {l.label}
          </Button>
        ))}
      </Stack>
      {layouts
        .filter((l) => l.needsDefaults.length > 0)
        .map((l) => (
          <Typography key={l.id} variant="body2" color="text.secondary">
            {l.label} has no {orList(l.needsDefaults.map((c) => fieldLabel(c).toLowerCase()))} column: give
            them as batch defaults after the upload.
          </Typography>
        ))}
      <Typography variant="h6" component="h2" sx={{ mt: 2 }}>
        Columns the import reads
      </Typography>
      <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
        UTF-8 CSV with a header row. Headers match in any case and order; the names in brackets are also
        recognised. Other columns are shown after the upload and ignored unless you map them.
      </Typography>
      <Box
        component="ul"
        aria-label="Accepted columns"
        sx={{ columnCount: { xs: 1, md: 3, lg: 4 }, columnGap: 3, m: 0, pl: 2.5, typography: 'body2' }}
      >
        {fields.map((f) => (
          <Box component="li" key={f.name} sx={{ breakInside: 'avoid', mb: 0.5 }}>
            <Box component="code" sx={{ fontWeight: 600 }}>
              {f.name}
            </Box>{' '}
            {fieldLabel(f.name)}
            {f.aliases.length > 0 && (
              <Typography component="span" variant="caption" color="text.secondary">
                {' '}
                ({f.aliases.slice(0, 3).join(', ')})
              </Typography>
            )}
          </Box>
        ))}
      </Box>
    </Box>
  );
}

function Progress({ label, value, text }: { label: string; value: number; text: string }) {
  return (
    <Box sx={{ my: 2 }}>
      <LinearProgress
        variant="determinate"
        value={value}
        aria-label={label}
        aria-valuetext={text}
        sx={{ height: 10, borderRadius: 1 }}
      />
      <Typography variant="body2" sx={{ mt: 0.5 }}>
        {text}
      </Typography>
    </Box>
  );
}

const KIND_TEXT: Record<ImportKind, { title: string; back: string; backLabel: string; account: string }> = {
  customers: {
    title: 'Import Customers',
    back: '/customers',
    backLabel: 'Back to customers',
    account: 'Existing account number',
  },
  resellers: {
    title: 'Import Resellers',
    back: '/resellers',
    backLabel: 'Back to resellers',
    account: 'Existing account number',
  },
  'sip-devices': {
    title: 'Import SIP Devices',
    back: '/customers',
    backLabel: 'Back to customers',
    account: 'Existing SIP username',
  },
};

/** Sealed at upload: offered in the mapping only for the header they were sealed from. */
const SEALED = new Set(['password', 'sip_password', 'secret']);

/**
 * Import Customers (or Resellers, or SIP Devices): upload a CSV, check the automatic column mapping
 * and batch defaults, dry run (first rows and every error), then start and follow the progress bar
 * to the rejected rows.
 */
export function ImportPage({ kind = 'customers' }: { kind?: ImportKind }) {
  const text = KIND_TEXT[kind];
  const notify = useNotify();
  const fileRef = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File | null>(null);
  // The import as the last upload or run request answered it; the progress query's answers win.
  const [answered, setAnswered] = useState<CustomerImport | null>(null);
  const [columns, setColumns] = useState<(string | null)[]>([]);
  const [defaults, setDefaults] = useState<Record<string, string>>({});
  const [mode, setMode] = useState<'skipInvalid' | 'atomic'>('skipInvalid');
  const [onExisting, setOnExisting] = useState<'error' | 'skip' | 'update'>('error');
  const [working, setWorking] = useState<string | null>(null);
  const [runError, setRunError] = useState<string | null>(null);
  const [preview, setPreview] = useState<
    { rowNumber: number; action: string; values: Record<string, unknown> }[]
  >([]);
  const [dryIssues, setDryIssues] = useState<ImportIssue[] | null>(null);
  const [realIssues, setRealIssues] = useState<ImportIssue[] | null>(null);
  const [phase, setPhase] = useState<'pick' | 'map' | 'running' | 'done'>('pick');
  const [watch, setWatch] = useState<Watch | null>(null);
  // Runs followed so far (a run's number keys its progress query); the last one whose end was handled.
  const runs = useRef(0);
  const handled = useRef<number | null>(null);

  const fieldList = useQuery({
    queryKey: ['customer-imports/fields', kind],
    queryFn: () => importApi.fields(kind),
    retry: false,
  });
  const fields: ImportField[] = fieldList.data?.data.filter((f) => !f.ignored) ?? [];
  const layouts: ImportLayout[] = kind === 'customers' ? (fieldList.data?.layouts ?? []) : [];

  // Progress through react-query: read every POLL_MS until the followed run is over. Each run has
  // its own key, so its first answer is read after the run was asked for.
  const progress = useQuery({
    queryKey: ['customer-imports', watch?.id, watch?.run, watch?.seq],
    queryFn: () => importApi.get(watch!.id),
    enabled: watch !== null,
    refetchInterval: (q) => (watch && q.state.data && finished(q.state.data, watch.run) ? false : POLL_MS),
    refetchOnWindowFocus: false,
    retry: false,
  });
  const imp = (watch && progress.data) || answered;
  const over = watch !== null && progress.data !== undefined && finished(progress.data, watch.run);
  const following = watch !== null && !over && !progress.error;
  const busy = working ?? (following ? (watch.run === 'dry' ? 'dry' : 'start') : null);
  const error =
    runError ??
    (progress.error ? errorMessage(progress.error) : null) ??
    (fieldList.error ? errorMessage(fieldList.error) : null);

  const settings = (): ImportSettings => {
    const d: Record<string, string> = {};
    for (const [k, v] of Object.entries(defaults)) if (v.trim()) d[k] = v.trim();
    return { columns, defaults: d, mode, onExisting };
  };

  const run = async (what: string, f: () => Promise<void>) => {
    setWorking(what);
    setRunError(null);
    try {
      await f();
    } catch (e) {
      setRunError(errorMessage(e));
    } finally {
      setWorking(null);
    }
  };

  // A followed run is over: its results (once per run).
  const done = over ? progress.data : undefined;
  useEffect(() => {
    if (!done || !watch || handled.current === watch.seq) return;
    handled.current = watch.seq;
    if (watch.run === 'dry')
      void run('dry', async () => {
        if (done.failure) throw new Error(done.failure.message);
        setPreview((await importApi.preview(done.id)).rows.slice(0, 10));
        setDryIssues(await allIssues(done.id, 'dry'));
      });
    else {
      setPhase('done');
      void run('start', async () => {
        if (done.failure) throw new Error(done.failure.message);
        setRealIssues(await allIssues(done.id, 'real'));
        notify(`Import finished: ${done.progress.created} created, ${done.progress.rejected} rejected`, {
          type: done.progress.rejected ? 'warning' : 'success',
        });
      });
    }
    // Runs when a followed run ends; `handled` keeps it to once per run.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [done, watch]);
  const follow = (run: Watch['run'], id: number) => {
    runs.current += 1;
    setWatch({ run, id, seq: runs.current });
  };

  const upload = () =>
    run('upload', async () => {
      if (!file) return;
      const r = await importApi.upload(file, kind);
      setWatch(null);
      setAnswered(r);
      setColumns(r.autoColumns);
      setPreview([]);
      setDryIssues(null);
      setRealIssues(null);
      setPhase('map');
    });

  const dryRun = () =>
    run('dry', async () => {
      if (!imp) return;
      setAnswered(await importApi.dryRun(imp.id, settings()));
      follow('dry', imp.id);
    });

  const start = () =>
    run('start', async () => {
      if (!imp) return;
      setAnswered(await importApi.start(imp.id, settings()));
      setPhase('running');
      follow('real', imp.id);
    });

  const p = imp?.progress;
  const previewKeys = preview.length ? Object.keys(preview[0].values).slice(0, 8) : [];
  return (
    <Card sx={{ mt: 2 }}>
      <Title title={text.title} />
      <CardContent>
        <Typography variant="h5" component="h1" sx={{ mb: 2 }}>
          {text.title}
        </Typography>
        {kind === 'resellers' && (
          <Alert severity="info" sx={{ mb: 2 }}>
            The file of Export Resellers, in any order: each reseller is created after the reseller it belongs
            to. Import resellers first, then customers, then SIP devices.
          </Alert>
        )}
        {kind === 'sip-devices' && (
          <Alert severity="info" sx={{ mb: 2 }}>
            One row per device; its customer by account number. Secrets are never exported: a device without a
            secret column gets a random secret nobody is shown, so reset it on the customer&apos;s SIP Devices
            tab.
          </Alert>
        )}
        <Stack direction="row" spacing={2} useFlexGap sx={{ alignItems: 'center', flexWrap: 'wrap', mb: 2 }}>
          <Button
            variant="outlined"
            component="label"
            startIcon={<UploadFileIcon />}
            disabled={phase === 'running'}
          >
            Choose CSV file
            <input
              ref={fileRef}
              hidden
              type="file"
              accept=".csv,text/csv"
              aria-label="CSV file"
              onChange={(e) => setFile(e.target.files?.[0] ?? null)}
            />
          </Button>
          <Typography>{file ? file.name : 'No file chosen'}</Typography>
          <Button
            variant="contained"
            disabled={!file || busy !== null || phase === 'running'}
            onClick={() => void upload()}
          >
            Upload
          </Button>
          <Box sx={{ flex: 1 }} />
          <Button component={Link} to={text.back}>
            {text.backLabel}
          </Button>
        </Stack>
        {error && (
          <Alert severity="error" sx={{ mb: 2 }}>
            {error}
          </Alert>
        )}
        {phase === 'pick' && fields.length > 0 && <AcceptedColumns fields={fields} layouts={layouts} />}
        {imp && phase === 'map' && (
          <Box>
            <Typography variant="h6" component="h2">
              Columns ({formatCount(imp.rowCount)} rows in {imp.fileName})
            </Typography>
            {imp.sameFileAsImportId && (
              <Alert severity="info" sx={{ my: 1 }}>
                This very file was imported before (import #{imp.sameFileAsImportId}); accounts that exist are
                reported, never duplicated.
              </Alert>
            )}
            {imp.unmappedHeaders.length > 0 && (
              <Alert severity="warning" sx={{ my: 1 }}>
                Not recognised, ignored unless you map them: {imp.unmappedHeaders.join(', ')}
              </Alert>
            )}
            <Table size="small" aria-label="Column mapping" sx={{ maxWidth: 640, mb: 2 }}>
              <TableHead>
                <TableRow>
                  <TableCell>Header in the file</TableCell>
                  <TableCell>Imported as</TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {imp.headers.map((h, i) => (
                  <TableRow key={i}>
                    <TableCell>{h}</TableCell>
                    <TableCell>
                      <TextField
                        select
                        size="small"
                        variant="standard"
                        value={columns[i] ?? ''}
                        slotProps={{ htmlInput: { 'aria-label': `Column for ${h}` } }}
                        onChange={(e) =>
                          setColumns((c) => c.map((x, j) => (j === i ? e.target.value || null : x)))
                        }
                        sx={{ minWidth: 220 }}
                      >
                        <MenuItem value="">(ignore)</MenuItem>
                        {fields
                          .filter((f) => !SEALED.has(f.name) || imp.hashedColumns.includes(i))
                          .map((f) => (
                            <MenuItem key={f.name} value={f.name}>
                              {f.name}
                            </MenuItem>
                          ))}
                      </TextField>
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
            <Typography variant="h6" component="h2" sx={{ mb: kind === 'sip-devices' ? 1 : 0 }}>
              {kind === 'sip-devices' ? 'Options' : 'Batch defaults'}
            </Typography>
            {kind !== 'sip-devices' && (
              <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
                Used where a row leaves the cell empty.
              </Typography>
            )}
            <Stack direction="row" spacing={2} useFlexGap sx={{ flexWrap: 'wrap', mb: 2 }}>
              {DEFAULTABLE_SHOWN.filter((n) => fields.some((f) => f.name === n && f.defaultable)).map((n) => (
                <TextField
                  key={n}
                  size="small"
                  label={`Default ${fieldLabel(n).toLowerCase()}`}
                  value={defaults[n] ?? ''}
                  onChange={(e) => setDefaults((d) => ({ ...d, [n]: e.target.value }))}
                  sx={{ width: 180 }}
                />
              ))}
              <TextField
                select
                size="small"
                label="Rows with errors"
                value={mode}
                onChange={(e) => setMode(e.target.value as 'skipInvalid' | 'atomic')}
                sx={{ width: 260 }}
              >
                <MenuItem value="skipInvalid">Import the valid rows, report the others</MenuItem>
                <MenuItem value="atomic">All rows or none</MenuItem>
              </TextField>
              <TextField
                select
                size="small"
                label={text.account}
                value={onExisting}
                onChange={(e) => setOnExisting(e.target.value as 'error' | 'skip' | 'update')}
                sx={{ width: 220 }}
              >
                <MenuItem value="error">Reject the row</MenuItem>
                <MenuItem value="skip">Skip the row</MenuItem>
                <MenuItem value="update">
                  {kind === 'sip-devices' ? 'Update the device' : 'Update the account'}
                </MenuItem>
              </TextField>
            </Stack>
            <Stack direction="row" spacing={2}>
              <Button variant="outlined" disabled={busy !== null} onClick={() => void dryRun()}>
                Dry run
              </Button>
              <Button variant="contained" disabled={busy !== null} onClick={() => void start()}>
                Start import
              </Button>
            </Stack>
            {busy === 'dry' && imp.dryRun && (
              <Progress
                label="Dry run progress"
                value={imp.dryRun.percent}
                text={`Checked ${imp.dryRun.rowsDone} of ${imp.dryRun.rowsTotal} rows`}
              />
            )}
            {dryIssues && imp.dryRun && (
              <Box sx={{ mt: 2 }}>
                <Typography variant="h6" component="h2">
                  Dry run: {imp.dryRun.created} would be created, {imp.dryRun.rejected} rejected
                </Typography>
                {preview.length > 0 && (
                  <Table size="small" aria-label="First rows" sx={{ mb: 2 }}>
                    <TableHead>
                      <TableRow>
                        <TableCell>Row</TableCell>
                        <TableCell>Action</TableCell>
                        {previewKeys.map((k) => (
                          <TableCell key={k}>{fieldLabel(k)}</TableCell>
                        ))}
                      </TableRow>
                    </TableHead>
                    <TableBody>
                      {preview.map((r) => (
                        <TableRow key={r.rowNumber}>
                          <TableCell>{r.rowNumber}</TableCell>
                          <TableCell>{r.action.charAt(0).toUpperCase() + r.action.slice(1)}</TableCell>
                          {previewKeys.map((k) => (
                            <TableCell key={k}>
                              {r.values[k] === null || r.values[k] === undefined || r.values[k] === ''
                                ? '—'
                                : typeof r.values[k] === 'boolean'
                                  ? r.values[k]
                                    ? 'Yes'
                                    : 'No'
                                  : String(r.values[k])}
                            </TableCell>
                          ))}
                        </TableRow>
                      ))}
                    </TableBody>
                  </Table>
                )}
                {dryIssues.length > 0 ? (
                  <IssueTable issues={dryIssues} label="Dry run errors" />
                ) : (
                  <Alert severity="success">No errors found.</Alert>
                )}
              </Box>
            )}
          </Box>
        )}
        {imp && p && (phase === 'running' || phase === 'done') && (
          <Box>
            <Progress
              label="Import progress"
              value={p.percent}
              text={`${imp.resuming && phase === 'running' ? 'Resuming after an interruption: ' : ''}${formatCount(p.rowsDone)} of ${formatCount(p.rowsTotal)} rows (${p.percent}%)`}
            />
            {phase === 'done' && (
              <>
                <Typography sx={{ mb: 1 }} role="status">
                  Created {p.created}, updated {p.updated}, unchanged {p.unchanged}, skipped {p.skipped},
                  rejected {p.rejected}, warnings {p.warnings}.
                </Typography>
                {p.rejected > 0 && (
                  <Stack direction="row" spacing={2} sx={{ mb: 1 }}>
                    <Button
                      component="a"
                      href={importApi.rejectedCsvUrl(imp.id)}
                      download
                      startIcon={<DownloadIcon />}
                    >
                      Download rejected rows (CSV)
                    </Button>
                    <Button
                      component="a"
                      href={importApi.issuesCsvUrl(imp.id)}
                      download
                      startIcon={<DownloadIcon />}
                    >
                      Download error report (CSV)
                    </Button>
                  </Stack>
                )}
                {realIssues && realIssues.length > 0 && (
                  <IssueTable issues={realIssues} label={p.rejected > 0 ? 'Rejected rows' : 'Warnings'} />
                )}
              </>
            )}
          </Box>
        )}
      </CardContent>
    </Card>
  );
}

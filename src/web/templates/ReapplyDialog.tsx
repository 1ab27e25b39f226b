import { RouterLink } from '../layout/RouterLink.js';
import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import {
  Alert,
  Box,
  Button,
  Checkbox,
  Dialog,
  DialogActions,
  DialogContent,
  DialogContentText,
  DialogTitle,
  LinearProgress,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Typography,
} from '@mui/material';
import { ApiError } from '../api/http.js';
import { errorMessage } from '../shared/error-message.js';
import {
  templateApi,
  type FieldChange,
  type ReapplyPreview,
  type ReapplyResult,
  type Template,
} from '../bulk/bulk-api.js';
import { FIELD_LABELS, displayValue } from './template-form.js';

/** The most preview pages read (1,000 customers each) before asking to narrow the work. */
const MAX_PAGES = 10;
const PER_CALL = 1000;

type Customer = ReapplyPreview['customers'][number];
type Result = ReapplyResult['results'][number];

async function loadPreview(id: number): Promise<{ version: number; customers: Customer[]; more: boolean }> {
  const customers: Customer[] = [];
  let afterId: number | undefined;
  let version = 0;
  for (let i = 0; i < MAX_PAGES; i++) {
    const page = await templateApi.reapplyPreview(id, afterId);
    if (version && page.templateVersion !== version)
      throw new Error('The template changed while the preview was read; preview again.');
    version = page.templateVersion;
    customers.push(...page.customers);
    if (page.nextAfterId === null) return { version, customers, more: false };
    afterId = page.nextAfterId;
  }
  return { version, customers, more: true };
}

function Changes({ changes }: { changes: FieldChange[] }) {
  if (changes.length === 0) return <Typography variant="body2">Already matches the template</Typography>;
  return (
    <Box component="ul" sx={{ m: 0, pl: 2 }}>
      {changes.map((c) => (
        <li key={c.field}>
          <strong>{FIELD_LABELS[c.field] ?? c.field}</strong>: {displayValue(c.from)} → {displayValue(c.to)}
        </li>
      ))}
    </Box>
  );
}

function resultText(r: Result | undefined): string {
  if (!r) return '';
  if (!r.ok) return `Failed: ${r.error?.message ?? 'unknown error'}`;
  return r.changes.length
    ? `Updated (${r.changes.length} field${r.changes.length === 1 ? '' : 's'})`
    : 'Unchanged';
}

/**
 * Re-apply a template to its linked customers (DOMAIN 3.3): first a preview of what would change
 * for each customer (field, old -> new), then Apply, one transaction and one result per customer.
 * Applies the version the preview showed; if the template changed meanwhile the server refuses.
 */
export function ReapplyDialog({ template, onClose }: { template: Template; onClose: () => void }) {
  // The preview through the http client (a read of up to MAX_PAGES pages), never served from cache:
  // it is what Apply sends.
  const previewQuery = useQuery({
    queryKey: ['customer-templates', template.id, 'reapply-preview'],
    queryFn: () => loadPreview(template.id),
    retry: false,
    gcTime: 0,
    refetchOnWindowFocus: false,
  });
  const preview = previewQuery.data ?? null;
  const [results, setResults] = useState<Map<number, Result> | null>(null);
  const [summary, setSummary] = useState<{ succeeded: number; failed: number } | null>(null);
  const [applying, setApplying] = useState(false);
  const busy = applying || previewQuery.isFetching;
  const [applyError, setError] = useState<string | null>(null);
  const error = applyError ?? (previewQuery.error ? errorMessage(previewQuery.error) : null);
  /** The customers Apply touches: by default (null) every one the preview shows a change for. */
  const [picked, setSelected] = useState<Set<number> | null>(null);
  const selected =
    picked ?? new Set(preview?.customers.filter((c) => c.changes.length > 0).map((c) => c.id) ?? []);

  const load = () => {
    setError(null);
    setResults(null);
    setSummary(null);
    setSelected(null);
    void previewQuery.refetch();
  };

  const apply = async () => {
    if (!preview) return;
    setApplying(true);
    setError(null);
    const out = new Map<number, Result>();
    let succeeded = 0;
    let failed = 0;
    try {
      const ids = preview.customers.map((c) => c.id).filter((id) => selected.has(id));
      for (let i = 0; i < ids.length; i += PER_CALL) {
        const r = await templateApi.reapply(template.id, preview.version, ids.slice(i, i + PER_CALL));
        for (const x of r.results) out.set(x.id, x);
        succeeded += r.succeeded;
        failed += r.failed;
      }
    } catch (e) {
      setError(
        e instanceof ApiError && e.code === 'TEMPLATE_VERSION_CHANGED'
          ? 'The template was changed since this preview. Preview again before applying.'
          : errorMessage(e),
      );
    }
    setResults(out);
    setSummary({ succeeded, failed });
    setApplying(false);
  };

  const toChange = preview?.customers.filter((c) => c.changes.length > 0).length ?? 0;
  return (
    <Dialog open onClose={busy ? undefined : onClose} maxWidth="md" fullWidth aria-labelledby="reapply-title">
      <DialogTitle id="reapply-title">Re-apply template {template.name}</DialogTitle>
      <DialogContent>
        <DialogContentText sx={{ mb: 2 }}>
          {results
            ? 'Result per customer.'
            : 'What re-applying would change on each customer created by this template. Only template settings change; names, emails, credentials and balances are never touched.'}
        </DialogContentText>
        {busy && <LinearProgress aria-label="Working" sx={{ mb: 2 }} />}
        {error && (
          <Alert severity="error" sx={{ mb: 2 }}>
            {error}
          </Alert>
        )}
        {preview && !results && (
          <Typography role="status" sx={{ mb: 1 }}>
            Version {preview.version}: {toChange} of {preview.customers.length} linked customer
            {preview.customers.length === 1 ? '' : 's'} would change.
          </Typography>
        )}
        {summary && (
          <Alert severity={summary.failed ? 'warning' : 'success'} role="status" sx={{ mb: 1 }}>
            Re-applied: {summary.succeeded} succeeded, {summary.failed} failed.
          </Alert>
        )}
        {preview?.more && (
          <Alert severity="info" sx={{ mb: 1 }}>
            Only the first {MAX_PAGES * PER_CALL} linked customers are shown and applied here; apply again for
            the rest.
          </Alert>
        )}
        {preview && preview.customers.length > 0 && (
          <Table size="small" aria-label={results ? 'Re-apply results' : 'Re-apply preview'}>
            <TableHead>
              <TableRow>
                {!results && (
                  <TableCell padding="checkbox">
                    <Checkbox
                      slotProps={{ input: { 'aria-label': 'Select every customer' } }}
                      checked={selected.size === preview.customers.length}
                      indeterminate={selected.size > 0 && selected.size < preview.customers.length}
                      onChange={(e) =>
                        setSelected(new Set(e.target.checked ? preview.customers.map((c) => c.id) : []))
                      }
                    />
                  </TableCell>
                )}
                <TableCell>Customer</TableCell>
                <TableCell>Account Number</TableCell>
                <TableCell>Changes (old → new)</TableCell>
                {results && <TableCell>Result</TableCell>}
              </TableRow>
            </TableHead>
            <TableBody>
              {preview.customers.map((c) => (
                <TableRow key={c.id}>
                  {!results && (
                    <TableCell padding="checkbox">
                      <Checkbox
                        slotProps={{ input: { 'aria-label': `Apply to ${c.name}` } }}
                        checked={selected.has(c.id)}
                        onChange={(e) => {
                          const next = new Set(selected);
                          if (e.target.checked) next.add(c.id);
                          else next.delete(c.id);
                          setSelected(next);
                        }}
                      />
                    </TableCell>
                  )}
                  <TableCell>
                    <RouterLink to={`/customers/${c.id}`}>{c.name}</RouterLink>
                  </TableCell>
                  <TableCell>{c.accountNumber}</TableCell>
                  <TableCell>
                    <Changes changes={c.changes} />
                  </TableCell>
                  {results && (
                    <TableCell>
                      {results.has(c.id) ? resultText(results.get(c.id)) : 'Not selected'}
                    </TableCell>
                  )}
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </DialogContent>
      <DialogActions>
        {results ? (
          <>
            <Button onClick={load} disabled={busy}>
              Preview again
            </Button>
            <Button variant="contained" onClick={onClose} disabled={busy}>
              Close
            </Button>
          </>
        ) : (
          <>
            <Button onClick={onClose} disabled={busy}>
              Cancel
            </Button>
            <Button
              variant="contained"
              onClick={() => void apply()}
              disabled={busy || !preview || selected.size === 0}
            >
              Apply to {selected.size} customer{selected.size === 1 ? '' : 's'}
            </Button>
          </>
        )}
      </DialogActions>
    </Dialog>
  );
}

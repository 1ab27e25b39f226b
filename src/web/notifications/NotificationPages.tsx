import { useViewerTimeZone } from '../format/viewer-zone.js';
import { useEffect, useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  Box,
  Button,
  Card,
  CardContent,
  Chip,
  List,
  ListItemButton,
  ListItemText,
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
import { Title, usePermissions } from 'react-admin';
import { useSearchParams } from 'react-router-dom';
import { useOwnerChoices } from '../connectivity/choices.js';
import { errorMessage } from '../shared/error-message.js';
import { ResourceListPager, setListFilter, useResourceList } from '../shared/resource-list.js';
import { formatDateTime } from '../format/format.js';
import { MailTable } from './MailTable.js';
import {
  KIND_NAMES,
  notificationsApi,
  type Job,
  type MailTemplate,
  type TemplatePreview,
} from './notifications-api.js';

/** The Mail log across customers (admins: all; resellers: their subtree). */
export function MailLogPage() {
  const zone = useViewerTimeZone();
  return (
    <Card sx={{ mt: 2 }}>
      <Title title="Mail log" />
      <CardContent>
        <Typography variant="h5" component="h1" sx={{ mb: 2 }}>
          Mail log
        </Typography>
        <MailTable timeZone={zone} />
      </CardContent>
    </Card>
  );
}

/** The Jobs page: recent and failed background jobs with their error, and Retry. */
export function JobsPage() {
  const list = useResourceList<Job>('jobs', { perPage: 50 });
  const status = String(list.filterValues.status ?? '');
  const [error, setError] = useState<string | null>(null);
  const retry = async (id: number) => {
    try {
      await notificationsApi.retryJob(id);
      void list.refetch();
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  const zone = useViewerTimeZone();
  return (
    <Card sx={{ mt: 2 }}>
      <Title title="Jobs" />
      <CardContent>
        <Typography variant="h5" component="h1" sx={{ mb: 2 }}>
          Jobs
        </Typography>
        <TextField
          select
          size="small"
          label="Status"
          value={status}
          onChange={(e) => setListFilter(list, 'status', e.target.value)}
          fullWidth={false}
          sx={{ minWidth: 160, mb: 2 }}
        >
          <MenuItem value="">Any</MenuItem>
          {['queued', 'running', 'done', 'failed'].map((s) => (
            <MenuItem key={s} value={s}>
              {s}
            </MenuItem>
          ))}
        </TextField>
        {error && (
          <Alert severity="error" sx={{ mb: 2 }}>
            {error}
          </Alert>
        )}
        <Table size="small" aria-label="Jobs">
          <TableHead>
            <TableRow>
              <TableCell>Id</TableCell>
              <TableCell>Kind</TableCell>
              <TableCell>Status</TableCell>
              <TableCell>Attempts</TableCell>
              <TableCell>Created</TableCell>
              <TableCell>Finished</TableCell>
              <TableCell>Error</TableCell>
              <TableCell />
            </TableRow>
          </TableHead>
          <TableBody>
            {(list.data ?? []).map((j) => (
              <TableRow key={j.id}>
                <TableCell>{j.id}</TableCell>
                <TableCell>{j.kind}</TableCell>
                <TableCell>
                  <Chip
                    size="small"
                    label={j.status}
                    color={j.status === 'failed' ? 'error' : j.status === 'done' ? 'success' : 'info'}
                  />
                </TableCell>
                <TableCell>
                  {j.attempts}/{j.maxAttempts}
                </TableCell>
                <TableCell>{formatDateTime(j.createdAt, zone)}</TableCell>
                <TableCell>{formatDateTime(j.finishedAt, zone)}</TableCell>
                <TableCell sx={{ maxWidth: 360, overflowWrap: 'anywhere' }}>{j.lastError}</TableCell>
                <TableCell>
                  {j.status === 'failed' && (
                    <Button size="small" onClick={() => void retry(j.id)} aria-label={`Retry job ${j.id}`}>
                      Retry
                    </Button>
                  )}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
        <ResourceListPager list={list} />
      </CardContent>
    </Card>
  );
}

/**
 * Whose templates an admin works on: the operator's, or a reseller's overrides (`?reseller=<id>`,
 * so a reseller's page can link here). Resellers see no picker: they only have their own.
 */
function TemplateOwnerPicker({ value, onChange }: { value: string; onChange: (v: string) => void }) {
  const choices = useOwnerChoices();
  return (
    <TextField
      select
      size="small"
      label="Templates of"
      value={choices.some((c) => c.id === value) ? value : ''}
      onChange={(e) => onChange(e.target.value)}
      sx={{ m: 1, minWidth: 200 }}
      helperText={value ? "This reseller's customers get these." : undefined}
    >
      {choices.map((c) => (
        <MenuItem key={c.id} value={c.id}>
          {c.id ? c.name : 'Operator (everyone else)'}
        </MenuItem>
      ))}
    </TextField>
  );
}

const NO_TEMPLATES: MailTemplate[] = [];

/** Email templates: pick a kind, edit subject, text and HTML with the variables listed, live preview. */
export function MailTemplatesPage() {
  const { permissions } = usePermissions<string>();
  const [params, setParams] = useSearchParams();
  const ownerParam = permissions === 'admin' ? (params.get('reseller') ?? '') : '';
  const resellerId = Number(ownerParam) || undefined;
  const queryClient = useQueryClient();
  const templatesKey = ['mail-templates', resellerId ?? null];
  const templatesQuery = useQuery({
    queryKey: templatesKey,
    queryFn: () => notificationsApi.templates(resellerId),
    retry: false,
  });
  const templates = templatesQuery.data?.data ?? NO_TEMPLATES;
  const [picked, setKind] = useState<string | null>(null);
  // The first template until one is picked.
  const kind = picked ?? templates[0]?.kind ?? null;
  const [draft, setDraft] = useState({ subject: '', textBody: '', htmlBody: '' });
  const [preview, setPreview] = useState<TemplatePreview | null>(null);
  const [writeError, setError] = useState<string | null>(null);
  const error = writeError ?? (templatesQuery.error ? errorMessage(templatesQuery.error) : null);
  const [notice, setNotice] = useState<string | null>(null);
  const current = templates.find((t) => t.kind === kind) ?? null;

  // The list is keyed on the owner: picking another one loads its templates.
  const reload = () => queryClient.invalidateQueries({ queryKey: templatesKey });
  useEffect(() => {
    if (current)
      setDraft({ subject: current.subject, textBody: current.textBody, htmlBody: current.htmlBody ?? '' });
    // Only when another template is picked or saved: a re-render with the same template must not
    // overwrite the draft being typed.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [current?.kind, current?.updatedAt, current?.ownerId]);
  useEffect(() => {
    if (!kind || !draft.subject || !draft.textBody) return;
    const timer = setTimeout(() => {
      notificationsApi
        .preview(
          kind,
          { subject: draft.subject, textBody: draft.textBody, htmlBody: draft.htmlBody || null },
          resellerId,
        )
        .then(setPreview, (e) => setError(errorMessage(e)));
    }, 300);
    return () => clearTimeout(timer);
  }, [kind, draft, resellerId]);

  const save = async () => {
    if (!kind) return;
    try {
      await notificationsApi.saveTemplate(kind, { ...draft, htmlBody: draft.htmlBody || null }, resellerId);
      setNotice('Template saved.');
      setError(null);
      await reload();
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  const dropOverride = async () => {
    if (!kind) return;
    try {
      await notificationsApi.dropOverride(kind, resellerId);
      setNotice('The override is gone; the inherited template applies again.');
      setError(null);
      await reload();
    } catch (e) {
      setError(errorMessage(e));
    }
  };

  return (
    <Box
      sx={{
        mt: 2,
        display: 'flex',
        gap: 2,
        alignItems: 'flex-start',
        flexWrap: { xs: 'wrap', md: 'nowrap' },
      }}
    >
      <Title title="Email templates" />
      <Card component="nav" aria-label="Template kinds" sx={{ minWidth: 220 }}>
        {permissions === 'admin' && (
          <TemplateOwnerPicker
            value={ownerParam}
            onChange={(v) => {
              setNotice(null);
              setError(null);
              setParams(v ? { reseller: v } : {}, { replace: true });
            }}
          />
        )}
        <List dense>
          {templates.map((t) => (
            <ListItemButton key={t.kind} selected={t.kind === kind} onClick={() => setKind(t.kind)}>
              <ListItemText
                primary={KIND_NAMES[t.kind] ?? t.kind}
                secondary={t.source === 'reseller' ? 'override' : undefined}
              />
            </ListItemButton>
          ))}
        </List>
      </Card>
      {current && (
        <Card sx={{ flex: 1, minWidth: 0 }}>
          <CardContent>
            <Typography variant="h5" component="h1" sx={{ mb: 0.5 }}>
              {KIND_NAMES[current.kind] ?? current.kind}
            </Typography>
            <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }} data-testid="template-source">
              {current.source === 'operator'
                ? resellerId || permissions !== 'admin'
                  ? "The operator's template (no override yet): saving creates an override."
                  : "The operator's template: every customer without a reseller override gets it."
                : current.isOwn
                  ? 'Override: the customers below this reseller get it.'
                  : "Inherited from a reseller above: saving creates this reseller's own override."}
            </Typography>
            {error && (
              <Alert severity="error" sx={{ mb: 2 }}>
                {error}
              </Alert>
            )}
            {notice && (
              <Alert severity="success" sx={{ mb: 2 }} onClose={() => setNotice(null)}>
                {notice}
              </Alert>
            )}
            <Stack
              direction="row"
              spacing={1}
              sx={{ mb: 2, flexWrap: 'wrap', rowGap: 1 }}
              aria-label="Variables"
            >
              {current.variables.map((v) => (
                <Chip key={v.name} size="small" label={`{{${v.name}}}`} title={`e.g. ${v.sample}`} />
              ))}
            </Stack>
            <Stack spacing={2}>
              <TextField
                label="Subject"
                value={draft.subject}
                onChange={(e) => setDraft({ ...draft, subject: e.target.value })}
                slotProps={{ htmlInput: { maxLength: 300 } }}
              />
              <TextField
                label="Text"
                multiline
                minRows={5}
                value={draft.textBody}
                onChange={(e) => setDraft({ ...draft, textBody: e.target.value })}
              />
              <TextField
                label="HTML"
                multiline
                minRows={5}
                value={draft.htmlBody}
                onChange={(e) => setDraft({ ...draft, htmlBody: e.target.value })}
              />
            </Stack>
            <Stack direction="row" spacing={1} sx={{ my: 2 }}>
              <Button variant="contained" onClick={() => void save()}>
                Save
              </Button>
              {current.source === 'reseller' && current.isOwn && (
                <Button onClick={() => void dropOverride()}>
                  {resellerId ? "Drop the reseller's override" : 'Drop my override'}
                </Button>
              )}
            </Stack>
            {preview && (
              <Box component="section" aria-labelledby="template-preview">
                <Typography variant="h6" component="h2" id="template-preview">
                  Preview
                </Typography>
                {preview.unknownVariables.length > 0 && (
                  <Alert severity="warning" sx={{ my: 1 }}>
                    Unknown variables: {preview.unknownVariables.map((v) => `{{${v}}}`).join(', ')}
                  </Alert>
                )}
                <Typography variant="subtitle1" data-testid="preview-subject">
                  {preview.subject}
                </Typography>
                <Box
                  component="pre"
                  sx={{ whiteSpace: 'pre-wrap', bgcolor: 'action.hover', p: 1 }}
                  data-testid="preview-text"
                >
                  {preview.textBody}
                </Box>
                {preview.htmlBody && (
                  <Box
                    component="iframe"
                    title="HTML preview"
                    sandbox=""
                    srcDoc={preview.htmlBody}
                    sx={{ width: '100%', minHeight: 200, border: 1, borderColor: 'divider' }}
                  />
                )}
              </Box>
            )}
          </CardContent>
        </Card>
      )}
    </Box>
  );
}

import { RouterLink } from '../layout/RouterLink.js';
import { useState } from 'react';
import {
  Alert,
  Box,
  Button,
  Card,
  CardContent,
  IconButton,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Tooltip,
  Typography,
} from '@mui/material';
import DeleteIcon from '@mui/icons-material/Delete';
import EditIcon from '@mui/icons-material/Edit';
import SyncIcon from '@mui/icons-material/Sync';
import { Title, useDataProvider, useGetList, useNotify } from 'react-admin';
import { Link, useNavigate } from 'react-router-dom';
import AddIcon from '@mui/icons-material/Add';
import { EntityDialog } from '../shared/EntityDialog.js';
import { COUNTRY_CHOICES, CURRENCY_CHOICES } from '../accounts/reference-choices.js';
import { ConfirmDialog } from '../shared/dialogs.js';
import { errorMessage } from '../shared/error-message.js';
import { browserTimeZone, formatCount, formatDateTime } from '../format/format.js';
import { useViewerTimeZone } from '../format/viewer-zone.js';
import type { Template } from '../bulk/bulk-api.js';
import { ReapplyDialog } from './ReapplyDialog.js';

function DeleteTemplateDialog(props: { template: Template; onClose: () => void; onDeleted: () => void }) {
  const notify = useNotify();
  const dataProvider = useDataProvider();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const t = props.template;
  return (
    <ConfirmDialog
      title={`Delete template ${t.name}?`}
      confirmLabel="Delete"
      danger
      busy={busy}
      error={error}
      onClose={props.onClose}
      onConfirm={() => {
        setBusy(true);
        dataProvider
          .delete('customer-templates', { id: t.id, previousData: t })
          .then(() => {
            notify(`Template ${t.name} deleted`, { type: 'success' });
            props.onDeleted();
          })
          .catch((e: unknown) => {
            setError(errorMessage(e));
            setBusy(false);
          });
      }}
    >
      {t.usedBy > 0
        ? `${formatCount(t.usedBy)} customer${t.usedBy === 1 ? '' : 's'} created by it keep their values and lose the link to the template.`
        : 'No customer is linked to it.'}
    </ConfirmDialog>
  );
}

/** Customer Templates: name, "used by" count, created; edit, re-apply and delete. */
export function TemplateList() {
  const zone = useViewerTimeZone();
  // Every template (the endpoint answers the whole list) through the one data provider.
  const list = useGetList<Template>(
    'customer-templates',
    { pagination: { page: 1, perPage: 500 }, sort: { field: 'id', order: 'ASC' } },
    { retry: false },
  );
  const templates = list.data ?? null;
  const error = list.error ? errorMessage(list.error) : null;
  const [deleting, setDeleting] = useState<Template | null>(null);
  const [reapplying, setReapplying] = useState<Template | null>(null);
  const [creating, setCreating] = useState(false);
  const navigate = useNavigate();
  const dataProvider = useDataProvider();

  const load = () => void list.refetch();

  return (
    <Card sx={{ mt: 2 }}>
      <Title title="Customer Templates" />
      <CardContent>
        <Stack direction="row" spacing={2} sx={{ alignItems: 'center', mb: 2 }}>
          <Typography variant="h5" component="h1">
            Customer Templates
          </Typography>
          <Button startIcon={<AddIcon />} onClick={() => setCreating(true)}>
            New template
          </Button>
          <Box sx={{ flex: 1 }} />
          <Button component={Link} to="/customers">
            Customers
          </Button>
        </Stack>
        <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }}>
          A template holds customer settings (billing, limits, portal permissions...). Save one from a
          customer&apos;s row menu or edit page, create customers by it from the customer list, and re-apply a
          changed template to the customers created by it.
        </Typography>
        {error && (
          <Alert severity="error" sx={{ mb: 2 }}>
            {error}
          </Alert>
        )}
        {templates && templates.length === 0 && (
          <Alert severity="info">
            No templates yet. Create one with “New template”, or use “Save as template” on a customer.
          </Alert>
        )}
        {templates && templates.length > 0 && (
          <Table size="small" aria-label="Customer templates">
            <TableHead>
              <TableRow>
                <TableCell>Name</TableCell>
                <TableCell>Description</TableCell>
                <TableCell align="right">Used by</TableCell>
                <TableCell align="right">Version</TableCell>
                <TableCell>Created</TableCell>
                <TableCell align="right">Actions</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {templates.map((t) => (
                <TableRow key={t.id} hover>
                  <TableCell>
                    <RouterLink to={`/customer-templates/${t.id}`}>{t.name}</RouterLink>
                  </TableCell>
                  <TableCell>{t.description ?? ''}</TableCell>
                  <TableCell align="right">{formatCount(t.usedBy)}</TableCell>
                  <TableCell align="right">{t.version}</TableCell>
                  <TableCell>{formatDateTime(t.createdAt, zone)}</TableCell>
                  <TableCell align="right" sx={{ whiteSpace: 'nowrap' }}>
                    <Tooltip title="Edit">
                      <IconButton
                        size="small"
                        component={Link}
                        to={`/customer-templates/${t.id}`}
                        aria-label={`Edit ${t.name}`}
                      >
                        <EditIcon fontSize="small" />
                      </IconButton>
                    </Tooltip>
                    <Tooltip title="Re-apply to linked customers">
                      <span>
                        <IconButton
                          size="small"
                          aria-label={`Re-apply ${t.name}`}
                          disabled={t.usedBy === 0}
                          onClick={() => setReapplying(t)}
                        >
                          <SyncIcon fontSize="small" />
                        </IconButton>
                      </span>
                    </Tooltip>
                    <Tooltip title="Delete">
                      <IconButton size="small" aria-label={`Delete ${t.name}`} onClick={() => setDeleting(t)}>
                        <DeleteIcon fontSize="small" />
                      </IconButton>
                    </Tooltip>
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
        {creating && (
          <EntityDialog
            title="New template"
            intro={
              <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
                Name it and choose its country and currency; its page then takes the other settings.
              </Typography>
            }
            fields={[
              { name: 'name', label: 'Template Name', required: true, width: 300 },
              { name: 'description', label: 'Description', nullable: true, help: ' ', width: 300 },
              {
                name: 'country',
                label: 'Country',
                kind: 'select',
                choices: COUNTRY_CHOICES,
                required: true,
                width: 300,
              },
              {
                name: 'currency',
                label: 'Currency',
                kind: 'select',
                choices: CURRENCY_CHOICES,
                required: true,
                width: 300,
              },
            ]}
            defaults={{ currency: 'USD' }}
            submitLabel="Create"
            onClose={() => setCreating(false)}
            onSubmit={async (body) => {
              // The settings every customer needs start as the create form's defaults; the
              // template's page then edits them and adds any other.
              const { data: t } = await dataProvider.create<Template>('customer-templates', {
                data: {
                  name: String(body.name ?? ''),
                  description: (body.description as string) ?? null,
                  settings: {
                    roles: ['customer'],
                    country: body.country,
                    currency: body.currency,
                    timezone: browserTimeZone(),
                    mode: 'prepaid',
                    cliPoolMode: 0,
                    billingSchedule: 'monthly',
                    billingDay: 1,
                  },
                },
              });
              void navigate(`/customer-templates/${t.id}`);
            }}
          />
        )}
      </CardContent>
      {deleting && (
        <DeleteTemplateDialog
          template={deleting}
          onClose={() => setDeleting(null)}
          onDeleted={() => {
            setDeleting(null);
            load();
          }}
        />
      )}
      {reapplying && (
        <ReapplyDialog
          template={reapplying}
          onClose={() => {
            setReapplying(null);
            load();
          }}
        />
      )}
    </Card>
  );
}

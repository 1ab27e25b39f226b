import { RouterLink } from '../layout/RouterLink.js';
import { Fragment, useState } from 'react';
import {
  Box,
  Button,
  Card,
  CardContent,
  MenuItem,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  TextField,
  Typography,
  Link as MuiLink,
} from '@mui/material';
import { Link } from 'react-router-dom';
import { formatMoney } from '../format/format.js';
import { StatusChip } from '../layout/StatusChip.js';
import { Title, useDataProvider } from 'react-admin';
import { EntityDialog } from '../shared/EntityDialog.js';
import { Warnings } from './Warnings.js';
import { usageText, type CustomerLimitRow, type HostViewRow, type LimitPair } from './conn-api.js';
import { ResourceListPager, setListFilter, useResourceList } from '../shared/resource-list.js';

/*
 * The two query views of 000: Customer Limit (one row per customer, its trunks on demand) and
 * Host (one row per host with the customer's, the trunk's and the host's limits side by side).
 */

function StatusFilter({ value, onChange }: { value: string; onChange: (v: string) => void }) {
  return (
    <TextField
      select
      size="small"
      label="Status"
      value={value}
      onChange={(e) => onChange(e.target.value)}
      sx={{ width: 150 }}
    >
      <MenuItem value="">All</MenuItem>
      <MenuItem value="active">Active</MenuItem>
      <MenuItem value="inactive">Inactive</MenuItem>
    </TextField>
  );
}

function TextFilter(props: { label: string; value: string; onChange: (v: string) => void }) {
  return (
    <TextField
      size="small"
      label={props.label}
      value={props.value}
      onChange={(e) => props.onChange(e.target.value)}
      sx={{ width: 200 }}
    />
  );
}

const LIMIT_FIELDS = [
  { name: 'callLimit', label: 'Call limit', kind: 'integer' as const, nullable: true, width: 160 },
  { name: 'cpsLimit', label: 'CPS limit', kind: 'decimal' as const, nullable: true, width: 160 },
  {
    name: 'creditLimit',
    label: 'Credit limit',
    kind: 'decimal' as const,
    help: 'Postpaid: how far the balance may go below zero',
    width: 200,
  },
  { name: 'unlimitedCredit', label: 'Unlimited credit', kind: 'boolean' as const },
];

export function CustomerLimitPage() {
  const dataProvider = useDataProvider();
  const [open, setOpen] = useState<number | null>(null);
  const [editing, setEditing] = useState<CustomerLimitRow | null>(null);
  const list = useResourceList<CustomerLimitRow>('limits/customers');
  const rows = list.isPending ? null : list.data;
  const filter = (name: string) => ({
    value: String(list.filterValues[name] ?? ''),
    onChange: (v: string) => setListFilter(list, name, v),
  });
  const reload = () => void list.refetch();
  return (
    <Card sx={{ mt: 2 }}>
      <Title title="Customer Limit" />
      <CardContent>
        <Typography variant="h5" component="h1" sx={{ mb: 2 }}>
          Customer Limit
        </Typography>
        <Stack direction="row" spacing={2} sx={{ mb: 2 }}>
          <StatusFilter {...filter('status')} />
          <TextFilter label="Customer name" {...filter('name')} />
        </Stack>
        <Table size="small" aria-label="Customer limits">
          <TableHead>
            <TableRow>
              <TableCell>View trunks</TableCell>
              <TableCell>Customer</TableCell>
              <TableCell>Credit limit</TableCell>
              <TableCell>Calls now / limit</TableCell>
              <TableCell>CPS now / limit</TableCell>
              <TableCell>Edit</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {(rows ?? []).map((c) => (
              <Fragment key={c.id}>
                <TableRow>
                  <TableCell>
                    <Button
                      size="small"
                      aria-expanded={open === c.id}
                      onClick={() => setOpen(open === c.id ? null : c.id)}
                    >
                      Trunks ({c.trunkCount})
                    </Button>
                  </TableCell>
                  <TableCell>
                    <MuiLink component={Link} to={`/customers/${c.id}`}>
                      {c.name}
                    </MuiLink>{' '}
                    ({c.accountNumber}) <StatusChip status={c.status} /> <Warnings warnings={c.warnings} />
                  </TableCell>
                  <TableCell>
                    {c.mode === 'prepaid'
                      ? 'Prepaid'
                      : c.unlimitedCredit
                        ? 'Unlimited'
                        : formatMoney(c.creditLimit, c.currency)}
                  </TableCell>
                  <TableCell>{usageText(c.currentCalls, c.callLimit)}</TableCell>
                  <TableCell>{usageText(c.currentCps, c.cpsLimit)}</TableCell>
                  <TableCell>
                    <Button size="small" onClick={() => setEditing(c)}>
                      Edit
                    </Button>
                  </TableCell>
                </TableRow>
                {open === c.id && (
                  <TableRow>
                    <TableCell colSpan={6} sx={{ bgcolor: 'action.hover' }}>
                      {c.trunks.length === 0 ? (
                        'No trunks.'
                      ) : (
                        <Table size="small" aria-label={`Trunks of ${c.name}`}>
                          <TableHead>
                            <TableRow>
                              <TableCell>Trunk</TableCell>
                              <TableCell>Status</TableCell>
                              <TableCell>Calls now / limit</TableCell>
                              <TableCell>CPS now / limit</TableCell>
                            </TableRow>
                          </TableHead>
                          <TableBody>
                            {c.trunks.map((t) => (
                              <TableRow key={t.id}>
                                <TableCell>{t.name}</TableCell>
                                <TableCell>
                                  <StatusChip status={t.effectiveStatus} />
                                </TableCell>
                                <TableCell>{usageText(t.currentCalls, t.callLimit)}</TableCell>
                                <TableCell>{usageText(t.currentCps, t.cpsLimit)}</TableCell>
                              </TableRow>
                            ))}
                          </TableBody>
                        </Table>
                      )}
                    </TableCell>
                  </TableRow>
                )}
              </Fragment>
            ))}
          </TableBody>
        </Table>
        {rows?.length === 0 && <Typography sx={{ mt: 1 }}>No customers match.</Typography>}
        <ResourceListPager list={list} />
        {editing && (
          <EntityDialog
            title={`Limits of ${editing.name}`}
            fields={LIMIT_FIELDS}
            initial={editing as unknown as Record<string, unknown>}
            submitLabel="Save"
            onClose={() => setEditing(null)}
            onSubmit={async (body) => {
              await dataProvider.update('limits/customers', {
                id: editing.id,
                data: body,
                previousData: editing,
              });
              setEditing(null);
              reload();
            }}
          />
        )}
      </CardContent>
    </Card>
  );
}

export function HostViewPage() {
  const list = useResourceList<HostViewRow>('limits/hosts');
  const rows = list.isPending ? null : list.data;
  const filter = (name: string) => ({
    value: String(list.filterValues[name] ?? ''),
    onChange: (v: string) => setListFilter(list, name, v),
  });
  const pair = (p: LimitPair) => (
    <>
      <TableCell>{usageText(p.currentCalls, p.callLimit)}</TableCell>
      <TableCell>{usageText(p.currentCps, p.cpsLimit)}</TableCell>
    </>
  );
  return (
    <Card sx={{ mt: 2 }}>
      <Title title="Host" />
      <CardContent>
        <Typography variant="h5" component="h1" sx={{ mb: 2 }}>
          Host
        </Typography>
        <Stack direction="row" spacing={2} useFlexGap sx={{ mb: 2, flexWrap: 'wrap' }}>
          <StatusFilter {...filter('status')} />
          <TextFilter label="Customer" {...filter('customer')} />
          <TextFilter label="Trunk name" {...filter('trunk')} />
          <TextFilter label="IP" {...filter('ip')} />
        </Stack>
        <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
          Each level shows its calls and CPS now beside its limit (now / limit).
        </Typography>
        <Box sx={{ overflowX: 'auto' }}>
          <Table size="small" aria-label="Hosts">
            <TableHead>
              <TableRow>
                <TableCell colSpan={4} />
                <TableCell colSpan={2} align="center">
                  Customer
                </TableCell>
                <TableCell colSpan={2} align="center">
                  Trunk (resource)
                </TableCell>
                <TableCell colSpan={2} align="center">
                  Host
                </TableCell>
              </TableRow>
              <TableRow>
                <TableCell>Host</TableCell>
                <TableCell>Customer</TableCell>
                <TableCell>Trunk</TableCell>
                <TableCell>Status</TableCell>
                <TableCell>Calls</TableCell>
                <TableCell>CPS</TableCell>
                <TableCell>Calls</TableCell>
                <TableCell>CPS</TableCell>
                <TableCell>Calls</TableCell>
                <TableCell>CPS</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {(rows ?? []).map((h) => (
                <TableRow key={h.id}>
                  <TableCell>{h.port ? `${h.cidr} : ${h.port}` : h.cidr}</TableCell>
                  <TableCell>
                    <RouterLink to={`/customers/${h.customer.id}/trunks`}>{h.customer.name}</RouterLink>
                  </TableCell>
                  <TableCell>{h.trunk.name}</TableCell>
                  <TableCell>
                    <StatusChip status={h.effectiveStatus} />
                  </TableCell>
                  {pair(h.customer)}
                  {pair(h.trunk)}
                  {pair(h.host)}
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </Box>
        {rows?.length === 0 && <Typography sx={{ mt: 1 }}>No hosts match.</Typography>}
        <ResourceListPager list={list} />
      </CardContent>
    </Card>
  );
}

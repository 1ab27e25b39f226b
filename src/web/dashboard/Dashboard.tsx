import { RouterLink } from '../layout/RouterLink.js';
import { useEffect, useState } from 'react';
import {
  Alert,
  Box,
  Card,
  CardContent,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Typography,
} from '@mui/material';
import { Link } from 'react-router-dom';
import { Title, useDataProvider } from 'react-admin';
import type { DashboardData, TollgateDataProvider } from '../api/data-provider.js';
import { formatCount, formatDateTime, formatMoney } from '../format/format.js';
import { useViewerTimeZone } from '../format/viewer-zone.js';
import { CreatedPerDayChart } from './CreatedPerDayChart.js';

function Figure({ label, value, to }: { label: string; value: number; to: string }) {
  return (
    <Card sx={{ flex: '1 1 150px' }}>
      <CardContent>
        <Typography color="text.secondary" variant="body2">
          {label}
        </Typography>
        <Typography variant="h4" component="p">
          <Link
            to={to}
            style={{ color: 'inherit', textDecoration: 'none' }}
            aria-label={`${label}: ${value}`}
          >
            {formatCount(value)}
          </Link>
        </Typography>
      </CardContent>
    </Card>
  );
}

const listUrl = (filter: Record<string, string>) =>
  `/customers?filter=${encodeURIComponent(JSON.stringify(filter))}`;

/** The home page: customers by status and terms, the newest ones, and accounts created per day. */
export function Dashboard() {
  const dataProvider = useDataProvider<TollgateDataProvider>();
  const [data, setData] = useState<DashboardData | null>(null);
  const [error, setError] = useState<string | null>(null);
  const zone = useViewerTimeZone();
  useEffect(() => {
    dataProvider.dashboard(zone, 30).then(setData, (e: Error) => setError(e.message));
  }, [dataProvider, zone]);

  return (
    <Box sx={{ mt: 2 }}>
      <Title title="Dashboard" />
      <Typography variant="h5" component="h1" sx={{ mb: 2 }}>
        Dashboard
      </Typography>
      {error && <Alert severity="error">{error}</Alert>}
      {data && (
        <>
          <Box sx={{ display: 'flex', gap: 2, flexWrap: 'wrap', mb: 2 }} role="group" aria-label="Customers">
            <Figure label="Customers" value={data.customers.total} to={listUrl({})} />
            <Figure label="Active" value={data.customers.active} to={listUrl({ status: 'active' })} />
            <Figure label="Inactive" value={data.customers.inactive} to={listUrl({ status: 'inactive' })} />
            <Figure label="Prepaid" value={data.customers.prepaid} to={listUrl({ mode: 'prepaid' })} />
            <Figure label="Postpaid" value={data.customers.postpaid} to={listUrl({ mode: 'postpaid' })} />
          </Box>
          <Box sx={{ display: 'flex', gap: 2, flexWrap: 'wrap', alignItems: 'flex-start' }}>
            <Card sx={{ flex: '2 1 420px' }}>
              <CardContent>
                <Typography variant="h6" component="h2">
                  Accounts created per day
                </Typography>
                <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
                  Last 30 days
                </Typography>
                <CreatedPerDayChart days={data.createdPerDay.days} />
              </CardContent>
            </Card>
            <Card sx={{ flex: '1 1 380px' }}>
              <CardContent>
                <Typography variant="h6" component="h2" sx={{ mb: 1 }}>
                  Newest customers
                </Typography>
                {data.newest.length === 0 ? (
                  <Typography color="text.secondary">No customers yet.</Typography>
                ) : (
                  <Table size="small" aria-label="Newest customers">
                    <TableHead>
                      <TableRow>
                        <TableCell>Name</TableCell>
                        <TableCell>Terms</TableCell>
                        <TableCell align="right">Balance</TableCell>
                        <TableCell>Created</TableCell>
                      </TableRow>
                    </TableHead>
                    <TableBody>
                      {data.newest.map((c) => (
                        <TableRow key={c.id}>
                          <TableCell>
                            <RouterLink to={`/customers/${c.id}`}>{c.name}</RouterLink>
                            <Typography variant="caption" color="text.secondary" sx={{ display: 'block' }}>
                              {c.accountNumber}
                            </Typography>
                          </TableCell>
                          <TableCell>{c.mode === 'prepaid' ? 'Prepaid' : 'Postpaid'}</TableCell>
                          <TableCell align="right">{formatMoney(c.balance, c.currency)}</TableCell>
                          <TableCell sx={{ whiteSpace: 'nowrap' }}>
                            {formatDateTime(c.createdAt, zone)}
                          </TableCell>
                        </TableRow>
                      ))}
                    </TableBody>
                  </Table>
                )}
              </CardContent>
            </Card>
          </Box>
        </>
      )}
    </Box>
  );
}

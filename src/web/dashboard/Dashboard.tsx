import { RouterLink } from '../layout/RouterLink.js';
import { useQuery } from '@tanstack/react-query';
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
import { TopDestinationsCard, UsageCard } from './UsageCards.js';

function Figure({ label, value, to, note }: { label: string; value: number; to: string; note?: string }) {
  return (
    <Card sx={{ flex: '1 1 150px' }}>
      <CardContent>
        <Typography color="text.secondary" variant="body2" noWrap title={note}>
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

const listUrl = (filter: Record<string, string | boolean>, shown?: string) =>
  `/customers?filter=${encodeURIComponent(JSON.stringify(filter))}` +
  (shown ? `&displayedFilters=${encodeURIComponent(JSON.stringify({ [shown]: true }))}` : '');

const num = { textAlign: 'right', whiteSpace: 'nowrap' } as const;

/** Balances and credit per currency: amounts are never added across currencies. */
function MoneyCard({ money }: { money: DashboardData['money'] }) {
  return (
    <Card sx={{ flex: '1 1 520px' }}>
      <CardContent>
        <Typography variant="h6" component="h2">
          Balances and credit
        </Typography>
        <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
          Live customers, per currency. Credit in use is what customers owe: the sum of their negative
          balances. Credit granted is the sum of postpaid credit limits.
        </Typography>
        {money.length === 0 ? (
          <Typography color="text.secondary">No customers yet.</Typography>
        ) : (
          <Table size="small" aria-label="Balances and credit">
            <TableHead>
              <TableRow>
                <TableCell>Currency</TableCell>
                <TableCell sx={num}>Customers</TableCell>
                <TableCell sx={num}>Total balance</TableCell>
                <TableCell sx={num}>Credit in use</TableCell>
                <TableCell sx={num}>Credit granted</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {money.map((m) => (
                <TableRow key={m.currency}>
                  <TableCell>{m.currency}</TableCell>
                  <TableCell sx={num}>{formatCount(m.accounts)}</TableCell>
                  <TableCell sx={num}>{formatMoney(m.balance, m.currency)}</TableCell>
                  <TableCell sx={num}>{formatMoney(m.creditInUse, m.currency)}</TableCell>
                  <TableCell sx={num}>
                    {formatMoney(m.creditGranted, m.currency)}
                    {m.unlimited > 0 && (
                      <Typography variant="caption" color="text.secondary" sx={{ display: 'block' }}>
                        + {formatCount(m.unlimited)} unlimited
                      </Typography>
                    )}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </CardContent>
    </Card>
  );
}

/** Today in the viewer's zone: payments received and, once the switch sends CDRs, calls. */
function TodayCard({ today, zone }: { today: DashboardData['today']; zone: string }) {
  const day = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeZone: 'UTC' }).format(
    new Date(`${today.date}T00:00:00Z`),
  );
  return (
    <Card sx={{ flex: '1 1 380px' }}>
      <CardContent>
        <Typography variant="h6" component="h2">
          Today
        </Typography>
        <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
          {day}, midnight to midnight in {zone}
        </Typography>
        <Table size="small" aria-label="Today's payments">
          <TableHead>
            <TableRow>
              <TableCell>Payments</TableCell>
              <TableCell sx={num}>Count</TableCell>
              <TableCell sx={num}>Amount</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {today.payments.length === 0 ? (
              <TableRow>
                <TableCell colSpan={3} sx={{ color: 'text.secondary' }}>
                  No payments yet today.
                </TableCell>
              </TableRow>
            ) : (
              today.payments.map((p) => (
                <TableRow key={p.currency}>
                  <TableCell>{p.currency}</TableCell>
                  <TableCell sx={num}>{formatCount(p.count)}</TableCell>
                  <TableCell sx={num}>{formatMoney(p.amount, p.currency)}</TableCell>
                </TableRow>
              ))
            )}
          </TableBody>
        </Table>
        {today.calls && (
          <Table size="small" aria-label="Today's calls" sx={{ mt: 2 }}>
            <TableHead>
              <TableRow>
                <TableCell>Calls</TableCell>
                <TableCell sx={num}>Calls</TableCell>
                <TableCell sx={num}>Answered</TableCell>
                <TableCell sx={num}>Revenue</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {today.calls.length === 0 ? (
                <TableRow>
                  <TableCell colSpan={4} sx={{ color: 'text.secondary' }}>
                    No calls yet today.
                  </TableCell>
                </TableRow>
              ) : (
                today.calls.map((c) => (
                  <TableRow key={c.currency}>
                    <TableCell>{c.currency}</TableCell>
                    <TableCell sx={num}>{formatCount(c.calls)}</TableCell>
                    <TableCell sx={num}>{formatCount(c.answered)}</TableCell>
                    <TableCell sx={num}>{formatMoney(c.revenue, c.currency)}</TableCell>
                  </TableRow>
                ))
              )}
            </TableBody>
          </Table>
        )}
      </CardContent>
    </Card>
  );
}

/**
 * The home page: customers by status and terms and how many are low on funds, their balances and
 * credit per currency, today's payments and calls, traffic and margin per day with the top
 * destinations, the newest customers and customers created per day (the chart counts what the
 * Customers card counts).
 */
export function Dashboard() {
  const dataProvider = useDataProvider<TollgateDataProvider>();
  const zone = useViewerTimeZone();
  const dashboard = useQuery({
    queryKey: ['dashboard', zone],
    queryFn: () => dataProvider.dashboard(zone, 30),
    retry: false,
  });
  const data = dashboard.data;
  const error = dashboard.error?.message;

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
            <Figure
              label="Low balance"
              note="At or below their low-balance threshold (5 unless set in Notifications)"
              value={data.lowBalance}
              to={listUrl({ lowBalance: true }, 'lowBalance')}
            />
          </Box>
          <Box sx={{ display: 'flex', gap: 2, flexWrap: 'wrap', alignItems: 'flex-start', mb: 2 }}>
            <MoneyCard money={data.money} />
            <TodayCard today={data.today} zone={zone} />
          </Box>
          <Box sx={{ display: 'flex', gap: 2, flexWrap: 'wrap', alignItems: 'flex-start', mb: 2 }}>
            <UsageCard zone={zone} />
            <TopDestinationsCard zone={zone} />
          </Box>
          <Box sx={{ display: 'flex', gap: 2, flexWrap: 'wrap', alignItems: 'flex-start' }}>
            <Card sx={{ flex: '2 1 420px' }}>
              <CardContent>
                <Typography variant="h6" component="h2">
                  Customers created per day
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

import { useState } from 'react';
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
  ToggleButton,
  ToggleButtonGroup,
  Typography,
} from '@mui/material';
import { useDataProvider } from 'react-admin';
import type { CurrencyMargin, TollgateDataProvider } from '../api/data-provider.js';
import { formatCount, formatMoney } from '../format/format.js';
import { DailyBarsChart } from './DailyBarsChart.js';

const USAGE_DAYS = 30;
const TOP_DAYS = 7;
const TOP_LIMIT = 10;
const num = { textAlign: 'right', whiteSpace: 'nowrap' } as const;
const tight = { '& .MuiTableCell-root': { px: 1 } } as const;

type Metric = 'calls' | 'minutes' | 'revenue' | 'cost' | 'margin';
const METRICS: { value: Metric; label: string }[] = [
  { value: 'calls', label: 'Calls' },
  { value: 'minutes', label: 'Minutes' },
  { value: 'revenue', label: 'Revenue' },
  { value: 'cost', label: 'Cost' },
  { value: 'margin', label: 'Margin' },
];
const isMoney = (m: Metric): m is 'revenue' | 'cost' | 'margin' =>
  m === 'revenue' || m === 'cost' || m === 'margin';

const minutesText = (m: string) =>
  new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(
    m as `${number}`,
  );

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });
const countryName = (code: string) => {
  if (!code) return '';
  try {
    return regionNames.of(code) ?? code;
  } catch {
    return code;
  }
};

/** One line per currency: amounts are never added across currencies. */
function PerCurrency({ money, pick }: { money: CurrencyMargin[]; pick: 'revenue' | 'margin' }) {
  return (
    <>
      {money.map((m) => (
        <Box
          key={m.currency}
          sx={{ color: pick === 'margin' && m.margin.startsWith('-') ? 'error.main' : undefined }}
        >
          {formatMoney(m[pick], m.currency)}
        </Box>
      ))}
    </>
  );
}

/**
 * Calls, minutes, revenue, cost and margin per day over the last 30 days of the viewer's zone, with
 * a metric switch (and a currency switch for money when there are several currencies).
 */
export function UsageCard({ zone }: { zone: string }) {
  const dataProvider = useDataProvider<TollgateDataProvider>();
  const [metric, setMetric] = useState<Metric>('calls');
  const [currency, setCurrency] = useState<string | null>(null);
  const usage = useQuery({
    queryKey: ['dashboard/usage', zone, USAGE_DAYS],
    queryFn: () => dataProvider.dashboardUsage(zone, USAGE_DAYS),
    retry: false,
  });
  const data = usage.data;
  const error = usage.error?.message;
  const shown = currency && data?.currencies.includes(currency) ? currency : (data?.currencies[0] ?? null);
  const metricLabel = METRICS.find((m) => m.value === metric)!.label;

  const bars =
    data?.days.map((d) => {
      if (metric === 'calls') return { date: d.date, value: d.calls, text: `${formatCount(d.calls)} calls` };
      if (metric === 'minutes')
        return { date: d.date, value: Number(d.minutes), text: `${minutesText(d.minutes)} min` };
      const m = d.money.find((x) => x.currency === shown);
      const v = m ? m[metric] : '0';
      return { date: d.date, value: Number(v), text: formatMoney(v, shown ?? '') };
    }) ?? [];
  const totalText = !data
    ? ''
    : metric === 'calls'
      ? `${formatCount(data.totals.calls)} calls, ${formatCount(data.totals.answered)} answered`
      : metric === 'minutes'
        ? `${minutesText(data.totals.minutes)} minutes`
        : formatMoney(data.totals.money.find((m) => m.currency === shown)?.[metric] ?? '0', shown ?? '');

  return (
    <Card sx={{ flex: '2 1 520px' }}>
      <CardContent>
        <Box sx={{ display: 'flex', gap: 2, flexWrap: 'wrap', alignItems: 'center', mb: 1 }}>
          <Box sx={{ flex: '1 1 200px' }}>
            <Typography variant="h6" component="h2">
              Traffic and margin
            </Typography>
            <Typography variant="body2" color="text.secondary">
              Per day, last {USAGE_DAYS} days in {zone}
            </Typography>
          </Box>
          <ToggleButtonGroup
            size="small"
            exclusive
            value={metric}
            onChange={(_, v: Metric | null) => v && setMetric(v)}
            aria-label="Metric"
          >
            {METRICS.map((m) => (
              <ToggleButton key={m.value} value={m.value}>
                {m.label}
              </ToggleButton>
            ))}
          </ToggleButtonGroup>
          {isMoney(metric) && data && data.currencies.length > 1 && (
            <ToggleButtonGroup
              size="small"
              exclusive
              value={shown}
              onChange={(_, v: string | null) => v && setCurrency(v)}
              aria-label="Currency"
            >
              {data.currencies.map((c) => (
                <ToggleButton key={c} value={c}>
                  {c}
                </ToggleButton>
              ))}
            </ToggleButtonGroup>
          )}
        </Box>
        {error && <Alert severity="error">{error}</Alert>}
        {data && data.totals.calls === 0 && (
          <Typography color="text.secondary" sx={{ py: 4, textAlign: 'center' }}>
            No calls in the last {USAGE_DAYS} days. The chart fills in as the switch sends CDRs.
          </Typography>
        )}
        {data && data.totals.calls > 0 && isMoney(metric) && !shown && (
          <Typography color="text.secondary" sx={{ py: 4, textAlign: 'center' }}>
            No {metricLabel.toLowerCase()} in the last {USAGE_DAYS} days.
          </Typography>
        )}
        {data && data.totals.calls > 0 && (!isMoney(metric) || shown) && (
          <>
            <DailyBarsChart
              days={bars}
              label={`${metricLabel}${isMoney(metric) ? ` in ${shown}` : ''} per day: ${totalText} in ${USAGE_DAYS} days`}
              tick={(v) =>
                isMoney(metric)
                  ? formatMoney(String(Math.round(v * 100) / 100), shown ?? '')
                  : metric === 'minutes'
                    ? minutesText(String(Math.round(v * 100) / 100))
                    : formatCount(Math.round(v))
              }
            />
            <Box sx={{ mt: 1 }} aria-label="Totals">
              <Typography variant="body2">
                {formatCount(data.totals.calls)} calls ({formatCount(data.totals.answered)} answered),{' '}
                {minutesText(data.totals.minutes)} minutes
              </Typography>
              {data.totals.money.map((m) => (
                <Typography variant="body2" key={m.currency}>
                  {m.currency}: revenue {formatMoney(m.revenue, m.currency)}, cost{' '}
                  {formatMoney(m.cost, m.currency)}, margin {formatMoney(m.margin, m.currency)}
                </Typography>
              ))}
            </Box>
          </>
        )}
      </CardContent>
    </Card>
  );
}

/** The busiest destinations of the last 7 days: calls, minutes, revenue and margin per currency. */
export function TopDestinationsCard({ zone }: { zone: string }) {
  const dataProvider = useDataProvider<TollgateDataProvider>();
  const top = useQuery({
    queryKey: ['dashboard/top-destinations', zone, TOP_DAYS, TOP_LIMIT],
    queryFn: () => dataProvider.topDestinations(zone, TOP_DAYS, TOP_LIMIT),
    retry: false,
  });
  const data = top.data;
  const error = top.error?.message;
  return (
    <Card sx={{ flex: '1 1 520px' }}>
      <CardContent>
        <Typography variant="h6" component="h2">
          Top destinations
        </Typography>
        <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
          Rated calls of the last {TOP_DAYS} days by the customer&apos;s rate, most minutes first
        </Typography>
        {error && <Alert severity="error">{error}</Alert>}
        {data && data.data.length === 0 && (
          <Typography color="text.secondary">No rated calls in the last {TOP_DAYS} days.</Typography>
        )}
        {data && data.data.length > 0 && (
          <Box sx={{ overflowX: 'auto' }}>
            <Table size="small" aria-label="Top destinations" sx={tight}>
              <TableHead>
                <TableRow>
                  <TableCell>Destination</TableCell>
                  <TableCell>Country</TableCell>
                  <TableCell>Code</TableCell>
                  <TableCell sx={num}>Calls</TableCell>
                  <TableCell sx={num}>Minutes</TableCell>
                  <TableCell sx={num}>Revenue</TableCell>
                  <TableCell sx={num}>Margin</TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {data.data.map((d) => (
                  <TableRow key={`${d.code}|${d.codeName}`}>
                    <TableCell>{d.codeName || '—'}</TableCell>
                    <TableCell title={countryName(d.country)}>{d.country || '—'}</TableCell>
                    <TableCell>{d.code}</TableCell>
                    <TableCell sx={num}>{formatCount(d.calls)}</TableCell>
                    <TableCell sx={num}>{minutesText(d.minutes)}</TableCell>
                    <TableCell sx={num}>
                      <PerCurrency money={d.money} pick="revenue" />
                    </TableCell>
                    <TableCell sx={num}>
                      <PerCurrency money={d.money} pick="margin" />
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </Box>
        )}
      </CardContent>
    </Card>
  );
}

import type { Ctx } from '../../platform/context.js';
import { validationError } from '../../platform/errors.js';
import { formatMoney, money } from '../../platform/money.js';
import { isTimeZone } from '../../platform/reference-data.js';
import { requireManager } from '../../platform/tenancy/index.js';
import { lastDays } from './dashboard.service.js';
import * as repo from './dashboard.usage.repository.js';
import { readsHourly } from './dashboard.window.js';
import type { TopDestinationsDto, TopDestinationsQuery, UsageDto, UsageQuery } from './dashboard.schemas.js';

function windowOf(ctx: Ctx, timezone: string | undefined, days: number) {
  const zone = timezone ?? 'UTC';
  if (!isTimeZone(zone))
    throw validationError('timezone', 'Use an IANA time zone name, such as Europe/Paris.');
  const dates = lastDays(ctx.now(), zone, days);
  return { dates, w: { firstDay: dates[0]!, lastDay: dates[dates.length - 1]!, timezone: zone } };
}

type Amounts = { currency: string; revenue: string; cost: string };
const withMargin = (m: Amounts) => ({
  currency: m.currency,
  revenue: formatMoney(m.revenue),
  cost: formatMoney(m.cost),
  margin: formatMoney(money(m.revenue).minus(m.cost)),
});

/** Sums amounts per currency, exactly; currencies sorted, never added to each other. */
function byCurrency(rows: readonly Amounts[], currencies: readonly string[]) {
  return currencies.map((currency) => {
    let revenue = money(0);
    let cost = money(0);
    for (const r of rows)
      if (r.currency === currency) {
        revenue = revenue.plus(r.revenue);
        cost = cost.plus(r.cost);
      }
    return withMargin({ currency, revenue: revenue.toString(), cost: cost.toString() });
  });
}

/**
 * Calls, answered calls, minutes, revenue, cost and margin per local day (the viewer's zone) over
 * the last `days` days, zero-filled, for the operator (everything) or a reseller (its subtree;
 * revenue is what its customers paid it, cost its own buy rate). Money per currency.
 */
export async function getUsage(ctx: Ctx, query: UsageQuery): Promise<UsageDto> {
  requireManager(ctx);
  const { dates, w } = windowOf(ctx, query.timezone, query.days ?? 30);
  const hourly = readsHourly(w);
  const trafficRows = await (hourly ? repo.trafficPerDayHourly : repo.trafficPerDay)(ctx.db, ctx.actor, w);
  const traffic = new Map(trafficRows.map((t) => [t.day, t]));
  const moneyRows = await (hourly ? repo.moneyPerDayHourly : repo.moneyPerDay)(ctx.db, ctx.actor, w);
  const currencies = [...new Set(moneyRows.map((m) => m.currency))].sort();
  const days = dates.map((date) => {
    const t = traffic.get(date);
    return {
      date,
      calls: t?.calls ?? 0,
      answered: t?.answered ?? 0,
      minutes: t?.minutes ?? '0.00',
      money: byCurrency(
        moneyRows.filter((m) => m.day === date),
        currencies,
      ),
    };
  });
  const minutes = days.reduce((s, d) => s.plus(d.minutes), money(0));
  return {
    timezone: w.timezone,
    currencies,
    days,
    totals: {
      calls: days.reduce((n, d) => n + d.calls, 0),
      answered: days.reduce((n, d) => n + d.answered, 0),
      minutes: minutes.toFixed(2),
      money: byCurrency(moneyRows, currencies),
    },
  };
}

/**
 * The busiest destinations (code, code name, country) of rated calls over the last `days` local
 * days, with calls, minutes, and revenue and margin per currency, in the same scope and money
 * rules as getUsage.
 */
export async function getTopDestinations(ctx: Ctx, query: TopDestinationsQuery): Promise<TopDestinationsDto> {
  requireManager(ctx);
  const { w } = windowOf(ctx, query.timezone, query.days ?? 7);
  const top = readsHourly(w) ? repo.topDestinationsHourly : repo.topDestinations;
  const rows = await top(ctx.db, ctx.actor, w, query.limit ?? 10);
  return {
    timezone: w.timezone,
    from: w.firstDay,
    to: w.lastDay,
    data: rows.map((r) => ({
      code: r.code,
      codeName: r.code_name,
      country: r.country.trim(),
      calls: r.calls,
      answered: r.answered,
      minutes: r.minutes,
      money: r.money.map(withMargin),
    })),
  };
}

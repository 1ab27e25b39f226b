import type { Ctx } from '../../platform/context.js';
import { validationError } from '../../platform/errors.js';
import { isTimeZone } from '../../platform/reference-data.js';
import * as repo from './dashboard.repository.js';
import { moneyPerDay, moneyPerDayHourly } from './dashboard.usage.repository.js';
import { readsHourly } from './dashboard.window.js';
import type { DashboardDto, DashboardQuery } from './dashboard.schemas.js';

const NEWEST = 5;

/** `YYYY-MM-DD` of an instant as seen in a time zone. */
function localDate(at: Date, timezone: string): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: timezone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(at);
}

/** The `days` calendar dates ending today in `timezone`, oldest first. */
export function lastDays(now: Date, timezone: string, days: number): string[] {
  const [y, m, d] = localDate(now, timezone).split('-').map(Number);
  const out: string[] = [];
  for (let i = days - 1; i >= 0; i--)
    out.push(new Date(Date.UTC(y, m - 1, d - i)).toISOString().slice(0, 10));
  return out;
}

/**
 * Today's calls per account currency, with the revenue the usage chart shows for today (what the
 * accounts the viewer bills directly paid, per the payer's currency): one definition of revenue
 * on the whole page. A currency with revenue but no call of its own (a reseller billed in another
 * currency than its customers) gets a row with zero calls.
 */
async function callsToday(ctx: Ctx, today: string, timezone: string) {
  const calls = await repo.callsOn(ctx.db, ctx.actor, today, timezone);
  const w = { firstDay: today, lastDay: today, timezone };
  const money = await (readsHourly(w) ? moneyPerDayHourly : moneyPerDay)(ctx.db, ctx.actor, w);
  const revenue = new Map(money.map((m) => [m.currency, m.revenue]));
  const rows = calls.map((c) => ({ ...c, revenue: revenue.get(c.currency) ?? '0.000000' }));
  for (const m of money)
    if (!calls.some((c) => c.currency === m.currency))
      rows.push({ currency: m.currency, calls: 0, answered: 0, rated: 0, revenue: m.revenue });
  return rows.sort((a, b) => a.currency.localeCompare(b.currency));
}

/**
 * What the admin home page shows, in the actor's scope: live customers by status and by
 * prepaid/postpaid; their money per currency (balances, credit in use and granted, how many are
 * below their low-balance threshold); today's payments and, once CDRs exist, today's calls and
 * revenue; the newest customers; and customers created per day. "Today" and the days are the
 * viewer's (the `timezone` asked, which the UI sets to the viewer's zone).
 */
export async function getDashboard(ctx: Ctx, query: DashboardQuery): Promise<DashboardDto> {
  const timezone = query.timezone ?? 'UTC';
  if (!isTimeZone(timezone))
    throw validationError('timezone', 'Use an IANA time zone name, such as Europe/Paris.');
  const days = lastDays(ctx.now(), timezone, query.days ?? 30);
  // One day of slack before the first local midnight; rows outside the window are dropped below.
  const from = new Date(Date.parse(`${days[0]}T00:00:00Z`) - 86_400_000);
  const customers = await repo.countCustomers(ctx.db, ctx.actor);
  const newest = await repo.newestCustomers(ctx.db, ctx.actor, NEWEST);
  const perDay = await repo.countCreatedPerDay(ctx.db, ctx.actor, from, timezone);
  const money = await repo.moneyByCurrency(ctx.db, ctx.actor);
  const today = days[days.length - 1]!;
  const payments = await repo.paymentsOn(ctx.db, ctx.actor, today, timezone);
  const calls = (await repo.hasCdrs(ctx.db, ctx.actor)) ? await callsToday(ctx, today, timezone) : null;
  return {
    customers,
    money,
    lowBalance: money.reduce((n, m) => n + m.lowBalance, 0),
    today: { date: today, timezone, payments, calls },
    newest: newest.map((r) => ({
      id: r.id,
      kind: r.is_reseller ? 'reseller' : r.roles.includes('customer') ? 'customer' : 'provider',
      accountNumber: r.account_number,
      name: r.name,
      companyName: r.company_name,
      mode: r.mode,
      status: r.status,
      balance: r.balance,
      currency: r.currency,
      timezone: r.timezone,
      resellerName: r.reseller_name ?? null,
      createdAt: new Date(r.created_at).toISOString(),
    })),
    createdPerDay: { timezone, days: days.map((date) => ({ date, count: perDay.get(date) ?? 0 })) },
  };
}

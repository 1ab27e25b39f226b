import { sql } from 'kysely';
import type { Executor } from '../../platform/db/database.js';
import type { Actor } from '../../platform/context.js';
import { accountScope } from '../../platform/tenancy/index.js';
import { belowLowBalanceThreshold, kindPredicate } from '../accounts/index.js';

function liveInScope(db: Executor, actor: Actor) {
  return db.selectFrom('accounts as a').where(accountScope(actor)).where('a.deleted_at', 'is', null);
}

/** Live customers in scope by status and by mode, in one pass. */
export async function countCustomers(db: Executor, actor: Actor) {
  const r = await liveInScope(db, actor)
    .where(kindPredicate('customer'))
    .select([
      sql<number>`count(*)`.as('total'),
      sql<number>`count(*) FILTER (WHERE a.status = 'active')`.as('active'),
      sql<number>`count(*) FILTER (WHERE a.status = 'inactive')`.as('inactive'),
      sql<number>`count(*) FILTER (WHERE a.mode = 'prepaid')`.as('prepaid'),
      sql<number>`count(*) FILTER (WHERE a.mode = 'postpaid')`.as('postpaid'),
    ])
    .executeTakeFirstOrThrow();
  return {
    total: Number(r.total),
    active: Number(r.active),
    inactive: Number(r.inactive),
    prepaid: Number(r.prepaid),
    postpaid: Number(r.postpaid),
  };
}

/** The newest live customers in scope (uses the created_at index, never a full sort). */
export async function newestCustomers(db: Executor, actor: Actor, limit: number) {
  return liveInScope(db, actor)
    .where(kindPredicate('customer'))
    .select([
      'a.id',
      'a.is_reseller',
      'a.roles',
      'a.account_number',
      'a.name',
      'a.company_name',
      'a.mode',
      'a.status',
      'a.balance',
      'a.currency',
      'a.timezone',
      'a.created_at',
    ])
    .select((eb) =>
      eb
        .selectFrom('accounts as p')
        .select('p.name')
        .whereRef('p.id', '=', 'a.parent_id')
        .as('reseller_name'),
    )
    .orderBy('a.created_at', 'desc')
    .orderBy('a.id', 'desc')
    .limit(limit)
    .execute();
}

/**
 * Live customers in scope created since `from`, counted per calendar day in `timezone`: the same
 * accounts as the Customers card (resellers and providers are not counted in either).
 */
export async function countCreatedPerDay(db: Executor, actor: Actor, from: Date, timezone: string) {
  const day = sql<string>`to_char(a.created_at AT TIME ZONE ${timezone}, 'YYYY-MM-DD')`;
  const rows = await liveInScope(db, actor)
    .where(kindPredicate('customer'))
    .where('a.created_at', '>=', from)
    .select([day.as('day'), sql<number>`count(*)`.as('n')])
    .groupBy(sql`1`)
    .execute();
  return new Map(rows.map((r) => [r.day, Number(r.n)]));
}

/**
 * Money of live customers in scope, one row per currency (never summed across currencies):
 * balances, the credit in use (what they owe: the sum of negative balances), the credit granted
 * (finite postpaid limits; unlimited ones counted apart) and how many are below their low-balance
 * threshold. Sums are SQL numeric at the ledger's six decimals, returned as text.
 */
export async function moneyByCurrency(db: Executor, actor: Actor) {
  const rows = await liveInScope(db, actor)
    .where(kindPredicate('customer'))
    .select([
      'a.currency',
      sql<number>`count(*)`.as('accounts'),
      sql<string>`sum(a.balance)::numeric(20,6)::text`.as('balance'),
      sql<string>`sum(greatest(-a.balance, 0))::numeric(20,6)::text`.as('credit_in_use'),
      sql<string>`coalesce(sum(a.credit_limit) FILTER (WHERE a.mode = 'postpaid' AND NOT a.unlimited_credit), 0)::numeric(20,6)::text`.as(
        'credit_granted',
      ),
      sql<number>`count(*) FILTER (WHERE a.mode = 'postpaid' AND a.unlimited_credit)`.as('unlimited'),
      sql<number>`count(*) FILTER (WHERE ${belowLowBalanceThreshold('a')})`.as('low_balance'),
      sql<number>`count(*) FILTER (WHERE a.balance + CASE WHEN a.mode = 'postpaid' AND NOT a.unlimited_credit THEN a.credit_limit ELSE 0 END <= 0 AND NOT (a.mode = 'postpaid' AND a.unlimited_credit))`.as(
        'zero_balance',
      ),
    ])
    .groupBy('a.currency')
    .orderBy('a.currency')
    .execute();
  return rows.map((r) => ({
    currency: r.currency,
    accounts: Number(r.accounts),
    balance: r.balance,
    creditInUse: r.credit_in_use,
    creditGranted: r.credit_granted,
    unlimited: Number(r.unlimited),
    lowBalance: Number(r.low_balance),
    zeroBalance: Number(r.zero_balance),
  }));
}

/** The local day [from, to) as instants: midnight to midnight in `timezone` (23 or 25 h on a DST day). */
function dayBounds(date: string, timezone: string) {
  return {
    from: sql<Date>`(${date}::date)::timestamp AT TIME ZONE ${timezone}`,
    to: sql<Date>`(${date}::date + 1)::timestamp AT TIME ZONE ${timezone}`,
  };
}

/**
 * PAYMENT ledger entries of accounts in scope (any kind, deleted ones too: the money came in)
 * made on the local day `date`, per entry currency. Reversals are not netted: a reversal is its
 * own REVERSAL entry.
 */
export async function paymentsOn(db: Executor, actor: Actor, date: string, timezone: string) {
  const { from, to } = dayBounds(date, timezone);
  const rows = await db
    .selectFrom('ledger_entries as le')
    .innerJoin('accounts as a', 'a.id', 'le.account_id')
    .where(accountScope(actor))
    .where('le.type', '=', 'PAYMENT')
    .where(sql<boolean>`le.created_at >= ${from} AND le.created_at < ${to}`)
    .select([
      'le.currency',
      sql<number>`count(*)`.as('n'),
      sql<string>`sum(le.amount)::numeric(20,6)::text`.as('amount'),
    ])
    .groupBy('le.currency')
    .orderBy('le.currency')
    .execute();
  return rows.map((r) => ({ currency: r.currency, count: Number(r.n), amount: r.amount }));
}

/** Whether any CDR of an account in scope exists (the calls card shows only then). */
export async function hasCdrs(db: Executor, actor: Actor): Promise<boolean> {
  const r = await db
    .selectFrom('cdrs as c')
    .innerJoin('accounts as a', 'a.id', 'c.account_id')
    .where(accountScope(actor))
    .select(sql<number>`1`.as('one'))
    .limit(1)
    .executeTakeFirst();
  return r !== undefined;
}

/**
 * CDRs of accounts in scope started on the local day `date`, per account currency: every CDR
 * (denied and unrated included), the answered ones, and the rated ones (the service sets the revenue).
 */
export async function callsOn(db: Executor, actor: Actor, date: string, timezone: string) {
  const { from, to } = dayBounds(date, timezone);
  const rows = await db
    .selectFrom('cdrs as c')
    .innerJoin('accounts as a', 'a.id', 'c.account_id')
    .where(accountScope(actor))
    .where(sql<boolean>`c.started_at >= ${from} AND c.started_at < ${to}`)
    .select([
      'a.currency',
      sql<number>`count(*)`.as('calls'),
      sql<number>`count(*) FILTER (WHERE c.answered_at IS NOT NULL)`.as('answered'),
      sql<number>`count(*) FILTER (WHERE c.status = 'rated')`.as('rated'),
    ])
    .groupBy('a.currency')
    .orderBy('a.currency')
    .execute();
  return rows.map((r) => ({
    currency: r.currency,
    calls: Number(r.calls),
    answered: Number(r.answered),
    rated: Number(r.rated),
  }));
}

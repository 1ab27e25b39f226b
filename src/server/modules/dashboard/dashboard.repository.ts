import { sql } from 'kysely';
import type { Executor } from '../../platform/db/database.js';
import type { Actor } from '../../platform/context.js';
import { accountScope } from '../../platform/tenancy/index.js';
import { kindPredicate } from '../accounts/index.js';

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

/** Live accounts of every kind in scope created since `from`, counted per calendar day in `timezone`. */
export async function countCreatedPerDay(db: Executor, actor: Actor, from: Date, timezone: string) {
  const day = sql<string>`to_char(a.created_at AT TIME ZONE ${timezone}, 'YYYY-MM-DD')`;
  const rows = await liveInScope(db, actor)
    .where('a.created_at', '>=', from)
    .select([day.as('day'), sql<number>`count(*)`.as('n')])
    .groupBy(sql`1`)
    .execute();
  return new Map(rows.map((r) => [r.day, Number(r.n)]));
}

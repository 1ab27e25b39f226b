import { sql } from 'kysely';
import type { Executor } from '../../platform/db/database.js';
import type { CdrsTable } from '../../db/schema.js';
import type { Insertable } from 'kysely';

/** The CDRs' SQL (issue #13): intake, replay lookup, fresh rate lookup for CDRs without reservation. */

export const CDR_COLUMNS = [
  'id',
  'call_id',
  'leg',
  'account_id',
  'status',
  'reason',
  'no_reservation',
  'charged_sec',
  'cost',
  'ledger_entry_id',
] as const;

export type NewCdr = Insertable<CdrsTable>;

export async function findCdr(db: Executor, callId: string, leg: string) {
  return db
    .selectFrom('cdrs')
    .select(CDR_COLUMNS)
    .where('call_id', '=', callId)
    .where('leg', '=', leg)
    .executeTakeFirst();
}

/** Inserts the CDR unless (call_id, leg) is already stored (then waits for, and yields to, that row). */
export async function insertCdr(db: Executor, row: NewCdr) {
  return db
    .insertInto('cdrs')
    .values(row)
    .onConflict((oc) => oc.columns(['call_id', 'leg']).doNothing())
    .returning(CDR_COLUMNS)
    .executeTakeFirst();
}

export async function setLedgerEntry(db: Executor, id: number, entryId: string) {
  await db.updateTable('cdrs').set({ ledger_entry_id: entryId }).where('id', '=', id).execute();
}

/** The first rated call of an account sets its firstUsedAt (never moved afterwards). */
export async function markFirstUsed(db: Executor, accountId: number, at: Date) {
  await db
    .updateTable('accounts')
    .set({ first_used_at: at })
    .where('id', '=', accountId)
    .where('first_used_at', 'is', null)
    .execute();
}

/** The customer a CDR without reservation belongs to: its SIP device, else the host its IP is in. */
export async function identifyAccount(
  db: Executor,
  sourceIp: string,
  sipUsername: string | undefined,
): Promise<number | null> {
  if (sipUsername) {
    const dev = await db
      .selectFrom('sip_devices')
      .select('account_id')
      .where('username', '=', sipUsername)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    if (dev) return dev.account_id;
  }
  const host = await db
    .selectFrom('hosts')
    .select('account_id')
    .where(sql<boolean>`cidr >>= ${sourceIp}::inet`)
    .where('deleted_at', 'is', null)
    .orderBy(sql`masklen(cidr)`, 'desc')
    .limit(1)
    .executeTakeFirst();
  return host?.account_id ?? null;
}

/** The account's rate at `at` for the longest matching prefix (latest effectiveFrom on a tie). */
export async function lookupRate(db: Executor, accountId: number, prefixes: string[], at: Date) {
  if (!prefixes.length) return undefined;
  return db
    .selectFrom('accounts as a')
    .innerJoin('rate_groups as g', 'g.id', 'a.rate_group_id')
    .innerJoin('rates as r', 'r.rate_group_id', 'g.id')
    .select([
      'r.id as rateId',
      'g.id as rateGroupId',
      'r.prefix',
      'r.rate_per_min as ratePerMin',
      'r.connect_fee as connectFee',
      'r.included_seconds as includedSeconds',
      'r.initial_increment as initialIncrement',
      'r.billing_increment as billingIncrement',
      'g.initial_increment as groupInitialIncrement',
      'g.billing_increment as groupBillingIncrement',
    ])
    .where('a.id', '=', accountId)
    .where('g.deleted_at', 'is', null)
    .where('r.prefix', 'in', prefixes)
    .where('r.effective_from', '<=', at)
    .where((eb) => eb.or([eb('r.effective_to', 'is', null), eb('r.effective_to', '>', at)]))
    .orderBy(sql`char_length(r.prefix)`, 'desc')
    .orderBy('r.effective_from', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export interface CdrCursor {
  startedAt: string;
  id: number;
}

/** One page of an account's CDRs, newest first, keyset on (started_at, id). */
export async function listCdrsPage(
  db: Executor,
  accountId: number,
  f: { from?: Date; to?: Date; limit: number; cursor: CdrCursor | null },
) {
  let q = db
    .selectFrom('cdrs')
    .select([
      'id',
      'call_id',
      'leg',
      'status',
      'reason',
      'no_reservation',
      'calling_number',
      'called_number',
      'started_at',
      'answered_at',
      'ended_at',
      'billsec',
      'disposition',
      'sip_code',
      'hangup_cause',
      'rate_prefix',
      'rate_per_min',
      'connect_fee',
      'charged_sec',
      'cost',
    ])
    .where('account_id', '=', accountId);
  if (f.from) q = q.where('started_at', '>=', f.from);
  if (f.to) q = q.where('started_at', '<', f.to);
  if (f.cursor)
    q = q.where(
      sql<boolean>`(started_at, id) < (${f.cursor.startedAt}::timestamptz, ${f.cursor.id}::bigint)`,
    );
  const rows = await q
    .orderBy('started_at', 'desc')
    .orderBy('id', 'desc')
    .limit(f.limit + 1)
    .execute();
  const more = rows.length > f.limit;
  if (more) rows.pop();
  const last = rows[rows.length - 1];
  return { rows, next: more && last ? { startedAt: last.started_at.toISOString(), id: last.id } : null };
}

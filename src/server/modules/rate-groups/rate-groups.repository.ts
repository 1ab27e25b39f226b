import { sql } from 'kysely';
import type { Executor } from '../../platform/db/database.js';
import type { Actor } from '../../platform/context.js';
import { escapeLike } from '../../platform/db/like.js';
import { ownerIs, ownedScope } from '../../platform/tenancy/index.js';
import type pg from 'pg';
import { copyIn, type CopyIn } from '../../platform/db/copy-in.js';
import type { DeckRow } from './rate-deck.js';

/* The only SQL of rate groups, rates and rate-deck uploads. */

function groupSelect(db: Executor) {
  return db
    .selectFrom('rate_groups as g')
    .select([
      'g.id',
      'g.owner_id',
      'g.name',
      'g.description',
      'g.currency',
      'g.status',
      'g.initial_increment',
      'g.billing_increment',
      'g.created_at',
      'g.updated_at',
    ])
    .select((eb) => [
      eb
        .selectFrom('rates as r')
        .select(sql<number>`count(*)::int`.as('n'))
        .whereRef('r.rate_group_id', '=', 'g.id')
        .as('rate_count'),
      eb
        .selectFrom('accounts as a')
        .select(sql<number>`count(*)::int`.as('n'))
        .where((w) =>
          w.or([w('a.rate_group_id', '=', w.ref('g.id')), w('a.non_cli_rate_group_id', '=', w.ref('g.id'))]),
        )
        .where('a.deleted_at', 'is', null)
        .as('customer_count'),
    ])
    .where('g.deleted_at', 'is', null);
}
export type RateGroupRow = Awaited<ReturnType<ReturnType<typeof groupSelect>['executeTakeFirstOrThrow']>>;

export async function findRateGroup(
  db: Executor,
  actor: Actor,
  id: number,
  opts: { forUpdate?: boolean } = {},
) {
  let q = groupSelect(db).where('g.id', '=', id).where(ownedScope(actor, 'g.owner_id'));
  if (opts.forUpdate) q = q.forUpdate(['g']);
  return q.executeTakeFirst();
}

export async function listRateGroupsPage(
  db: Executor,
  actor: Actor,
  f: { name?: string; status?: 'active' | 'inactive'; resellerId?: number | 'none'; currency?: string },
  page: { limit: number; after: { k: string; id: number } | null },
): Promise<RateGroupRow[]> {
  let q = groupSelect(db).where(ownedScope(actor, 'g.owner_id'));
  if (f.status) q = q.where('g.status', '=', f.status);
  if (f.resellerId !== undefined) q = q.where(ownerIs(f.resellerId, 'g.owner_id'));
  if (f.currency) q = q.where('g.currency', '=', f.currency.toUpperCase());
  if (f.name) q = q.where(sql<boolean>`lower(g.name) LIKE ${'%' + escapeLike(f.name.toLowerCase()) + '%'}`);
  if (page.after)
    q = q.where(sql<boolean>`(lower(g.name), g.id) > (${page.after.k}, ${page.after.id}::bigint)`);
  return q
    .orderBy(sql`lower(g.name)`)
    .orderBy('g.id')
    .limit(page.limit + 1)
    .execute();
}

export async function insertRateGroup(
  db: Executor,
  v: {
    ownerId: number | null;
    name: string;
    description: string | null;
    currency: string;
    status: 'active' | 'inactive';
    initialIncrement: number;
    billingIncrement: number;
  },
): Promise<number> {
  const r = await db
    .insertInto('rate_groups')
    .values({
      owner_id: v.ownerId,
      name: v.name,
      description: v.description,
      currency: v.currency,
      status: v.status,
      initial_increment: v.initialIncrement,
      billing_increment: v.billingIncrement,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

export async function updateRateGroup(
  db: Executor,
  id: number,
  set: Partial<{
    name: string;
    description: string | null;
    status: 'active' | 'inactive';
    initial_increment: number;
    billing_increment: number;
  }>,
  now: Date,
): Promise<void> {
  await db
    .updateTable('rate_groups')
    .set({ ...set, updated_at: now })
    .where('id', '=', id)
    .execute();
}

export async function softDeleteRateGroup(db: Executor, id: number, now: Date): Promise<void> {
  await db
    .updateTable('rate_groups')
    .set({ deleted_at: now, updated_at: now })
    .where('id', '=', id)
    .execute();
}

/** A rate group by id for an account reference check: no actor scope, the caller compares owners. */
export async function findRateGroupForReference(db: Executor, id: number) {
  return db
    .selectFrom('rate_groups')
    .select(['id', 'owner_id', 'currency', 'status'])
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
}

// ---- rates ----

const RATE_COLUMNS = [
  'r.id',
  'r.rate_group_id',
  'r.prefix',
  'r.destination',
  'r.rate_per_min',
  'r.connect_fee',
  'r.included_seconds',
  'r.initial_increment',
  'r.billing_increment',
  'r.effective_from',
  'r.effective_to',
  'r.created_at',
] as const;

function rateSelect(db: Executor) {
  return db.selectFrom('rates as r').select(RATE_COLUMNS);
}
export type RateRow = Awaited<ReturnType<ReturnType<typeof rateSelect>['executeTakeFirstOrThrow']>>;

/** A rate whose group is live and in the actor's scope. */
export async function findRate(db: Executor, actor: Actor, id: number, opts: { forUpdate?: boolean } = {}) {
  let q = rateSelect(db)
    .innerJoin('rate_groups as g', 'g.id', 'r.rate_group_id')
    .where('r.id', '=', id)
    .where('g.deleted_at', 'is', null)
    .where(ownedScope(actor, 'g.owner_id'));
  if (opts.forUpdate) q = q.forUpdate(['r']);
  return q.executeTakeFirst();
}

export async function listRatesPage(
  db: Executor,
  groupId: number,
  f: { prefix?: string; destination?: string; at?: Date },
  page: { limit: number; after: { k: string; id: number } | null },
): Promise<RateRow[]> {
  let q = rateSelect(db).where('r.rate_group_id', '=', groupId);
  if (f.prefix) q = q.where('r.prefix', 'like', f.prefix + '%');
  if (f.destination)
    q = q.where(
      sql<boolean>`lower(r.destination) LIKE ${'%' + escapeLike(f.destination.toLowerCase()) + '%'}`,
    );
  if (f.at)
    q = q
      .where('r.effective_from', '<=', f.at)
      .where((w) => w.or([w('r.effective_to', 'is', null), w('r.effective_to', '>', f.at!)]));
  if (page.after) q = q.where(sql<boolean>`(r.prefix, r.id) > (${page.after.k}, ${page.after.id}::bigint)`);
  return q
    .orderBy('r.prefix')
    .orderBy('r.id')
    .limit(page.limit + 1)
    .execute();
}

/** Rows whose code is one of `prefixes` (every prefix of a number): indexed equality. */
export async function findRatesByPrefixes(
  db: Executor,
  groupId: number,
  prefixes: string[],
): Promise<RateRow[]> {
  if (prefixes.length === 0) return [];
  return rateSelect(db).where('r.rate_group_id', '=', groupId).where('r.prefix', 'in', prefixes).execute();
}

export interface RateValues {
  prefix: string;
  destination: string;
  ratePerMin: string;
  connectFee: string;
  includedSeconds: number;
  initialIncrement: number;
  billingIncrement: number;
  effectiveFrom: string | Date;
  effectiveTo: string | Date | null;
}

export async function insertRate(db: Executor, groupId: number, v: RateValues): Promise<number> {
  const r = await db
    .insertInto('rates')
    .values({
      rate_group_id: groupId,
      prefix: v.prefix,
      destination: v.destination,
      rate_per_min: v.ratePerMin,
      connect_fee: v.connectFee,
      included_seconds: v.includedSeconds,
      initial_increment: v.initialIncrement,
      billing_increment: v.billingIncrement,
      effective_from: v.effectiveFrom,
      effective_to: v.effectiveTo,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

export async function updateRate(
  db: Executor,
  id: number,
  set: Partial<Record<string, unknown>>,
): Promise<void> {
  await db
    .updateTable('rates')
    .set(set as never)
    .where('id', '=', id)
    .execute();
}

export async function deleteRate(db: Executor, id: number): Promise<void> {
  await db.deleteFrom('rates').where('id', '=', id).execute();
}

/** Every rate of a group, in pages of `chunk` by id, for building the in-memory index. */
export async function* streamRatesOfGroup(db: Executor, groupId: number, chunk = 100_000) {
  let after = 0;
  for (;;) {
    const rows = await db
      .selectFrom('rates')
      .select([
        'id',
        'prefix',
        'rate_per_min',
        'connect_fee',
        // epoch milliseconds as float8: a number to the driver, no Date parsing per row
        sql<number>`extract(epoch from effective_from) * 1000`.as('from_ms'),
        sql<number | null>`extract(epoch from effective_to) * 1000`.as('to_ms'),
      ])
      .where('rate_group_id', '=', groupId)
      .where('id', '>', after)
      .orderBy('id')
      .limit(chunk)
      .execute();
    if (rows.length === 0) return;
    yield rows;
    after = rows[rows.length - 1].id;
  }
}

// ---- rate-deck uploads ----

/** ASCII unit separator: joins the cells of one column in a batch insert. */
const US = '\x1f';

/**
 * One batch of validated deck rows straight into the group: one statement, one array per column.
 * A row that collides with an existing (prefix, effective_from) is skipped, and the answer is the
 * number inserted, so the caller can tell and report it.
 */
export async function insertRateBatch(db: Executor, groupId: number, rows: DeckRow[]): Promise<number> {
  // Each column travels as ONE text joined by the unit separator (validated cells never contain
  // control characters) and is split in the database: far cheaper than a driver-encoded array of
  // a million quoted elements.
  const col = (pick: (r: DeckRow) => string | number) => rows.map(pick).join(US);
  const to = rows.some((r) => r.effectiveTo !== null) ? rows.map((r) => r.effectiveTo ?? '').join(US) : null;
  const r = await sql`
    INSERT INTO rates (rate_group_id, prefix, destination, rate_per_min, connect_fee, included_seconds,
      initial_increment, billing_increment, effective_from, effective_to)
    SELECT ${groupId}::bigint, u.prefix, coalesce(u.destination, ''), u.rate::numeric, u.fee::numeric, u.incl::int,
      u.ini::int, u.bill::int, u.from_::timestamptz, nullif(u.to_, '')::timestamptz
    FROM unnest(
      string_to_array(${col((r) => r.prefix)}, ${US}), string_to_array(${col((r) => r.destination)}, ${US}),
      string_to_array(${col((r) => r.ratePerMin)}, ${US}), string_to_array(${col((r) => r.connectFee)}, ${US}),
      string_to_array(${col((r) => r.includedSeconds)}, ${US}), string_to_array(${col((r) => r.initialIncrement)}, ${US}),
      string_to_array(${col((r) => r.billingIncrement)}, ${US}), string_to_array(${col((r) => r.effectiveFrom)}, ${US}),
      string_to_array(${to}, ${US})
    ) AS u(prefix, destination, rate, fee, incl, ini, bill, from_, to_)
    ON CONFLICT DO NOTHING`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}

/**
 * Which of `rows` collide with rates that existed before this transaction (append mode): rows
 * written by the running upload carry the transaction's now() as created_at.
 */
export async function findCollisions(db: Executor, groupId: number, rows: DeckRow[]) {
  const r = await sql<{ prefix: string; effective_from: Date }>`
    SELECT r.prefix, r.effective_from FROM rates r
    JOIN unnest(${rows.map((x) => x.prefix)}::text[], ${rows.map((x) => x.effectiveFrom)}::timestamptz[]) AS k(prefix, effective_from)
      ON r.prefix = k.prefix AND r.effective_from = k.effective_from
    WHERE r.rate_group_id = ${groupId} AND r.created_at <> now()`.execute(db);
  return new Set(r.rows.map((x) => `${x.prefix}|${new Date(x.effective_from).toISOString()}`));
}

/** One row in COPY text format (tab-separated, \N for null). Cells carry no control characters. */
export function copyLine(groupId: number, r: DeckRow): string {
  const dest = r.destination.includes('\\') ? r.destination.replace(/\\/g, '\\\\') : r.destination;
  return `${groupId}\t${r.prefix}\t${dest}\t${r.ratePerMin}\t${r.connectFee}\t${r.includedSeconds}\t${r.initialIncrement}\t${r.billingIncrement}\t${r.effectiveFrom}\t${r.effectiveTo ?? '\\N'}\n`;
}

/** Starts `COPY rates FROM STDIN` on a raw PostgreSQL client already inside the transaction. */
export function startRatesCopy(client: pg.PoolClient): Promise<CopyIn> {
  return copyIn(
    client,
    `COPY rates (rate_group_id, prefix, destination, rate_per_min, connect_fee, included_seconds,
      initial_increment, billing_increment, effective_from, effective_to) FROM STDIN`,
  );
}

export async function deleteRatesOfGroup(db: Executor, groupId: number): Promise<number> {
  const r = await db.deleteFrom('rates').where('rate_group_id', '=', groupId).executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** Live accounts using a group, for the delete check. */
export async function countAccountsUsingGroup(db: Executor, groupId: number): Promise<number> {
  const r = await db
    .selectFrom('accounts')
    .select(sql<number>`count(*)::int`.as('n'))
    .where((w) => w.or([w('rate_group_id', '=', groupId), w('non_cli_rate_group_id', '=', groupId)]))
    .where('deleted_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

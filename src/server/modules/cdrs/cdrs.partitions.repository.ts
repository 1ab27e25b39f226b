import { sql } from 'kysely';
import type { Executor } from '../../platform/db/database.js';

/*
 * The month partitions of cdrs and cdr_lines (issue #13): created ahead, filled from the DEFAULT
 * partition when a CDR with an odd date landed there, and dropped past the retention.
 *
 * Locking contract: every change of the partition set runs in a transaction holding the advisory
 * lock PARTITION_LOCK, so two instances' jobs never race on the same month. Creating a month moves
 * its rows out of the DEFAULT partition and ATTACHes a table built beside it (SHARE UPDATE EXCLUSIVE
 * on the parent: the intake and the readers go on; only the DEFAULT partition is held exclusively,
 * briefly). Dropping a month takes the parent exclusively for a moment, under a lock_timeout so a
 * long reader makes the job retry later instead of queueing every request behind it.
 */

/** The parents, each with a partition per month named <parent>_pYYYY_MM and <parent>_default. */
export const PARENTS = ['cdrs', 'cdr_lines'] as const;
const PARTITION_LOCK = 730_013;

/** 'YYYY-MM-01' of the month `offset` months after `ym` ('YYYY-MM-01'). */
export function addMonths(ym: string, offset: number): string {
  const d = new Date(Date.UTC(Number(ym.slice(0, 4)), Number(ym.slice(5, 7)) - 1 + offset, 1));
  return d.toISOString().slice(0, 10);
}

/** 'YYYY-MM-01' of the UTC month of `at`. */
export const monthOf = (at: Date): string => `${at.toISOString().slice(0, 7)}-01`;

export const partitionName = (parent: string, month: string) =>
  `${parent}_p${month.slice(0, 4)}_${month.slice(5, 7)}`;

/** The months that have a partition of `cdrs`, oldest first ('YYYY-MM-01'). */
export async function listMonths(db: Executor): Promise<string[]> {
  const r = await sql<{ name: string }>`
    SELECT c.relname AS name
      FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = 'cdrs'::regclass AND c.relname ~ '^cdrs_p[0-9]{4}_[0-9]{2}$'`.execute(db);
  return r.rows.map((x) => `${x.name.slice(6, 10)}-${x.name.slice(11, 13)}-01`).sort();
}

/** Months (UTC) that have rows in the DEFAULT partitions, oldest first, at most `limit`. */
export async function monthsInDefault(db: Executor, limit: number): Promise<string[]> {
  const r = await sql<{ m: string }>`
    SELECT m FROM (
      SELECT DISTINCT to_char(date_trunc('month', started_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS m FROM cdrs_default
      UNION
      SELECT DISTINCT to_char(date_trunc('month', started_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') FROM cdr_lines_default
    ) x ORDER BY m LIMIT ${limit}`.execute(db);
  return r.rows.map((x) => x.m);
}

const bounds = (month: string) => ({
  from: sql.lit(`${month} 00:00:00+00`),
  to: sql.lit(`${addMonths(month, 1)} 00:00:00+00`),
});

const lock = (tx: Executor) => sql`SELECT pg_advisory_xact_lock(${PARTITION_LOCK})`.execute(tx);

async function exists(tx: Executor, name: string): Promise<boolean> {
  const r = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_class WHERE relname = ${name}`.execute(
    tx,
  );
  return r.rows[0]!.n > 0;
}

/**
 * Creates the month's partition of each parent unless it exists, moving the month's rows out of
 * the DEFAULT partition into it. Call inside a transaction. Returns whether anything was created.
 */
export async function createMonth(tx: Executor, month: string): Promise<boolean> {
  await lock(tx);
  let created = false;
  const { from, to } = bounds(month);
  for (const parent of PARENTS) {
    const name = partitionName(parent, month);
    if (await exists(tx, name)) continue;
    const p = sql.id(parent);
    const t = sql.id(name);
    await sql`CREATE TABLE ${t} (LIKE ${p} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`.execute(tx);
    await sql`
      WITH moved AS (
        DELETE FROM ${sql.id(`${parent}_default`)} WHERE started_at >= ${from} AND started_at < ${to} RETURNING *)
      INSERT INTO ${t} SELECT * FROM moved`.execute(tx);
    await sql`ALTER TABLE ${p} ATTACH PARTITION ${t} FOR VALUES FROM (${from}) TO (${to})`.execute(tx);
    created = true;
  }
  return created;
}

/**
 * Deletes the idempotency keys of up to `limit` CDRs of a month partition (ids after `afterId`),
 * only those keys that still point at these CDRs. Returns the last id of the batch, or null when
 * the partition has no more CDRs after `afterId`.
 */
export async function purgeKeysBatch(
  db: Executor,
  month: string,
  afterId: number,
  limit: number,
): Promise<number | null> {
  const part = sql.id(partitionName('cdrs', month));
  const r = await sql<{ last: string | number | null }>`
    WITH batch AS (SELECT id, call_id, leg FROM ${part} WHERE id > ${afterId} ORDER BY id LIMIT ${limit}),
    gone AS (
      DELETE FROM cdr_keys k USING batch b
       WHERE k.call_id = b.call_id AND k.leg = b.leg AND k.cdr_id = b.id
      RETURNING k.cdr_id)
    SELECT (SELECT max(id) FROM batch) AS last, (SELECT count(*) FROM gone) AS n`.execute(db);
  const last = r.rows[0]?.last;
  return last === null || last === undefined ? null : Number(last);
}

/** Drops the month's partitions (lines first). Call inside a transaction, after purgeKeysBatch. */
export async function dropMonth(tx: Executor, month: string): Promise<void> {
  await lock(tx);
  await sql`SET LOCAL lock_timeout = '5s'`.execute(tx);
  for (const parent of [...PARENTS].reverse()) {
    await sql`DROP TABLE IF EXISTS ${sql.id(partitionName(parent, month))}`.execute(tx);
  }
}

import { sql } from 'kysely';
import type { Executor } from '../db/database.js';

export interface ClaimedJob {
  id: number;
  kind: string;
  payload: unknown;
  attempts: number;
  maxAttempts: number;
}

/** Adds a job; call it with the transaction that creates the job's subject (an outbox row). */
export async function insertJob(
  db: Executor,
  job: { kind: string; payload: unknown; maxAttempts?: number },
): Promise<number> {
  const r = await db
    .insertInto('jobs')
    .values({
      kind: job.kind,
      payload: JSON.stringify(job.payload ?? {}),
      max_attempts: job.maxAttempts ?? 5,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

/**
 * Claims the oldest runnable job: a queued one that is due, or a running one whose lease expired
 * (its runner died; that counts as an attempt). `FOR UPDATE SKIP LOCKED` lets several runners poll
 * the same table without waiting on each other or taking the same job.
 */
export async function claimJob(db: Executor, workerId: string, leaseMs: number): Promise<ClaimedJob | null> {
  const r = await sql<{ id: number; kind: string; payload: unknown; attempts: number; max_attempts: number }>`
    UPDATE jobs SET
      status = 'running',
      locked_by = ${workerId},
      locked_until = now() + make_interval(secs => ${leaseMs / 1000}),
      attempts = attempts + CASE WHEN status = 'running' THEN 1 ELSE 0 END,
      updated_at = now()
    WHERE id = (
      SELECT id FROM jobs
      WHERE (status = 'queued' AND run_after <= now()) OR (status = 'running' AND locked_until < now())
      ORDER BY id
      LIMIT 1
      FOR UPDATE SKIP LOCKED
    )
    RETURNING id, kind, payload, attempts, max_attempts`.execute(db);
  const row = r.rows[0];
  return row
    ? {
        id: Number(row.id),
        kind: row.kind,
        payload: row.payload,
        attempts: row.attempts,
        maxAttempts: row.max_attempts,
      }
    : null;
}

/**
 * Ends the lease of every running job at once, as if each had run out: for a runner that is the
 * only one the database can have (PGlite: one process per data folder, held by a lock), a job
 * still marked running when it starts belongs to a process that died. The next claim takes it
 * over as usual (counting the attempt), without waiting out the dead process's lease.
 */
export async function expireRunningLeases(db: Executor): Promise<number> {
  const r = await db
    .updateTable('jobs')
    .set({ locked_until: sql`now() - interval '1 second'`, updated_at: sql`now()` })
    .where('status', '=', 'running')
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** Extends the lease of a job this worker holds; false when it lost the job (lease taken over). */
export async function renewLease(
  db: Executor,
  id: number,
  workerId: string,
  leaseMs: number,
): Promise<boolean> {
  const r = await db
    .updateTable('jobs')
    .set({ locked_until: sql`now() + make_interval(secs => ${leaseMs / 1000})`, updated_at: sql`now()` })
    .where('id', '=', id)
    .where('locked_by', '=', workerId)
    .where('status', '=', 'running')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function completeJob(db: Executor, id: number, workerId: string): Promise<void> {
  await db
    .updateTable('jobs')
    .set({
      status: 'done',
      locked_by: null,
      locked_until: null,
      finished_at: sql`now()`,
      updated_at: sql`now()`,
    })
    .where('id', '=', id)
    .where('locked_by', '=', workerId)
    .execute();
}

/** Hands a job back untouched (a graceful stop): another runner may take it at once. */
export async function releaseJob(db: Executor, id: number, workerId: string): Promise<void> {
  await db
    .updateTable('jobs')
    .set({ status: 'queued', locked_by: null, locked_until: null, updated_at: sql`now()` })
    .where('id', '=', id)
    .where('locked_by', '=', workerId)
    .where('status', '=', 'running')
    .execute();
}

/** Records a failed attempt: retried after `retryInMs`, or failed for good when `final`. */
export async function failJob(
  db: Executor,
  id: number,
  workerId: string,
  error: string,
  opts: { final: boolean; retryInMs: number },
): Promise<void> {
  await db
    .updateTable('jobs')
    .set({
      status: opts.final ? 'failed' : 'queued',
      attempts: sql`attempts + 1`,
      last_error: error.slice(0, 2000),
      run_after: sql`now() + make_interval(secs => ${opts.retryInMs / 1000})`,
      locked_by: null,
      locked_until: null,
      finished_at: opts.final ? sql`now()` : null,
      updated_at: sql`now()`,
    })
    .where('id', '=', id)
    .where('locked_by', '=', workerId)
    .execute();
}

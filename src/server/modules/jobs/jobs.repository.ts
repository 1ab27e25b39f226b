import { sql } from 'kysely';
import type { Executor } from '../../platform/db/database.js';

const COLUMNS = [
  'id',
  'kind',
  'status',
  'attempts',
  'max_attempts',
  'last_error',
  'run_after',
  'dedupe_key',
  'created_at',
  'updated_at',
  'finished_at',
] as const;

/** Recent jobs, newest first, keyset by id (the Jobs page). */
export async function listJobs(
  db: Executor,
  f: { status?: 'queued' | 'running' | 'done' | 'failed'; kind?: string },
  page: { limit: number; afterId: number | null },
) {
  let q = db
    .selectFrom('jobs')
    .select(COLUMNS)
    .orderBy('id', 'desc')
    .limit(page.limit + 1);
  if (f.status) q = q.where('status', '=', f.status);
  if (f.kind) q = q.where('kind', '=', f.kind);
  if (page.afterId !== null) q = q.where('id', '<', page.afterId);
  return q.execute();
}
export type JobRow = Awaited<ReturnType<typeof listJobs>>[number];

export async function findJob(db: Executor, id: number) {
  return db.selectFrom('jobs').select(COLUMNS).where('id', '=', id).executeTakeFirst();
}

/** A failed job back in the queue with fresh attempts; false when it was not failed. */
export async function requeueFailedJob(db: Executor, id: number, now: Date): Promise<boolean> {
  const r = await db
    .updateTable('jobs')
    .set({ status: 'queued', attempts: 0, run_after: now, finished_at: null, updated_at: now })
    .where('id', '=', id)
    .where('status', '=', 'failed')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Jobs by kind and status (the metric). */
export async function countJobs(db: Executor) {
  return db
    .selectFrom('jobs')
    .select(['kind', 'status', sql<number>`count(*)::int`.as('n')])
    .where('status', 'in', ['queued', 'running', 'failed'])
    .groupBy(['kind', 'status'])
    .execute();
}

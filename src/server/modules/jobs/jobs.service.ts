import type { Ctx } from '../../platform/context.js';
import { AppError, forbidden, notFound } from '../../platform/errors.js';
import { idPage } from '../../platform/cursor-keys.js';
import { iso } from '../../platform/http/schemas.js';
import * as repo from './jobs.repository.js';
import type { JobDto, JobListQueryInput } from './jobs.schemas.js';

/** No such job. */
export const jobNotFound = () => notFound('JOB_NOT_FOUND', 'Job not found.');
/** Only a failed job can be retried. */
export const jobNotFailed = () => new AppError('JOB_NOT_FAILED', 'Only a failed job can be retried.');

function requireAdmin(ctx: Ctx) {
  if (ctx.actor.kind !== 'admin') throw forbidden('Only the operator sees the jobs.');
}

const toDto = (r: repo.JobRow): JobDto => ({
  id: r.id,
  kind: r.kind,
  status: r.status,
  attempts: r.attempts,
  maxAttempts: r.max_attempts,
  lastError: r.last_error,
  runAfter: iso(r.run_after)!,
  schedule: r.dedupe_key?.startsWith('schedule:') ? r.dedupe_key.slice('schedule:'.length) : null,
  createdAt: iso(r.created_at)!,
  updatedAt: iso(r.updated_at)!,
  finishedAt: iso(r.finished_at),
});

/** The Jobs page: recent and failed jobs with their error. */
export async function listJobs(ctx: Ctx, q: JobListQueryInput) {
  requireAdmin(ctx);
  const page = await idPage(q, (p) => repo.listJobs(ctx.db, { status: q.status, kind: q.kind }, p));
  return { data: page.rows.map(toDto), nextCursor: page.nextCursor };
}

/** Puts a failed job back in the queue with fresh attempts. */
export async function retryJob(ctx: Ctx, id: number): Promise<JobDto> {
  requireAdmin(ctx);
  if (!(await repo.findJob(ctx.db, id))) throw jobNotFound();
  if (!(await repo.requeueFailedJob(ctx.db, id, ctx.now()))) throw jobNotFailed();
  return toDto((await repo.findJob(ctx.db, id))!);
}

/** Prometheus lines: jobs queued, running and failed, by kind. */
export async function jobMetrics(ctx: Ctx): Promise<string[]> {
  const rows = await repo.countJobs(ctx.db);
  return [
    '# HELP tollgate_jobs Jobs by kind and status (queued, running, failed).',
    '# TYPE tollgate_jobs gauge',
    ...rows.map((r) => `tollgate_jobs{kind="${r.kind}",status="${r.status}"} ${r.n}`),
  ];
}

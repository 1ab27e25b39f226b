import crypto from 'node:crypto';
import type { Db } from '../db/database.js';
import { enqueueDueSchedules, type JobSchedule } from './schedules.js';
import {
  claimJob,
  completeJob,
  expireRunningLeases,
  failJob,
  releaseJob,
  renewLease,
  type ClaimedJob,
} from './jobs.repository.js';

export interface JobLogger {
  info(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface JobContext {
  db: Db;
  now: () => Date;
  log: JobLogger;
  jobId: number;
}

/**
 * A kind of job: data (the payload) plus an idempotent handler that does one bounded batch per
 * `step` and commits its own progress, so a step cut short by a crash is simply done again.
 */
export interface JobHandler {
  kind: string;
  step(ctx: JobContext, payload: unknown): Promise<'more' | 'done'>;
  /** Called once when the job has failed for good, to mark its subject failed. */
  onFailed?(ctx: JobContext, payload: unknown, error: unknown): Promise<void>;
}

export interface JobRunnerOptions {
  db: Db;
  handlers: JobHandler[];
  now?: () => Date;
  log?: JobLogger;
  workerId?: string;
  /** Idle poll interval. */
  pollMs?: number;
  /**
   * How long a claimed job stays ours without a heartbeat; a crashed runner's job frees after it.
   * While a step runs, a heartbeat renews the lease every third of it, so a long step keeps its
   * job and a killed process frees its job within one lease (15 s by default).
   */
  leaseMs?: number;
  /** Recurring jobs this runner enqueues (once per slot across instances) while it polls. */
  schedules?: JobSchedule[];
  /** How often the schedules are checked. */
  scheduleCheckMs?: number;
  /**
   * This runner is the only one the database can have (PGlite: one process per data folder), so
   * a job left running when it starts was its dead predecessor's: `start` ends those leases at
   * once and resumes the jobs on its first poll, instead of after the lease (issue 16).
   */
  soleRunner?: boolean;
}

export interface JobRunner {
  readonly workerId: string;
  /** Polls and runs jobs in the background until `stop`. */
  start(): void;
  /** Finishes the step in flight, hands its job back to the queue, and stops polling. */
  stop(): Promise<void>;
  /**
   * Runs jobs in the foreground until none is runnable (tests, scripts). With `maxSteps`, stops
   * after that many steps; `abandon` then leaves the job claimed as a crashed process would.
   */
  runUntilIdle(opts?: { maxSteps?: number; abandon?: boolean }): Promise<{ steps: number }>;
}

/** A killed runner's job is resumed by another within this (plus one poll). */
export const DEFAULT_LEASE_MS = 15_000;

/**
 * Renews the lease of `job` every third of `leaseMs` until stopped. A renewal that fails (lease
 * lost, database busy) is logged; the step's own end-of-step renewal decides whether we keep going.
 */
function startHeartbeat(db: Db, jobId: number, workerId: string, leaseMs: number, log: JobLogger) {
  let inFlight: Promise<unknown> | null = null;
  const timer = setInterval(
    () => {
      if (inFlight) return;
      inFlight = renewLease(db, jobId, workerId, leaseMs)
        .catch((err: unknown) => log.error({ err, jobId }, 'job heartbeat failed'))
        .finally(() => (inFlight = null));
    },
    Math.max(50, Math.floor(leaseMs / 3)),
  );
  timer.unref?.();
  return async () => {
    clearInterval(timer);
    await inFlight;
  };
}

const silentLog: JobLogger = { info: () => {}, error: () => {} };

/**
 * The job runner (STYLE 9). One job at a time per runner: PGlite has one connection, so
 * parallel jobs would only queue behind each other; on PostgreSQL, more processes add runners.
 */
export function createJobRunner(opts: JobRunnerOptions): JobRunner {
  const workerId = opts.workerId ?? `${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
  const handlers = new Map(opts.handlers.map((h) => [h.kind, h]));
  const log = opts.log ?? silentLog;
  const now = opts.now ?? (() => new Date());
  const pollMs = opts.pollMs ?? 500;
  const leaseMs = opts.leaseMs ?? DEFAULT_LEASE_MS;
  let stopping = false;
  let loop: Promise<void> | null = null;
  let wake: (() => void) | null = null;

  const ctxFor = (job: ClaimedJob): JobContext => ({ db: opts.db, now, log, jobId: job.id });

  async function fail(job: ClaimedJob, handler: JobHandler | undefined, err: unknown, final: boolean) {
    const message = err instanceof Error ? err.message : String(err);
    log.error({ err, jobId: job.id, kind: job.kind, attempt: job.attempts + 1 }, 'job step failed');
    await failJob(opts.db, job.id, workerId, message, {
      final,
      retryInMs: Math.min(60_000, 1000 * 2 ** job.attempts),
    });
    if (final && handler?.onFailed) {
      try {
        await handler.onFailed(ctxFor(job), job.payload, err);
      } catch (e) {
        log.error({ err: e, jobId: job.id }, 'job onFailed hook failed');
      }
    }
  }

  /** Steps one claimed job until it is done, fails, is stopped, or `budget` runs out. */
  async function work(job: ClaimedJob, budget: { steps: number; max: number; abandon: boolean }) {
    const handler = handlers.get(job.kind);
    if (!handler) return fail(job, undefined, new Error(`No handler for job kind "${job.kind}"`), true);
    if (job.attempts >= job.maxAttempts)
      return fail(job, handler, new Error('The job was interrupted too many times'), true);
    for (;;) {
      if (stopping || budget.steps >= budget.max) {
        if (!budget.abandon) await releaseJob(opts.db, job.id, workerId);
        return;
      }
      let result: 'more' | 'done';
      const stopHeartbeat = startHeartbeat(opts.db, job.id, workerId, leaseMs, log);
      try {
        budget.steps++;
        result = await handler.step(ctxFor(job), job.payload);
      } catch (err) {
        await stopHeartbeat();
        return fail(job, handler, err, job.attempts + 1 >= job.maxAttempts);
      }
      await stopHeartbeat();
      // A step on PGlite can resolve entirely in microtasks (the database runs in this thread), so
      // timers, requests and log writes would wait for the whole job: let them in between steps.
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (result === 'done') {
        await completeJob(opts.db, job.id, workerId);
        log.info({ jobId: job.id, kind: job.kind }, 'job done');
        return;
      }
      if (!(await renewLease(opts.db, job.id, workerId, leaseMs))) {
        log.error({ jobId: job.id }, 'job lease lost to another runner; leaving it');
        return;
      }
    }
  }

  const schedules = opts.schedules ?? [];
  const scheduleCheckMs = opts.scheduleCheckMs ?? 5000;
  let lastScheduleCheck = 0;

  async function pollLoop() {
    if (opts.soleRunner) {
      try {
        const expired = await expireRunningLeases(opts.db);
        if (expired) log.info({ jobs: expired }, 'jobs left running by a stopped process resume now');
      } catch (err) {
        log.error({ err }, 'job runner: could not end the leases of a stopped process');
      }
    }
    while (!stopping) {
      try {
        if (schedules.length && Date.now() - lastScheduleCheck >= scheduleCheckMs) {
          lastScheduleCheck = Date.now();
          await enqueueDueSchedules(opts.db, schedules, now());
        }
        const job = await claimJob(opts.db, workerId, leaseMs);
        if (job) {
          await work(job, { steps: 0, max: Infinity, abandon: false });
          continue;
        }
      } catch (err) {
        log.error({ err }, 'job runner poll failed');
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pollMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = null;
    }
  }

  return {
    workerId,
    start() {
      if (loop) return;
      stopping = false;
      loop = pollLoop();
    },
    async stop() {
      stopping = true;
      wake?.();
      await loop;
      loop = null;
    },
    async runUntilIdle(o = {}) {
      const budget = { steps: 0, max: o.maxSteps ?? Infinity, abandon: o.abandon ?? false };
      while (budget.steps < budget.max) {
        const job = await claimJob(opts.db, workerId, leaseMs);
        if (!job) break;
        await work(job, budget);
      }
      return { steps: budget.steps };
    },
  };
}

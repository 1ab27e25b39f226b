import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestDatabase, testDatabaseKinds } from '../../../../test/databases.js';
import type { Database } from '../db/database.js';
import { DEFAULT_LEASE_MS, createJobRunner, enqueueJob, type JobHandler } from './index.js';

describe.each(testDatabaseKinds())('job runner on %s', (kind) => {
  let database: Database;
  /** Steps done per job id: the handler's "committed progress". */
  const progress = new Map<number, number>();
  const failures = new Map<number, number>();
  const failedForGood: number[] = [];

  const counter: JobHandler = {
    kind: 'test.count',
    async step(ctx, payload) {
      const { steps } = payload as { steps: number };
      const done = (progress.get(ctx.jobId) ?? 0) + 1;
      progress.set(ctx.jobId, done);
      return done >= steps ? 'done' : 'more';
    },
  };
  const flaky: JobHandler = {
    kind: 'test.flaky',
    async step(ctx, payload) {
      const { failTimes } = payload as { failTimes: number };
      const n = failures.get(ctx.jobId) ?? 0;
      if (n < failTimes) {
        failures.set(ctx.jobId, n + 1);
        throw new Error(`boom ${n + 1}`);
      }
      return 'done';
    },
    async onFailed(ctx) {
      failedForGood.push(ctx.jobId);
    },
  };
  const slowRuns = new Map<number, number>();
  const slow: JobHandler = {
    kind: 'test.slow',
    async step(ctx, payload) {
      slowRuns.set(ctx.jobId, (slowRuns.get(ctx.jobId) ?? 0) + 1);
      await new Promise((r) => setTimeout(r, (payload as { ms: number }).ms));
      return 'done';
    },
  };
  const handlers = [counter, flaky, slow];
  const statusOf = async (id: number) =>
    database.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const makeDue = () => sql`UPDATE jobs SET run_after = now() WHERE status = 'queued'`.execute(database.db);

  beforeAll(async () => {
    database = await createTestDatabase(kind);
  });
  afterAll(async () => database?.close());

  it('runs a job step by step to the end and marks it done', async () => {
    const id = await enqueueJob(database.db, { kind: 'test.count', payload: { steps: 4 } });
    const runner = createJobRunner({ db: database.db, handlers });
    expect(await runner.runUntilIdle()).toEqual({ steps: 4 });
    expect(progress.get(id)).toBe(4);
    const job = await statusOf(id);
    expect(job.status).toBe('done');
    expect(job.locked_by).toBeNull();
    expect(job.finished_at).not.toBeNull();
  });

  it('a graceful stop hands the job back, and another runner finishes it without redoing steps', async () => {
    const id = await enqueueJob(database.db, { kind: 'test.count', payload: { steps: 5 } });
    const a = createJobRunner({ db: database.db, handlers });
    await a.runUntilIdle({ maxSteps: 2 });
    expect((await statusOf(id)).status).toBe('queued');
    const b = createJobRunner({ db: database.db, handlers });
    expect((await b.runUntilIdle()).steps).toBe(3);
    expect(progress.get(id)).toBe(5);
    expect((await statusOf(id)).status).toBe('done');
  });

  it('a crashed runner keeps the job until its lease expires; then another takes it over', async () => {
    const id = await enqueueJob(database.db, { kind: 'test.count', payload: { steps: 3 } });
    const crashed = createJobRunner({ db: database.db, handlers, leaseMs: 300 });
    await crashed.runUntilIdle({ maxSteps: 1, abandon: true });
    const held = await statusOf(id);
    expect(held.status).toBe('running');
    expect(held.locked_by).toBe(crashed.workerId);
    const next = createJobRunner({ db: database.db, handlers });
    expect((await next.runUntilIdle()).steps).toBe(0);
    await new Promise((r) => setTimeout(r, 400));
    expect((await next.runUntilIdle()).steps).toBe(2);
    const job = await statusOf(id);
    expect(job.status).toBe('done');
    expect(job.attempts).toBe(1);
  });

  it('a step longer than the lease keeps its job through the heartbeat; nobody else takes it meanwhile', async () => {
    const id = await enqueueJob(database.db, { kind: 'test.slow', payload: { ms: 900 } });
    const a = createJobRunner({ db: database.db, handlers, leaseMs: 300 });
    const b = createJobRunner({ db: database.db, handlers, leaseMs: 300 });
    const running = a.runUntilIdle();
    await new Promise((r) => setTimeout(r, 500));
    // Past the lease: without the heartbeat, b would take the job over here.
    expect((await b.runUntilIdle()).steps).toBe(0);
    await running;
    const job = await statusOf(id);
    expect(job.status).toBe('done');
    expect(job.attempts).toBe(0);
    expect(slowRuns.get(id)).toBe(1);
  });

  it("the default lease frees a killed runner's job within 15 s", () => {
    expect(DEFAULT_LEASE_MS).toBeLessThanOrEqual(15_000);
  });

  it('retries a failing step with backoff, then fails for good and tells the handler', async () => {
    const ok = await enqueueJob(database.db, { kind: 'test.flaky', payload: { failTimes: 1 } });
    const bad = await enqueueJob(database.db, {
      kind: 'test.flaky',
      payload: { failTimes: 9 },
      maxAttempts: 2,
    });
    const runner = createJobRunner({ db: database.db, handlers });
    await runner.runUntilIdle();
    const retried = await statusOf(ok);
    expect(retried.status).toBe('queued');
    expect(retried.last_error).toBe('boom 1');
    expect(retried.run_after.getTime()).toBeGreaterThan(Date.now());
    await makeDue();
    await runner.runUntilIdle();
    expect((await statusOf(ok)).status).toBe('done');
    expect((await statusOf(bad)).status).toBe('failed');
    expect((await statusOf(bad)).attempts).toBe(2);
    expect(failedForGood).toEqual([bad]);
  });

  it('fails a job of an unknown kind at once', async () => {
    const id = await enqueueJob(database.db, { kind: 'test.nobody', payload: {} });
    await createJobRunner({ db: database.db, handlers }).runUntilIdle();
    const job = await statusOf(id);
    expect(job.status).toBe('failed');
    expect(job.last_error).toContain('No handler');
  });

  it('two runners never hold the same job (FOR UPDATE SKIP LOCKED)', async () => {
    const ids = [
      await enqueueJob(database.db, { kind: 'test.count', payload: { steps: 1 } }),
      await enqueueJob(database.db, { kind: 'test.count', payload: { steps: 1 } }),
    ];
    const a = createJobRunner({ db: database.db, handlers });
    const b = createJobRunner({ db: database.db, handlers });
    await Promise.all([a.runUntilIdle(), b.runUntilIdle()]);
    for (const id of ids) expect(progress.get(id)).toBe(1);
  });

  it('polls in the background once started, and stops cleanly', async () => {
    const runner = createJobRunner({ db: database.db, handlers, pollMs: 20 });
    runner.start();
    const id = await enqueueJob(database.db, { kind: 'test.count', payload: { steps: 2 } });
    for (let i = 0; i < 200 && (await statusOf(id)).status !== 'done'; i++)
      await new Promise((r) => setTimeout(r, 20));
    await runner.stop();
    expect((await statusOf(id)).status).toBe('done');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminLogin, createTestApp, expectError, type Client, type TestApp } from '../../../../test/app.js';
import { testDatabaseKinds } from '../../../../test/databases.js';
import { makeReseller, ok } from '../../../../test/connectivity.js';
import {
  createJobRunner,
  currentSlot,
  enqueueDueSchedules,
  enqueueJob,
  parseCron,
} from '../../platform/jobs/index.js';
import { createSmtpTransport, NO_MAIL } from '../../platform/mail/index.js';
import { systemActor } from '../../platform/context.js';
import { startTestSmtp } from '../../../../test/smtp.js';
import { deliverDueMails } from '../notifications/index.js';
import { jobHandlers, jobSchedules } from '../../job-handlers.js';

describe('schedules (pure)', () => {
  it('slots of an interval and of a cron expression', () => {
    const now = new Date('2026-12-03T10:07:31Z');
    expect(currentSlot({ name: 'a', kind: 'k', everySeconds: 15 }, now)?.toISOString()).toBe(
      '2026-12-03T10:07:30.000Z',
    );
    expect(currentSlot({ name: 'b', kind: 'k', expression: '*/5 * * * *' }, now)?.toISOString()).toBe(
      '2026-12-03T10:05:00.000Z',
    );
    // 09:30 on weekdays: Thursday 10:07 -> today 09:30; Monday 07:00 -> the Friday before.
    const wk = { name: 'c', kind: 'k', expression: '30 9 * * 1-5' };
    expect(currentSlot(wk, now)?.toISOString()).toBe('2026-12-03T09:30:00.000Z');
    expect(currentSlot(wk, new Date('2026-12-07T07:00:00Z'))?.toISOString()).toBe('2026-12-04T09:30:00.000Z');
    // Month end: the 1st at 00:00.
    expect(
      currentSlot(
        { name: 'd', kind: 'k', expression: '0 0 1 * *' },
        new Date('2027-01-01T00:00:00Z'),
      )?.toISOString(),
    ).toBe('2027-01-01T00:00:00.000Z');
    expect(() => parseCron('61 * * * *')).toThrow();
    expect(() => parseCron('* * *')).toThrow();
  });
});

describe.each(testDatabaseKinds())('jobs: schedules, the Jobs page, failed-job alerts on %s', (kind) => {
  let t: TestApp;
  let admin: Client;
  beforeAll(async () => {
    t = await createTestApp(kind);
    admin = await adminLogin(t.app);
  });
  afterAll(async () => t?.close());

  it('two instances ticking at once enqueue one job per schedule slot', async () => {
    const db = t.database.db;
    const schedules = jobSchedules();
    const tick = (iso: string) =>
      Promise.all([
        enqueueDueSchedules(db, schedules, new Date(iso)),
        enqueueDueSchedules(db, schedules, new Date(iso)),
      ]).then(([a, b]) => a + b);
    // The two 15-second schedules, the sweep, and the hourly CDR partitions job (slot 09:07).
    expect(await tick('2026-12-03T10:00:01Z')).toBe(4);
    expect(await tick('2026-12-03T10:00:14Z')).toBe(0);
    expect(await tick('2026-12-03T10:00:15Z')).toBe(2); // the two 15-second schedules, not the sweep
    expect(await tick('2026-12-03T10:05:00Z')).toBe(3);
    const jobs = await db
      .selectFrom('jobs')
      .select(['kind', 'dedupe_key'])
      .where('dedupe_key', 'like', 'schedule:%')
      .execute();
    expect(jobs.filter((j) => j.kind === 'low-balance.sweep').map((j) => j.dedupe_key)).toEqual([
      'schedule:low-balance-sweep:2026-12-03T10:00:00.000Z',
      'schedule:low-balance-sweep:2026-12-03T10:05:00.000Z',
    ]);
    expect(jobs.filter((j) => j.kind === 'cdrs.partitions').map((j) => j.dedupe_key)).toEqual([
      'schedule:cdr-partitions:2026-12-03T09:07:00.000Z',
    ]);
    // The scheduled jobs run (nothing to do on an empty database).
    const runner = createJobRunner({ db, handlers: jobHandlers() });
    await runner.runUntilIdle();
    const left = await db.selectFrom('jobs').select('status').where('status', '<>', 'done').execute();
    expect(left).toEqual([]);
  });

  it('a notification job failing for good mails the operator and shows on the Jobs page with its error; retry requeues it', async () => {
    const db = t.database.db;
    const id = await enqueueJob(db, {
      kind: 'low-balance.sweep',
      payload: { afterId: 'not a number' },
      maxAttempts: 1,
    });
    const mail = { ...NO_MAIL, operatorAlertEmail: 'ops@carrier.example' };
    await createJobRunner({ db, handlers: jobHandlers({ mail }) }).runUntilIdle();
    const page = await ok(admin.get('/api/v1/jobs?status=failed'));
    const job = page.data.find((j: any) => j.id === id);
    expect(job).toMatchObject({ kind: 'low-balance.sweep', status: 'failed', attempts: 1 });
    expect(job.lastError).toBeTruthy();
    const alert = await db
      .selectFrom('mails')
      .selectAll()
      .where('dedupe_key', '=', `operator_alert:job:${id}`)
      .executeTakeFirstOrThrow();
    expect(alert).toMatchObject({
      kind: 'operator_alert',
      status: 'queued',
      to_addresses: ['ops@carrier.example'],
      account_id: null,
    });
    expect(alert.subject).toBe(`Tollgate: notification job low-balance.sweep #${id} failed`);
    // The alert really leaves: a real SMTP conversation delivers it to the operator address.
    const smtp = await startTestSmtp();
    const transport = createSmtpTransport(smtp.url);
    try {
      await deliverDueMails(
        { actor: systemActor, db, now: () => new Date(Date.now() + 1000) },
        { ...mail, transport, from: 'tollgate@carrier.example' },
        { workerId: 'jobs-test' },
      );
      const got = smtp.received.find((m) => m.to.includes('ops@carrier.example'));
      expect(got?.header('Subject')).toBe(`Tollgate: notification job low-balance.sweep #${id} failed`);
      expect(got?.decoded).toContain(`Job ${id} failed for good`);
    } finally {
      transport.close();
      await smtp.close();
    }
    const metrics = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toContain('tollgate_jobs{kind="low-balance.sweep",status="failed"} 1');
    expect(await ok(admin.post(`/api/v1/jobs/${id}/retry`))).toMatchObject({ status: 'queued', attempts: 0 });
    expectError(await admin.post(`/api/v1/jobs/${id}/retry`), 409, 'JOB_NOT_FAILED');
    expectError(await admin.post('/api/v1/jobs/999999999/retry'), 404, 'JOB_NOT_FOUND');
    expectError(await admin.get('/api/v1/jobs?limit=501'), 400, 'VALIDATION_FAILED');
    const r = await makeReseller(t, admin);
    expectError(await r.client.get('/api/v1/jobs'), 403, 'FORBIDDEN');
    await db.updateTable('jobs').set({ status: 'done' }).where('id', '=', id).execute();
  });
});

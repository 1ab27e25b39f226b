import crypto from 'node:crypto';
import type { JobContext, JobHandler } from '../../platform/jobs/index.js';
import { systemActor, type Ctx } from '../../platform/context.js';
import type { MailSettings } from '../../platform/mail/index.js';
import { deliverDueMails } from './mail-delivery.js';
import { consumeOutbox } from './outbox-consumer.js';
import { evaluateLedgerChanges, sweepLowBalance } from './low-balance.service.js';
import { queueOperatorMail } from './mail-compose.js';

const BATCH = 20;

const ctxOf = (j: JobContext): Ctx => ({ actor: systemActor, db: j.db, now: j.now });

/** Failed notification jobs, by kind, since start (exposed as a metric). */
export const failedNotificationJobs = new Map<string, number>();

/** A notification job that failed for good alerts the operator (IvozProvider #1472): never silent. */
function alertOperator(mail: MailSettings, kind: string) {
  return async (j: JobContext, _payload: unknown, error: unknown) => {
    failedNotificationJobs.set(kind, (failedNotificationJobs.get(kind) ?? 0) + 1);
    await queueOperatorMail(ctxOf(j), mail, {
      kind: 'operator_alert',
      subject: `Tollgate: notification job ${kind} #${j.jobId} failed`,
      text: `Job ${j.jobId} failed for good at ${j.now().toISOString()}:\n\n${error instanceof Error ? error.message : String(error)}`,
      dedupeKey: `operator_alert:job:${j.jobId}`,
    });
  };
}

/**
 * The notification jobs: mail delivery, the outbox consumer (payments, trunk updates, welcome
 * letters, and the low-balance evaluation after ledger entries) and the 5-minute low-balance sweep.
 */
export function notificationJobHandlers(mail: MailSettings): JobHandler[] {
  const workerId = `mail-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
  return [
    {
      kind: 'mail.deliver',
      async step(j) {
        const r = await deliverDueMails(ctxOf(j), mail, { workerId, batch: BATCH });
        return r.claimed === BATCH ? 'more' : 'done';
      },
      onFailed: alertOperator(mail, 'mail.deliver'),
    },
    {
      kind: 'notifications.outbox',
      async step(j) {
        const r = await consumeOutbox(ctxOf(j), mail);
        const l = await evaluateLedgerChanges(ctxOf(j), mail);
        return r.more || l.entries === 500 ? 'more' : 'done';
      },
      onFailed: alertOperator(mail, 'notifications.outbox'),
    },
    {
      kind: 'low-balance.sweep',
      async step(j, payload) {
        const p = (payload ?? {}) as { afterId?: number };
        const r = await sweepLowBalance(ctxOf(j), mail, { afterId: p.afterId ?? 0 });
        if (r.lastId === null) return 'done';
        // Progress is the payload's cursor: the next step continues after the last id.
        p.afterId = r.lastId;
        return 'more';
      },
      onFailed: alertOperator(mail, 'low-balance.sweep'),
    },
  ];
}

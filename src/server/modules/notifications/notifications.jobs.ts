import crypto from 'node:crypto';
import type { JobHandler } from '../../platform/jobs/index.js';
import { systemActor } from '../../platform/context.js';
import type { MailSettings } from '../../platform/mail/index.js';
import { deliverDueMails } from './mail-delivery.js';

const BATCH = 20;

/** The notification jobs: mail delivery (more to come: outbox consumer, low-balance sweep). */
export function notificationJobHandlers(mail: MailSettings): JobHandler[] {
  const workerId = `mail-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
  return [
    {
      kind: 'mail.deliver',
      async step(ctx) {
        const r = await deliverDueMails({ actor: systemActor, db: ctx.db, now: ctx.now }, mail, {
          workerId,
          batch: BATCH,
        });
        return r.claimed === BATCH ? 'more' : 'done';
      },
    },
  ];
}

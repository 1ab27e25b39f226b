import type { JobHandler, JobSchedule } from './platform/jobs/index.js';
import { cdrJobHandlers } from './modules/cdrs/index.js';
import { importJobHandlers } from './modules/imports/index.js';
import { massCreateJobHandlers } from './modules/mass-create/index.js';
import { notificationJobHandlers } from './modules/notifications/index.js';
import { NO_MAIL, type MailSettings } from './platform/mail/index.js';

/** Every module's background job handlers, wired in one place (as app.ts does for routes). */
export function jobHandlers(
  deps: {
    mail?: MailSettings;
    /** On PostgreSQL: how many independent chunks a customer import writes at once (issue 16). */
    importChunksAtOnce?: number;
  } = {},
): JobHandler[] {
  return [
    ...importJobHandlers({ chunksAtOnce: deps.importChunksAtOnce }),
    ...massCreateJobHandlers(),
    ...notificationJobHandlers(deps.mail ?? NO_MAIL),
    ...cdrJobHandlers(),
  ];
}

/** Recurring jobs, enqueued once per slot across instances by every runner. */
export function jobSchedules(): JobSchedule[] {
  return [
    { name: 'mail-delivery', kind: 'mail.deliver', everySeconds: 15 },
    { name: 'notification-events', kind: 'notifications.outbox', everySeconds: 15 },
    // DOMAIN 3.15: the low-balance state machine is also evaluated every 5 minutes.
    { name: 'low-balance-sweep', kind: 'low-balance.sweep', expression: '*/5 * * * *' },
    // Issue 13: CDR month partitions created ahead (and odd dates moved out of DEFAULT), retention.
    { name: 'cdr-partitions', kind: 'cdrs.partitions', expression: '7 * * * *' },
  ];
}

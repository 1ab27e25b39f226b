import type { JobHandler } from './platform/jobs/index.js';
import { importJobHandlers } from './modules/imports/index.js';
import { massCreateJobHandlers } from './modules/mass-create/index.js';
import { notificationJobHandlers } from './modules/notifications/index.js';
import { NO_MAIL, type MailSettings } from './platform/mail/index.js';

/** Every module's background job handlers, wired in one place (as app.ts does for routes). */
export function jobHandlers(deps: { mail?: MailSettings } = {}): JobHandler[] {
  return [
    ...importJobHandlers(),
    ...massCreateJobHandlers(),
    ...notificationJobHandlers(deps.mail ?? NO_MAIL),
  ];
}

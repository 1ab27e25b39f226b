export { notificationJobHandlers } from './notifications.jobs.js';
export { deliverDueMails, NO_SMTP_REASON } from './mail-delivery.js';
export { mailTemplateRoutes } from './templates.routes.js';
export { notificationRoutes } from './notifications.routes.js';
export { consumeOutbox, WELCOME_TOPIC } from './outbox-consumer.js';
export { evaluateAccount, evaluateLedgerChanges, sweepLowBalance } from './low-balance.service.js';
export { recordSignIn, SIGN_IN_TOPIC } from './sign-in.js';
export { notificationAccountHooks } from './notifications.account-hooks.js';
export { NotificationSettingsBody, type NotificationSettingsInput } from './settings.schemas.js';

export { notificationJobHandlers } from './notifications.jobs.js';
export { deliverDueMails, NO_SMTP_REASON } from './mail-delivery.js';
export { mailTemplateRoutes } from './templates.routes.js';

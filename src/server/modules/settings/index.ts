export { settingsRoutes } from './settings.routes.js';
export { cdrRetentionMonths } from './settings.service.js';

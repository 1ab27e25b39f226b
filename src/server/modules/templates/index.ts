export { templateRoutes } from './templates.routes.js';
export * as templatesService from './templates.service.js';
export { TEMPLATE_FIELDS } from './templates.schemas.js';

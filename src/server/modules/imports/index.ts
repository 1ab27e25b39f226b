export { importRoutes } from './imports.routes.js';
export { importJobHandlers } from './imports.jobs.js';
export * as importsService from './imports.service.js';

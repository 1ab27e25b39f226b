export { importRoutes } from './imports.routes.js';
export { importJobHandlers, IMPORT_CHUNKS_AT_ONCE } from './imports.jobs.js';
export * as importsService from './imports.service.js';

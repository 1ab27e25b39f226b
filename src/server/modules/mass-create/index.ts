export { massCreateRoutes } from './mass-create.routes.js';
export { massCreateJobHandlers, PREPARE_BATCH } from './mass-create.jobs.js';
export * as massCreateService from './mass-create.service.js';

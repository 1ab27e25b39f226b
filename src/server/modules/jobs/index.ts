export { jobRoutes } from './jobs.routes.js';
export { jobMetrics } from './jobs.service.js';

export { cdrRoutes } from './cdrs.routes.js';
export { postCdrs } from './cdrs.service.js';
export { cdrJobHandlers } from './cdrs.partitions.service.js';

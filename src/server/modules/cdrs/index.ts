export { cdrRoutes } from './cdrs.routes.js';
export { postCdrs } from './cdrs.service.js';

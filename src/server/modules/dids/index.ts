export { didRoutes } from './dids.routes.js';
export * as didsService from './dids.service.js';

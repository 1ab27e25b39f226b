export { didRoutes } from './dids.routes.js';
export * as didsService from './dids.service.js';
export { didAccountHooks } from './dids.account-hooks.js';

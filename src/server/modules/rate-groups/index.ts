export { rateGroupRoutes } from './rate-groups.routes.js';
export * as rateGroupsService from './rate-groups.service.js';

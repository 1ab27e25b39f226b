export { rateGroupRoutes } from './rate-groups.routes.js';
export * as rateGroupsService from './rate-groups.service.js';
export { rateGroupAccountHooks } from './rate-groups.account-hooks.js';
export { rateOverrideRoutes } from './rate-overrides.routes.js';
export * as rateOverridesService from './rate-overrides.service.js';

export { trunkRoutes } from './trunks.routes.js';
export * as trunksService from './trunks.service.js';
export { parseCidr } from './cidr.js';
export { trunkAccountHooks } from './trunks.account-hooks.js';

export { trunkRoutes } from './trunks.routes.js';
export * as trunksService from './trunks.service.js';
export { parseCidr } from './cidr.js';

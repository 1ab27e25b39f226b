export { callerIdRoutes } from './caller-ids.routes.js';
export * as callerIdsService from './caller-ids.service.js';
export { callerIdAccountHooks } from './caller-ids.account-hooks.js';

export { blockedCodeRoutes } from './blocked-codes.routes.js';
export * as blockedCodesService from './blocked-codes.service.js';
export { findBlockingCode } from './blocked-codes.service.js';
export { blockedCodeAccountHooks } from './blocked-codes.account-hooks.js';

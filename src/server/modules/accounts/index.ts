export { accountRoutes } from './accounts.routes.js';
export * as accountsService from './accounts.service.js';
export { findAccount, kindPredicate, scopeAccounts } from './accounts.repository.js';
export { accountNotFound } from './accounts.errors.js';
export type { AccountDto, AccountKind } from './accounts.schemas.js';

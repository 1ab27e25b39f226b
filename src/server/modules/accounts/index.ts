export { accountRoutes } from './accounts.routes.js';
export * as accountsService from './accounts.service.js';
export { kindPredicate } from './accounts.repository.js';
export { belowLowBalanceThreshold } from './low-balance-filter.js';
export { accountNotFound } from './accounts.errors.js';
export { findAccount, findAccountsByIds, scopeAccounts } from './accounts.repository.js';
export { toAccountDto } from './accounts.mapper.js';
export type { AccountDto, AccountKind, CreateAccountInput, PatchAccountInput } from './accounts.schemas.js';
export { CreateAccountBody, PatchAccountBody, Account as AccountSchema } from './accounts.schemas.js';
export {
  insertAccountsBulk,
  takenLogins,
  takenNames,
  takenNumbers,
  takenPins,
  type NewBulkAccount,
} from './accounts.bulk.js';
export type { AccountOwner } from './accounts.service.js';
export { requireAccount, type AccountRow } from './require-account.js';
export { ListAccountsQuery, MinProfitability } from './accounts.schemas.js';
export { applyListFilter, type ListFilter } from './accounts.repository.js';

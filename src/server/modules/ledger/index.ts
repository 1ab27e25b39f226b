export { ledgerRoutes, ledgerAdminRoutes } from './ledger.routes.js';
export {
  accountHasLedgerEntries,
  postInitialBalancesBulk,
  postOpeningBalances,
  reconcileLedger,
  type PostingHooks,
  type CallChargeInput,
  type CallPayableInput,
  type PostingResult,
} from './ledger.service.js';
export * as ledgerService from './ledger.service.js';
export type { LedgerEntryDto } from './ledger.schemas.js';
export { ledgerAccountHooks } from './ledger.account-hooks.js';

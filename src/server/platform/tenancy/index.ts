export {
  accountScope,
  ownedScope,
  subtreeRangeOf,
  type AccountScopeOptions,
  type SubtreeRange,
} from './scope.js';
export {
  accountNotFound,
  ownerOf,
  resolveOwner,
  resolveOwnerId,
  resellerNotFound,
  type OwnerRef,
} from './owner.js';
export { MANAGER_ROLES, isManager, isOperator, requireManager, requireOperator } from './guards.js';
export { OwnerFilter, ownerIs, type OwnerFilterValue } from './owner-filter.js';
export { reachAccount, type ReachedAccount } from './reach.js';

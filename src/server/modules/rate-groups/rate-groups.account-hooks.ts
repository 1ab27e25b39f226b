import type { AccountLifecycleHooks } from '../../platform/account-lifecycle.js';
import { softDeleteRowsOfAccounts } from '../../platform/db/soft-delete.js';
import { AppError, type ErrorCode } from '../../platform/errors.js';
import { isOperator } from '../../platform/tenancy/index.js';
import { findRateGroupForReference } from './rate-groups.repository.js';

const refError = (code: ErrorCode, field: string, message: string) =>
  new AppError(code, message, { field }, true);

/**
 * The rate groups an account points at (DOMAIN 3.2) must exist, belong to the same owner as the
 * account, be active and be in the account's currency. Only the references given are checked.
 */
export const rateGroupAccountHooks: AccountLifecycleHooks = {
  /** A deleted customer's rate overrides go with it. */
  async deleted(ctx, ids, now) {
    return {
      customer_rate_overrides: await softDeleteRowsOfAccounts(ctx.db, 'customer_rate_overrides', ids, now),
    };
  },
  async checkReferences(ctx, refs) {
    const isAdmin = isOperator(ctx.actor);
    for (const field of ['rateGroupId', 'nonCliRateGroupId'] as const) {
      const id = refs[field];
      if (id === undefined || id === null) continue;
      const g = await findRateGroupForReference(ctx.db, id);
      const sameOwner = g && (g.owner_id ?? null) === refs.ownerId;
      if (!g || (!sameOwner && !isAdmin))
        throw refError('RATE_GROUP_NOT_FOUND', field, 'Rate group not found.');
      if (!sameOwner)
        throw refError(
          'RATE_GROUP_OWNER_MISMATCH',
          field,
          'The rate group belongs to another owner than the account.',
        );
      if (g.status !== 'active') throw refError('RATE_GROUP_INACTIVE', field, 'The rate group is inactive.');
      if (refs.currency !== null && g.currency !== refs.currency)
        throw refError(
          'RATE_GROUP_CURRENCY_MISMATCH',
          field,
          `The rate group is in ${g.currency}; the account is in ${refs.currency}.`,
        );
    }
  },
};

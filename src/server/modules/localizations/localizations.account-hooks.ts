import type { AccountLifecycleHooks } from '../../platform/account-lifecycle.js';
import { AppError } from '../../platform/errors.js';
import { isOperator } from '../../platform/tenancy/index.js';
import { findProfileForReference } from './localizations.repository.js';

/** The localization profile an account points at must exist and belong to the account's owner. */
export const localizationAccountHooks: AccountLifecycleHooks = {
  async checkReferences(ctx, refs) {
    const id = refs.localizationId;
    if (id === undefined || id === null) return;
    const p = await findProfileForReference(ctx.db, id);
    const sameOwner = p && (p.owner_id ?? null) === refs.ownerId;
    if (!p || (!sameOwner && !isOperator(ctx.actor)))
      throw new AppError(
        'LOCALIZATION_NOT_FOUND',
        'Localization profile not found.',
        {
          field: 'localizationId',
        },
        true,
      );
    if (!sameOwner)
      throw new AppError(
        'LOCALIZATION_OWNER_MISMATCH',
        'The localization profile belongs to another owner than the account.',
        { field: 'localizationId' },
      );
  },
};

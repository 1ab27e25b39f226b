import type { Ctx } from '../../platform/context.js';
import { inTransaction } from '../../platform/db/transaction.js';
import type { Executor } from '../../platform/db/database.js';
import { requireOperator } from '../../platform/tenancy/index.js';
import { recordUpdate } from '../audit/index.js';
import * as repo from './settings.repository.js';
import type { SystemSettingsDto, SystemSettingsInput } from './settings.schemas.js';

/*
 * System-wide settings an admin edits (STYLE 10): one row. Operator staff only, audited.
 */

const toDto = (r: repo.SystemSettingsRow): SystemSettingsDto => ({
  cdrRetentionMonths: r.cdr_retention_months,
  updatedAt: r.updated_at.toISOString(),
});

const message = 'Only an operator admin may read or change the system settings.';

/** GET /settings. */
export async function getSystemSettings(ctx: Ctx): Promise<SystemSettingsDto> {
  requireOperator(ctx, message);
  return toDto(await repo.findSystemSettings(ctx.db));
}

/** PATCH /settings: the fields given, audited as one change. */
export async function updateSystemSettings(ctx: Ctx, input: SystemSettingsInput): Promise<SystemSettingsDto> {
  requireOperator(ctx, message);
  return inTransaction(ctx, async (tx) => {
    const before = await repo.lockSystemSettings(tx.db);
    const after = await repo.saveSystemSettings(
      tx.db,
      {
        cdr_retention_months:
          input.cdrRetentionMonths === undefined ? before.cdr_retention_months : input.cdrRetentionMonths,
      },
      tx.now(),
    );
    await recordUpdate(tx, {
      action: 'system_settings.update',
      entityType: 'system_settings',
      entityId: null,
      accountId: null,
      before: { cdrRetentionMonths: before.cdr_retention_months },
      after: { cdrRetentionMonths: after.cdr_retention_months },
    });
    return toDto(after);
  });
}

/** How many whole months raw CDRs are kept (null = forever): for the CDR intake and its jobs. */
export async function cdrRetentionMonths(db: Executor): Promise<number | null> {
  return (await repo.findSystemSettings(db)).cdr_retention_months;
}

import type { Ctx } from '../../platform/context.js';
import { inTransaction } from '../../platform/db/transaction.js';
import { notFound } from '../../platform/errors.js';
import { recordAudit } from '../audit/index.js';
import { iso } from '../../platform/http/schemas.js';
import { requireAccount } from '../accounts/index.js';
import { requireManager } from '../../platform/tenancy/index.js';
import * as repo from './speed-dials.repository.js';
import type { SpeedDialDto } from './speed-dials.schemas.js';

/* Speed dial (DOMAIN 3.10, 4 step 3): keys 0-9 of a customer's SIP devices mapped to full numbers. */

const toDto = (r: repo.DialRow): SpeedDialDto => ({
  id: r.id,
  customerId: r.account_id,
  key: r.key,
  number: r.number,
  updatedAt: iso(r.updated_at)!,
});

/** The speed-dial key is not set for this customer. */
export const speedDialNotFound = () => notFound('SPEED_DIAL_NOT_FOUND', 'This speed-dial key is not set.');

export async function listSpeedDials(ctx: Ctx, customerId: number): Promise<SpeedDialDto[]> {
  requireManager(ctx);
  const a = await requireAccount(ctx, customerId);
  return (await repo.listDials(ctx.db, a.id)).map(toDto);
}

/** Sets (or changes) the number behind one key. */
export async function setSpeedDial(
  ctx: Ctx,
  customerId: number,
  key: number,
  number: string,
): Promise<SpeedDialDto> {
  requireManager(ctx);
  return inTransaction(ctx, async (tx) => {
    const a = await requireAccount(tx, customerId, { customer: true, forUpdate: true });
    const before = await repo.findDial(tx.db, a.id, key);
    const row = await repo.upsertDial(tx.db, a.id, key, number, tx.now());
    if (before?.number !== number)
      await recordAudit(tx, {
        action: 'speed_dial.set',
        entityType: 'speed_dial',
        entityId: row.id,
        accountId: a.id,
        before: before ? { key, number: before.number } : null,
        after: { key, number },
      });
    return toDto(row);
  });
}

export async function clearSpeedDial(ctx: Ctx, customerId: number, key: number): Promise<void> {
  requireManager(ctx);
  await inTransaction(ctx, async (tx) => {
    const a = await requireAccount(tx, customerId);
    const row = await repo.findDial(tx.db, a.id, key);
    if (!row) throw speedDialNotFound();
    await repo.softDeleteDial(tx.db, row.id, tx.now());
    await recordAudit(tx, {
      action: 'speed_dial.clear',
      entityType: 'speed_dial',
      entityId: row.id,
      accountId: a.id,
      before: { key, number: row.number },
    });
  });
}

/** DOMAIN 4 step 3: a single-digit destination with an entry becomes the stored number. */
export function expandSpeedDial(
  dials: readonly { key: number; number: string }[],
  destination: string,
): string {
  if (!/^[0-9]$/.test(destination)) return destination;
  return dials.find((d) => d.key === Number(destination))?.number ?? destination;
}

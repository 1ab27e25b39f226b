import { systemActor, type Ctx } from '../../platform/context.js';
import { inTransaction } from '../../platform/db/transaction.js';
import { forbidden, isUniqueViolation } from '../../platform/errors.js';
import { formatMoney } from '../../platform/money.js';
import { recordAudit, recordUpdate } from '../audit/index.js';
import { idPage } from '../../platform/cursor-keys.js';
import { iso } from '../../platform/http/schemas.js';
import { requireAccount } from '../accounts/index.js';
import { requireManager, resolveOwnerId } from '../../platform/tenancy/index.js';
import { didAlreadyAssigned, didNotFound, didPoolMismatch, didTaken } from './dids.errors.js';
import * as repo from './dids.repository.js';
import type { CreateDidInput, DidDto, ListDidsQuery, PatchDidInput } from './dids.schemas.js';

/*
 * DIDs (DOMAIN 3.10): an inventory of inbound numbers in pools (the operator's, or a reseller's),
 * assigned to and released from customers of the pool's owner. A DID is also a legitimate CLI for
 * its customer (CLI pool). The delete cascade returns a customer's DIDs to the pool.
 */

export const toDidDto = (r: repo.DidRow): DidDto => ({
  id: r.id,
  number: r.number,
  resellerId: r.owner_id,
  customerId: r.account_id,
  customerName: r.account_id === null ? null : (r.customer_name ?? null),
  status: r.status,
  description: r.description,
  monthlyFee: formatMoney(r.monthly_fee),
  assignedAt: iso(r.assigned_at),
  createdAt: iso(r.created_at)!,
  updatedAt: iso(r.updated_at)!,
});

async function requireDid(ctx: Ctx, id: number, forUpdate = false) {
  const d = await repo.findDid(ctx.db, ctx.actor, id, forUpdate);
  if (!d) throw didNotFound();
  return d;
}

/** The pool a DID is put in: a reseller's own (or a sub-reseller's); an admin may name any. */
async function resolvePool(ctx: Ctx, resellerId: number | null | undefined): Promise<number | null> {
  if (resellerId === null && ctx.actor.kind === 'reseller')
    throw forbidden('A reseller cannot move DIDs to the operator pool.');
  return resolveOwnerId(ctx, resellerId);
}

/** Adds a number to the inventory (the actor's pool, or the named reseller's). */
export async function createDid(ctx: Ctx, input: CreateDidInput): Promise<DidDto> {
  requireManager(ctx);
  try {
    return await inTransaction(ctx, async (tx) => {
      const ownerId = await resolvePool(tx, input.resellerId);
      const id = await repo.insertDid(tx.db, {
        number: input.number,
        ownerId,
        description: input.description ?? null,
        monthlyFee: input.monthlyFee ?? '0',
        status: input.status ?? 'active',
      });
      const dto = toDidDto((await repo.findDid(tx.db, tx.actor, id))!);
      await recordAudit(tx, {
        action: 'did.create',
        entityType: 'did',
        entityId: id,
        accountId: ownerId,
        after: dto,
      });
      return dto;
    });
  } catch (err) {
    if (isUniqueViolation(err, 'dids_number_key')) throw didTaken();
    throw err;
  }
}

export async function getDid(ctx: Ctx, id: number): Promise<DidDto> {
  requireManager(ctx);
  return toDidDto(await requireDid(ctx, id));
}

export async function listDids(ctx: Ctx, q: ListDidsQuery) {
  requireManager(ctx);
  const { rows, nextCursor } = await idPage(q, (page) => repo.listDidsPage(ctx.db, ctx.actor, q, page));
  return { data: rows.map(toDidDto), nextCursor };
}

export async function listDidsOfCustomer(ctx: Ctx, customerId: number): Promise<DidDto[]> {
  requireManager(ctx);
  const a = await requireAccount(ctx, customerId);
  return (await repo.listDidsOfAccount(ctx.db, a.id)).map(toDidDto);
}

export async function updateDid(ctx: Ctx, id: number, patch: PatchDidInput): Promise<DidDto> {
  requireManager(ctx);
  return inTransaction(ctx, async (tx) => {
    const row = await requireDid(tx, id, true);
    const set: Parameters<typeof repo.updateDid>[2] = {};
    if (patch.resellerId !== undefined) {
      if (row.account_id !== null) throw didAlreadyAssigned();
      set.owner_id = await resolvePool(tx, patch.resellerId);
    }
    if (patch.description !== undefined) set.description = patch.description;
    if (patch.monthlyFee !== undefined) set.monthly_fee = patch.monthlyFee;
    if (patch.status !== undefined) set.status = patch.status;
    await repo.updateDid(tx.db, id, set, tx.now());
    const after = toDidDto(
      (await repo.findDid(tx.db, tx.actor, id)) ?? (await repo.findDid(tx.db, systemActor, id))!,
    );
    await recordUpdate(tx, {
      action: 'did.update',
      entityType: 'did',
      entityId: id,
      accountId: row.account_id,
      before: toDidDto(row),
      after,
    });
    return after;
  });
}

/** Assigns a pool DID to a customer of the pool's owner. */
export async function assignDid(ctx: Ctx, id: number, customerId: number): Promise<DidDto> {
  requireManager(ctx);
  return inTransaction(ctx, async (tx) => {
    const row = await requireDid(tx, id, true);
    if (row.account_id !== null) throw didAlreadyAssigned();
    const customer = await requireAccount(tx, customerId, { customer: true });
    if ((customer.parent_id ?? null) !== (row.owner_id ?? null)) throw didPoolMismatch();
    await repo.updateDid(tx.db, id, { account_id: customer.id, assigned_at: tx.now() }, tx.now());
    const dto = toDidDto((await repo.findDid(tx.db, tx.actor, id))!);
    await recordAudit(tx, {
      action: 'did.assign',
      entityType: 'did',
      entityId: id,
      accountId: customer.id,
      after: { number: dto.number, customerId: customer.id },
    });
    return dto;
  });
}

/** Returns a DID to its pool. Releasing a DID that is in the pool already changes nothing. */
export async function releaseDid(ctx: Ctx, id: number): Promise<DidDto> {
  requireManager(ctx);
  return inTransaction(ctx, async (tx) => {
    const row = await requireDid(tx, id, true);
    if (row.account_id === null) return toDidDto(row);
    await repo.updateDid(tx.db, id, { account_id: null, assigned_at: null }, tx.now());
    await recordAudit(tx, {
      action: 'did.release',
      entityType: 'did',
      entityId: id,
      accountId: row.account_id,
      before: { number: row.number, customerId: row.account_id },
    });
    return toDidDto((await repo.findDid(tx.db, tx.actor, id))!);
  });
}

/** Removes a DID from the inventory (soft; releasing it first if assigned). */
export async function deleteDid(ctx: Ctx, id: number): Promise<void> {
  requireManager(ctx);
  await inTransaction(ctx, async (tx) => {
    const row = await requireDid(tx, id, true);
    await repo.softDeleteDid(tx.db, id, tx.now());
    await recordAudit(tx, {
      action: 'did.delete',
      entityType: 'did',
      entityId: id,
      accountId: row.account_id,
      before: toDidDto(row),
    });
  });
}

import type { Ctx } from '../../platform/context.js';
import { inTransaction } from '../../platform/db/transaction.js';
import { isUniqueViolation } from '../../platform/errors.js';
import { createOwnedRow, deleteOwnedRow, updateOwnedRow, type OwnedRowKind } from '../audit/index.js';
import { iso } from '../../platform/http/schemas.js';
import { requireAccount } from '../accounts/index.js';
import { requireManager } from '../../platform/tenancy/index.js';
import {
  callerIdNotFound,
  callerIdTaken,
  forceCallerIdActiveExists,
  forceCallerIdNotFound,
} from './caller-ids.errors.js';
import * as repo from './caller-ids.repository.js';
import type {
  CallerIdDto,
  CreateCallerIdInput,
  CreateForceCallerIdInput,
  ForceCallerIdDto,
  PatchCallerIdInput,
  PatchForceCallerIdInput,
} from './caller-ids.schemas.js';

/*
 * Caller IDs (the customer's allowed CLIs, used by the CLI pool) and the force caller ID, which
 * overwrites the CLI sent to the carrier (DOMAIN 3.10, 4 step 6).
 */

const toCallerIdDto = (r: repo.CallerIdRow): CallerIdDto => ({
  id: r.id,
  customerId: r.account_id,
  number: r.number,
  description: r.description,
  status: r.status,
  createdAt: iso(r.created_at)!,
});

const CALLER_ID: OwnedRowKind<repo.CallerIdRow, CallerIdDto> = {
  entity: 'caller_id',
  find: repo.findCallerId,
  toDto: toCallerIdDto,
  notFound: callerIdNotFound,
};

const toForceDto = (r: repo.ForceRow): ForceCallerIdDto => ({
  id: r.id,
  customerId: r.account_id,
  name: r.name,
  number: r.number,
  status: r.status,
  createdAt: iso(r.created_at)!,
});

const FORCE_CALLER_ID: OwnedRowKind<repo.ForceRow, ForceCallerIdDto> = {
  entity: 'force_caller_id',
  find: repo.findForce,
  toDto: toForceDto,
  notFound: forceCallerIdNotFound,
};

function mapUniqueViolation(err: unknown): never {
  if (isUniqueViolation(err, 'caller_ids_account_number_key')) throw callerIdTaken();
  if (isUniqueViolation(err, 'force_caller_ids_one_active_key')) throw forceCallerIdActiveExists();
  throw err;
}

export async function listCallerIds(ctx: Ctx, customerId: number): Promise<CallerIdDto[]> {
  requireManager(ctx);
  const a = await requireAccount(ctx, customerId);
  return (await repo.listCallerIds(ctx.db, a.id)).map(toCallerIdDto);
}

/** Adds an allowed CLI; numbers are unique per customer. */
export async function createCallerId(
  ctx: Ctx,
  customerId: number,
  input: CreateCallerIdInput,
): Promise<CallerIdDto> {
  requireManager(ctx);
  try {
    return await inTransaction(ctx, async (tx) => {
      const a = await requireAccount(tx, customerId, { customer: true });
      return createOwnedRow(tx, CALLER_ID, a.id, (db) =>
        repo.insertCallerId(db, {
          accountId: a.id,
          number: input.number,
          description: input.description ?? null,
          status: input.status ?? 'active',
        }),
      );
    });
  } catch (err) {
    mapUniqueViolation(err);
  }
}

export async function updateCallerId(ctx: Ctx, id: number, patch: PatchCallerIdInput): Promise<CallerIdDto> {
  requireManager(ctx);
  try {
    return await inTransaction(ctx, (tx) =>
      updateOwnedRow(tx, CALLER_ID, id, (db) => repo.updateCallerId(db, id, patch)),
    );
  } catch (err) {
    mapUniqueViolation(err);
  }
}

export async function deleteCallerId(ctx: Ctx, id: number): Promise<void> {
  requireManager(ctx);
  await inTransaction(ctx, (tx) =>
    deleteOwnedRow(tx, CALLER_ID, id, (db, now) => repo.softDeleteCallerId(db, id, now)),
  );
}

export async function listForceCallerIds(ctx: Ctx, customerId: number): Promise<ForceCallerIdDto[]> {
  requireManager(ctx);
  const a = await requireAccount(ctx, customerId);
  return (await repo.listForce(ctx.db, a.id)).map(toForceDto);
}

/** Adds a force caller ID; a second active one is refused (409 on status). */
export async function createForceCallerId(
  ctx: Ctx,
  customerId: number,
  input: CreateForceCallerIdInput,
): Promise<ForceCallerIdDto> {
  requireManager(ctx);
  try {
    return await inTransaction(ctx, async (tx) => {
      const a = await requireAccount(tx, customerId, { customer: true });
      return createOwnedRow(tx, FORCE_CALLER_ID, a.id, (db) =>
        repo.insertForce(db, {
          accountId: a.id,
          name: input.name ?? null,
          number: input.number,
          status: input.status ?? 'active',
        }),
      );
    });
  } catch (err) {
    mapUniqueViolation(err);
  }
}

export async function updateForceCallerId(
  ctx: Ctx,
  id: number,
  patch: PatchForceCallerIdInput,
): Promise<ForceCallerIdDto> {
  requireManager(ctx);
  try {
    return await inTransaction(ctx, (tx) =>
      updateOwnedRow(tx, FORCE_CALLER_ID, id, (db) => repo.updateForce(db, id, patch)),
    );
  } catch (err) {
    mapUniqueViolation(err);
  }
}

export async function deleteForceCallerId(ctx: Ctx, id: number): Promise<void> {
  requireManager(ctx);
  await inTransaction(ctx, (tx) =>
    deleteOwnedRow(tx, FORCE_CALLER_ID, id, (db, now) => repo.softDeleteForce(db, id, now)),
  );
}

import type { Ctx } from '../../platform/context.js';
import { inTransaction } from '../../platform/db/transaction.js';
import { isUniqueViolation } from '../../platform/errors.js';
import { createOwnedRow, deleteOwnedRow, updateOwnedRow, type OwnedRowKind } from '../audit/index.js';
import { iso } from '../../platform/http/schemas.js';
import { requireAccount } from '../accounts/index.js';
import { requireManager } from '../../platform/tenancy/index.js';
import { blockedCodeNotFound, blockedCodeTaken } from './blocked-codes.errors.js';
import * as repo from './blocked-codes.repository.js';
import type {
  BlockedCodeDto,
  CreateBlockedCodeInput,
  PatchBlockedCodeInput,
} from './blocked-codes.schemas.js';

/*
 * Blocked codes (DOMAIN 3.10, 4 step 5): destination prefixes an account may not dial. Any account
 * may have them (a reseller's apply to its whole subtree at call time).
 */

const toDto = (r: repo.BlockedCodeRow): BlockedCodeDto => ({
  id: r.id,
  accountId: r.account_id,
  prefix: r.prefix,
  label: r.label,
  createdAt: iso(r.created_at)!,
});

const BLOCKED_CODE: OwnedRowKind<repo.BlockedCodeRow, BlockedCodeDto> = {
  entity: 'blocked_code',
  find: repo.findCode,
  toDto,
  notFound: blockedCodeNotFound,
};

/** The longest blocked prefix that begins `destination`, or null. Plain prefixes, never patterns. */
export function findBlockingCode(prefixes: readonly string[], destination: string): string | null {
  let best: string | null = null;
  for (const p of prefixes)
    if (destination.startsWith(p) && (best === null || p.length > best.length)) best = p;
  return best;
}

function mapUniqueViolation(err: unknown): never {
  if (isUniqueViolation(err, 'blocked_codes_account_prefix_key')) throw blockedCodeTaken();
  throw err;
}

export async function listBlockedCodes(ctx: Ctx, accountId: number): Promise<BlockedCodeDto[]> {
  requireManager(ctx);
  const a = await requireAccount(ctx, accountId);
  return (await repo.listCodes(ctx.db, a.id)).map(toDto);
}

export async function createBlockedCode(
  ctx: Ctx,
  accountId: number,
  input: CreateBlockedCodeInput,
): Promise<BlockedCodeDto> {
  requireManager(ctx);
  try {
    return await inTransaction(ctx, async (tx) => {
      const a = await requireAccount(tx, accountId);
      return createOwnedRow(tx, BLOCKED_CODE, a.id, (db) =>
        repo.insertCode(db, { accountId: a.id, prefix: input.prefix, label: input.label ?? null }),
      );
    });
  } catch (err) {
    mapUniqueViolation(err);
  }
}

export async function updateBlockedCode(
  ctx: Ctx,
  id: number,
  patch: PatchBlockedCodeInput,
): Promise<BlockedCodeDto> {
  requireManager(ctx);
  try {
    return await inTransaction(ctx, (tx) =>
      updateOwnedRow(tx, BLOCKED_CODE, id, (db) => repo.updateCode(db, id, patch)),
    );
  } catch (err) {
    mapUniqueViolation(err);
  }
}

export async function deleteBlockedCode(ctx: Ctx, id: number): Promise<void> {
  requireManager(ctx);
  await inTransaction(ctx, (tx) =>
    deleteOwnedRow(tx, BLOCKED_CODE, id, (db, now) => repo.softDeleteCode(db, id, now)),
  );
}

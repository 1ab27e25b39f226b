import type { Ctx } from '../../platform/context.js';
import { validationError } from '../../platform/errors.js';
import { listAuditForAccount } from '../audit/index.js';
import { accountNotFound } from './accounts.errors.js';
import { toAccountDto } from './accounts.mapper.js';
import {
  countAccounts,
  findAccount,
  listAccountsPage,
  sortKeyType,
  type AccountRow,
  type Cursor,
} from './accounts.repository.js';
import type { AccountDto, AccountKind, ListAccountsQuery, SortField } from './accounts.schemas.js';
import {
  decodeCursor,
  encodeCursor,
  invalidCursor,
  isCursorId,
  isCursorKey,
} from '../../platform/cursor-keys.js';

// The account use cases, one file each (create, update, delete), gathered here: index.ts exposes
// this file as `accountsService`, and the reads (get, list, audit) live here.
export {
  checkAccountRules,
  generateAccountNumber,
  newAccountValues,
  type AccountOwner,
} from './accounts.rules.js';
export { createAccount } from './accounts.create.js';
export { changeAccountPassword, setAccountStatus, updateAccount } from './accounts.update.js';
export { bulkAccounts, deleteAccount, type BulkAction } from './accounts.delete.js';

const TOTAL_CAP = 10_000;
/**
 * A substring search (q, name, company) counts through the trigram index, rechecking each
 * candidate row: counting to 10,000 costs 25-60 ms on a million rows, to 1,000 a tenth of that,
 * and "1,000+ matches" says as much to someone refining a search.
 */
const SEARCH_TOTAL_CAP = 1_000;

/** How far the list's total is counted exactly before it says "cap+" (totalCapped). */
export function totalCapFor(f: { q?: string; name?: string; company?: string }): number {
  return f.q || f.name || f.company ? SEARCH_TOTAL_CAP : TOTAL_CAP;
}

export async function getAccount(ctx: Ctx, kind: AccountKind, id: number): Promise<AccountDto> {
  const row = await findAccount(ctx.db, ctx.actor, kind, id);
  if (!row) throw accountNotFound();
  return toAccountDto(row);
}

/** The client's cursor, its key checked against the type of the column the page is sorted by. */
function decodeAccountCursor(s: string, sort: SortField): Cursor {
  const valid = (c: any): c is Cursor =>
    typeof c === 'object' &&
    c !== null &&
    isCursorId(c.id) &&
    (c.v === null || isCursorKey(sortKeyType(sort), c.v));
  return decodeCursor(s, valid, invalidCursor);
}

/** The account grid: filters, any sortable column, keyset pages, a capped total. */
export async function listAccounts(ctx: Ctx, kind: AccountKind, query: ListAccountsQuery) {
  if (query.role && kind !== 'customer')
    throw validationError('role', 'The role filter applies to customers only.');
  const filter = { ...query, kind };
  const sort = query.sort ?? 'createdAt';
  const order = query.order ?? (query.sort ? 'asc' : 'desc');
  const cursor = query.cursor ? decodeAccountCursor(query.cursor, sort) : null;
  const [page, count] = await Promise.all([
    listAccountsPage(ctx.db, ctx.actor, filter, { sort, order, limit: query.limit ?? 25, cursor }),
    countAccounts(ctx.db, ctx.actor, filter, totalCapFor(filter)),
  ]);
  return {
    data: page.rows.map(toAccountDto),
    nextCursor: page.next ? encodeCursor(page.next) : null,
    total: count.total,
    totalCapped: count.capped,
  };
}

export async function getAccountAudit(
  ctx: Ctx,
  kind: AccountKind,
  id: number,
  limit: number,
  beforeId?: number,
) {
  const row = await findAccount(ctx.db, ctx.actor, kind, id, { includeDeleted: ctx.actor.kind === 'admin' });
  if (!row) throw accountNotFound();
  const rows = await listAuditForAccount(ctx.db, id, { limit, beforeId });
  return rows.map((r) => ({
    id: r.id,
    at: r.at.toISOString(),
    actor: r.actorLabel,
    actorName: r.actorName ?? null,
    action: r.action,
    entityType: r.entityType,
    entityId: r.entityId,
    before: r.before,
    after: r.after,
    requestId: r.requestId,
  }));
}

export type { AccountRow };

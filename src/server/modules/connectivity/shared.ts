import { sql, type RawBuilder } from 'kysely';
import { Type } from 'typebox';
import { Nullable } from '../../platform/http/nullable.js';
import type { Ctx } from '../../platform/context.js';
import { validationError } from '../../platform/errors.js';
import {
  decodeCursor,
  encodeCursor,
  invalidCursor,
  isCursorId,
  isCursorKey,
} from '../../platform/cursor-keys.js';
// The repository, not the module index: account creation imports this module's neighbours, and
// going through the index would make an import cycle.
import { findAccount } from '../accounts/accounts.repository.js';
import { accountNotFound } from '../../platform/tenancy/index.js';

export type AccountRow = NonNullable<Awaited<ReturnType<typeof findAccount>>>;

/*
 * Helpers shared by the connectivity modules (trunks, SIP devices, caller IDs, blocked codes,
 * speed dials, DIDs, localizations, rate groups): schema shapes, keyset cursors and tenant scope.
 */

export { Nullable };

export const Status = Type.Union([Type.Literal('active'), Type.Literal('inactive')]);
export const Digits = (max: number, min = 1) =>
  Type.String({ pattern: `^[0-9]{${min},${max}}$`, description: `digits, ${min}-${max}` });
export const CallLimit = Nullable(
  Type.Integer({
    minimum: 0,
    maximum: 1_000_000,
    description: 'concurrent calls; null = no limit, 0 = none',
  }),
);
export const CpsLimit = Nullable(
  Type.String({
    pattern: '^(0|[1-9][0-9]{0,6})(\\.[0-9]{1,2})?$',
    description: 'new calls per second, 2 decimals; null = no limit, 0 = none',
  }),
);
export const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
export const CustomerParams = Type.Object({ customerId: Type.Integer({ minimum: 1 }) });

/** A soft problem in a saved object: a lower level's limit above an upper one (DOMAIN 3.9). */
export const Warning = Type.Object({
  code: Type.String(),
  field: Type.String(),
  message: Type.String(),
});
export interface WarningDto {
  code: string;
  field: string;
  message: string;
}

export const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  cursor: Type.Optional(Type.String({ maxLength: 500, description: "the previous page's nextCursor" })),
};

/**
 * The owner filter of the lists of owned objects (rate groups, localizations): `none` = the
 * operator's, an id = that reseller's. The account form offers only what the account's owner may use.
 */
export const OwnerFilter = Type.Optional(
  Type.Union([Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }), Type.Literal('none')], {
    description: "only the objects of this owner: a reseller's id, or `none` for the operator's",
  }),
);
export type OwnerFilterValue = number | 'none' | undefined;

/** The owner filter as a predicate on `column` (within the actor's scope, applied too). */
export function ownerIs(owner: number | 'none', column: string): RawBuilder<boolean> {
  return owner === 'none'
    ? sql<boolean>`${sql.ref(column)} IS NULL`
    : sql<boolean>`${sql.ref(column)} = ${owner}`;
}

export const ADMIN_OR_RESELLER = ['admin', 'reseller'] as ('admin' | 'reseller')[];

export const iso = (d: Date | string | null): string | null =>
  d === null ? null : new Date(d).toISOString();

/** A connectivity list's cursor: every keyset key here is text (a lowered name, a prefix). */
function decodeKeyCursor(s: string): { k: string | null; id: number } {
  const valid = (c: any): c is { k?: string | null; id: number } =>
    typeof c === 'object' &&
    c !== null &&
    isCursorId(c.id) &&
    (c.k === undefined || c.k === null || isCursorKey('text', c.k));
  const c = decodeCursor(s, valid, invalidCursor);
  return { k: c.k ?? null, id: c.id };
}

/** One keyset page ordered by id alone: as keysetPage, for lists without a sort key. */
export async function idPage<R extends { id: number }>(
  q: { limit?: number; cursor?: string },
  fetch: (page: { limit: number; afterId: number | null }) => Promise<R[]>,
): Promise<{ rows: R[]; nextCursor: string | null }> {
  const limit = q.limit ?? 50;
  const rows = await fetch({ limit, afterId: q.cursor ? decodeKeyCursor(q.cursor).id : null });
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { rows: page, nextCursor: rows.length > limit && last ? encodeCursor({ id: last.id }) : null };
}

/**
 * One keyset page ordered by (key, id): reads the query's cursor (one carrying a key), asks `fetch`
 * for up to limit + 1 rows after it, and answers the page with the cursor of the next one, made
 * from `keyOf` of its last row (null on the last page).
 */
export async function keysetPage<R extends { id: number }>(
  q: { limit?: number; cursor?: string },
  fetch: (page: { limit: number; after: { k: string; id: number } | null }) => Promise<R[]>,
  keyOf: (row: R) => string,
): Promise<{ rows: R[]; nextCursor: string | null }> {
  const limit = q.limit ?? 50;
  const c = q.cursor ? decodeKeyCursor(q.cursor) : null;
  if (c && c.k === null) throw invalidCursor();
  const rows = await fetch({ limit, after: c ? { k: c.k!, id: c.id } : null });
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    rows: page,
    nextCursor: rows.length > limit && last ? encodeCursor({ k: keyOf(last), id: last.id }) : null,
  };
}

export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => '\\' + c);
}

/** A live account the actor may reach; `customer: true` also requires a non-reseller customer. */
export async function requireAccount(
  ctx: Ctx,
  id: number,
  opts: { customer?: boolean; forUpdate?: boolean } = {},
): Promise<AccountRow> {
  const row = await findAccount(ctx.db, ctx.actor, opts.customer ? 'customer' : null, id, {
    forUpdate: opts.forUpdate,
  });
  if (!row) throw accountNotFound();
  if (opts.customer && !row.roles.includes('customer'))
    throw validationError(
      'customerId',
      'This account does not have the customer role.',
      'ACCOUNT_NOT_CUSTOMER',
    );
  return row;
}

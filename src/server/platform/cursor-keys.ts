import { isStorableText } from './http/input-limits.js';
import { validationError } from './errors.js';

/*
 * A cursor comes back from the client, so every value in it is input: checked against the type of
 * the column it will be compared with before it reaches SQL, where a wrong one is a database
 * error (a 500) instead of a refusal.
 */

/** The type of a sort column, as a keyset cursor carries its value (text). */
export type CursorKeyType = 'text' | 'num' | 'time';

/** A row id as a cursor may carry it: a whole number that JavaScript and bigint both hold. */
export function isCursorId(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

const NUMERIC = /^-?(0|[1-9][0-9]{0,29})(\.[0-9]{1,20})?$/;
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}(:?\d{2})?)?$/;

/** A timestamp as PostgreSQL writes one (or ISO 8601), on a real calendar day, years 1-9999. */
export function isTimestampText(v: string): boolean {
  const m = TIMESTAMP.exec(v);
  if (!m) return false;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number);
  if (y < 1 || mo < 1 || mo > 12 || h > 23 || mi > 59 || s > 59) return false;
  const daysInMonth = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  return d >= 1 && d <= daysInMonth;
}

/** A sort key value of this type, as text, that the database will cast without an error. */
export function isCursorKey(type: CursorKeyType, v: unknown): v is string {
  if (typeof v !== 'string' || v.length > 1000 || !isStorableText(v)) return false;
  if (type === 'num') return NUMERIC.test(v);
  if (type === 'time') return isTimestampText(v);
  return true;
}

/** A keyset cursor as the client carries it: the page's last key, as JSON in base64url. */
export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/**
 * The value of a cursor this server gave out, or `invalid()` thrown when the text is not base64url
 * JSON or the value fails `check` (which checks every key against its column's type).
 */
export function decodeCursor<T>(s: string, check: (v: any) => v is T, invalid: () => Error): T {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!check(v)) throw invalid();
  return v;
}

/** The cursor was not issued by this server (or names a key of the wrong type). */
export const invalidCursor = () =>
  validationError('cursor', 'The cursor is not one this server gave out.', 'INVALID_CURSOR');

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

import { describe, expect, it } from 'vitest';
import { AppError } from './errors.js';
import { encodeCursor, idPage, keysetPage } from './cursor-keys.js';

type Row = { id: number; name: string };
const ROWS: Row[] = [
  { id: 4, name: 'Alpha' },
  { id: 2, name: 'beta' },
  { id: 9, name: 'Beta' },
  { id: 1, name: 'gamma' },
  { id: 7, name: 'Delta' },
];

/** What a repository does: rows after the cursor in (key, id) order, up to limit + 1. */
const byName = [...ROWS].sort(
  (a, b) => a.name.toLowerCase().localeCompare(b.name.toLowerCase()) || a.id - b.id,
);
const fetchByName = async (p: { limit: number; after: { k: string; id: number } | null }) =>
  byName
    .filter(
      (r) =>
        !p.after ||
        r.name.toLowerCase() > p.after.k ||
        (r.name.toLowerCase() === p.after.k && r.id > p.after.id),
    )
    .slice(0, p.limit + 1);
const fetchById = async (p: { limit: number; afterId: number | null }) =>
  [...ROWS]
    .sort((a, b) => a.id - b.id)
    .filter((r) => p.afterId === null || r.id > p.afterId)
    .slice(0, p.limit + 1);

async function allPages<R>(
  page: (cursor?: string) => Promise<{ rows: R[]; nextCursor: string | null }>,
): Promise<R[][]> {
  const pages: R[][] = [];
  let cursor: string | undefined;
  for (;;) {
    const p = await page(cursor);
    pages.push(p.rows);
    if (!p.nextCursor) return pages;
    cursor = p.nextCursor;
  }
}

const invalidCursor = (err: unknown) =>
  err instanceof AppError && err.code === 'INVALID_CURSOR' && err.details.field === 'cursor';

describe('keyset pages of the connectivity lists', () => {
  it('keysetPage walks (key, id) order page by page, each row once, and ends with a null cursor', async () => {
    const pages = await allPages((cursor) =>
      keysetPage({ limit: 2, cursor }, fetchByName, (r) => r.name.toLowerCase()),
    );
    expect(pages.map((p) => p.map((r) => r.id))).toEqual([[4, 2], [9, 7], [1]]);
  });

  it('idPage walks id order page by page; an exact last page has no next cursor', async () => {
    const pages = await allPages((cursor) => idPage({ limit: 5, cursor }, fetchById));
    expect(pages.map((p) => p.map((r) => r.id))).toEqual([[1, 2, 4, 7, 9]]);
    const twos = await allPages((cursor) => idPage({ limit: 2, cursor }, fetchById));
    expect(twos.map((p) => p.map((r) => r.id))).toEqual([[1, 2], [4, 7], [9]]);
  });

  it('refuses a cursor it did not give out: garbage, or one without the sort key', async () => {
    await expect(keysetPage({ cursor: 'not-a-cursor' }, fetchByName, (r) => r.name)).rejects.toSatisfy(
      invalidCursor,
    );
    await expect(
      keysetPage({ cursor: encodeCursor({ id: 3 }) }, fetchByName, (r) => r.name),
    ).rejects.toSatisfy(invalidCursor);
    await expect(idPage({ cursor: 'eyJ4IjoxfQ' }, fetchById)).rejects.toSatisfy(invalidCursor);
  });
});

/**
 * react-admin asks for page N; the API pages by keyset (`cursor` = the previous page's
 * `nextCursor`). This cache remembers the cursor that opens each page seen so far, per query
 * (resource + filter + sort + page size), so Next/Previous cost one request each. A page never
 * seen (a bookmarked page 7) is reached by walking forward from the nearest known page.
 */
export class CursorPages {
  private readonly byQuery = new Map<string, Map<number, string | null>>();
  private readonly maxQueries: number;

  constructor(maxQueries = 50) {
    this.maxQueries = maxQueries;
  }

  private pagesOf(queryKey: string): Map<number, string | null> {
    let pages = this.byQuery.get(queryKey);
    if (!pages) {
      if (this.byQuery.size >= this.maxQueries) {
        const oldest = this.byQuery.keys().next().value;
        if (oldest !== undefined) this.byQuery.delete(oldest);
      }
      pages = new Map([[1, null]]);
      this.byQuery.set(queryKey, pages);
    }
    return pages;
  }

  /** The cursor that opens `page`, or undefined when that page has not been reached yet. */
  cursorFor(queryKey: string, page: number): string | null | undefined {
    return this.pagesOf(queryKey).get(page);
  }

  /** The highest known page at or below `page` (page 1 is always known). */
  nearestKnown(queryKey: string, page: number): number {
    const pages = this.pagesOf(queryKey);
    let best = 1;
    for (const p of pages.keys()) if (p <= page && p > best) best = p;
    return best;
  }

  /** After loading `page`, remember where the next one starts (null: there is none). */
  remember(queryKey: string, page: number, nextCursor: string | null): void {
    const pages = this.pagesOf(queryKey);
    if (nextCursor === null) {
      for (const p of [...pages.keys()]) if (p > page) pages.delete(p);
    } else pages.set(page + 1, nextCursor);
  }

  /** After a change (create, delete...), every cached position of that resource may be stale. */
  forgetResource(resource: string): void {
    for (const key of [...this.byQuery.keys()]) if (key.startsWith(resource + '|')) this.byQuery.delete(key);
  }
}

export function queryKeyOf(resource: string, filter: unknown, sort: unknown, perPage: number): string {
  return `${resource}|${JSON.stringify(filter)}|${JSON.stringify(sort)}|${perPage}`;
}

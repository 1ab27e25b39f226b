import { describe, expect, it } from 'vitest';
import { CursorPages, queryKeyOf } from './cursor-pages.js';

describe('CursorPages', () => {
  const key = queryKeyOf('customers', { status: 'active' }, { field: 'name', order: 'ASC' }, 25);

  it('knows page 1 and learns each next page from nextCursor', () => {
    const c = new CursorPages();
    expect(c.cursorFor(key, 1)).toBeNull();
    expect(c.cursorFor(key, 2)).toBeUndefined();
    c.remember(key, 1, 'c2');
    c.remember(key, 2, 'c3');
    expect(c.cursorFor(key, 2)).toBe('c2');
    expect(c.cursorFor(key, 3)).toBe('c3');
    expect(c.nearestKnown(key, 7)).toBe(3);
  });

  it('forgets pages past the end when a page has no next cursor', () => {
    const c = new CursorPages();
    c.remember(key, 1, 'c2');
    c.remember(key, 2, 'c3');
    c.remember(key, 1, null);
    expect(c.cursorFor(key, 2)).toBeUndefined();
    expect(c.cursorFor(key, 3)).toBeUndefined();
  });

  it('keeps queries apart (filter, sort and page size) and forgets a resource after a change', () => {
    const c = new CursorPages();
    const other = queryKeyOf('customers', { status: 'inactive' }, { field: 'name', order: 'ASC' }, 25);
    const providers = queryKeyOf('providers', {}, { field: 'name', order: 'ASC' }, 25);
    c.remember(key, 1, 'a');
    c.remember(providers, 1, 'p');
    expect(c.cursorFor(other, 2)).toBeUndefined();
    c.forgetResource('customers');
    expect(c.cursorFor(key, 2)).toBeUndefined();
    expect(c.cursorFor(providers, 2)).toBe('p');
  });

  it('bounds its memory to the most recent queries', () => {
    const c = new CursorPages(2);
    for (const r of ['a', 'b', 'c']) c.remember(queryKeyOf(r, {}, {}, 10), 1, r);
    expect(c.cursorFor(queryKeyOf('a', {}, {}, 10), 2)).toBeUndefined();
    expect(c.cursorFor(queryKeyOf('c', {}, {}, 10), 2)).toBe('c');
  });
});

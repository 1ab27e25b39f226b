import { afterEach, describe, expect, it, vi } from 'vitest';
import { createDataProvider } from './data-provider.js';
import { ApiError, setCsrfToken } from './http.js';

interface Call {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

/** A fake /api/v1 over 23 rows, paged by a cursor that is just the next offset. */
function fakeApi(opts: { capped?: boolean } = {}) {
  const calls: Call[] = [];
  const rows = Array.from({ length: 23 }, (_, i) => ({ id: i + 1, name: `c${i + 1}` }));
  vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
    const u = new URL(url, 'http://x');
    calls.push({
      method: init.method ?? 'GET',
      url: u.pathname + u.search,
      headers: init.headers as Record<string, string>,
      body: init.body ? JSON.parse(String(init.body)) : undefined,
    });
    if (u.pathname === '/api/v1/customers' && init.method === 'GET') {
      const limit = Number(u.searchParams.get('limit'));
      const from = Number(u.searchParams.get('cursor') ?? 0);
      const data = rows.slice(from, from + limit);
      const next = from + limit < rows.length ? String(from + limit) : null;
      const body = { data, nextCursor: next, total: opts.capped ? 10_000 : 23, totalCapped: !!opts.capped };
      return new Response(JSON.stringify(body), { status: 200 });
    }
    if (u.pathname === '/api/v1/customers' && init.method === 'POST') {
      const body = {
        error: { code: 'ACCOUNT_NUMBER_TAKEN', message: 'Taken.', details: { field: 'accountNumber' } },
      };
      return new Response(JSON.stringify(body), { status: 409 });
    }
    if (u.pathname === '/api/v1/customers/7/trunks' && init.method === 'GET') {
      return new Response(JSON.stringify({ data: rows.slice(0, 3) }), { status: 200 });
    }
    if (init.method === 'DELETE') return new Response(null, { status: 204 });
    return new Response('{}', { status: 404 });
  });
  return calls;
}

const list = (dp: ReturnType<typeof createDataProvider>, page: number, perPage = 10) =>
  dp.getList('customers', {
    pagination: { page, perPage },
    sort: { field: 'name', order: 'ASC' },
    filter: { status: 'active', q: '' },
  });

describe('data provider', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    setCsrfToken(null);
  });

  it('maps pages to cursors: next costs one request, a bookmarked page walks from the nearest known', async () => {
    const calls = fakeApi();
    const dp = createDataProvider();
    const p1 = await list(dp, 1);
    expect(p1.data.map((r) => r.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(p1.pageInfo).toEqual({ hasNextPage: true, hasPreviousPage: false });
    expect(p1.total).toBe(23);
    expect(calls[0].url).toBe('/api/v1/customers?status=active&sort=name&order=asc&limit=10');
    await list(dp, 2);
    expect(calls).toHaveLength(2);
    expect(calls[1].url).toContain('cursor=10');
    const p3 = await list(dp, 3);
    expect(p3.data.map((r) => r.id)).toEqual([21, 22, 23]);
    expect(p3.pageInfo?.hasNextPage).toBe(false);

    // A fresh provider (a reload) asked for page 3 walks pages 1 and 2 first.
    const fresh = createDataProvider();
    calls.length = 0;
    expect((await list(fresh, 3)).data[0].id).toBe(21);
    expect(calls.map((c) => new URL(c.url, 'http://x').searchParams.get('cursor'))).toEqual([
      null,
      '10',
      '20',
    ]);
  });

  it('reports a capped total as a floor in meta, and leaves paging to nextCursor', async () => {
    fakeApi({ capped: true });
    const r = await list(createDataProvider(), 1);
    expect(r.total).toBeUndefined();
    expect(r.meta).toEqual({ total: 10_000, totalCapped: true });
    expect(r.pageInfo?.hasNextPage).toBe(true);
  });

  it("reads a parent's whole list (no cursor in the answer) as one page with nothing after it", async () => {
    fakeApi();
    const r = await createDataProvider().getList('customers/7/trunks', {
      pagination: { page: 1, perPage: 500 },
      sort: { field: 'id', order: 'ASC' },
      filter: {},
    });
    expect(r.data.map((x) => x.id)).toEqual([1, 2, 3]);
    expect(r.total).toBe(3);
    expect(r.pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: false });
  });

  it('sends the CSRF token on changes only, and puts a server error at its form field', async () => {
    const calls = fakeApi();
    setCsrfToken('tok-1');
    const dp = createDataProvider();
    await list(dp, 1);
    expect(calls[0].headers['x-csrf-token']).toBeUndefined();
    const err = await dp.create('customers', { data: { name: 'x' } }).catch((e: unknown) => e);
    expect(calls[1].headers['x-csrf-token']).toBe('tok-1');
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe('ACCOUNT_NUMBER_TAKEN');
    expect((err as ApiError).status).toBe(409);
    expect((err as ApiError).body.errors).toMatchObject({ accountNumber: 'Taken.' });
  });

  it('quotes the confirmed balance on delete', async () => {
    const calls = fakeApi();
    await createDataProvider().deleteAccount('customers', 7, '12.500000');
    expect(calls[0]).toMatchObject({ method: 'DELETE', url: '/api/v1/customers/7?confirmBalance=12.500000' });
  });
});

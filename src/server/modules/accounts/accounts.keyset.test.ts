import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { adminLogin, createTestApp, customerBody, type Client, type TestApp } from '../../../../test/app.js';
import { testDatabaseKinds } from '../../../../test/databases.js';

/**
 * Keyset pages must neither skip nor repeat rows whose sort keys differ below a millisecond or
 * are equal (one bulk transaction gives every row the same now(), to the microsecond).
 */
describe.each(testDatabaseKinds())('account keyset pages on %s', (kind) => {
  let t: TestApp;
  let admin: Client;
  const tag = `ks${Date.now().toString(36)}`;
  const ids: number[] = [];

  beforeAll(async () => {
    t = await createTestApp(kind);
    admin = await adminLogin(t.app);
    for (let i = 0; i < 23; i++) {
      const r = await admin.post('/api/v1/customers', customerBody({ name: `${tag} ${i}` }));
      expect(r.statusCode).toBe(201);
      ids.push(r.json().id);
    }
    // Ten rows share one timestamp; the others sit microseconds apart inside one millisecond.
    await sql`UPDATE accounts SET created_at = CASE WHEN id <= ${ids[9]}
                THEN timestamptz '2026-01-02 03:04:05.678901+00'
                ELSE timestamptz '2026-01-02 03:04:05.678000+00' + (id % 7) * interval '1 microsecond' END
              WHERE id = ANY(${ids})`.execute(t.database.db);
  });
  afterAll(async () => t?.close());

  const walk = async (query: string) => {
    const seen: number[] = [];
    let cursor = '';
    for (let page = 0; page < 10; page++) {
      const r = (await admin.get(`/api/v1/customers?q=${tag}&limit=10&${query}${cursor}`)).json();
      seen.push(...r.data.map((c: { id: number }) => c.id));
      if (!r.nextCursor) return seen;
      cursor = `&cursor=${r.nextCursor}`;
    }
    throw new Error('paging did not end');
  };

  it.each(['sort=createdAt&order=desc', 'sort=createdAt&order=asc', 'sort=balance&order=desc'])(
    'visits every row once with %s',
    async (query) => {
      const seen = await walk(query);
      expect(seen).toHaveLength(ids.length);
      expect([...seen].sort((a, b) => a - b)).toEqual([...ids].sort((a, b) => a - b));
    },
  );
});

/**
 * The first admin is created once even when several instances start together on an empty database
 * (seen: the second instance crashed on the unique login while the first created it).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../platform/context.js';
import type { Database } from '../../platform/db/database.js';
import { createTestDatabase, testDatabaseKinds } from '../../../../test/databases.js';
import { ensureFirstAdmin } from './index.js';
import * as repo from './auth.repository.js';

const opened: Database[] = [];
afterAll(async () => {
  for (const d of opened) await d.close();
});

describe.each(testDatabaseKinds())('first admin on %s', (kind) => {
  it('four instances starting together create one admin; the others see it and go on', async () => {
    const database = await createTestDatabase(kind, { poolSize: 8 });
    opened.push(database);
    const ctx = { actor: systemActor, db: database.db, now: () => new Date() };
    const results = await Promise.all(
      Array.from({ length: 4 }, () =>
        ensureFirstAdmin(ctx, {
          email: 'first@example.com',
          password: 'first-pass-123',
          generate: () => 'x',
        }),
      ),
    );
    expect(results.filter((r) => r !== null)).toEqual([
      { email: 'first@example.com', password: null, generated: false },
    ]);
    expect(await repo.countAdmins(database.db)).toBe(1);
  });
});

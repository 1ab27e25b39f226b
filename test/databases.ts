import crypto from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Database } from '../src/server/platform/db/database.js';
import { migrateToLatest } from '../src/server/platform/db/migrate.js';

export type DbKind = 'pglite' | 'postgres';

/**
 * The databases every database test runs on: PGlite always, PostgreSQL when TEST_DATABASE_URL is
 * set. Under CI=true the URL is required, so a missing server fails the run instead of skipping.
 */
export function testDatabaseKinds(): DbKind[] {
  const url = process.env.TEST_DATABASE_URL;
  if (!url && process.env.CI === 'true') {
    throw new Error('CI=true but TEST_DATABASE_URL is not set: the PostgreSQL half of the suite cannot run.');
  }
  return url ? ['pglite', 'postgres'] : ['pglite'];
}

/** A fresh, migrated database: in-memory PGlite, or a new PostgreSQL database dropped on close. */
export async function createTestDatabase(kind: DbKind, opts: { poolSize?: number } = {}): Promise<Database> {
  if (kind === 'pglite') {
    const database = await openDatabase({ dataDir: 'memory://' });
    await migrateToLatest(database.db);
    return database;
  }
  const adminUrl = process.env.TEST_DATABASE_URL!;
  const name = `tollgate_t_${crypto.randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ databaseUrl: url.toString(), poolSize: opts.poolSize ?? 5 });
  await migrateToLatest(database.db);
  return {
    ...database,
    close: async () => {
      await database.close();
      await dropTestDatabase(adminUrl, name);
    },
  };
}

/**
 * Drops a test database. pg's pool.end() resolves before its sockets have closed; a FORCE drop at
 * that moment kills a connection that is still closing, and its client then raises an unhandled
 * 57P01. So wait (up to 5 s) until the server has no session on it, then force what is left.
 */
export async function dropTestDatabase(adminUrl: string, name: string): Promise<void> {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    for (let i = 0; i < 50; i++) {
      const r = await c.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [name]);
      if (r.rows[0].n === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await c.end();
  }
}

import { logger } from '../logger.js';
import pg from 'pg';
import { Kysely, PostgresDialect, type Transaction } from 'kysely';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import type { DB } from '../../db/schema.js';
import { lockDataDir } from './data-dir-lock.js';

export type Db = Kysely<DB>;
export type Tx = Transaction<DB>;
/** Either the database or a transaction: what repositories take first. */
export type Executor = Kysely<DB> | Transaction<DB>;

// int8 (counts, ids) as JS numbers: our ids and counts stay far below 2^53.
pg.types.setTypeParser(20, (v) => Number(v));
// numeric stays a string: money is never a binary float.

/** Stops listening. */
export type Unlisten = () => Promise<void>;

export interface Database {
  db: Db;
  kind: 'pglite' | 'postgres';
  pool: pg.Pool;
  /**
   * LISTEN on a channel: `onMessage` gets each committed NOTIFY payload. On PostgreSQL a dedicated
   * connection (not one of the pool) that reconnects by itself; `onDown` runs when the connection
   * is lost and `onReconnect` after each reconnection, since notifications sent while it was down
   * are lost. On PGlite, in process (never down).
   */
  listen(
    channel: string,
    onMessage: (payload: string) => void,
    onReconnect?: () => void,
    onDown?: () => void,
  ): Promise<Unlisten>;
  close(): Promise<void>;
}

/** A LISTEN connection to PostgreSQL that comes back after the server or the network drops it. */
async function listenPostgres(
  connectionString: string,
  channel: string,
  onMessage: (payload: string) => void,
  onReconnect?: () => void,
  onDown?: () => void,
): Promise<Unlisten> {
  let client: pg.Client | null = null;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  const connect = async (isRetry: boolean): Promise<void> => {
    const c = new pg.Client({ connectionString });
    c.on('notification', (m) => {
      if (m.channel === channel) onMessage(m.payload ?? '');
    });
    c.on('error', () => retry());
    c.on('end', () => retry());
    await c.connect();
    await c.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    client = c;
    if (isRetry) onReconnect?.();
  };
  const retry = () => {
    if (stopped || timer) return;
    if (client) onDown?.();
    client = null;
    timer = setTimeout(() => {
      timer = null;
      connect(true).catch(() => retry());
    }, 1000);
    timer.unref();
  };
  await connect(false);
  return async () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    const c = client as pg.Client | null;
    client = null;
    await c?.end().catch(() => {});
  };
}

export interface DatabaseOptions {
  databaseUrl?: string | null;
  /** PGlite folder; `memory://` for an in-memory database. */
  dataDir?: string;
  poolSize?: number;
}

export async function openDatabase(opts: DatabaseOptions): Promise<Database> {
  if (opts.databaseUrl) {
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: opts.poolSize ?? 10 });
    // An idle connection that the server drops (restart, admin kill) must not crash the process:
    // the pool discards it and opens another on the next query.
    pool.on('error', (err) => logger.warn({ err: err.message }, 'database pool: idle connection lost'));
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
    const databaseUrl = opts.databaseUrl;
    return {
      db,
      kind: 'postgres',
      pool,
      listen: (channel, onMessage, onReconnect, onDown) =>
        listenPostgres(databaseUrl, channel, onMessage, onReconnect, onDown),
      close: () => db.destroy(),
    };
  }
  const dataDir = opts.dataDir ?? 'memory://';
  const unlock = dataDir.startsWith('memory://') ? () => {} : lockDataDir(dataDir);
  try {
    const pglite = await PGlite.create(dataDir.startsWith('memory://') ? undefined : dataDir, {
      extensions: { pg_trgm },
    });
    const pool = new pg.Pool({ ...createPgConfig(pglite), max: 1 } as pg.PoolConfig);
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
    return {
      db,
      kind: 'pglite',
      pool,
      listen: async (channel, onMessage) => {
        const unlisten = await pglite.listen(channel, onMessage);
        return async () => {
          await unlisten().catch(() => {});
        };
      },
      close: async () => {
        await db.destroy();
        await pglite.close();
        unlock();
      },
    };
  } catch (err) {
    unlock();
    throw err;
  }
}

import type { Ctx } from '../context.js';
import { withExecutor } from '../context.js';
import type { Executor, Tx } from './database.js';

function isTransaction(db: Executor): db is Tx {
  return (db as Tx).isTransaction === true;
}

/**
 * Runs `fn` in a transaction: the caller's, when the context already carries one, else a new one.
 * Inside, use only `txCtx.db` (PGlite has a single connection; the outer handle would deadlock).
 */
export async function inTransaction<T>(ctx: Ctx, fn: (txCtx: Ctx) => Promise<T>): Promise<T> {
  if (isTransaction(ctx.db)) return fn(ctx);
  return ctx.db.transaction().execute((tx) => fn(withExecutor(ctx, tx)));
}

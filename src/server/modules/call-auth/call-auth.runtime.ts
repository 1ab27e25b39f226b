import type { FastifyBaseLogger } from 'fastify';
import type { Database } from '../../platform/db/database.js';
import { systemActor } from '../../platform/context.js';
import { StateLoader } from './call-auth.loader.js';
import { sweepExpiredCalls, type CallAuthEngine } from './call-auth.service.js';
import type { CallAuthSettings } from './call-auth.state.js';
import { MemoryCounterStore, type CounterStore } from './counters.js';
import { ReservationJournal } from './reservation-journal.js';

export interface CallAuthOptions {
  database: Database;
  /** Set: counters and reservations in Redis, shared by every instance. */
  redisUrl?: string | null;
  /** Key prefix in Redis (default `tg:ca:`); tests give each run its own. */
  redisPrefix?: string;
  settings?: Partial<CallAuthSettings>;
  now?: () => Date;
  log?: FastifyBaseLogger;
  /** How often the sweeper looks for calls past grant + margin; 0 = never (tests sweep by hand). */
  sweepIntervalMs?: number;
  /** For tests: a store built elsewhere. */
  store?: CounterStore;
}

export interface CallAuthRuntime {
  engine: CallAuthEngine;
  /** Frees calls past their grant + margin now; returns how many. */
  sweep(): Promise<number>;
  close(): Promise<void>;
}

/**
 * Wires call authorization: the counter store (memory, or Redis when REDIS_URL is set), the
 * journal and, from it, the reservations of live calls after a restart; the snapshot loader and
 * its change notifications; the sweeper.
 */
export async function startCallAuth(opts: CallAuthOptions): Promise<CallAuthRuntime> {
  const db = opts.database.db;
  const now = opts.now ?? (() => new Date());
  const log = opts.log;
  let store = opts.store;
  if (!store && opts.redisUrl) {
    const { RedisCounterStore } = await import('./counters.redis.js');
    store = await RedisCounterStore.connect(opts.redisUrl, opts.redisPrefix);
  }
  store ??= new MemoryCounterStore(() => now().getTime());
  const journal = new ReservationJournal(db, { log });
  const loader = new StateLoader({
    db,
    listen: opts.database.listen,
    settings: opts.settings,
    log,
  });
  await loader.start();
  if (await store.claimRestore()) {
    const t = performance.now();
    const { live, expired } = await ReservationJournal.rebuild(db, now());
    const restored = await store.restore(live);
    if (restored || expired)
      log?.info(
        { restored, expired, ms: Math.round(performance.now() - t) },
        'call authorization: reservations of live calls restored (expired ones alarmed and dropped)',
      );
  }

  const engine: CallAuthEngine = { loader, store, journal };
  const ctx = { actor: systemActor, db, now };
  let sweeping: Promise<number> | null = null;
  const sweep = async () => {
    while (sweeping) await sweeping;
    sweeping = sweepExpiredCalls(ctx, engine).finally(() => {
      sweeping = null;
    });
    return sweeping;
  };
  const interval = opts.sweepIntervalMs ?? 10_000;
  const timer =
    interval > 0
      ? setInterval(() => {
          sweep().catch((err) => log?.error({ err }, 'call authorization sweeper failed'));
        }, interval)
      : null;
  timer?.unref();
  return {
    engine,
    sweep,
    close: async () => {
      if (timer) clearInterval(timer);
      await sweeping;
      await loader.close();
      await journal.close();
      await store.close();
    },
  };
}

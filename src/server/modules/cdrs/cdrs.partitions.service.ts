import type { Ctx } from '../../platform/context.js';
import { inTransaction } from '../../platform/db/transaction.js';
import type { JobHandler } from '../../platform/jobs/index.js';
import { systemActor } from '../../platform/context.js';
import { cdrRetentionMonths } from '../settings/index.js';
import * as repo from './cdrs.partitions.repository.js';

/*
 * Partition maintenance and raw-CDR retention (issue #13), one job kind run hourly:
 *   1. the current month and MONTHS_AHEAD more have their partitions (a CDR of a month without one
 *      lands in the DEFAULT partition, never lost); a month with rows in the DEFAULT partition gets
 *      its partition and its rows moved there;
 *   2. with a retention of N months (system setting cdrRetentionMonths), every month before the
 *      horizon (the first day of the current month minus N months) is dropped: its CDRs' keys are
 *      deleted in bounded batches, then its cdr_lines and cdrs partitions are dropped whole.
 *      cdr_daily_usage and the ledger are untouched.
 * A CDR started before the horizon is refused at intake (cdrs.service), so a replay of a purged
 * CDR can never be stored and charged again.
 */

export const MONTHS_AHEAD = 3;
const KEY_BATCH = 5000;

/** The first instant whose raw CDRs are kept, or null when they are kept forever. */
export async function retentionHorizon(ctx: Ctx): Promise<Date | null> {
  const months = await cdrRetentionMonths(ctx.db);
  if (months === null) return null;
  return new Date(`${repo.addMonths(repo.monthOf(ctx.now()), -months)}T00:00:00Z`);
}

/** Step 1 of the header: the months that should have partitions get them. Returns the months created. */
export async function ensurePartitions(ctx: Ctx): Promise<string[]> {
  const current = repo.monthOf(ctx.now());
  const wanted = new Set<string>();
  for (let i = 0; i <= MONTHS_AHEAD; i++) wanted.add(repo.addMonths(current, i));
  for (const m of await repo.monthsInDefault(ctx.db, 24)) wanted.add(m);
  const have = new Set(await repo.listMonths(ctx.db));
  const created: string[] = [];
  for (const m of [...wanted].sort()) {
    if (have.has(m)) continue;
    if (await inTransaction(ctx, (tx) => repo.createMonth(tx.db, m))) created.push(m);
  }
  return created;
}

/** The months whose partitions are wholly before the retention horizon, oldest first. */
export async function monthsPastRetention(ctx: Ctx): Promise<string[]> {
  const horizon = await retentionHorizon(ctx);
  if (!horizon) return [];
  const h = repo.monthOf(horizon);
  return (await repo.listMonths(ctx.db)).filter((m) => m < h);
}

/**
 * Step 2 of the header, one bounded batch: the keys of the oldest expired month after the cursor,
 * or, when none are left, the month's partitions dropped. Null when nothing is left to purge.
 */
export async function purgeExpiredStep(
  ctx: Ctx,
  cursor: { month: string; afterId: number } | null,
): Promise<{ month: string; afterId: number; dropped: boolean } | null> {
  const [month] = await monthsPastRetention(ctx);
  if (!month) return null;
  const afterId = cursor?.month === month ? cursor.afterId : 0;
  const last = await repo.purgeKeysBatch(ctx.db, month, afterId, KEY_BATCH);
  if (last !== null) return { month, afterId: last, dropped: false };
  await inTransaction(ctx, (tx) => repo.dropMonth(tx.db, month));
  return { month, afterId: 0, dropped: true };
}

/** The job kind: maintenance first, then the purge, a batch per step. */
export function cdrJobHandlers(): JobHandler[] {
  return [
    {
      kind: 'cdrs.partitions',
      async step(j, payload) {
        const ctx: Ctx = { actor: systemActor, db: j.db, now: j.now };
        const p = (payload ?? {}) as { ensured?: boolean; month?: string; afterId?: number };
        if (!p.ensured) {
          const created = await ensurePartitions(ctx);
          if (created.length) j.log.info({ created }, 'CDR partitions created');
          p.ensured = true;
        }
        const next = await purgeExpiredStep(
          ctx,
          p.month ? { month: p.month, afterId: p.afterId ?? 0 } : null,
        );
        if (!next) return 'done';
        if (next.dropped) j.log.info({ month: next.month }, 'CDR month dropped (retention)');
        // Progress is the payload's cursor: the next step continues after the last id.
        p.month = next.month;
        p.afterId = next.afterId;
        return 'more';
      },
    },
  ];
}

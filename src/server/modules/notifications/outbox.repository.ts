import { sql } from 'kysely';
import type { Executor } from '../../platform/db/database.js';

/*
 * The notifier's reads of outbox_events (written by the ledger, trunks and accounts). Locking
 * contract: events are taken FOR UPDATE SKIP LOCKED inside the transaction that writes their mails
 * and marks them processed, so an event becomes mail exactly once across instances.
 */

export interface PendingEvent {
  id: number;
  topic: string;
  account_id: number | null;
  payload: Record<string, unknown>;
  created_at: Date;
}

export async function takePending(db: Executor, topics: string[], limit: number): Promise<PendingEvent[]> {
  const r = await sql<PendingEvent>`
    SELECT id, topic, account_id, payload, created_at FROM outbox_events
    WHERE processed_at IS NULL AND topic = ANY(${topics}::text[])
    ORDER BY id LIMIT ${limit}
    FOR UPDATE SKIP LOCKED`.execute(db);
  return r.rows.map((e) => ({
    ...e,
    id: Number(e.id),
    account_id: e.account_id === null ? null : Number(e.account_id),
  }));
}

/** Accounts whose oldest pending trunk event is older than `before`: their window has closed. */
export async function closedTrunkWindows(db: Executor, before: Date, limit: number) {
  const r = await sql<{ account_id: number; first_at: Date }>`
    SELECT account_id, min(created_at) AS first_at FROM outbox_events
    WHERE processed_at IS NULL AND topic = 'trunk.updated' AND account_id IS NOT NULL
    GROUP BY account_id HAVING min(created_at) <= ${before}
    ORDER BY min(created_at) LIMIT ${limit}`.execute(db);
  return r.rows.map((x) => ({ accountId: Number(x.account_id), firstAt: new Date(x.first_at) }));
}

/** The pending trunk events of one account inside its window, locked (none if another took them). */
export async function takeTrunkWindow(db: Executor, accountId: number, until: Date): Promise<PendingEvent[]> {
  const r = await sql<PendingEvent>`
    SELECT id, topic, account_id, payload, created_at FROM outbox_events
    WHERE processed_at IS NULL AND topic = 'trunk.updated' AND account_id = ${accountId}
      AND created_at < ${until}
    ORDER BY id
    FOR UPDATE SKIP LOCKED`.execute(db);
  return r.rows.map((e) => ({ ...e, id: Number(e.id), account_id: Number(e.account_id) }));
}

export async function markProcessed(db: Executor, ids: number[], now: Date): Promise<void> {
  if (!ids.length) return;
  await db.updateTable('outbox_events').set({ processed_at: now }).where('id', 'in', ids).execute();
}

import type { Executor } from '../db/database.js';

/** An event a later job delivers (mail, webhook). Written with the change it announces. */
export interface OutboxEvent {
  topic: string;
  /** Unique per topic: the same event written twice is kept once. */
  dedupeKey: string;
  accountId: number | null;
  payload: Record<string, unknown>;
}

export interface StoredOutboxEvent extends OutboxEvent {
  id: number;
  createdAt: Date;
  attempts: number;
  processedAt: Date | null;
}

/**
 * Appends an event with the caller's executor: pass the transaction of the change it announces,
 * so both commit or neither does (STYLE 6). A repeated (topic, dedupeKey) is ignored.
 */
export async function enqueueOutboxEvent(db: Executor, event: OutboxEvent): Promise<void> {
  await db
    .insertInto('outbox_events')
    .values({
      topic: event.topic,
      dedupe_key: event.dedupeKey,
      account_id: event.accountId,
      payload: JSON.stringify(event.payload),
    })
    .onConflict((oc) => oc.columns(['topic', 'dedupe_key']).doNothing())
    .execute();
}

/** Events of a topic, oldest first (for the delivering job and for tests). */
export async function listOutboxEvents(
  db: Executor,
  filter: { topic?: string; accountId?: number; pendingOnly?: boolean; limit?: number } = {},
): Promise<StoredOutboxEvent[]> {
  let q = db
    .selectFrom('outbox_events')
    .select(['id', 'topic', 'dedupe_key', 'account_id', 'payload', 'created_at', 'attempts', 'processed_at'])
    .orderBy('id')
    .limit(filter.limit ?? 1000);
  if (filter.topic) q = q.where('topic', '=', filter.topic);
  if (filter.accountId) q = q.where('account_id', '=', filter.accountId);
  if (filter.pendingOnly) q = q.where('processed_at', 'is', null);
  const rows = await q.execute();
  return rows.map((r) => ({
    id: r.id,
    topic: r.topic,
    dedupeKey: r.dedupe_key,
    accountId: r.account_id,
    payload: r.payload as Record<string, unknown>,
    createdAt: r.created_at,
    attempts: r.attempts,
    processedAt: r.processed_at,
  }));
}

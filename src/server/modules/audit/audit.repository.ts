import { sql } from 'kysely';
import type { Executor } from '../../platform/db/database.js';

export interface AuditRow {
  id: number;
  at: Date;
  actorLabel: string;
  actorUserId: number | null;
  /** The acting user's display name (null for the system or an API key). */
  actorName?: string | null;
  action: string;
  entityType: string;
  entityId: number | null;
  before: unknown;
  after: unknown;
  requestId: string | null;
}

export async function insertAudit(
  db: Executor,
  row: {
    actorUserId: number | null;
    actorApiKeyId: number | null;
    actorLabel: string;
    action: string;
    entityType: string;
    entityId: number | null;
    accountId: number | null;
    before: unknown;
    after: unknown;
    requestId: string | null;
  },
): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      actor_user_id: row.actorUserId,
      actor_api_key_id: row.actorApiKeyId,
      actor_label: row.actorLabel,
      action: row.action,
      entity_type: row.entityType,
      entity_id: row.entityId,
      account_id: row.accountId,
      before: row.before === undefined || row.before === null ? null : JSON.stringify(row.before),
      after: row.after === undefined || row.after === null ? null : JSON.stringify(row.after),
      request_id: row.requestId,
    })
    .execute();
}

export async function listAuditForAccount(
  db: Executor,
  accountId: number,
  opts: { limit: number; beforeId?: number },
): Promise<AuditRow[]> {
  let q = db
    .selectFrom('audit_log as l')
    .leftJoin('users as u', 'u.id', 'l.actor_user_id')
    .select([
      'l.id',
      'l.at',
      'l.actor_label',
      'l.actor_user_id',
      'u.display_name as actor_name',
      'l.action',
      'l.entity_type',
      'l.entity_id',
      'l.before',
      'l.after',
      'l.request_id',
    ])
    .where('l.account_id', '=', accountId)
    .orderBy('l.id', 'desc')
    .limit(opts.limit);
  if (opts.beforeId) q = q.where('l.id', '<', opts.beforeId);
  const rows = await q.execute();
  return rows.map((r) => ({
    id: r.id,
    at: r.at,
    actorLabel: r.actor_label,
    actorUserId: r.actor_user_id,
    actorName: r.actor_name,
    action: r.action,
    entityType: r.entity_type,
    entityId: r.entity_id,
    before: r.before,
    after: r.after,
    requestId: r.request_id,
  }));
}

/** Many entries in one statement (bulk import, mass create): one row each, same columns as above. */
export async function insertAuditMany(
  db: Executor,
  actor: {
    actorUserId: number | null;
    actorApiKeyId: number | null;
    actorLabel: string;
    requestId: string | null;
  },
  rows: {
    action: string;
    entityType: string;
    entityId: number | null;
    accountId: number | null;
    after: unknown;
  }[],
): Promise<void> {
  if (rows.length === 0) return;
  await sql`
    INSERT INTO audit_log (actor_user_id, actor_api_key_id, actor_label, action, entity_type, entity_id, account_id, after, request_id)
    SELECT ${actor.actorUserId}::bigint, ${actor.actorApiKeyId}::bigint, ${actor.actorLabel}, t.action, t.entity_type,
           t.entity_id, t.account_id, t.after::jsonb, ${actor.requestId}
    FROM unnest(${rows.map((r) => r.action)}::text[], ${rows.map((r) => r.entityType)}::text[],
                ${rows.map((r) => r.entityId)}::bigint[], ${rows.map((r) => r.accountId)}::bigint[],
                ${rows.map((r) => (r.after === null || r.after === undefined ? null : JSON.stringify(r.after)))}::text[])
      AS t(action, entity_type, entity_id, account_id, after)`.execute(db);
}

import crypto from 'node:crypto';
import { sql } from 'kysely';
import type { Executor } from '../../platform/db/database.js';

/*
 * The SQL of the delete cascade's connectivity step (DOMAIN 3.8 steps 3, 4 and 6), for a set of
 * accounts being deleted in the caller's transaction. Soft deletes free usernames and IP/prefix
 * pairs through the partial unique indexes.
 */

const SOFT_DELETED = [
  'sip_devices',
  'hosts',
  'caller_ids',
  'force_caller_ids',
  'speed_dials',
  'blocked_codes',
] as const;
export type SoftDeletedTable = (typeof SOFT_DELETED)[number];

export async function softDeleteOwnedRows(
  db: Executor,
  accountIds: number[],
  now: Date,
): Promise<Record<SoftDeletedTable, number>> {
  const counts = {} as Record<SoftDeletedTable, number>;
  for (const table of SOFT_DELETED) {
    const r = await sql`
      UPDATE ${sql.table(table)} SET deleted_at = ${now}
      WHERE account_id = ANY(${accountIds}::bigint[]) AND deleted_at IS NULL`.execute(db);
    counts[table] = Number(r.numAffectedRows ?? 0);
  }
  return counts;
}

/** Step 4: assigned DIDs go back to their pool. */
export async function releaseDidsOf(db: Executor, accountIds: number[], now: Date): Promise<number> {
  const r = await sql`
    UPDATE dids SET account_id = NULL, assigned_at = NULL, updated_at = ${now}
    WHERE account_id = ANY(${accountIds}::bigint[]) AND deleted_at IS NULL`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}

/**
 * The pool of a deleted reseller moves up to its nearest ancestor that is not being deleted (or
 * the operator), so no DID is stranded in a pool nobody can see.
 */
export async function movePoolsOf(db: Executor, accountIds: number[], now: Date): Promise<number> {
  const r = await sql`
    UPDATE dids d SET updated_at = ${now}, owner_id = (
      SELECT u.x FROM unnest(a.ancestor_ids) WITH ORDINALITY AS u(x, o)
      WHERE u.x <> ALL(${accountIds}::bigint[]) ORDER BY u.o DESC LIMIT 1)
    FROM accounts a
    WHERE a.id = d.owner_id AND d.owner_id = ANY(${accountIds}::bigint[]) AND d.deleted_at IS NULL`.execute(
    db,
  );
  return Number(r.numAffectedRows ?? 0);
}

/** Step 6: the account's trunks are switched off, tagged so the reason shows. */
export async function deactivateTrunksOf(db: Executor, accountIds: number[], now: Date): Promise<number> {
  const r = await sql`
    UPDATE trunks SET status = 'inactive', disabled_reason = 'ACCOUNT_DELETED', updated_at = ${now}
    WHERE account_id = ANY(${accountIds}::bigint[]) AND deleted_at IS NULL AND status = 'active'`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}

/** One "trunk update" event per account whose trunks or hosts changed, for ACL reloads. */
export async function insertTrunkEvents(db: Executor, events: { accountId: number; payload: unknown }[]) {
  if (!events.length) return;
  await db
    .insertInto('outbox_events')
    .values(
      events.map((e) => ({
        topic: 'trunk.updated',
        dedupe_key: crypto.randomUUID(),
        account_id: e.accountId,
        payload: JSON.stringify(e.payload),
      })),
    )
    .execute();
}

/** Per account: how many live hosts and active trunks it has (before the cascade runs). */
export async function trunkFootprint(db: Executor, accountIds: number[]) {
  const r = await sql<{ account_id: number; hosts: number; trunks: number }>`
    SELECT a.id AS account_id,
      (SELECT count(*)::int FROM hosts h WHERE h.account_id = a.id AND h.deleted_at IS NULL) AS hosts,
      (SELECT count(*)::int FROM trunks t WHERE t.account_id = a.id AND t.deleted_at IS NULL AND t.status = 'active') AS trunks
    FROM accounts a WHERE a.id = ANY(${accountIds}::bigint[])`.execute(db);
  return r.rows;
}

/** Live ingress trunks of an account. */
export async function countLiveTrunks(db: Executor, accountId: number): Promise<number> {
  const r = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM trunks WHERE account_id = ${accountId} AND deleted_at IS NULL`.execute(db);
  return Number(r.rows[0]?.n ?? 0);
}

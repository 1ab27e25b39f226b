import { sql } from 'kysely';
import type { Executor } from '../../platform/db/database.js';
import type { BalanceState } from '../../db/schema.js';

/*
 * Locking contract: an evaluation takes the account's low_balance_states row FOR UPDATE (created
 * first when missing) and holds it until its transaction ends, so two instances evaluating the
 * same account run one after the other; mails they write are unique by key anyway.
 */

export interface StateRow {
  account_id: number;
  state: BalanceState;
  low_since: Date | null;
  zero_armed: boolean;
  zero_mail_at: Date | null;
  escalated_at: Date | null;
}

export async function lockState(db: Executor, accountId: number, now: Date): Promise<StateRow> {
  await db
    .insertInto('low_balance_states')
    .values({ account_id: accountId, updated_at: now })
    .onConflict((oc) => oc.column('account_id').doNothing())
    .execute();
  return db
    .selectFrom('low_balance_states')
    .select(['account_id', 'state', 'low_since', 'zero_armed', 'zero_mail_at', 'escalated_at'])
    .where('account_id', '=', accountId)
    .forUpdate()
    .executeTakeFirstOrThrow();
}

export async function findState(db: Executor, accountId: number) {
  return db
    .selectFrom('low_balance_states')
    .select(['state', 'low_since', 'escalated_at'])
    .where('account_id', '=', accountId)
    .executeTakeFirst();
}

export async function saveState(db: Executor, s: StateRow, now: Date): Promise<void> {
  await db
    .updateTable('low_balance_states')
    .set({
      state: s.state,
      low_since: s.low_since,
      zero_armed: s.zero_armed,
      zero_mail_at: s.zero_mail_at,
      escalated_at: s.escalated_at,
      evaluated_at: now,
      updated_at: now,
    })
    .where('account_id', '=', s.account_id)
    .execute();
}

/** Escalation: the account's active trunks go inactive, tagged LOW_BALANCE. Returns their ids. */
export async function disableTrunksForLowBalance(
  db: Executor,
  accountId: number,
  now: Date,
): Promise<number[]> {
  const r = await sql<{ id: number }>`
    UPDATE trunks SET status = 'inactive', disabled_reason = 'LOW_BALANCE', updated_at = ${now}
    WHERE account_id = ${accountId} AND deleted_at IS NULL AND status = 'active'
    RETURNING id`.execute(db);
  return r.rows.map((x) => Number(x.id));
}

/** The return to OK: only trunks still tagged LOW_BALANCE come back (an admin's change untags). */
export async function enableTaggedTrunks(db: Executor, accountId: number, now: Date): Promise<number[]> {
  const r = await sql<{ id: number }>`
    UPDATE trunks SET status = 'active', disabled_reason = NULL, updated_at = ${now}
    WHERE account_id = ${accountId} AND deleted_at IS NULL AND status = 'inactive'
      AND disabled_reason = 'LOW_BALANCE'
    RETURNING id`.execute(db);
  return r.rows.map((x) => Number(x.id));
}

/**
 * Accounts the sweep evaluates, by id after `afterId`: live ones with low-balance or zero-balance
 * notices on, and any not in OK (so a disabled setting still brings tagged trunks back).
 */
export async function sweepBatch(db: Executor, afterId: number, limit: number): Promise<number[]> {
  const r = await sql<{ id: number }>`
    SELECT id FROM (
      SELECT account_id AS id FROM notification_settings
       WHERE (low_balance_enabled OR zero_balance_notification) AND account_id > ${afterId}
      UNION
      SELECT account_id AS id FROM low_balance_states WHERE state <> 'OK' AND account_id > ${afterId}
    ) x
    ORDER BY id LIMIT ${limit}`.execute(db);
  return r.rows.map((x) => Number(x.id));
}

/** Accounts among `ids` the state machine cares about (same rule as the sweep). */
export async function watchedAmong(db: Executor, ids: number[]): Promise<number[]> {
  if (!ids.length) return [];
  const r = await sql<{ id: number }>`
    SELECT account_id AS id FROM notification_settings
     WHERE (low_balance_enabled OR zero_balance_notification) AND account_id = ANY(${ids}::bigint[])
    UNION
    SELECT account_id AS id FROM low_balance_states WHERE state <> 'OK' AND account_id = ANY(${ids}::bigint[])
    ORDER BY id`.execute(db);
  return r.rows.map((x) => Number(x.id));
}

/**
 * The ledger reader: accounts with entries after the cursor (by seq). The cursor row is locked
 * with SKIP LOCKED, so one instance reads at a time and the others go on with other work.
 */
export async function takeLedgerCursor(db: Executor): Promise<number | null> {
  await db
    .insertInto('notification_cursors')
    .values({ name: 'ledger', position: 0 })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const r = await sql<{ position: number }>`
    SELECT position FROM notification_cursors WHERE name = 'ledger' FOR UPDATE SKIP LOCKED`.execute(db);
  return r.rows[0] ? Number(r.rows[0].position) : null;
}

export async function ledgerAccountsAfter(db: Executor, position: number, limit: number) {
  const r = await sql<{ account_id: number; seq: number }>`
    SELECT account_id, seq FROM ledger_entries WHERE seq > ${position} ORDER BY seq LIMIT ${limit}`.execute(
    db,
  );
  return r.rows.map((x) => ({ accountId: Number(x.account_id), seq: Number(x.seq) }));
}

export async function moveLedgerCursor(db: Executor, position: number): Promise<void> {
  await db.updateTable('notification_cursors').set({ position }).where('name', '=', 'ledger').execute();
}

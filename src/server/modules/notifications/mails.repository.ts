import { sql } from 'kysely';
import type { Executor } from '../../platform/db/database.js';
import type { Actor } from '../../platform/context.js';
import type { MailStatus } from '../../db/schema.js';
import { accountScope } from '../../platform/tenancy/index.js';

/*
 * The mail outbox. Locking contract: a deliverer claims due rows with FOR UPDATE SKIP LOCKED and
 * marks them `sending` with its worker id and a lease in the same statement; only the holder of
 * the lease may record the outcome (every update below checks locked_by). A lease left to expire
 * (a crash mid-send) makes the row claimable again, as a new attempt.
 */

export interface NewMail {
  dedupeKey: string;
  accountId: number | null;
  kind: string;
  to: string[];
  subject: string;
  textBody: string;
  htmlBody: string | null;
  status: 'queued' | 'skipped';
  skipReason: string | null;
  resendOf?: number | null;
  createdBy: string;
  now: Date;
}

/** Inserts a mail unless its dedupe key exists; returns the new id, or null when it existed. */
export async function insertMail(db: Executor, m: NewMail): Promise<number | null> {
  const r = await db
    .insertInto('mails')
    .values({
      dedupe_key: m.dedupeKey,
      account_id: m.accountId,
      kind: m.kind,
      to_addresses: m.to,
      subject: m.subject,
      text_body: m.textBody,
      html_body: m.htmlBody,
      status: m.status,
      skip_reason: m.skipReason,
      resend_of: m.resendOf ?? null,
      created_by: m.createdBy,
      next_attempt_at: m.now,
      created_at: m.now,
      updated_at: m.now,
    })
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  return r?.id ?? null;
}

export interface ClaimedMail {
  id: number;
  account_id: number | null;
  kind: string;
  to_addresses: string[];
  subject: string;
  text_body: string;
  html_body: string | null;
  attempts: number;
  max_attempts: number;
  dedupe_key: string;
}

/** Claims up to `limit` due mails for `workerId` (see the locking contract above). */
export async function claimDueMails(
  db: Executor,
  workerId: string,
  now: Date,
  leaseMs: number,
  limit: number,
): Promise<ClaimedMail[]> {
  const r = await sql<ClaimedMail>`
    WITH due AS (
      SELECT id FROM mails
      WHERE (status = 'queued' AND next_attempt_at <= ${now})
         OR (status = 'sending' AND locked_until < ${now})
      ORDER BY next_attempt_at, id
      LIMIT ${limit}
      FOR UPDATE SKIP LOCKED
    )
    UPDATE mails m SET
      status = 'sending',
      locked_by = ${workerId},
      locked_until = ${new Date(now.getTime() + leaseMs)},
      attempts = m.attempts + 1,
      updated_at = ${now}
    FROM due WHERE m.id = due.id
    RETURNING m.id, m.account_id, m.kind, m.to_addresses, m.subject, m.text_body, m.html_body,
              m.attempts, m.max_attempts, m.dedupe_key`.execute(db);
  return r.rows.map((row) => ({
    ...row,
    id: Number(row.id),
    account_id: row.account_id && Number(row.account_id),
  }));
}

type Outcome =
  | { status: 'sent'; messageId: string; from: string; replyTo: string | null }
  | { status: 'queued'; error: string; retryAt: Date }
  | { status: 'failed'; error: string }
  | { status: 'skipped'; reason: string };

/** Records what became of a claimed mail; false when this worker no longer held it. */
export async function recordOutcome(
  db: Executor,
  id: number,
  workerId: string,
  outcome: Outcome,
  now: Date,
): Promise<boolean> {
  const base = { status: outcome.status as MailStatus, locked_by: null, locked_until: null, updated_at: now };
  const set =
    outcome.status === 'sent'
      ? {
          ...base,
          sent_at: now,
          message_id: outcome.messageId,
          from_address: outcome.from,
          reply_to: outcome.replyTo,
        }
      : outcome.status === 'queued'
        ? { ...base, last_error: outcome.error.slice(0, 2000), next_attempt_at: outcome.retryAt }
        : outcome.status === 'failed'
          ? { ...base, last_error: outcome.error.slice(0, 2000) }
          : { ...base, skip_reason: outcome.reason };
  const r = await db
    .updateTable('mails')
    .set(set)
    .where('id', '=', id)
    .where('locked_by', '=', workerId)
    .where('status', '=', 'sending')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

const LIST_COLUMNS = [
  'm.id',
  'm.account_id',
  'm.kind',
  'm.to_addresses',
  'm.subject',
  'm.status',
  'm.skip_reason',
  'm.last_error',
  'm.attempts',
  'm.next_attempt_at',
  'm.sent_at',
  'm.message_id',
  'm.resend_of',
  'm.created_by',
  'm.created_at',
  'a.account_number',
  'a.name as account_name',
] as const;

export interface MailFilter {
  accountId?: number;
  status?: MailStatus;
  kind?: string;
}

/**
 * Mails in the actor's scope, newest first, keyset by id. An admin also sees operator mail (no
 * account); a reseller only mail to its subtree; a customer only its own.
 */
export async function listMails(
  db: Executor,
  actor: Actor,
  f: MailFilter,
  page: { limit: number; afterId: number | null },
) {
  let q = db
    .selectFrom('mails as m')
    .leftJoin('accounts as a', 'a.id', 'm.account_id')
    .select(LIST_COLUMNS)
    .orderBy('m.id', 'desc')
    .limit(page.limit + 1);
  if (actor.kind !== 'admin' && actor.kind !== 'system')
    q = q.where('m.account_id', 'is not', null).where(accountScope(actor));
  if (f.accountId !== undefined) q = q.where('m.account_id', '=', f.accountId);
  if (f.status) q = q.where('m.status', '=', f.status);
  if (f.kind) q = q.where('m.kind', '=', f.kind);
  if (page.afterId !== null) q = q.where('m.id', '<', page.afterId);
  return q.execute();
}
export type MailListRow = Awaited<ReturnType<typeof listMails>>[number];

/** One mail with its bodies, in the actor's scope. */
export async function findMail(db: Executor, actor: Actor, id: number) {
  let q = db
    .selectFrom('mails as m')
    .leftJoin('accounts as a', 'a.id', 'm.account_id')
    .select([...LIST_COLUMNS, 'm.text_body', 'm.html_body', 'm.from_address', 'm.reply_to'])
    .where('m.id', '=', id);
  if (actor.kind !== 'admin' && actor.kind !== 'system')
    q = q.where('m.account_id', 'is not', null).where(accountScope(actor));
  return q.executeTakeFirst();
}
export type MailRow = NonNullable<Awaited<ReturnType<typeof findMail>>>;

/** Counts by status (tests, metrics). */
export async function countMailsByStatus(db: Executor): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('mails')
    .select(['status', sql<number>`count(*)::int`.as('n')])
    .groupBy('status')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

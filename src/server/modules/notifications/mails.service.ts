import type { Ctx } from '../../platform/context.js';
import { reachAccount } from '../../platform/tenancy/index.js';
import { AppError, forbidden, notFound } from '../../platform/errors.js';
import type { MailSettings } from '../../platform/mail/index.js';
import { idPage } from '../../platform/cursor-keys.js';
import { iso } from '../../platform/http/schemas.js';
import { SKIP_DELETED, SKIP_DISABLED, SKIP_NO_ADDRESS, queueAccountMail } from './mail-compose.js';
import * as repo from './mails.repository.js';
import { findMailAccount, findPortalLogin } from './notifications.repository.js';
import { queueManualLowBalanceAlert } from './low-balance.service.js';
import type { MailDetailDto, MailDto, MailListQueryInput, QueuedMailDto } from './mails.schemas.js';
import crypto from 'node:crypto';

/** The mail is not in the caller's scope. */
export const mailNotFound = () => notFound('MAIL_NOT_FOUND', 'Mail not found.');
/** A mail still waiting or being sent cannot be resent yet. */
export const mailPending = () =>
  new AppError('MAIL_STILL_PENDING', 'This mail is still queued or being sent.');

function requireStaff(ctx: Ctx) {
  if (ctx.actor.kind === 'customer') throw forbidden('Customers cannot read the mail log.');
}

const toDto = (r: repo.MailListRow): MailDto => ({
  id: r.id,
  customerId: r.account_id,
  accountNumber: r.account_number ?? null,
  accountName: r.account_name ?? null,
  kind: r.kind,
  to: r.to_addresses,
  subject: r.subject,
  status: r.status,
  skipReason: r.skip_reason,
  lastError: r.last_error,
  attempts: r.attempts,
  nextAttemptAt: r.status === 'queued' ? iso(r.next_attempt_at) : null,
  sentAt: iso(r.sent_at),
  messageId: r.message_id,
  resendOf: r.resend_of,
  createdBy: r.created_by,
  createdAt: iso(r.created_at)!,
});

/** The mail log: admins everything, resellers mail to their subtree. Newest first. */
export async function listMails(ctx: Ctx, q: MailListQueryInput) {
  requireStaff(ctx);
  if (q.customerId !== undefined) await reachAccount(ctx, q.customerId);
  const page = await idPage(q, (p) =>
    repo.listMails(ctx.db, ctx.actor, { accountId: q.customerId, status: q.status, kind: q.kind }, p),
  );
  return { data: page.rows.map(toDto), nextCursor: page.nextCursor };
}

/** The Emails tab: every mail to one customer. */
export async function listCustomerMails(
  ctx: Ctx,
  customerId: number,
  q: Omit<MailListQueryInput, 'customerId'>,
) {
  return listMails(ctx, { ...q, customerId });
}

export async function getMail(ctx: Ctx, id: number): Promise<MailDetailDto> {
  requireStaff(ctx);
  const r = await repo.findMail(ctx.db, ctx.actor, id);
  if (!r) throw mailNotFound();
  return {
    ...toDto(r),
    textBody: r.text_body,
    htmlBody: r.html_body,
    from: r.from_address,
    replyTo: r.reply_to,
  };
}

/** Queues a copy of a mail (same recipients and content), subject to the same rules as a new one. */
export async function resendMail(ctx: Ctx, id: number): Promise<QueuedMailDto> {
  requireStaff(ctx);
  const r = await repo.findMail(ctx.db, ctx.actor, id);
  if (!r) throw mailNotFound();
  if (r.status === 'queued' || r.status === 'sending') throw mailPending();
  const a = r.account_id === null ? null : await findMailAccount(ctx.db, r.account_id);
  const skipReason = a?.deleted_at
    ? SKIP_DELETED
    : a && !a.notifications_enabled
      ? SKIP_DISABLED
      : r.to_addresses.length === 0
        ? SKIP_NO_ADDRESS
        : null;
  const mailId = (await repo.insertMail(ctx.db, {
    dedupeKey: `resend:${id}:${crypto.randomUUID()}`,
    accountId: r.account_id,
    kind: r.kind,
    to: r.to_addresses,
    subject: r.subject,
    textBody: r.text_body,
    htmlBody: r.html_body,
    status: skipReason ? 'skipped' : 'queued',
    skipReason,
    resendOf: id,
    createdBy: ctx.actor.label,
    now: ctx.now(),
  }))!;
  return { mailId, status: skipReason ? 'skipped' : 'queued', skipReason };
}

/** Row action "send welcome letter": a new welcome mail now (each press is one mail). */
export async function sendWelcomeLetter(
  ctx: Ctx,
  mail: MailSettings,
  customerId: number,
): Promise<QueuedMailDto> {
  requireStaff(ctx);
  const a = await reachAccount(ctx, customerId);
  const q = (await queueAccountMail(ctx, mail, {
    accountId: a.id,
    kind: 'welcome_letter',
    route: 'welcome',
    vars: { portalUsername: (await findPortalLogin(ctx.db, a.id)) ?? '', mainEmail: a.main_email ?? '' },
    dedupeKey: `welcome_letter:${a.id}:${crypto.randomUUID()}`,
  }))!;
  return { mailId: q.id, status: q.status, skipReason: q.skipReason };
}

/** Row action "send low balance alert": sends now; the state machine's state and counters stay. */
export async function sendLowBalanceAlert(
  ctx: Ctx,
  mail: MailSettings,
  customerId: number,
): Promise<QueuedMailDto> {
  requireStaff(ctx);
  const a = await reachAccount(ctx, customerId, { customer: true });
  const q = (await queueManualLowBalanceAlert(ctx, mail, a.id))!;
  return { mailId: q.id, status: q.status, skipReason: q.skipReason };
}

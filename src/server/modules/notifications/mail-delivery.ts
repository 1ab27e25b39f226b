import type { Ctx } from '../../platform/context.js';
import { MailSendError, type MailSettings } from '../../platform/mail/index.js';
import { claimDueMails, recordOutcome } from './mails.repository.js';

/** Shown on a mail kept because no SMTP server is configured (DOMAIN 3.15 "Delivery"). */
export const NO_SMTP_REASON = 'not sent: no SMTP configured';

/** Retry n (1-based) waits 1, 4, 16, 64, 256 minutes, at most 6 hours. */
export function retryDelayMs(attempt: number): number {
  return Math.min(6 * 3600_000, 60_000 * 4 ** Math.max(0, attempt - 1));
}

export interface DeliveryResult {
  claimed: number;
  sent: number;
  retried: number;
  failed: number;
  skipped: number;
}

/**
 * Sends one bounded batch of due mails. Each mail is claimed (SKIP LOCKED + lease, see
 * mails.repository) before the SMTP conversation, so two instances never send the same row; the
 * server's answer to a refusal is kept. A 5xx answer fails the mail at once; a 4xx or a lost
 * connection retries with backoff until max_attempts.
 */
export async function deliverDueMails(
  ctx: Ctx,
  mail: MailSettings,
  opts: { workerId: string; leaseMs?: number; batch?: number },
): Promise<DeliveryResult> {
  const result: DeliveryResult = { claimed: 0, sent: 0, retried: 0, failed: 0, skipped: 0 };
  const claimed = await claimDueMails(
    ctx.db,
    opts.workerId,
    ctx.now(),
    opts.leaseMs ?? 5 * 60_000,
    opts.batch ?? 20,
  );
  result.claimed = claimed.length;
  for (const m of claimed) {
    if (!mail.transport) {
      await recordOutcome(
        ctx.db,
        m.id,
        opts.workerId,
        { status: 'skipped', reason: NO_SMTP_REASON },
        ctx.now(),
      );
      result.skipped++;
      continue;
    }
    try {
      const sent = await mail.transport.send({
        from: mail.from,
        replyTo: mail.replyTo,
        to: m.to_addresses,
        subject: m.subject,
        text: m.text_body,
        html: m.html_body,
        headers: { 'X-Tollgate-Mail-Id': String(m.id), 'X-Tollgate-Kind': m.kind },
      });
      await recordOutcome(
        ctx.db,
        m.id,
        opts.workerId,
        { status: 'sent', messageId: sent.messageId, from: mail.from, replyTo: mail.replyTo },
        ctx.now(),
      );
      result.sent++;
    } catch (err) {
      const e = err instanceof MailSendError ? err : new MailSendError(String(err), false, null);
      if (e.permanent || m.attempts >= m.max_attempts) {
        await recordOutcome(ctx.db, m.id, opts.workerId, { status: 'failed', error: e.message }, ctx.now());
        result.failed++;
      } else {
        const retryAt = new Date(ctx.now().getTime() + retryDelayMs(m.attempts));
        await recordOutcome(
          ctx.db,
          m.id,
          opts.workerId,
          { status: 'queued', error: e.message, retryAt },
          ctx.now(),
        );
        result.retried++;
      }
    }
  }
  return result;
}

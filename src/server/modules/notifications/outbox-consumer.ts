import type { Ctx } from '../../platform/context.js';
import type { MailSettings } from '../../platform/mail/index.js';
import { inTransaction } from '../../platform/db/transaction.js';
import { queueAccountMail } from './mail-compose.js';
import { findPortalLogin, findMailAccount } from './notifications.repository.js';
import { findSettings } from './settings.repository.js';
import * as repo from './outbox.repository.js';
import { formatLocalTime } from './schedule-slots.js';
import { SIGN_IN_TOPIC } from './sign-in.js';

/*
 * Turns outbox events into mails (DOMAIN 3.15 "Other events"): a payment mail per PAYMENT entry,
 * trunk changes merged per 5-minute window into one NOC mail, the welcome letter asked for on
 * create, the sign-in notice. Each batch is one transaction: events locked, mails written, events marked processed.
 */

export const TRUNK_WINDOW_MS = 5 * 60_000;
export const WELCOME_TOPIC = 'account.welcome_requested';

const fmtTime = (d: Date) => d.toISOString().slice(0, 16).replace('T', ' ') + ' UTC';

/** One line per change: what changed, before -> after for the fields that differ. */
export function describeTrunkChange(e: { created_at: Date; payload: Record<string, unknown> }): string {
  const p = e.payload;
  const what = [
    String(p.action ?? 'change'),
    p.trunkId ? `trunk #${String(p.trunkId)}` : '',
    p.hostId ? `host #${String(p.hostId)}` : '',
    Array.isArray(p.trunkIds) ? `trunks ${p.trunkIds.map((x) => '#' + String(x)).join(', ')}` : '',
  ]
    .filter(Boolean)
    .join(' ');
  const before = (p.before ?? {}) as Record<string, unknown>;
  const after = (p.after ?? {}) as Record<string, unknown>;
  const fields = [...new Set([...Object.keys(before), ...Object.keys(after)])]
    .filter((k) => k !== 'updatedAt' && JSON.stringify(before[k]) !== JSON.stringify(after[k]))
    .map((k) => `${k}: ${JSON.stringify(before[k] ?? null)} -> ${JSON.stringify(after[k] ?? null)}`);
  return `- ${fmtTime(e.created_at)} ${what}${fields.length ? ': ' + fields.join('; ') : ''}`;
}

export async function consumeOutbox(
  ctx: Ctx,
  mail: MailSettings,
  opts: { batch?: number } = {},
): Promise<{ payments: number; trunkMails: number; welcomes: number; signIns: number; more: boolean }> {
  const batch = opts.batch ?? 100;
  const out = { payments: 0, trunkMails: 0, welcomes: 0, signIns: 0, more: false };

  await inTransaction(ctx, async (tx) => {
    const events = await repo.takePending(tx.db, ['payment.received', WELCOME_TOPIC, SIGN_IN_TOPIC], batch);
    out.more = events.length === batch;
    for (const e of events) {
      if (e.account_id === null) continue;
      if (e.topic === 'payment.received') {
        const s = await findSettings(tx.db, e.account_id);
        if (!s.payment_received_alert) continue;
        const p = e.payload;
        const q = await queueAccountMail(tx, mail, {
          accountId: e.account_id,
          kind: 'payment_received',
          route: 'money',
          vars: {
            amount: String(p.amount ?? ''),
            balanceAfter: String(p.balanceAfter ?? ''),
            method: String(p.method ?? '-'),
            reference: String(p.externalRef ?? '-'),
            paidAt: p.createdAt ? fmtTime(new Date(String(p.createdAt))) : '',
          },
          dedupeKey: `payment_received:${String(p.entryId)}`,
        });
        if (q) out.payments++;
      } else if (e.topic === SIGN_IN_TOPIC) {
        // The setting is read again: turned off since the login, nothing is sent.
        if (!(await findSettings(tx.db, e.account_id)).sign_in_notification) continue;
        const a = await findMailAccount(tx.db, e.account_id);
        const p = e.payload;
        const q = await queueAccountMail(tx, mail, {
          accountId: e.account_id,
          kind: 'sign_in',
          route: 'security',
          vars: {
            signedInAt: formatLocalTime(new Date(String(p.at)), a?.timezone ?? 'UTC'),
            ip: String(p.ip || 'unknown'),
            userAgent: String(p.userAgent || 'unknown'),
          },
          dedupeKey: `sign_in:${e.id}`,
        });
        if (q) out.signIns++;
      } else {
        const a = await findMailAccount(tx.db, e.account_id);
        const q = await queueAccountMail(tx, mail, {
          accountId: e.account_id,
          kind: 'welcome_letter',
          route: 'welcome',
          vars: {
            portalUsername: (await findPortalLogin(tx.db, e.account_id)) ?? '',
            mainEmail: a?.main_email ?? '',
          },
          dedupeKey: `welcome_letter:${e.account_id}:create`,
        });
        if (q) out.welcomes++;
      }
    }
    await repo.markProcessed(
      tx.db,
      events.map((e) => e.id),
      tx.now(),
    );
  });

  const windows = await repo.closedTrunkWindows(
    ctx.db,
    new Date(ctx.now().getTime() - TRUNK_WINDOW_MS),
    batch,
  );
  for (const w of windows) {
    await inTransaction(ctx, async (tx) => {
      const events = await repo.takeTrunkWindow(
        tx.db,
        w.accountId,
        new Date(w.firstAt.getTime() + TRUNK_WINDOW_MS),
      );
      if (!events.length) return;
      const s = await findSettings(tx.db, w.accountId);
      if (s.send_trunk_update) {
        const q = await queueAccountMail(tx, mail, {
          accountId: w.accountId,
          kind: 'trunk_update',
          route: 'technical',
          vars: { changeCount: String(events.length), changes: events.map(describeTrunkChange).join('\n') },
          dedupeKey: `trunk_update:${w.accountId}:${events[0]!.id}`,
        });
        if (q) out.trunkMails++;
      }
      await repo.markProcessed(
        tx.db,
        events.map((e) => e.id),
        tx.now(),
      );
    });
  }
  if (windows.length === batch) out.more = true;
  return out;
}

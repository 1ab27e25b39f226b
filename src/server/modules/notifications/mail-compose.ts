import type { Ctx } from '../../platform/context.js';
import type { MailSettings } from '../../platform/mail/index.js';
import type { MailKind } from './template-catalog.js';
import { renderTemplate } from './render.js';
import { insertMail } from './mails.repository.js';
import { findEffectiveTemplate, findMailAccount, type MailAccount } from './notifications.repository.js';

/*
 * Turning an event into a mail row: recipient routing (DOMAIN 3.15), the template (a reseller's
 * override for its customers), the master switch and deleted accounts. Every decision leaves a
 * row, so the Emails tab shows why a mail was not sent.
 */

export type Recipient = 'owner' | 'partner' | 'both';
/**
 * technical -> nocEmail; money -> partner billing chain; welcome -> mainEmail; security (the
 * sign-in notice, for the account holder) -> mainEmail; or a setting.
 */
export type Route = 'technical' | 'money' | 'welcome' | 'security' | { recipient: Recipient };

export const SKIP_DELETED = 'not sent: the account is deleted';
export const SKIP_DISABLED = 'not sent: notifications are off for this account';
export const SKIP_NO_ADDRESS = 'not sent: no recipient address';

const clean = (list: (string | null | undefined)[]) => [
  ...new Set(list.map((s) => s?.trim()).filter((s): s is string => !!s)),
];

/** Partner = billingEmail, then notificationEmail, then mainEmail (DOMAIN 3.11). */
export function partnerAddresses(
  a: Pick<MailAccount, 'billing_emails' | 'notification_emails' | 'main_email'>,
) {
  for (const list of [a.billing_emails, a.notification_emails, [a.main_email]]) {
    const c = clean(list ?? []);
    if (c.length) return c;
  }
  return [];
}

/**
 * Owner = whoever bills this account: its reseller (the reseller's own partner chain), or for the
 * operator's own customers the operator's billing address (OPERATOR_BILLING_EMAIL).
 */
async function ownerAddresses(ctx: Ctx, a: MailAccount, mail: MailSettings): Promise<string[]> {
  if (a.parent_id !== null) {
    const parent = await findMailAccount(ctx.db, a.parent_id);
    return parent ? partnerAddresses(parent) : [];
  }
  return clean([mail.operatorBillingEmail]);
}

export async function recipientsFor(ctx: Ctx, a: MailAccount, route: Route, mail: MailSettings) {
  if (route === 'technical') return clean(a.noc_emails ?? []);
  if (route === 'welcome' || route === 'security') return clean([a.main_email]);
  if (route === 'money') return partnerAddresses(a);
  const owner = route.recipient === 'partner' ? [] : await ownerAddresses(ctx, a, mail);
  const partner = route.recipient === 'owner' ? [] : partnerAddresses(a);
  return clean([...partner, ...owner]);
}

/** Variables every template may use. */
export function accountVariables(a: MailAccount): Record<string, string> {
  return {
    accountName: a.name,
    accountNumber: a.account_number,
    companyName: a.company_name ?? '',
    currency: a.currency,
  };
}

export interface QueueAccountMail {
  accountId: number;
  kind: MailKind;
  route: Route;
  vars: Record<string, string>;
  /** Unique per mail: the same key twice is one mail (a slot, a ledger entry, a merged window). */
  dedupeKey: string;
  createdBy?: string;
}

/**
 * Writes one mail to an account into the mail outbox (queued, or skipped with the reason), with
 * the caller's executor so it commits with the event that caused it. Returns the mail id, or null
 * when a mail with this key already exists.
 */
export async function queueAccountMail(
  ctx: Ctx,
  mail: MailSettings,
  input: QueueAccountMail,
): Promise<{ id: number; status: 'queued' | 'skipped'; skipReason: string | null } | null> {
  const a = await findMailAccount(ctx.db, input.accountId);
  if (!a) throw new Error(`queueAccountMail: account ${input.accountId} does not exist`);
  const template = await findEffectiveTemplate(ctx.db, input.kind, a.ancestor_ids);
  if (!template) throw new Error(`No mail template for kind ${input.kind}`);
  const to = await recipientsFor(ctx, a, input.route, mail);
  const parts = renderTemplate(
    { subject: template.subject, textBody: template.text_body, htmlBody: template.html_body },
    { ...accountVariables(a), ...input.vars },
  );
  const skipReason =
    a.deleted_at !== null
      ? SKIP_DELETED
      : !a.notifications_enabled
        ? SKIP_DISABLED
        : to.length === 0
          ? SKIP_NO_ADDRESS
          : null;
  const id = await insertMail(ctx.db, {
    dedupeKey: input.dedupeKey,
    accountId: a.id,
    kind: input.kind,
    to,
    ...parts,
    status: skipReason ? 'skipped' : 'queued',
    skipReason,
    createdBy: input.createdBy ?? ctx.actor.label,
    now: ctx.now(),
  });
  return id === null ? null : { id, status: skipReason ? 'skipped' : 'queued', skipReason };
}

/** A mail to the operator (failed jobs): plain text, no template, no account. */
export async function queueOperatorMail(
  ctx: Ctx,
  mail: MailSettings,
  input: { kind: string; subject: string; text: string; dedupeKey: string },
): Promise<number | null> {
  const to = clean([mail.operatorAlertEmail]);
  return insertMail(ctx.db, {
    dedupeKey: input.dedupeKey,
    accountId: null,
    kind: input.kind,
    to,
    subject: input.subject.slice(0, 300),
    textBody: input.text,
    htmlBody: null,
    status: to.length ? 'queued' : 'skipped',
    skipReason: to.length ? null : 'not sent: no OPERATOR_ALERT_EMAIL configured',
    createdBy: 'system',
    now: ctx.now(),
  });
}

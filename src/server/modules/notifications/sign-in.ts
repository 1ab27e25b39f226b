import crypto from 'node:crypto';
import type { Ctx } from '../../platform/context.js';
import { enqueueOutboxEvent } from '../../platform/outbox/index.js';
import { findSettings } from './settings.repository.js';

/*
 * The sign-in notice (DOMAIN 3.15 "Sign-in", the 3.11 field signInNotification): a successful
 * portal login of an account's user becomes an outbox event, written with the login; the outbox
 * consumer turns it into a `sign_in` mail to the account holder (mainEmail) with the time in the
 * account's zone, the IP and the user agent. "Log in as customer" (an impersonated session)
 * sends nothing (DOMAIN 3.1).
 */

export const SIGN_IN_TOPIC = 'account.signed_in';

export interface SignedInSession {
  user: { id: number; accountId: number | null; impersonatorUserId: number | null };
}

/**
 * Records a portal sign-in for its notice. Returns whether an event was written: not for staff
 * (no account), not for an impersonated session, not when the account's setting is off.
 */
export async function recordSignIn(
  ctx: Ctx,
  session: SignedInSession,
  from: { ip: string | null; userAgent: string | null },
): Promise<boolean> {
  const { accountId, impersonatorUserId } = session.user;
  if (accountId === null || impersonatorUserId !== null) return false;
  if (!(await findSettings(ctx.db, accountId)).sign_in_notification) return false;
  await enqueueOutboxEvent(ctx.db, {
    topic: SIGN_IN_TOPIC,
    dedupeKey: crypto.randomUUID(),
    accountId,
    payload: {
      userId: session.user.id,
      at: ctx.now().toISOString(),
      ip: (from.ip ?? '').slice(0, 100),
      userAgent: (from.userAgent ?? '').slice(0, 300),
    },
  });
  return true;
}

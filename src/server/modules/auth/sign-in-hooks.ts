import type { Ctx } from '../../platform/context.js';

/*
 * What other modules do when a user signs in (the notifications module's sign-in notice), registered
 * in app.ts so that auth imports none of them (issue 11: auth -> notifications -> accounts -> auth
 * was an import cycle). Each runs in the sign-in's context, in registration order.
 */

export interface SignedIn {
  user: { id: number; accountId: number | null; impersonatorUserId: number | null };
}
export type SignInHook = (
  ctx: Ctx,
  session: SignedIn,
  from: { ip: string | null; userAgent: string | null },
) => Promise<unknown>;

const hooks = new Map<string, SignInHook>();

/** A module's sign-in hook under its name; registering the same name again replaces it. */
export function registerSignInHook(name: string, hook: SignInHook): void {
  hooks.set(name, hook);
}

export async function runSignInHooks(
  ctx: Ctx,
  session: SignedIn,
  from: { ip: string | null; userAgent: string | null },
): Promise<void> {
  for (const hook of hooks.values()) await hook(ctx, session, from);
}

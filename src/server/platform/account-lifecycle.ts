import type { Ctx } from './context.js';

/*
 * Account lifecycle hooks (issue 11): the accounts module creates, edits and deletes accounts and
 * knows none of the modules that hang rows off them. Each of those registers, in app.ts, what it
 * does when an account is created, changed or deleted; the accounts module (and the bulk paths:
 * import, mass create, templates) runs them in its own transaction, in registration order.
 */

/** The references an account holds to rows of other modules (rate groups, localization profile). */
export interface AccountReferences {
  /** The account's owner (its reseller), or null for the operator. */
  ownerId: number | null;
  /** null: not known yet (a template without a currency); the currency is then not checked. */
  currency: string | null;
  rateGroupId?: number | null;
  nonCliRateGroupId?: number | null;
  localizationId?: number | null;
}

/** An account just inserted in the caller's transaction, with the create form's extra asks. */
export interface CreatedAccount {
  id: number;
  accountNumber: string;
  kind: 'customer' | 'provider' | 'reseller';
  initialBalance?: string;
  testCredit?: string;
  createSipDevice?: boolean;
  roles: string[];
  mode: string;
  creditLimit: string | null;
  unlimitedCredit: boolean;
  /** The create form's Notification Setting section (the notifications module checks and saves it). */
  notificationSettings?: unknown;
}

/** An edit about to be written: the row as it is and the fields the edit changes. */
export interface AccountChange {
  id: number;
  before: { roles: string[]; currency: string };
  after: { roles?: string[]; currency?: string };
}

export interface AccountLifecycleHooks {
  /** Throws a 400 naming the field when a reference given (not undefined, not null) is not usable. */
  checkReferences?(ctx: Ctx, refs: AccountReferences): Promise<void>;
  /** Runs after the insert; what it returns is added to the create answer (e.g. a SIP device). */
  created?(ctx: Ctx, account: CreatedAccount): Promise<Record<string, unknown> | void>;
  /** Runs before an edit is written; throws to refuse it (e.g. a currency already used). */
  changing?(ctx: Ctx, change: AccountChange): Promise<void>;
  /**
   * Runs for accounts being soft-deleted (a reseller with its subtree); answers how many rows of
   * each kind it released, summed into the delete's one audit entry.
   */
  deleted?(ctx: Ctx, accountIds: number[], now: Date): Promise<Record<string, number>>;
}

const registry = new Map<string, AccountLifecycleHooks>();

/** A module's hooks under its name; registering the same name again replaces them (one app per test). */
export function registerAccountHooks(name: string, hooks: AccountLifecycleHooks): void {
  registry.set(name, hooks);
}

/** The names registered, in the order the hooks run. */
export function registeredAccountHooks(): string[] {
  return [...registry.keys()];
}

/** The hooks, refusing to run with none: an account made without them would be silently half made. */
function hooks(): Iterable<AccountLifecycleHooks> {
  if (registry.size === 0) throw new Error('Account lifecycle hooks are not registered (app.ts does it).');
  return registry.values();
}

export async function checkAccountReferences(ctx: Ctx, refs: AccountReferences): Promise<void> {
  for (const h of hooks()) await h.checkReferences?.(ctx, refs);
}

export async function runAccountCreated(ctx: Ctx, account: CreatedAccount): Promise<Record<string, unknown>> {
  const extra: Record<string, unknown> = {};
  for (const h of hooks()) Object.assign(extra, (await h.created?.(ctx, account)) ?? {});
  return extra;
}

export async function runAccountChanging(ctx: Ctx, change: AccountChange): Promise<void> {
  for (const h of hooks()) await h.changing?.(ctx, change);
}

export async function runAccountsDeleted(
  ctx: Ctx,
  accountIds: number[],
  now: Date,
): Promise<Record<string, number>> {
  const released: Record<string, number> = {};
  if (accountIds.length === 0) return released;
  for (const h of hooks()) Object.assign(released, (await h.deleted?.(ctx, accountIds, now)) ?? {});
  return released;
}

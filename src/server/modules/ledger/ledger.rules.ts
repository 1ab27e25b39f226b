import crypto from 'node:crypto';
import type { LedgerEntryType } from '../../db/schema.js';
import type { Actor, Ctx } from '../../platform/context.js';
import { AppError, forbidden, validationError } from '../../platform/errors.js';
import { currencyMinorUnits, money, type Money } from '../../platform/money.js';
import type { AccountKind } from '../accounts/index.js';
import { accountNotFound, requireManager } from '../../platform/tenancy/index.js';
import {
  amountNotPositive,
  amountPrecision,
  badDateRange,
  portalPermissionRequired,
} from './ledger.errors.js';
import * as repo from './ledger.repository.js';
import type { LedgerAccount } from './ledger.repository.js';
import type { EntryFilter } from './ledger.schemas.js';

// The checks the ledger's use cases share: a posting's key, fingerprint and input (payments,
// corrections, opening balances, calls), and a read's account and filter (reads, export).

/**
 * Client keys are scoped to the tenant that sends them: the operator's staff share one space, each
 * reseller has its own, so two resellers using "invoice-1001" never collide. System keys
 * (open:..., later cdr:..., scc:...) never start with these prefixes.
 */
export function scopedKey(actor: Actor, clientKey: string): string {
  switch (actor.kind) {
    case 'admin':
    case 'system':
      return `op:${clientKey}`;
    case 'reseller':
      return `reseller:${actor.accountId}:${clientKey}`;
    case 'customer':
      return `customer:${actor.accountId}:${clientKey}`;
    case 'switch':
      return `switch:${actor.apiKeyId}:${clientKey}`;
    case 'anonymous':
      throw forbidden();
  }
}

/** A stable hash of what was asked; amounts normalized so "10" and "10.00" are the same request. */
export function fingerprintOf(parts: (string | number | null)[]): string {
  return crypto.createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

export const requirePoster = (ctx: Ctx) => requireManager(ctx, 'Customers cannot post to the ledger.');

export function requireKey(clientKey: string | undefined): string {
  if (!clientKey)
    throw new AppError('VALIDATION_FAILED', 'The Idempotency-Key header is required.', {
      field: 'idempotency-key',
    });
  return clientKey;
}

export function cleanReason(reason: string | undefined, fallback?: string): string {
  const r = reason?.trim();
  if (r) return r;
  if (fallback) return fallback;
  throw validationError('reason', 'A reason is required.');
}

export function cleanOptional(s: string | undefined): string | null {
  const t = s?.trim();
  return t ? t : null;
}

export function positiveAmount(s: string, field = 'amount'): Money {
  const a = money(s);
  if (!a.gt(0)) throw amountNotPositive(field);
  return a;
}

/** Balances, opening balances and call costs carry six decimals (NUMERIC(20,6)). */
export const BALANCE_PLACES = 6;

/** Manual amounts respect the currency's minor unit; rated call charges may carry 6 places. */
export function checkMinorUnits(amount: Money, currency: string, field = 'amount'): void {
  const places = currencyMinorUnits(currency);
  if (amount.decimalPlaces() > places) throw amountPrecision(field, currency, places);
}

/** Money an account has held for its live calls; call authorization provides it (app.ts). */
export type HeldForLiveCalls = (accountId: number) => Promise<string>;

type PortalPermission = 'balance' | 'paymentHistory';

/** An account the actor may read; a customer also needs the portal permission (DOMAIN 3.14). */
export async function readableAccount(
  ctx: Ctx,
  kind: AccountKind,
  id: number,
  permission: PortalPermission,
): Promise<LedgerAccount> {
  const account = await repo.findLedgerAccount(ctx.db, ctx.actor, kind, id, {
    includeDeleted: ctx.actor.kind === 'admin',
  });
  if (!account) throw accountNotFound();
  if (ctx.actor.kind === 'customer' && !account.portal_permissions.includes(permission))
    throw portalPermissionRequired(permission);
  return account;
}

/** A history query's [from, to) range and entry types, checked (the refill report: PAYMENT only). */
export function filterOf(q: EntryFilter, paymentsOnly: boolean) {
  const from = q.from ? new Date(q.from) : undefined;
  const to = q.to ? new Date(q.to) : undefined;
  if (from && Number.isNaN(from.getTime())) throw validationError('from', 'Not a valid date-time.');
  if (to && Number.isNaN(to.getTime())) throw validationError('to', 'Not a valid date-time.');
  if (from && to && to <= from) throw badDateRange();
  const types: LedgerEntryType[] | undefined = paymentsOnly ? ['PAYMENT'] : q.type;
  return { from, to, types };
}

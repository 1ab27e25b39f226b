import { Decimal } from 'decimal.js';
import type { Ctx } from '../../platform/context.js';
import { inTransaction } from '../../platform/db/transaction.js';
import { accountsService, requireAccount } from '../accounts/index.js';
import { idPage, keysetPage } from '../../platform/cursor-keys.js';
import { type WarningDto } from '../../platform/http/schemas.js';
import { requireManager } from '../../platform/tenancy/index.js';
import { parseCidr } from './cidr.js';
import { invalidCidr } from './trunks.errors.js';
import * as repo from './trunks.repository.js';
import type {
  CustomerLimitQuery,
  CustomerLimitRowDto,
  HostViewQuery,
  HostViewRowDto,
  PatchCustomerLimitInput,
} from './trunks.schemas.js';

// Limits: the warning rule of DOMAIN 3.9 and the host and customer limit views.

export type Status = 'active' | 'inactive';
export interface Limits {
  callLimit: number | null;
  cpsLimit: string | null;
}
export interface Level extends Limits {
  label: string;
}

/**
 * DOMAIN 3.9: a lower level set higher than an upper one is allowed (the upper still applies),
 * but it is worth a warning. `null` means no limit, so only two set values are compared.
 */
export function limitWarnings(own: Limits, uppers: Level[], ownLabel: string): WarningDto[] {
  const out: WarningDto[] = [];
  for (const up of uppers) {
    if (own.callLimit !== null && up.callLimit !== null && own.callLimit > up.callLimit)
      out.push({
        code: 'LIMIT_ABOVE_UPPER_LEVEL',
        field: 'callLimit',
        message: `The ${ownLabel} call limit ${own.callLimit} is above the ${up.label} call limit ${up.callLimit}; the lower value applies.`,
      });
    if (own.cpsLimit !== null && up.cpsLimit !== null && new Decimal(own.cpsLimit).gt(up.cpsLimit))
      out.push({
        code: 'LIMIT_ABOVE_UPPER_LEVEL',
        field: 'cpsLimit',
        message: `The ${ownLabel} CPS limit ${own.cpsLimit} is above the ${up.label} CPS limit ${up.cpsLimit}; the lower value applies.`,
      });
  }
  return out;
}

export const effective = (...flags: string[]): Status =>
  flags.every((f) => f === 'active') ? 'active' : 'inactive';
export const cps = (v: string | null) => (v === null ? null : new Decimal(v).toFixed(2));

/** The Host view (DOMAIN 3.9): customer, resource and host limits side by side. */
/**
 * What each level uses now (DOMAIN 3.9), keyed `host:30`, `trunk:20`, `customer:10`: call
 * authorization's counters, read in one batch per page (never a query per row). Absent = zero.
 */
export type LiveUsage = (keys: string[]) => Promise<Map<string, { calls: number; cps: number }>>;
const noUsage: LiveUsage = async () => new Map();

function usageOf(usage: Map<string, { calls: number; cps: number }>, key: string) {
  const u = usage.get(key);
  return { currentCalls: u?.calls ?? 0, currentCps: u?.cps ?? 0 };
}

export async function hostView(ctx: Ctx, q: HostViewQuery, liveUsage: LiveUsage = noUsage) {
  requireManager(ctx);
  let ip: string | undefined;
  if (q.ip !== undefined) {
    const r = parseCidr(q.ip);
    if (!r.ok) throw invalidCidr('ip', r.reason);
    ip = r.cidr;
  }
  const { rows, nextCursor } = await idPage(q, (page) =>
    repo.listHostView(ctx.db, ctx.actor, { ...q, ip }, page),
  );
  const usage = await liveUsage([
    ...new Set(rows.flatMap((r) => [`host:${r.id}`, `trunk:${r.trunk_id}`, `customer:${r.account_id}`])),
  ]);
  const data: HostViewRowDto[] = rows.map((r) => ({
    id: r.id,
    cidr: r.cidr,
    port: r.port,
    techPrefix: r.tech_prefix,
    status: r.status,
    effectiveStatus: effective(r.customer_status, r.trunk_status, r.status),
    customer: {
      id: r.account_id,
      name: r.customer_name,
      accountNumber: r.account_number,
      status: r.customer_status,
      callLimit: r.customer_call_limit,
      cpsLimit: cps(r.customer_cps_limit),
      ...usageOf(usage, `customer:${r.account_id}`),
    },
    trunk: {
      id: r.trunk_id,
      name: r.trunk_name,
      status: r.trunk_status,
      callLimit: r.trunk_call_limit,
      cpsLimit: cps(r.trunk_cps_limit),
      ...usageOf(usage, `trunk:${r.trunk_id}`),
    },
    host: { callLimit: r.call_limit, cpsLimit: cps(r.cps_limit), ...usageOf(usage, `host:${r.id}`) },
  }));
  return { data, nextCursor };
}

async function customerLimitRows(ctx: Ctx, rows: repo.CustomerLimitDbRow[], liveUsage: LiveUsage) {
  const ids = rows.map((r) => r.id);
  // One after the other: this also runs inside transactions (PGlite has one connection).
  const trunks = await repo.listTrunksOfAccounts(ctx.db, ids);
  const hosts = await repo.listHostLimitsOfAccounts(ctx.db, ids);
  const usage = await liveUsage([
    ...ids.map((id) => `customer:${id}`),
    ...trunks.map((t) => `trunk:${t.id}`),
  ]);
  return rows.map((r): CustomerLimitRowDto => {
    const own = { label: 'customer', callLimit: r.call_limit, cpsLimit: cps(r.cps_limit) };
    const mine = trunks.filter((t) => t.account_id === r.id);
    const warnings = [
      ...mine.flatMap((t) =>
        limitWarnings({ callLimit: t.call_limit, cpsLimit: cps(t.cps_limit) }, [own], `trunk "${t.name}"`),
      ),
      ...hosts
        .filter((h) => h.account_id === r.id)
        .flatMap((h) =>
          limitWarnings({ callLimit: h.call_limit, cpsLimit: cps(h.cps_limit) }, [own], `host ${h.cidr}`),
        ),
    ];
    return {
      id: r.id,
      accountNumber: r.account_number,
      name: r.name,
      status: r.status,
      mode: r.mode,
      currency: r.currency,
      creditLimit: r.credit_limit,
      unlimitedCredit: r.unlimited_credit,
      callLimit: r.call_limit,
      cpsLimit: cps(r.cps_limit),
      ...usageOf(usage, `customer:${r.id}`),
      trunkCount: Number(r.trunk_count ?? 0),
      trunks: mine.map((t) => ({
        id: t.id,
        name: t.name,
        status: t.status,
        effectiveStatus: effective(t.customer_status, t.status),
        callLimit: t.call_limit,
        cpsLimit: cps(t.cps_limit),
        ...usageOf(usage, `trunk:${t.id}`),
      })),
      warnings,
    };
  });
}

/** The Customer Limit view (DOMAIN 3.9), by name; each row carries its trunks ("View Trunks"). */
export async function customerLimitView(ctx: Ctx, q: CustomerLimitQuery, liveUsage: LiveUsage = noUsage) {
  requireManager(ctx);
  const { rows, nextCursor } = await keysetPage(
    q,
    (page) => repo.listCustomerLimits(ctx.db, ctx.actor, q, page),
    (r) => r.name.toLowerCase(),
  );
  return { data: await customerLimitRows(ctx, rows, liveUsage), nextCursor };
}

/** Edits a customer's own limits from the Customer Limit view: the account edit, audited there. */
export async function updateCustomerLimits(
  ctx: Ctx,
  customerId: number,
  patch: PatchCustomerLimitInput,
  liveUsage: LiveUsage = noUsage,
): Promise<CustomerLimitRowDto> {
  requireManager(ctx);
  return inTransaction(ctx, async (tx) => {
    await requireAccount(tx, customerId, { customer: true });
    await accountsService.updateAccount(tx, 'customer', customerId, patch);
    const row = await repo.findCustomerLimit(tx.db, tx.actor, customerId);
    return (await customerLimitRows(tx, [row!], liveUsage))[0];
  });
}

import type { Ctx } from '../../platform/context.js';
import { inTransaction } from '../../platform/db/transaction.js';
import { isUniqueViolation } from '../../platform/errors.js';
import { formatMoney } from '../../platform/money.js';
import { requireAccount } from '../accounts/index.js';
import { diffObjects, recordAudit } from '../audit/index.js';
import { idPage } from '../../platform/cursor-keys.js';
import { iso } from '../../platform/http/schemas.js';
import { requireManager } from '../../platform/tenancy/index.js';
import { parseCidr } from './cidr.js';
import {
  hostAlreadyInUse,
  hostNotFound,
  invalidCidr,
  trunkNameTaken,
  trunkNotFound,
} from './trunks.errors.js';
import * as repo from './trunks.repository.js';
import type { HostRow, TrunkRow } from './trunks.repository.js';
import type {
  CreateHostInput,
  CreateTrunkInput,
  HostDto,
  ListTrunksQuery,
  PatchHostInput,
  PatchTrunkInput,
  TrunkDto,
} from './trunks.schemas.js';
import { cps, effective, limitWarnings } from './trunks.limits.js';

// The limit views have their own file; trunksService (index.ts) carries them with the rest.
export {
  customerLimitView,
  hostView,
  limitWarnings,
  updateCustomerLimits,
  type LiveUsage,
} from './trunks.limits.js';

export function toTrunkDto(r: TrunkRow): TrunkDto {
  const own =
    r.min_profit_type && r.min_profit_value !== null
      ? { type: r.min_profit_type, value: formatMoney(r.min_profit_value) }
      : null;
  const inherited =
    r.customer_min_profit_type && r.customer_min_profit_value !== null
      ? { type: r.customer_min_profit_type, value: formatMoney(r.customer_min_profit_value) }
      : null;
  const limits = { callLimit: r.call_limit, cpsLimit: cps(r.cps_limit) };
  return {
    id: r.id,
    customerId: r.account_id,
    customerName: r.customer_name,
    customerStatus: r.customer_status,
    name: r.name,
    status: r.status,
    disabledReason: r.disabled_reason,
    effectiveStatus: effective(r.customer_status, r.status),
    ...limits,
    maxDurationSec: r.max_duration_sec,
    minProfitability: own,
    effectiveMinProfitability: own
      ? { ...own, source: 'trunk' as const }
      : inherited
        ? { ...inherited, source: 'customer' as const }
        : null,
    techPrefix: r.tech_prefix,
    hostCount: Number(r.host_count ?? 0),
    warnings: limitWarnings(
      limits,
      [{ label: 'customer', callLimit: r.customer_call_limit, cpsLimit: cps(r.customer_cps_limit) }],
      'trunk',
    ),
    createdAt: iso(r.created_at)!,
    updatedAt: iso(r.updated_at)!,
  };
}

export function toHostDto(r: HostRow): HostDto {
  const limits = { callLimit: r.call_limit, cpsLimit: cps(r.cps_limit) };
  return {
    id: r.id,
    trunkId: r.trunk_id,
    trunkName: r.trunk_name,
    customerId: r.account_id,
    customerName: r.customer_name,
    cidr: r.cidr,
    port: r.port,
    techPrefix: r.tech_prefix,
    status: r.status,
    effectiveStatus: effective(r.customer_status, r.trunk_status, r.status),
    ...limits,
    warnings: limitWarnings(
      limits,
      [
        { label: 'trunk', callLimit: r.trunk_call_limit, cpsLimit: cps(r.trunk_cps_limit) },
        { label: 'customer', callLimit: r.customer_call_limit, cpsLimit: cps(r.customer_cps_limit) },
      ],
      'host',
    ),
    createdAt: iso(r.created_at)!,
    updatedAt: iso(r.updated_at)!,
  };
}

function mapTrunkUniqueViolation(err: unknown, host?: { cidr: string; techPrefix: string }): never {
  if (isUniqueViolation(err, 'trunks_account_name_key')) throw trunkNameTaken();
  if (isUniqueViolation(err, 'hosts_cidr_tech_prefix_key'))
    throw hostAlreadyInUse(host?.cidr ?? '', host?.techPrefix ?? '');
  throw err;
}

/** Records the audit entry and the "trunk update" outbox event of one change, in its transaction. */
async function recordTrunkChange(
  ctx: Ctx,
  accountId: number,
  e: {
    action: string;
    entityType: 'trunk' | 'host';
    entityId: number;
    trunkId: number;
    before?: unknown;
    after?: unknown;
  },
): Promise<void> {
  await recordAudit(ctx, {
    action: e.action,
    entityType: e.entityType,
    entityId: e.entityId,
    accountId,
    before: e.before,
    after: e.after,
  });
  await repo.insertTrunkUpdateEvent(ctx.db, accountId, {
    action: e.action,
    trunkId: e.trunkId,
    hostId: e.entityType === 'host' ? e.entityId : null,
    before: e.before ?? null,
    after: e.after ?? null,
  });
}

// ---- trunks ----

/** Adds an ingress trunk to a customer (the account must have the customer role). */
export async function createTrunk(ctx: Ctx, customerId: number, input: CreateTrunkInput): Promise<TrunkDto> {
  requireManager(ctx);
  try {
    return await inTransaction(ctx, async (tx) => {
      const account = await requireAccount(tx, customerId, { customer: true, forUpdate: true });
      const id = await repo.insertTrunk(tx.db, {
        accountId: account.id,
        name: input.name.trim(),
        status: input.status ?? 'active',
        callLimit: input.callLimit ?? null,
        cpsLimit: input.cpsLimit ?? null,
        maxDurationSec: input.maxDurationSec ?? null,
        minProfitType: input.minProfitability?.type ?? null,
        minProfitValue: input.minProfitability?.value ?? null,
        techPrefix: input.techPrefix ?? '',
      });
      const dto = toTrunkDto((await repo.findTrunk(tx.db, tx.actor, id))!);
      await recordTrunkChange(tx, account.id, {
        action: 'trunk.create',
        entityType: 'trunk',
        entityId: id,
        trunkId: id,
        after: auditView(dto),
      });
      return dto;
    });
  } catch (err) {
    mapTrunkUniqueViolation(err);
  }
}

/** What a trunk or host change logs: its own fields, not the derived ones. */
function auditView(dto: Record<string, unknown>) {
  const {
    warnings: _w,
    customerName: _c,
    customerStatus: _s,
    hostCount: _h,
    effectiveMinProfitability: _m,
    updatedAt: _u,
    createdAt: _cr,
    trunkName: _t,
    ...rest
  } = dto;
  return rest;
}

export async function getTrunk(ctx: Ctx, id: number): Promise<TrunkDto> {
  requireManager(ctx);
  const row = await repo.findTrunk(ctx.db, ctx.actor, id);
  if (!row) throw trunkNotFound();
  return toTrunkDto(row);
}

export async function listTrunksOfCustomer(ctx: Ctx, customerId: number): Promise<TrunkDto[]> {
  requireManager(ctx);
  const account = await requireAccount(ctx, customerId);
  return (await repo.listTrunksOfAccount(ctx.db, account.id)).map(toTrunkDto);
}

/** The trunk page, which the customer list's "Trunks" column links to with a customer filter. */
export async function listTrunks(ctx: Ctx, q: ListTrunksQuery) {
  requireManager(ctx);
  const { rows, nextCursor } = await idPage(q, (page) => repo.listTrunksPage(ctx.db, ctx.actor, q, page));
  return { data: rows.map(toTrunkDto), nextCursor };
}

/**
 * Edits a trunk's own fields and limits. A manual status change clears the low-balance tag
 * (DOMAIN 3.15). Customer status is never written here: effectiveStatus combines the two.
 */
export async function updateTrunk(ctx: Ctx, id: number, patch: PatchTrunkInput): Promise<TrunkDto> {
  requireManager(ctx);
  try {
    return await inTransaction(ctx, async (tx) => {
      const row = await repo.findTrunk(tx.db, tx.actor, id, { forUpdate: true });
      if (!row) throw trunkNotFound();
      const before = toTrunkDto(row);
      const set: repo.TrunkUpdate = {};
      if (patch.name !== undefined) set.name = patch.name.trim();
      if (patch.status !== undefined) {
        set.status = patch.status;
        set.disabled_reason = null;
      }
      if (patch.callLimit !== undefined) set.call_limit = patch.callLimit;
      if (patch.cpsLimit !== undefined) set.cps_limit = patch.cpsLimit;
      if (patch.maxDurationSec !== undefined) set.max_duration_sec = patch.maxDurationSec;
      if (patch.minProfitability !== undefined) {
        set.min_profit_type = patch.minProfitability?.type ?? null;
        set.min_profit_value = patch.minProfitability?.value ?? null;
      }
      if (patch.techPrefix !== undefined) set.tech_prefix = patch.techPrefix;
      await repo.updateTrunk(tx.db, id, set, tx.now());
      const after = toTrunkDto((await repo.findTrunk(tx.db, tx.actor, id))!);
      const diff = diffObjects(auditView(before), auditView(after));
      if (diff)
        await recordTrunkChange(tx, row.account_id, {
          action: 'trunk.update',
          entityType: 'trunk',
          entityId: id,
          trunkId: id,
          before: diff.before,
          after: diff.after,
        });
      return after;
    });
  } catch (err) {
    mapTrunkUniqueViolation(err);
  }
}

/** Soft-deletes a trunk with its hosts, freeing their IP/prefix pairs. */
export async function deleteTrunk(ctx: Ctx, id: number): Promise<void> {
  requireManager(ctx);
  await inTransaction(ctx, async (tx) => {
    const row = await repo.findTrunk(tx.db, tx.actor, id, { forUpdate: true });
    if (!row) throw trunkNotFound();
    await repo.softDeleteTrunk(tx.db, id, tx.now());
    await recordTrunkChange(tx, row.account_id, {
      action: 'trunk.delete',
      entityType: 'trunk',
      entityId: id,
      trunkId: id,
      before: auditView(toTrunkDto(row)),
    });
  });
}

// ---- hosts ----

function normaliseCidr(text: string): string {
  const r = parseCidr(text);
  if (!r.ok) throw invalidCidr('cidr', r.reason);
  return r.cidr;
}

/** Adds a host (IP or CIDR, port, tech prefix) to a trunk; the trunk's tech prefix is the default. */
export async function createHost(ctx: Ctx, trunkId: number, input: CreateHostInput): Promise<HostDto> {
  requireManager(ctx);
  const cidr = normaliseCidr(input.cidr);
  let techPrefix = input.techPrefix ?? '';
  try {
    return await inTransaction(ctx, async (tx) => {
      const trunk = await repo.findTrunk(tx.db, tx.actor, trunkId, { forUpdate: true });
      if (!trunk) throw trunkNotFound();
      techPrefix = input.techPrefix ?? trunk.tech_prefix;
      const id = await repo.insertHost(tx.db, {
        trunkId,
        accountId: trunk.account_id,
        cidr,
        port: input.port ?? null,
        techPrefix,
        status: input.status ?? 'active',
        callLimit: input.callLimit ?? null,
        cpsLimit: input.cpsLimit ?? null,
      });
      const dto = toHostDto((await repo.findHost(tx.db, tx.actor, id))!);
      await recordTrunkChange(tx, trunk.account_id, {
        action: 'host.create',
        entityType: 'host',
        entityId: id,
        trunkId,
        after: auditView(dto),
      });
      return dto;
    });
  } catch (err) {
    mapTrunkUniqueViolation(err, { cidr, techPrefix });
  }
}

export async function getHost(ctx: Ctx, id: number): Promise<HostDto> {
  requireManager(ctx);
  const row = await repo.findHost(ctx.db, ctx.actor, id);
  if (!row) throw hostNotFound();
  return toHostDto(row);
}

export async function listHostsOfTrunk(ctx: Ctx, trunkId: number): Promise<HostDto[]> {
  requireManager(ctx);
  const trunk = await repo.findTrunk(ctx.db, ctx.actor, trunkId);
  if (!trunk) throw trunkNotFound();
  return (await repo.listHostsOfTrunk(ctx.db, trunkId)).map(toHostDto);
}

/** The IP Settings tab: every host of the customer, across its trunks. */
export async function listHostsOfCustomer(ctx: Ctx, customerId: number): Promise<HostDto[]> {
  requireManager(ctx);
  const account = await requireAccount(ctx, customerId);
  return (await repo.listHostsOfAccount(ctx.db, account.id)).map(toHostDto);
}

export async function updateHost(ctx: Ctx, id: number, patch: PatchHostInput): Promise<HostDto> {
  requireManager(ctx);
  const cidr = patch.cidr !== undefined ? normaliseCidr(patch.cidr) : undefined;
  let pair = { cidr: cidr ?? '', techPrefix: patch.techPrefix ?? '' };
  try {
    return await inTransaction(ctx, async (tx) => {
      const row = await repo.findHost(tx.db, tx.actor, id, { forUpdate: true });
      if (!row) throw hostNotFound();
      pair = { cidr: cidr ?? row.cidr, techPrefix: patch.techPrefix ?? row.tech_prefix };
      const before = toHostDto(row);
      const set: repo.HostUpdate = {};
      if (cidr !== undefined) set.cidr = cidr;
      if (patch.port !== undefined) set.port = patch.port;
      if (patch.techPrefix !== undefined) set.tech_prefix = patch.techPrefix;
      if (patch.status !== undefined) set.status = patch.status;
      if (patch.callLimit !== undefined) set.call_limit = patch.callLimit;
      if (patch.cpsLimit !== undefined) set.cps_limit = patch.cpsLimit;
      await repo.updateHost(tx.db, id, set, tx.now());
      const after = toHostDto((await repo.findHost(tx.db, tx.actor, id))!);
      const diff = diffObjects(auditView(before), auditView(after));
      if (diff)
        await recordTrunkChange(tx, row.account_id, {
          action: 'host.update',
          entityType: 'host',
          entityId: id,
          trunkId: row.trunk_id,
          before: diff.before,
          after: diff.after,
        });
      return after;
    });
  } catch (err) {
    mapTrunkUniqueViolation(err, pair);
  }
}

/** Soft-deletes a host, freeing its IP/prefix pair. */
export async function deleteHost(ctx: Ctx, id: number): Promise<void> {
  requireManager(ctx);
  await inTransaction(ctx, async (tx) => {
    const row = await repo.findHost(tx.db, tx.actor, id, { forUpdate: true });
    if (!row) throw hostNotFound();
    await repo.softDeleteHost(tx.db, id, tx.now());
    await recordTrunkChange(tx, row.account_id, {
      action: 'host.delete',
      entityType: 'host',
      entityId: id,
      trunkId: row.trunk_id,
      before: auditView(toHostDto(row)),
    });
  });
}

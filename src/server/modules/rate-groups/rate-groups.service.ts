import type { Ctx } from '../../platform/context.js';
import { inTransaction } from '../../platform/db/transaction.js';
import { isUniqueViolation, validationError } from '../../platform/errors.js';
import { formatMoney } from '../../platform/money.js';
import { isCurrencyCode } from '../../platform/reference-data.js';
import { recordAudit, recordUpdate } from '../audit/index.js';
import { iso } from '../../platform/http/schemas.js';
import { keysetPage } from '../../platform/cursor-keys.js';
import { requireManager, resolveOwnerId } from '../../platform/tenancy/index.js';
import { RateIndex, compareCandidates, prefixesOf, type RateCandidate } from '../rating/index.js';
import { rateAlreadyExists, rateGroupInUse, rateGroupNameTaken, rateNotFound } from './rate-groups.errors.js';
import { requireGroup } from './require-group.js';
import * as repo from './rate-groups.repository.js';
// The deck upload is its own use case (rate-groups.deck.ts); the namespace rateGroupsService
// (index.ts) carries it with the rest.
export { MAX_DECK_BYTES, uploadRateDeck, type UploadDeps } from './rate-groups.deck.js';
import type {
  CreateRateGroupInput,
  CreateRateInput,
  ListRateGroupsQuery,
  ListRatesQuery,
  PatchRateGroupInput,
  PatchRateInput,
  RateDto,
  RateGroupDto,
} from './rate-groups.schemas.js';

export function toRateGroupDto(r: repo.RateGroupRow): RateGroupDto {
  return {
    id: r.id,
    resellerId: r.owner_id,
    name: r.name,
    description: r.description,
    currency: r.currency,
    status: r.status,
    initialIncrement: r.initial_increment,
    billingIncrement: r.billing_increment,
    rateCount: Number(r.rate_count ?? 0),
    customerCount: Number(r.customer_count ?? 0),
    createdAt: iso(r.created_at)!,
    updatedAt: iso(r.updated_at)!,
  };
}

export function toRateDto(r: repo.RateRow): RateDto {
  return {
    id: r.id,
    rateGroupId: r.rate_group_id,
    prefix: r.prefix,
    destination: r.destination,
    ratePerMin: formatMoney(r.rate_per_min),
    connectFee: formatMoney(r.connect_fee),
    includedSeconds: r.included_seconds,
    initialIncrement: r.initial_increment,
    billingIncrement: r.billing_increment,
    effectiveFrom: iso(r.effective_from)!,
    effectiveTo: iso(r.effective_to),
    createdAt: iso(r.created_at)!,
  };
}

function mapUniqueViolation(err: unknown): never {
  if (isUniqueViolation(err, 'rate_groups_owner_name_key')) throw rateGroupNameTaken();
  if (isUniqueViolation(err, 'rates_group_prefix_from_key')) throw rateAlreadyExists();
  throw err;
}

// ---- rate groups ----

/** Creates a rate group owned by the operator or a reseller. */
export async function createRateGroup(ctx: Ctx, input: CreateRateGroupInput): Promise<RateGroupDto> {
  requireManager(ctx);
  const currency = input.currency.toUpperCase();
  if (!isCurrencyCode(currency))
    throw validationError('currency', 'Use an ISO 4217 currency code, such as USD.');
  try {
    return await inTransaction(ctx, async (tx) => {
      const ownerId = await resolveOwnerId(tx, input.resellerId);
      const id = await repo.insertRateGroup(tx.db, {
        ownerId,
        name: input.name.trim(),
        description: input.description ?? null,
        currency,
        status: input.status ?? 'active',
        initialIncrement: input.initialIncrement ?? 1,
        billingIncrement: input.billingIncrement ?? 1,
      });
      const dto = toRateGroupDto((await repo.findRateGroup(tx.db, tx.actor, id))!);
      await recordAudit(tx, {
        action: 'rate_group.create',
        entityType: 'rate_group',
        entityId: id,
        accountId: ownerId,
        after: dto,
      });
      return dto;
    });
  } catch (err) {
    mapUniqueViolation(err);
  }
}

export async function getRateGroup(ctx: Ctx, id: number): Promise<RateGroupDto> {
  requireManager(ctx);
  return toRateGroupDto(await requireGroup(ctx, id));
}

export async function listRateGroups(ctx: Ctx, q: ListRateGroupsQuery) {
  requireManager(ctx);
  const { rows, nextCursor } = await keysetPage(
    q,
    (page) => repo.listRateGroupsPage(ctx.db, ctx.actor, q, page),
    (r) => r.name.toLowerCase(),
  );
  return { data: rows.map(toRateGroupDto), nextCursor };
}

export async function updateRateGroup(
  ctx: Ctx,
  id: number,
  patch: PatchRateGroupInput,
): Promise<RateGroupDto> {
  requireManager(ctx);
  try {
    return await inTransaction(ctx, async (tx) => {
      const row = await requireGroup(tx, id, true);
      const before = toRateGroupDto(row);
      await repo.updateRateGroup(
        tx.db,
        id,
        {
          ...(patch.name !== undefined ? { name: patch.name.trim() } : {}),
          ...(patch.description !== undefined ? { description: patch.description } : {}),
          ...(patch.status !== undefined ? { status: patch.status } : {}),
          ...(patch.initialIncrement !== undefined ? { initial_increment: patch.initialIncrement } : {}),
          ...(patch.billingIncrement !== undefined ? { billing_increment: patch.billingIncrement } : {}),
        },
        tx.now(),
      );
      const after = toRateGroupDto((await repo.findRateGroup(tx.db, tx.actor, id))!);
      await recordUpdate(tx, {
        action: 'rate_group.update',
        entityType: 'rate_group',
        entityId: id,
        accountId: row.owner_id,
        before,
        after,
      });
      return after;
    });
  } catch (err) {
    mapUniqueViolation(err);
  }
}

/** Soft-deletes a rate group no live account uses; its rates stay for history. */
export async function deleteRateGroup(ctx: Ctx, id: number): Promise<void> {
  requireManager(ctx);
  await inTransaction(ctx, async (tx) => {
    const row = await requireGroup(tx, id, true);
    const users = await repo.countAccountsUsingGroup(tx.db, id);
    if (users > 0) throw rateGroupInUse(users);
    await repo.softDeleteRateGroup(tx.db, id, tx.now());
    await recordAudit(tx, {
      action: 'rate_group.delete',
      entityType: 'rate_group',
      entityId: id,
      accountId: row.owner_id,
      before: toRateGroupDto(row),
    });
  });
}

// ---- rates ----

function parseTime(field: string, text: string | undefined | null, fallback: Date): Date {
  if (text === undefined || text === null) return fallback;
  const d = new Date(text);
  if (Number.isNaN(d.getTime())) throw validationError(field, 'Not a valid date-time.');
  return d;
}

export async function listRates(ctx: Ctx, groupId: number, q: ListRatesQuery) {
  requireManager(ctx);
  await requireGroup(ctx, groupId);
  const filter = {
    prefix: q.prefix,
    destination: q.destination,
    at: q.at ? parseTime('at', q.at, ctx.now()) : undefined,
  };
  const { rows, nextCursor } = await keysetPage(
    q,
    (page) => repo.listRatesPage(ctx.db, groupId, filter, page),
    (r) => r.prefix,
  );
  return { data: rows.map(toRateDto), nextCursor };
}

/** Adds one rate; its code and start must be new in the group. */
export async function createRate(ctx: Ctx, groupId: number, input: CreateRateInput): Promise<RateDto> {
  requireManager(ctx);
  const from = parseTime('effectiveFrom', input.effectiveFrom, ctx.now());
  const to = input.effectiveTo ? parseTime('effectiveTo', input.effectiveTo, from) : null;
  if (to && to <= from) throw validationError('effectiveTo', 'Must be after effectiveFrom.');
  try {
    return await inTransaction(ctx, async (tx) => {
      const g = await requireGroup(tx, groupId);
      const id = await repo.insertRate(tx.db, groupId, {
        prefix: input.prefix,
        destination: input.destination ?? '',
        ratePerMin: input.ratePerMin,
        connectFee: input.connectFee ?? '0',
        includedSeconds: input.includedSeconds ?? 0,
        initialIncrement: input.initialIncrement ?? 0,
        billingIncrement: input.billingIncrement ?? 0,
        effectiveFrom: from,
        effectiveTo: to,
      });
      const dto = toRateDto((await repo.findRate(tx.db, tx.actor, id))!);
      await recordAudit(tx, {
        action: 'rate.create',
        entityType: 'rate',
        entityId: id,
        accountId: g.owner_id,
        after: dto,
      });
      return dto;
    });
  } catch (err) {
    mapUniqueViolation(err);
  }
}

export async function getRate(ctx: Ctx, id: number): Promise<RateDto> {
  requireManager(ctx);
  const r = await repo.findRate(ctx.db, ctx.actor, id);
  if (!r) throw rateNotFound();
  return toRateDto(r);
}

export async function updateRate(ctx: Ctx, id: number, patch: PatchRateInput): Promise<RateDto> {
  requireManager(ctx);
  try {
    return await inTransaction(ctx, async (tx) => {
      const row = await repo.findRate(tx.db, tx.actor, id, { forUpdate: true });
      if (!row) throw rateNotFound();
      const from = parseTime('effectiveFrom', patch.effectiveFrom, new Date(row.effective_from));
      const to =
        patch.effectiveTo === undefined
          ? row.effective_to && new Date(row.effective_to)
          : patch.effectiveTo === null
            ? null
            : parseTime('effectiveTo', patch.effectiveTo, from);
      if (to && to <= from) throw validationError('effectiveTo', 'Must be after effectiveFrom.');
      const set: Record<string, unknown> = { effective_from: from, effective_to: to };
      if (patch.destination !== undefined) set.destination = patch.destination;
      if (patch.ratePerMin !== undefined) set.rate_per_min = patch.ratePerMin;
      if (patch.connectFee !== undefined) set.connect_fee = patch.connectFee;
      if (patch.includedSeconds !== undefined) set.included_seconds = patch.includedSeconds;
      if (patch.initialIncrement !== undefined) set.initial_increment = patch.initialIncrement;
      if (patch.billingIncrement !== undefined) set.billing_increment = patch.billingIncrement;
      await repo.updateRate(tx.db, id, set);
      const before = toRateDto(row);
      const after = toRateDto((await repo.findRate(tx.db, tx.actor, id))!);
      await recordUpdate(tx, {
        action: 'rate.update',
        entityType: 'rate',
        entityId: id,
        accountId: null,
        before,
        after,
      });
      return after;
    });
  } catch (err) {
    mapUniqueViolation(err);
  }
}

export async function deleteRate(ctx: Ctx, id: number): Promise<void> {
  requireManager(ctx);
  await inTransaction(ctx, async (tx) => {
    const row = await repo.findRate(tx.db, tx.actor, id, { forUpdate: true });
    if (!row) throw rateNotFound();
    await repo.deleteRate(tx.db, id);
    await recordAudit(tx, {
      action: 'rate.delete',
      entityType: 'rate',
      entityId: id,
      accountId: null,
      before: toRateDto(row),
    });
  });
}

function toCandidate(r: repo.RateRow): RateCandidate & { row: repo.RateRow } {
  return {
    id: r.id,
    prefix: r.prefix,
    isOverride: false,
    effectiveFrom: new Date(r.effective_from).getTime(),
    effectiveTo: r.effective_to === null ? null : new Date(r.effective_to).getTime(),
    ratePerMin: r.rate_per_min,
    connectFee: r.connect_fee,
    row: r,
  };
}

/**
 * "Find the rate for a number": the rows whose code begins it (indexed equality on each prefix),
 * ranked by the pure rule of DOMAIN 4 step 7 at the given time.
 */
export async function lookupRate(ctx: Ctx, groupId: number, number: string, at?: string) {
  requireManager(ctx);
  await requireGroup(ctx, groupId);
  const when = parseTime('at', at, ctx.now());
  const t = when.getTime();
  const rows = await repo.findRatesByPrefixes(ctx.db, groupId, prefixesOf(number));
  const valid = rows
    .map(toCandidate)
    .filter((c) => c.effectiveFrom <= t && (c.effectiveTo === null || t < c.effectiveTo))
    .sort(compareCandidates);
  return {
    number,
    at: when.toISOString(),
    rate: valid.length ? toRateDto(valid[0].row) : null,
    candidates: valid.map((c) => toRateDto(c.row)),
  };
}

/** The in-memory index of a group for the call path (and the benchmark). */
export async function loadRateIndex(ctx: Ctx, groupId: number): Promise<RateIndex> {
  const candidates: RateCandidate[] = [];
  for await (const rows of repo.streamRatesOfGroup(ctx.db, groupId)) {
    for (const r of rows)
      candidates.push({
        id: r.id,
        prefix: r.prefix,
        isOverride: false,
        effectiveFrom: Number(r.from_ms),
        effectiveTo: r.to_ms === null ? null : Number(r.to_ms),
        ratePerMin: r.rate_per_min,
        connectFee: r.connect_fee,
      });
  }
  return new RateIndex(candidates);
}

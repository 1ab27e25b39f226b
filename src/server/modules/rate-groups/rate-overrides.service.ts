import type { Ctx } from '../../platform/context.js';
import { inTransaction } from '../../platform/db/transaction.js';
import { conflict, isUniqueViolation, notFound, validationError } from '../../platform/errors.js';
import { formatMoney } from '../../platform/money.js';
import { requireManager } from '../../platform/tenancy/index.js';
import { recordAudit, recordUpdate } from '../audit/index.js';
import { iso } from '../../platform/http/schemas.js';
import { requireAccount } from '../accounts/index.js';
import * as repo from './rate-overrides.repository.js';
import type {
  CreateRateOverrideInput,
  PatchRateOverrideInput,
  RateOverrideDto,
} from './rate-overrides.schemas.js';

/*
 * Customer rate overrides (DOMAIN 4 step 7): a customer's own rates, ranked with the rows of the
 * rate group its call selects: the longest code wins, and on the same code the override comes
 * before the group's row. Managed by admins and by resellers for the customers in their subtree;
 * customers are refused (403), like every other connectivity tab: the sell price is the
 * operator's or the reseller's to set, and the portal shows a customer its charges, not its terms.
 *
 * The call-authorization snapshot hears every change through the table's NOTIFY trigger (as part
 * of the account's bundle), so a change here decides the next call.
 */

/** At most this many live overrides per customer: they live in the decision's memory. */
export const MAX_OVERRIDES_PER_CUSTOMER = 1000;

/** The override does not exist, is deleted, or its customer is outside the actor's scope. */
export const rateOverrideNotFound = () => notFound('RATE_OVERRIDE_NOT_FOUND', 'Rate override not found.');
/** The customer already has an override for this code starting at this time. */
export const rateOverrideExists = () =>
  conflict(
    'RATE_OVERRIDE_ALREADY_EXISTS',
    'prefix',
    'This customer already has an override for this code starting at this time.',
  );
/** The customer has MAX_OVERRIDES_PER_CUSTOMER live overrides already. */
export const rateOverrideLimit = () =>
  conflict(
    'RATE_OVERRIDE_LIMIT',
    'prefix',
    `A customer has at most ${MAX_OVERRIDES_PER_CUSTOMER} rate overrides; use a rate group for more.`,
  );

function toDto(r: repo.OverrideRow): RateOverrideDto {
  return {
    id: r.id,
    customerId: r.account_id,
    prefix: r.prefix,
    destination: r.destination,
    ratePerMin: formatMoney(r.rate_per_min),
    connectFee: formatMoney(r.connect_fee),
    includedSeconds: r.included_seconds,
    initialIncrement: r.initial_increment,
    billingIncrement: r.billing_increment,
    effectiveFrom: iso(r.effective_from)!,
    effectiveTo: iso(r.effective_to),
    status: r.status,
    createdAt: iso(r.created_at)!,
    updatedAt: iso(r.updated_at)!,
  };
}

function mapUniqueViolation(err: unknown): never {
  if (isUniqueViolation(err, 'customer_rate_overrides_account_prefix_from_key')) throw rateOverrideExists();
  throw err;
}

function parseTime(field: string, text: string | undefined | null, fallback: Date): Date {
  if (text === undefined || text === null) return fallback;
  const d = new Date(text);
  if (Number.isNaN(d.getTime())) throw validationError(field, 'Not a valid date-time.');
  return d;
}

function checkPeriod(from: Date, to: Date | null): void {
  if (to && to <= from) throw validationError('effectiveTo', 'Must be after effectiveFrom.');
}

/** The customer's live overrides, by code then start. */
export async function listRateOverrides(ctx: Ctx, customerId: number): Promise<RateOverrideDto[]> {
  requireManager(ctx);
  const a = await requireAccount(ctx, customerId);
  return (await repo.listOverrides(ctx.db, a.id, MAX_OVERRIDES_PER_CUSTOMER)).map(toDto);
}

/** Adds an override to a customer in scope; audited. */
export async function createRateOverride(
  ctx: Ctx,
  customerId: number,
  input: CreateRateOverrideInput,
): Promise<RateOverrideDto> {
  requireManager(ctx);
  const from = parseTime('effectiveFrom', input.effectiveFrom, ctx.now());
  const to = input.effectiveTo ? parseTime('effectiveTo', input.effectiveTo, from) : null;
  checkPeriod(from, to);
  try {
    return await inTransaction(ctx, async (tx) => {
      // The account row lock serialises creates of one customer, so the cap holds.
      const a = await requireAccount(tx, customerId, { customer: true, forUpdate: true });
      const existing = await repo.listOverrides(tx.db, a.id, MAX_OVERRIDES_PER_CUSTOMER);
      if (existing.length >= MAX_OVERRIDES_PER_CUSTOMER) throw rateOverrideLimit();
      const id = await repo.insertOverride(tx.db, a.id, {
        prefix: input.prefix,
        destination: input.destination ?? '',
        ratePerMin: input.ratePerMin,
        connectFee: input.connectFee ?? '0',
        includedSeconds: input.includedSeconds ?? 0,
        initialIncrement: input.initialIncrement ?? 0,
        billingIncrement: input.billingIncrement ?? 0,
        effectiveFrom: from,
        effectiveTo: to,
        status: input.status ?? 'active',
      });
      const dto = toDto((await repo.findOverride(tx.db, tx.actor, a.id, id))!);
      await recordAudit(tx, {
        action: 'rate_override.create',
        entityType: 'rate_override',
        entityId: id,
        accountId: a.id,
        after: dto,
      });
      return dto;
    });
  } catch (err) {
    mapUniqueViolation(err);
  }
}

/** Edits an override (not its code); audits what changed. */
export async function updateRateOverride(
  ctx: Ctx,
  customerId: number,
  id: number,
  patch: PatchRateOverrideInput,
): Promise<RateOverrideDto> {
  requireManager(ctx);
  try {
    return await inTransaction(ctx, async (tx) => {
      const row = await repo.findOverride(tx.db, tx.actor, customerId, id, true);
      if (!row) throw rateOverrideNotFound();
      const before = toDto(row);
      const from = parseTime('effectiveFrom', patch.effectiveFrom, new Date(row.effective_from));
      const to =
        patch.effectiveTo === undefined
          ? row.effective_to && new Date(row.effective_to)
          : patch.effectiveTo === null
            ? null
            : parseTime('effectiveTo', patch.effectiveTo, from);
      checkPeriod(from, to);
      await repo.updateOverride(
        tx.db,
        id,
        {
          prefix: row.prefix,
          destination: patch.destination ?? row.destination,
          ratePerMin: patch.ratePerMin ?? row.rate_per_min,
          connectFee: patch.connectFee ?? row.connect_fee,
          includedSeconds: patch.includedSeconds ?? row.included_seconds,
          initialIncrement: patch.initialIncrement ?? row.initial_increment,
          billingIncrement: patch.billingIncrement ?? row.billing_increment,
          effectiveFrom: from,
          effectiveTo: to,
          status: patch.status ?? row.status,
        },
        tx.now(),
      );
      const after = toDto((await repo.findOverride(tx.db, tx.actor, customerId, id))!);
      await recordUpdate(tx, {
        action: 'rate_override.update',
        entityType: 'rate_override',
        entityId: id,
        accountId: row.account_id,
        before,
        after,
      });
      return after;
    });
  } catch (err) {
    mapUniqueViolation(err);
  }
}

/** Soft-deletes an override; audited. */
export async function deleteRateOverride(ctx: Ctx, customerId: number, id: number): Promise<void> {
  requireManager(ctx);
  await inTransaction(ctx, async (tx) => {
    const row = await repo.findOverride(tx.db, tx.actor, customerId, id, true);
    if (!row) throw rateOverrideNotFound();
    await repo.softDeleteOverride(tx.db, id, tx.now());
    await recordAudit(tx, {
      action: 'rate_override.delete',
      entityType: 'rate_override',
      entityId: id,
      accountId: row.account_id,
      before: toDto(row),
    });
  });
}

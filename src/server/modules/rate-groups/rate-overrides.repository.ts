import type { Actor } from '../../platform/context.js';
import type { Executor } from '../../platform/db/database.js';
import { accountScope } from '../../platform/tenancy/index.js';

const COLUMNS = [
  'o.id',
  'o.account_id',
  'o.prefix',
  'o.destination',
  'o.rate_per_min',
  'o.connect_fee',
  'o.included_seconds',
  'o.initial_increment',
  'o.billing_increment',
  'o.effective_from',
  'o.effective_to',
  'o.status',
  'o.created_at',
  'o.updated_at',
] as const;

function overrideSelect(db: Executor) {
  return db
    .selectFrom('customer_rate_overrides as o')
    .innerJoin('accounts as a', 'a.id', 'o.account_id')
    .select(COLUMNS)
    .where('o.deleted_at', 'is', null)
    .where('a.deleted_at', 'is', null);
}
export type OverrideRow = Awaited<ReturnType<ReturnType<typeof overrideSelect>['executeTakeFirstOrThrow']>>;

/** One live override of the account, in the actor's scope (undefined otherwise). */
export async function findOverride(
  db: Executor,
  actor: Actor,
  accountId: number,
  id: number,
  forUpdate = false,
) {
  let q = overrideSelect(db)
    .where('o.id', '=', id)
    .where('o.account_id', '=', accountId)
    .where(accountScope(actor));
  if (forUpdate) q = q.forUpdate(['o']);
  return q.executeTakeFirst();
}

/** The account's live overrides by code, then start (an account has a few hundred at most). */
export async function listOverrides(db: Executor, accountId: number, limit: number) {
  return overrideSelect(db)
    .where('o.account_id', '=', accountId)
    .orderBy('o.prefix')
    .orderBy('o.effective_from')
    .orderBy('o.id')
    .limit(limit)
    .execute();
}

export interface OverrideValues {
  prefix: string;
  destination: string;
  ratePerMin: string;
  connectFee: string;
  includedSeconds: number;
  initialIncrement: number;
  billingIncrement: number;
  effectiveFrom: Date;
  effectiveTo: Date | null;
  status: 'active' | 'inactive';
}

export async function insertOverride(db: Executor, accountId: number, v: OverrideValues): Promise<number> {
  const r = await db
    .insertInto('customer_rate_overrides')
    .values({
      account_id: accountId,
      prefix: v.prefix,
      destination: v.destination,
      rate_per_min: v.ratePerMin,
      connect_fee: v.connectFee,
      included_seconds: v.includedSeconds,
      initial_increment: v.initialIncrement,
      billing_increment: v.billingIncrement,
      effective_from: v.effectiveFrom,
      effective_to: v.effectiveTo,
      status: v.status,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

export async function updateOverride(db: Executor, id: number, v: OverrideValues, now: Date): Promise<void> {
  await db
    .updateTable('customer_rate_overrides')
    .set({
      destination: v.destination,
      rate_per_min: v.ratePerMin,
      connect_fee: v.connectFee,
      included_seconds: v.includedSeconds,
      initial_increment: v.initialIncrement,
      billing_increment: v.billingIncrement,
      effective_from: v.effectiveFrom,
      effective_to: v.effectiveTo,
      status: v.status,
      updated_at: now,
    })
    .where('id', '=', id)
    .execute();
}

export async function softDeleteOverride(db: Executor, id: number, now: Date): Promise<void> {
  await db
    .updateTable('customer_rate_overrides')
    .set({ deleted_at: now, updated_at: now })
    .where('id', '=', id)
    .execute();
}

import { sql, type RawBuilder } from 'kysely';
import type { Actor } from '../context.js';
import type { Executor } from '../db/database.js';

/*
 * The tenant scope, written once. Every read of reseller- or customer-owned data adds one of these
 * predicates to its query, so a forgotten check returns nothing rather than someone else's rows:
 * - accounts (and rows hanging off an account): admin and system all, a reseller its subtree
 *   (never itself or its siblings), a customer itself, anonymous nothing;
 * - rows a reseller owns (`owner_id`: rate groups, localizations, DID pools, templates, imports,
 *   mass creates; null = the operator): admin and system all, a reseller its own and those of the
 *   resellers below it, customers and anonymous nothing.
 */

/**
 * A reseller's subtree as a range of ancestor paths: every path below reseller r starts with
 * path(r) || r, and arrays compare element by element, so the subtree is exactly the paths in
 * [path(r) || r, path(r) || r + 1).
 */
export interface SubtreeRange {
  from: number[];
  to: number[];
}

export interface AccountScopeOptions {
  /** The alias of the accounts table in the query (default `a`). */
  alias?: string;
  /** A reseller also sees its own account (who new accounts may hang under). */
  includeSelf?: boolean;
  /**
   * The reseller's subtree range (subtreeRangeOf): the same rows as `ancestor_ids @> {r}`, as a
   * btree range. Lists use it: the planner estimates a range of constants from the column's
   * statistics and accounts_subtree_idx answers it with an index-only scan.
   */
  subtree?: SubtreeRange | null;
}

/** The accounts the actor may reach, as a predicate on the accounts row `a` (or `alias`). */
export function accountScope(actor: Actor, opts: AccountScopeOptions = {}): RawBuilder<boolean> {
  const alias = opts.alias ?? 'a';
  const id = sql.ref(`${alias}.id`);
  const path = sql.ref(`${alias}.ancestor_ids`);
  switch (actor.kind) {
    case 'admin':
    case 'system':
      return sql<boolean>`true`;
    case 'reseller': {
      const below = opts.subtree
        ? sql<boolean>`(${path} >= ${opts.subtree.from}::bigint[] AND ${path} < ${opts.subtree.to}::bigint[])`
        : sql<boolean>`${path} @> ARRAY[${actor.accountId}]::bigint[]`;
      return opts.includeSelf ? sql<boolean>`(${id} = ${actor.accountId} OR ${below})` : below;
    }
    case 'customer':
      return sql<boolean>`${id} = ${actor.accountId}`;
    case 'switch':
    case 'anonymous':
      return sql<boolean>`false`;
  }
}

/**
 * The rows owned by the operator (owner null) or a reseller, as a predicate on `column`
 * (`t.owner_id`): admin and system all; a reseller its own and those of the resellers below it.
 */
export function ownedScope(actor: Actor, column: string): RawBuilder<boolean> {
  const col = sql.ref(column);
  switch (actor.kind) {
    case 'admin':
    case 'system':
      return sql<boolean>`true`;
    case 'reseller':
      return sql<boolean>`(${col} = ${actor.accountId} OR ${col} IN (
        SELECT r.id FROM accounts r WHERE r.ancestor_ids @> ARRAY[${actor.accountId}]::bigint[] AND r.is_reseller))`;
    case 'customer':
    case 'switch':
    case 'anonymous':
      return sql<boolean>`false`;
  }
}

/** The subtree range of a reseller actor (null for other actors, or when the row is gone). */
export async function subtreeRangeOf(db: Executor, actor: Actor): Promise<SubtreeRange | null> {
  if (actor.kind !== 'reseller') return null;
  const row = await db
    .selectFrom('accounts')
    .select([sql<number[]>`ancestor_ids || id`.as('from'), sql<number[]>`ancestor_ids || (id + 1)`.as('to')])
    .where('id', '=', actor.accountId)
    .executeTakeFirst();
  return row ?? null;
}

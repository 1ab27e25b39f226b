import { sql, type RawBuilder } from 'kysely';
import { Type } from 'typebox';

/**
 * The owner filter of the lists of owned objects (rate groups, localizations): `none` = the
 * operator's, an id = that reseller's. The account form offers only what the account's owner may use.
 */
export const OwnerFilter = Type.Optional(
  Type.Union([Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }), Type.Literal('none')], {
    description: "only the objects of this owner: a reseller's id, or `none` for the operator's",
  }),
);
export type OwnerFilterValue = number | 'none' | undefined;

/** The owner filter as a predicate on `column` (within the actor's scope, applied too). */
export function ownerIs(owner: number | 'none', column: string): RawBuilder<boolean> {
  return owner === 'none'
    ? sql<boolean>`${sql.ref(column)} IS NULL`
    : sql<boolean>`${sql.ref(column)} = ${owner}`;
}

import { Type, type Static, type TSchema, type TUnsafe } from 'typebox';

/**
 * A nullable schema that survives ajv's type coercion (coerceTypes is on).
 *
 * `anyOf: [null, T]` lets ajv coerce 0, "" and false to null in the first branch, so a call limit of
 * 0 ("nothing allowed") silently became null ("no limit"); `anyOf: [T, null]` turns null into 0.
 * With a type list (`type: ['integer', 'null']`) ajv coerces only when the value matches none of
 * the types, so 0 stays 0 and null stays null. Schemas without a single `type` keep the union.
 */
export function Nullable<T extends TSchema>(t: T): TUnsafe<Static<T> | null> {
  const schema = t as unknown as Record<string, unknown>;
  if (typeof schema.type === 'string') {
    return Type.Unsafe<Static<T> | null>({ ...schema, type: [schema.type, 'null'] });
  }
  return Type.Unsafe<Static<T> | null>(Type.Union([Type.Null(), t]));
}

import { Type } from 'typebox';
import { Nullable } from './nullable.js';

/*
 * Schema shapes shared by the routes (statuses, digit strings, limits, ids, paging) and the one
 * ISO formatter of the DTOs.
 */

export const Status = Type.Union([Type.Literal('active'), Type.Literal('inactive')]);
export const Digits = (max: number, min = 1) =>
  Type.String({ pattern: `^[0-9]{${min},${max}}$`, description: `digits, ${min}-${max}` });
export const CallLimit = Nullable(
  Type.Integer({
    minimum: 0,
    maximum: 1_000_000,
    description: 'concurrent calls; null = no limit, 0 = none',
  }),
);
export const CpsLimit = Nullable(
  Type.String({
    pattern: '^(0|[1-9][0-9]{0,6})(\\.[0-9]{1,2})?$',
    description: 'new calls per second, 2 decimals; null = no limit, 0 = none',
  }),
);
export const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
export const CustomerParams = Type.Object({ customerId: Type.Integer({ minimum: 1 }) });

/** A soft problem in a saved object: a lower level's limit above an upper one (DOMAIN 3.9). */
export const Warning = Type.Object({
  code: Type.String(),
  field: Type.String(),
  message: Type.String(),
});
export interface WarningDto {
  code: string;
  field: string;
  message: string;
}

export const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  cursor: Type.Optional(Type.String({ maxLength: 500, description: "the previous page's nextCursor" })),
};

export const iso = (d: Date | string | null): string | null =>
  d === null ? null : new Date(d).toISOString();

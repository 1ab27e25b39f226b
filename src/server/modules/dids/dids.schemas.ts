import { Type, type Static } from 'typebox';
import { Digits, PageQuery, Status } from '../../platform/http/schemas.js';
import { Nullable } from '../../platform/http/nullable.js';

const Fee = Type.String({
  pattern: '^(0|[1-9][0-9]{0,13})(\\.[0-9]{1,6})?$',
  description: 'monthly fee, decimal >= 0',
});

export const CreateDidBody = Type.Object(
  {
    number: Digits(20),
    description: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
    monthlyFee: Type.Optional(Fee),
    status: Type.Optional(Status),
    resellerId: Type.Optional(
      Nullable(
        Type.Integer({
          minimum: 1,
          description: "admin only: put it in a reseller's pool; null = operator pool",
        }),
      ),
    ),
  },
  { additionalProperties: false },
);
export type CreateDidInput = Static<typeof CreateDidBody>;

export const PatchDidBody = Type.Object(
  {
    description: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
    monthlyFee: Type.Optional(Fee),
    status: Type.Optional(Status),
    resellerId: Type.Optional(
      Nullable(Type.Integer({ minimum: 1, description: 'move an unassigned DID to another pool' })),
    ),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type PatchDidInput = Static<typeof PatchDidBody>;

export const Did = Type.Object({
  id: Type.Integer(),
  number: Type.String(),
  resellerId: Nullable(Type.Integer({ description: 'the pool it belongs to; null = operator' })),
  customerId: Nullable(Type.Integer({ description: 'assigned customer; null = in the pool' })),
  customerName: Nullable(Type.String()),
  status: Type.String(),
  description: Nullable(Type.String()),
  monthlyFee: Type.String(),
  assignedAt: Nullable(Type.String({ format: 'date-time' })),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});
export type DidDto = Static<typeof Did>;

export const ListDidsQuery = Type.Object(
  {
    number: Type.Optional(Type.String({ pattern: '^[0-9]{1,20}$', description: 'starts with' })),
    assigned: Type.Optional(Type.Boolean()),
    customerId: Type.Optional(Type.Integer({ minimum: 1 })),
    status: Type.Optional(Status),
    ...PageQuery,
  },
  { additionalProperties: false },
);
export type ListDidsQuery = Static<typeof ListDidsQuery>;
export const DidPage = Type.Object({ data: Type.Array(Did), nextCursor: Nullable(Type.String()) });
export const DidList = Type.Object({ data: Type.Array(Did) });
export const AssignDidBody = Type.Object(
  { customerId: Type.Integer({ minimum: 1 }) },
  { additionalProperties: false },
);

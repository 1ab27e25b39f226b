import { Type, type Static } from 'typebox';
import { Digits, Status } from '../../platform/http/schemas.js';
import { Nullable } from '../../platform/http/nullable.js';

export const CreateCallerIdBody = Type.Object(
  {
    number: Digits(20),
    description: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
    status: Type.Optional(Status),
  },
  { additionalProperties: false },
);
export type CreateCallerIdInput = Static<typeof CreateCallerIdBody>;
export const PatchCallerIdBody = Type.Object(
  {
    number: Type.Optional(Digits(20)),
    description: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
    status: Type.Optional(Status),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type PatchCallerIdInput = Static<typeof PatchCallerIdBody>;
export const CallerId = Type.Object({
  id: Type.Integer(),
  customerId: Type.Integer(),
  number: Type.String(),
  description: Nullable(Type.String()),
  status: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
});
export type CallerIdDto = Static<typeof CallerId>;
export const CallerIdList = Type.Object({ data: Type.Array(CallerId) });

export const CreateForceCallerIdBody = Type.Object(
  {
    name: Type.Optional(Nullable(Type.String({ maxLength: 30 }))),
    number: Digits(20),
    status: Type.Optional(Status),
  },
  { additionalProperties: false },
);
export type CreateForceCallerIdInput = Static<typeof CreateForceCallerIdBody>;
export const PatchForceCallerIdBody = Type.Object(
  {
    name: Type.Optional(Nullable(Type.String({ maxLength: 30 }))),
    number: Type.Optional(Digits(20)),
    status: Type.Optional(Status),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type PatchForceCallerIdInput = Static<typeof PatchForceCallerIdBody>;
export const ForceCallerId = Type.Object({
  id: Type.Integer(),
  customerId: Type.Integer(),
  name: Nullable(Type.String()),
  number: Type.String(),
  status: Type.String({ description: 'at most one active entry per customer' }),
  createdAt: Type.String({ format: 'date-time' }),
});
export type ForceCallerIdDto = Static<typeof ForceCallerId>;
export const ForceCallerIdList = Type.Object({ data: Type.Array(ForceCallerId) });

import { Type, type Static } from 'typebox';
import { Digits } from '../../platform/http/schemas.js';
import { Nullable } from '../../platform/http/nullable.js';

export const CreateBlockedCodeBody = Type.Object(
  { prefix: Digits(20), label: Type.Optional(Nullable(Type.String({ maxLength: 100 }))) },
  { additionalProperties: false },
);
export type CreateBlockedCodeInput = Static<typeof CreateBlockedCodeBody>;
export const PatchBlockedCodeBody = Type.Object(
  { prefix: Type.Optional(Digits(20)), label: Type.Optional(Nullable(Type.String({ maxLength: 100 }))) },
  { additionalProperties: false, minProperties: 1 },
);
export type PatchBlockedCodeInput = Static<typeof PatchBlockedCodeBody>;
export const BlockedCode = Type.Object({
  id: Type.Integer(),
  accountId: Type.Integer(),
  prefix: Type.String({
    description: 'matched as a prefix of the translated destination, never as a pattern',
  }),
  label: Nullable(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
});
export type BlockedCodeDto = Static<typeof BlockedCode>;
export const BlockedCodeList = Type.Object({ data: Type.Array(BlockedCode) });

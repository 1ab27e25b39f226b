import { Type, type Static } from 'typebox';
import { Digits } from '../../platform/http/schemas.js';

export const SpeedDialParams = Type.Object({
  customerId: Type.Integer({ minimum: 1 }),
  key: Type.Integer({ minimum: 0, maximum: 9 }),
});
export const PutSpeedDialBody = Type.Object({ number: Digits(20) }, { additionalProperties: false });
export type PutSpeedDialInput = Static<typeof PutSpeedDialBody>;
export const SpeedDial = Type.Object({
  id: Type.Integer(),
  customerId: Type.Integer(),
  key: Type.Integer({ minimum: 0, maximum: 9 }),
  number: Type.String(),
  updatedAt: Type.String({ format: 'date-time' }),
});
export type SpeedDialDto = Static<typeof SpeedDial>;
export const SpeedDialList = Type.Object({
  data: Type.Array(SpeedDial, { description: 'set keys only, by key' }),
});

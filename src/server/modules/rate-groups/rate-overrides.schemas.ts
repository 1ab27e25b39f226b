import { Type, type Static } from 'typebox';
import { Digits, Status } from '../../platform/http/schemas.js';
import { Nullable } from '../../platform/http/nullable.js';

const NonNegMoney = Type.String({
  pattern: '^(0|[1-9][0-9]{0,13})(\\.[0-9]{1,6})?$',
  description: 'decimal >= 0, up to 6 places',
});
const RateIncrement = (d: string) =>
  Type.Integer({ minimum: 0, maximum: 3600, description: `${d}; 0 = the rate group's value` });

const fields = {
  destination: Type.String({ maxLength: 100 }),
  ratePerMin: NonNegMoney,
  connectFee: NonNegMoney,
  includedSeconds: Type.Integer({ minimum: 0, maximum: 86_400 }),
  initialIncrement: RateIncrement('first billed block, seconds'),
  billingIncrement: RateIncrement('later billed block, seconds'),
  effectiveFrom: Type.String({ format: 'date-time', maxLength: 40 }),
  effectiveTo: Nullable(Type.String({ format: 'date-time', maxLength: 40 })),
  status: Status,
};

export const RateOverrideParams = Type.Object({
  customerId: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
  overrideId: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
});

export const CreateRateOverrideBody = Type.Object(
  {
    prefix: Digits(20),
    destination: Type.Optional(fields.destination),
    ratePerMin: fields.ratePerMin,
    connectFee: Type.Optional(fields.connectFee),
    includedSeconds: Type.Optional(fields.includedSeconds),
    initialIncrement: Type.Optional(fields.initialIncrement),
    billingIncrement: Type.Optional(fields.billingIncrement),
    effectiveFrom: Type.Optional({ ...fields.effectiveFrom, description: 'default: now' }),
    effectiveTo: Type.Optional(fields.effectiveTo),
    status: Type.Optional(fields.status),
  },
  { additionalProperties: false },
);
export type CreateRateOverrideInput = Static<typeof CreateRateOverrideBody>;

/** The code is the row's identity (with its start): to change it, delete and add. */
export const PatchRateOverrideBody = Type.Object(
  {
    destination: Type.Optional(fields.destination),
    ratePerMin: Type.Optional(fields.ratePerMin),
    connectFee: Type.Optional(fields.connectFee),
    includedSeconds: Type.Optional(fields.includedSeconds),
    initialIncrement: Type.Optional(fields.initialIncrement),
    billingIncrement: Type.Optional(fields.billingIncrement),
    effectiveFrom: Type.Optional(fields.effectiveFrom),
    effectiveTo: Type.Optional(fields.effectiveTo),
    status: Type.Optional(fields.status),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type PatchRateOverrideInput = Static<typeof PatchRateOverrideBody>;

export const RateOverride = Type.Object({
  id: Type.Integer(),
  customerId: Type.Integer(),
  prefix: Type.String(),
  destination: Type.String(),
  ratePerMin: Type.String(),
  connectFee: Type.String(),
  includedSeconds: Type.Integer(),
  initialIncrement: Type.Integer(),
  billingIncrement: Type.Integer(),
  effectiveFrom: Type.String({ format: 'date-time' }),
  effectiveTo: Nullable(Type.String({ format: 'date-time' })),
  status: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});
export type RateOverrideDto = Static<typeof RateOverride>;

export const RateOverrideList = Type.Object({
  data: Type.Array(RateOverride, { description: 'live overrides by code, then start (at most 1,000)' }),
});

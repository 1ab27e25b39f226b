import { Type, type Static } from 'typebox';
import { MONEY_PATTERN } from '../../platform/money.js';

import { Nullable } from '../../platform/http/nullable.js';
const NonNegMoney = Type.String({ pattern: '^(0|[1-9][0-9]{0,13})(\\.[0-9]{1,6})?$' });

export const MassCreateBody = Type.Object(
  {
    count: Type.Integer({ minimum: 1, maximum: 10_000 }),
    startPrefix: Type.String({ pattern: '^[0-9]{0,19}$', default: '', description: 'digits, may be empty' }),
    accountNumberLength: Type.Integer({
      minimum: 4,
      maximum: 20,
      description: 'more than the prefix length',
    }),
    generatePin: Type.Optional(Type.Boolean({ default: false })),
    pinLength: Type.Optional(Type.Integer({ minimum: 6, maximum: 12, default: 6 })),
    createSipDevices: Type.Optional(
      Type.Boolean({
        description: 'one SIP device per account: username = account number, random secret in the result CSV',
      }),
    ),
    validDays: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 36_500 }))),
    currency: Type.String({ minLength: 3, maxLength: 3 }),
    country: Type.String({ minLength: 2, maxLength: 2 }),
    timezone: Type.String({ minLength: 1, maxLength: 64 }),
    mode: Type.Optional(Type.Union([Type.Literal('prepaid'), Type.Literal('postpaid')])),
    balance: Type.Optional(
      Type.String({
        pattern: MONEY_PATTERN,
        description: "prepaid only: each account's opening balance, an INITIAL_BALANCE ledger entry",
      }),
    ),
    creditLimit: Type.Optional(NonNegMoney),
    cliPoolMode: Type.Optional(Type.Integer({ minimum: 0, maximum: 8 })),
    rateGroupId: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
    nonCliRateGroupId: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
    billingSchedule: Type.Optional(Type.Union([Type.Literal('daily'), Type.Literal('monthly')])),
    billingDay: Type.Optional(Type.Integer({ minimum: 1, maximum: 28 })),
    resellerId: Type.Optional(
      Nullable(Type.Integer({ minimum: 1, description: 'the owner; a reseller: itself or its subtree' })),
    ),
  },
  { additionalProperties: false },
);
export type MassCreateInput = Static<typeof MassCreateBody>;

export const MassCreate = Type.Object({
  id: Type.Integer(),
  resellerId: Nullable(Type.Integer()),
  status: Type.Union([
    Type.Literal('queued'),
    Type.Literal('running'),
    Type.Literal('done'),
    Type.Literal('failed'),
  ]),
  count: Type.Integer(),
  prepared: Type.Integer({ description: 'passwords generated and hashed so far' }),
  created: Type.Integer(),
  percent: Type.Integer({ minimum: 0, maximum: 100 }),
  resultState: Type.Union([Type.Literal('pending'), Type.Literal('ready'), Type.Literal('downloaded')]),
  params: Type.Record(Type.String(), Type.Unknown()),
  failure: Nullable(Type.Object({ code: Type.String(), message: Type.String() })),
  createdAt: Type.String({ format: 'date-time' }),
  finishedAt: Nullable(Type.String({ format: 'date-time' })),
  downloadedAt: Nullable(Type.String({ format: 'date-time' })),
});
export type MassCreateDto = Static<typeof MassCreate>;

export const MassCreateStarted = Type.Object({
  massCreate: MassCreate,
  downloadKey: Type.String({
    description:
      'shown once, never stored: the only key that opens the result (POST /customer-mass-creates/{id}/result)',
  }),
});

export const MassCreateList = Type.Object({ data: Type.Array(MassCreate) });

export const CapacityQuery = Type.Object(
  {
    startPrefix: Type.Optional(Type.String({ pattern: '^[0-9]{0,19}$' })),
    accountNumberLength: Type.Integer({ minimum: 4, maximum: 20 }),
  },
  { additionalProperties: false },
);
export const Capacity = Type.Object({
  capacity: Type.String({
    description: 'how many new numbers the prefix and length can still hold (may exceed 2^53)',
  }),
});

export const ResultBody = Type.Object(
  { downloadKey: Type.String({ maxLength: 200 }) },
  { additionalProperties: false },
);

export const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });

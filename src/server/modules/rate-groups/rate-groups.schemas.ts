import { Type, type Static } from 'typebox';
import { Digits, PageQuery, Status } from '../../platform/http/schemas.js';
import { Nullable } from '../../platform/http/nullable.js';
import { OwnerFilter } from '../../platform/tenancy/index.js';

const Increment = (d: string) => Type.Integer({ minimum: 1, maximum: 3600, description: d });
const RateIncrement = (d: string) =>
  Type.Integer({ minimum: 0, maximum: 3600, description: `${d}; 0 = the rate group's value` });
const NonNegMoney = Type.String({
  pattern: '^(0|[1-9][0-9]{0,13})(\\.[0-9]{1,6})?$',
  description: 'decimal >= 0, up to 6 places',
});

export const CreateRateGroupBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' }),
    description: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
    currency: Type.String({ minLength: 3, maxLength: 3, description: 'ISO 4217; fixed once created' }),
    status: Type.Optional(Status),
    initialIncrement: Type.Optional(Increment('default first billed block, seconds')),
    billingIncrement: Type.Optional(Increment('default later billed block, seconds')),
    resellerId: Type.Optional(
      Nullable(
        Type.Integer({ minimum: 1, description: 'admin only: the reseller that owns it; null = operator' }),
      ),
    ),
  },
  { additionalProperties: false },
);
export type CreateRateGroupInput = Static<typeof CreateRateGroupBody>;

export const PatchRateGroupBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' })),
    description: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
    status: Type.Optional(Status),
    initialIncrement: Type.Optional(Increment('default first billed block, seconds')),
    billingIncrement: Type.Optional(Increment('default later billed block, seconds')),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type PatchRateGroupInput = Static<typeof PatchRateGroupBody>;

export const RateGroup = Type.Object({
  id: Type.Integer(),
  resellerId: Nullable(Type.Integer({ description: 'owner; null = operator' })),
  name: Type.String(),
  description: Nullable(Type.String()),
  currency: Type.String(),
  status: Type.String(),
  initialIncrement: Type.Integer(),
  billingIncrement: Type.Integer(),
  rateCount: Type.Integer(),
  customerCount: Type.Integer({ description: 'live accounts using it as rate group or non-CLI rate group' }),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});
export type RateGroupDto = Static<typeof RateGroup>;

export const ListRateGroupsQuery = Type.Object(
  {
    name: Type.Optional(Type.String({ maxLength: 100, description: 'contains' })),
    status: Type.Optional(Status),
    resellerId: OwnerFilter,
    currency: Type.Optional(Type.String({ minLength: 3, maxLength: 3, description: 'ISO 4217' })),
    ...PageQuery,
  },
  { additionalProperties: false },
);
export type ListRateGroupsQuery = Static<typeof ListRateGroupsQuery>;
export const RateGroupPage = Type.Object({
  data: Type.Array(RateGroup),
  nextCursor: Nullable(Type.String()),
});

const rateFields = {
  prefix: Digits(20),
  destination: Type.String({ maxLength: 100 }),
  ratePerMin: NonNegMoney,
  connectFee: NonNegMoney,
  includedSeconds: Type.Integer({ minimum: 0, maximum: 86_400 }),
  initialIncrement: RateIncrement('first billed block, seconds'),
  billingIncrement: RateIncrement('later billed block, seconds'),
  effectiveFrom: Type.String({ format: 'date-time' }),
  effectiveTo: Nullable(Type.String({ format: 'date-time' })),
};

export const CreateRateBody = Type.Object(
  {
    prefix: rateFields.prefix,
    destination: Type.Optional(rateFields.destination),
    ratePerMin: rateFields.ratePerMin,
    connectFee: Type.Optional(rateFields.connectFee),
    includedSeconds: Type.Optional(rateFields.includedSeconds),
    initialIncrement: Type.Optional(rateFields.initialIncrement),
    billingIncrement: Type.Optional(rateFields.billingIncrement),
    effectiveFrom: Type.Optional({ ...rateFields.effectiveFrom, description: 'default: now' }),
    effectiveTo: Type.Optional(rateFields.effectiveTo),
  },
  { additionalProperties: false },
);
export type CreateRateInput = Static<typeof CreateRateBody>;

export const PatchRateBody = Type.Object(
  {
    destination: Type.Optional(rateFields.destination),
    ratePerMin: Type.Optional(rateFields.ratePerMin),
    connectFee: Type.Optional(rateFields.connectFee),
    includedSeconds: Type.Optional(rateFields.includedSeconds),
    initialIncrement: Type.Optional(rateFields.initialIncrement),
    billingIncrement: Type.Optional(rateFields.billingIncrement),
    effectiveFrom: Type.Optional(rateFields.effectiveFrom),
    effectiveTo: Type.Optional(rateFields.effectiveTo),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type PatchRateInput = Static<typeof PatchRateBody>;

export const Rate = Type.Object({
  id: Type.Integer(),
  rateGroupId: Type.Integer(),
  prefix: Type.String(),
  destination: Type.String(),
  ratePerMin: Type.String(),
  connectFee: Type.String(),
  includedSeconds: Type.Integer(),
  initialIncrement: Type.Integer(),
  billingIncrement: Type.Integer(),
  effectiveFrom: Type.String({ format: 'date-time' }),
  effectiveTo: Nullable(Type.String({ format: 'date-time' })),
  createdAt: Type.String({ format: 'date-time' }),
});
export type RateDto = Static<typeof Rate>;

export const ListRatesQuery = Type.Object(
  {
    prefix: Type.Optional(Type.String({ pattern: '^[0-9]{1,20}$', description: 'codes starting with' })),
    destination: Type.Optional(Type.String({ maxLength: 100, description: 'contains' })),
    at: Type.Optional(Type.String({ format: 'date-time', description: 'only rows valid at this time' })),
    ...PageQuery,
  },
  { additionalProperties: false },
);
export type ListRatesQuery = Static<typeof ListRatesQuery>;
export const RatePage = Type.Object({ data: Type.Array(Rate), nextCursor: Nullable(Type.String()) });

export const GroupParams = Type.Object({ groupId: Type.Integer({ minimum: 1 }) });

export const UploadQuery = Type.Object(
  {
    mode: Type.Optional(
      Type.Union([Type.Literal('replace'), Type.Literal('append')], {
        description: 'replace (default): the deck becomes the whole group; append: add to it',
      }),
    ),
    dryRun: Type.Optional(Type.Boolean({ description: 'validate only; load nothing' })),
  },
  { additionalProperties: false },
);
export type UploadQuery = Static<typeof UploadQuery>;

export const UploadResult = Type.Object({
  mode: Type.String(),
  dryRun: Type.Boolean(),
  rows: Type.Integer({ description: 'data rows read' }),
  inserted: Type.Integer(),
  deleted: Type.Integer({ description: 'rows the replace removed' }),
  durationMs: Type.Integer(),
});

export const LookupQuery = Type.Object(
  {
    number: Type.String({ pattern: '^[0-9]{1,32}$' }),
    at: Type.Optional(Type.String({ format: 'date-time', description: 'default: now' })),
  },
  { additionalProperties: false },
);
export const LookupResult = Type.Object({
  number: Type.String(),
  at: Type.String({ format: 'date-time' }),
  rate: Nullable(Rate),
  candidates: Type.Array(Rate, { description: 'every row whose code begins the number, best first' }),
});

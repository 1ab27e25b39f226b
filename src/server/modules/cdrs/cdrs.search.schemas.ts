import { Type, type Static } from 'typebox';
import { Nullable } from '../../platform/http/nullable.js';

/*
 * Where people look at CDRs (issue #13): the customer's CDRs tab and the operator's CDR search,
 * with the same filters, totals and a streamed CSV.
 */

const Instant = Type.String({ format: 'date-time', maxLength: 40 });
const Money = Type.String({ description: 'decimal, 6 places' });

const filterFields = {
  from: Type.Optional(Instant),
  to: Type.Optional(Instant),
  destination: Type.Optional(
    Type.String({
      pattern: '^[0-9]{1,32}$',
      maxLength: 32,
      description: 'called numbers starting with these digits',
    }),
  ),
  disposition: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
  reason: Type.Optional(
    Type.String({ minLength: 1, maxLength: 60, description: 'the denial reason code, e.g. NO_RATE' }),
  ),
  status: Type.Optional(Type.Union([Type.Literal('rated'), Type.Literal('denied'), Type.Literal('unrated')])),
  answeredOnly: Type.Optional(Type.Boolean({ description: 'only calls with billed seconds' })),
};

const searchFields = {
  ...filterFields,
  customerId: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })),
  sourceIp: Type.Optional(
    Type.String({ minLength: 1, maxLength: 45, description: 'the calling host (exact address)' }),
  ),
  egressTrunk: Type.Optional(
    Type.String({ minLength: 1, maxLength: 128, description: 'the provider trunk the call left on' }),
  ),
};

const paging = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
};

export const CustomerCdrFilter = Type.Object(filterFields, { additionalProperties: false });
export const CustomerCdrListQuery = Type.Object(
  { ...filterFields, ...paging },
  { additionalProperties: false },
);
export const CdrSearchFilter = Type.Object(searchFields, { additionalProperties: false });
export const CdrSearchQuery = Type.Object({ ...searchFields, ...paging }, { additionalProperties: false });
export type CdrFilterValue = Static<typeof CdrSearchFilter>;
export type CdrPageValue = Static<typeof CdrSearchQuery>;

export const CdrIdParams = Type.Object({
  id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
});

export const CdrRow = Type.Object({
  id: Type.Integer(),
  callId: Type.String(),
  leg: Type.String(),
  accountId: Nullable(Type.Integer()),
  accountNumber: Nullable(Type.String()),
  accountName: Nullable(Type.String()),
  currency: Nullable(Type.String()),
  status: Type.String(),
  reason: Nullable(Type.String()),
  noReservation: Type.Boolean(),
  sourceIp: Type.String(),
  callingNumber: Type.String(),
  calledNumber: Type.String(),
  startedAt: Type.String({ format: 'date-time' }),
  answeredAt: Nullable(Type.String({ format: 'date-time' })),
  endedAt: Type.String({ format: 'date-time' }),
  billsec: Type.String(),
  disposition: Type.String(),
  sipCode: Type.Integer(),
  hangupCause: Type.String(),
  egressTrunk: Nullable(Type.String()),
  ratePrefix: Nullable(Type.String()),
  ratePerMin: Nullable(Money),
  connectFee: Nullable(Money),
  chargedSec: Type.Integer(),
  cost: Money,
});
export type CdrRowDto = Static<typeof CdrRow>;

export const CdrPage = Type.Object({ data: Type.Array(CdrRow), nextCursor: Nullable(Type.String()) });

export const CdrTotals = Type.Object({
  /** One line per currency: CDRs of customers in different currencies are never summed together. */
  byCurrency: Type.Array(
    Type.Object({
      currency: Nullable(Type.String()),
      calls: Type.Integer(),
      answered: Type.Integer(),
      denied: Type.Integer(),
      billsec: Type.String({ description: 'seconds, 3 decimals' }),
      chargedSec: Type.Integer(),
      cost: Money,
    }),
  ),
});

export const CdrDetail = Type.Object({
  ...CdrRow.properties,
  durationSec: Type.String(),
  sipUsername: Nullable(Type.String()),
  rateId: Nullable(Type.Integer()),
  /** The customer rate override that priced the call (rateId is then null). */
  rateOverrideId: Nullable(Type.Integer()),
  rateGroupId: Nullable(Type.Integer()),
  includedSeconds: Nullable(Type.Integer()),
  initialIncrement: Nullable(Type.Integer()),
  billingIncrement: Nullable(Type.Integer()),
  ledgerEntryId: Nullable(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
  ratingFlags: Type.Array(Type.String(), {
    description: 'why a line is missing, e.g. RESELLER_NO_RATE_GROUP:12',
  }),
  lines: Type.Array(
    Type.Object({
      kind: Type.Union([Type.Literal('reseller'), Type.Literal('provider')]),
      accountId: Type.Integer(),
      accountNumber: Type.String(),
      accountName: Type.String(),
      currency: Type.String(),
      ratePrefix: Type.String(),
      ratePerMin: Money,
      connectFee: Money,
      chargedSec: Type.Integer(),
      cost: Money,
      ledgerEntryId: Nullable(Type.String()),
      payableEntryId: Nullable(Type.String()),
    }),
    { description: "each reseller's buy line and the provider's cost, as far as the reader may see" },
  ),
});

import { Type, type Static } from 'typebox';
import { MinProfitability } from '../accounts/index.js';
import { CallLimit, CpsLimit, Digits, PageQuery, Status, Warning } from '../../platform/http/schemas.js';
import { Nullable } from '../../platform/http/nullable.js';

const TechPrefix = Type.String({ pattern: '^[0-9]{0,20}$', description: 'digits, may be empty' });

const trunkFields = {
  name: Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' }),
  status: Status,
  callLimit: CallLimit,
  cpsLimit: CpsLimit,
  maxDurationSec: Nullable(Type.Integer({ minimum: 1, maximum: 86_400 })),
  minProfitability: Nullable(MinProfitability),
  techPrefix: TechPrefix,
};

export const CreateTrunkBody = Type.Object(
  {
    name: trunkFields.name,
    status: Type.Optional(trunkFields.status),
    callLimit: Type.Optional(trunkFields.callLimit),
    cpsLimit: Type.Optional(trunkFields.cpsLimit),
    maxDurationSec: Type.Optional(trunkFields.maxDurationSec),
    minProfitability: Type.Optional(trunkFields.minProfitability),
    techPrefix: Type.Optional(trunkFields.techPrefix),
  },
  { additionalProperties: false },
);
export type CreateTrunkInput = Static<typeof CreateTrunkBody>;

export const PatchTrunkBody = Type.Object(
  {
    name: Type.Optional(trunkFields.name),
    status: Type.Optional(trunkFields.status),
    callLimit: Type.Optional(trunkFields.callLimit),
    cpsLimit: Type.Optional(trunkFields.cpsLimit),
    maxDurationSec: Type.Optional(trunkFields.maxDurationSec),
    minProfitability: Type.Optional(trunkFields.minProfitability),
    techPrefix: Type.Optional(trunkFields.techPrefix),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type PatchTrunkInput = Static<typeof PatchTrunkBody>;

export const Trunk = Type.Object({
  id: Type.Integer(),
  customerId: Type.Integer(),
  customerName: Type.String(),
  customerStatus: Type.String(),
  name: Type.String(),
  status: Type.String({ description: "the trunk's own flag" }),
  disabledReason: Nullable(
    Type.String({ description: 'LOW_BALANCE when disabled by the low-balance escalation' }),
  ),
  effectiveStatus: Type.String({
    description: 'active only while the customer is active AND the trunk flag is on (DOMAIN 3.1)',
  }),
  callLimit: Nullable(Type.Integer()),
  cpsLimit: Nullable(Type.String()),
  maxDurationSec: Nullable(Type.Integer()),
  minProfitability: Nullable(MinProfitability),
  effectiveMinProfitability: Nullable(
    Type.Object({
      type: Type.String(),
      value: Type.String(),
      source: Type.Union([Type.Literal('trunk'), Type.Literal('customer')]),
    }),
  ),
  techPrefix: Type.String({ description: 'default tech prefix for hosts added without one' }),
  hostCount: Type.Integer(),
  warnings: Type.Array(Warning),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});
export type TrunkDto = Static<typeof Trunk>;

export const ListTrunksQuery = Type.Object(
  {
    customerId: Type.Optional(Type.Integer({ minimum: 1 })),
    name: Type.Optional(Type.String({ maxLength: 100, description: 'contains, case-insensitive' })),
    status: Type.Optional(Status),
    ...PageQuery,
  },
  { additionalProperties: false },
);
export type ListTrunksQuery = Static<typeof ListTrunksQuery>;

export const TrunkPage = Type.Object({ data: Type.Array(Trunk), nextCursor: Nullable(Type.String()) });
export const TrunkList = Type.Object({ data: Type.Array(Trunk) });

const hostFields = {
  cidr: Type.String({
    minLength: 2,
    maxLength: 60,
    description: 'IPv4 or IPv6 address or CIDR; a bare address becomes /32 or /128',
  }),
  port: Nullable(Type.Integer({ minimum: 1, maximum: 65535 })),
  techPrefix: TechPrefix,
  status: Status,
  callLimit: CallLimit,
  cpsLimit: CpsLimit,
};

export const CreateHostBody = Type.Object(
  {
    cidr: hostFields.cidr,
    port: Type.Optional(hostFields.port),
    techPrefix: Type.Optional(hostFields.techPrefix),
    status: Type.Optional(hostFields.status),
    callLimit: Type.Optional(hostFields.callLimit),
    cpsLimit: Type.Optional(hostFields.cpsLimit),
  },
  { additionalProperties: false },
);
export type CreateHostInput = Static<typeof CreateHostBody>;

export const PatchHostBody = Type.Object(
  {
    cidr: Type.Optional(hostFields.cidr),
    port: Type.Optional(hostFields.port),
    techPrefix: Type.Optional(hostFields.techPrefix),
    status: Type.Optional(hostFields.status),
    callLimit: Type.Optional(hostFields.callLimit),
    cpsLimit: Type.Optional(hostFields.cpsLimit),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type PatchHostInput = Static<typeof PatchHostBody>;

export const Host = Type.Object({
  id: Type.Integer(),
  trunkId: Type.Integer(),
  trunkName: Type.String(),
  customerId: Type.Integer(),
  customerName: Type.String(),
  cidr: Type.String({ description: 'canonical, always with a mask' }),
  port: Nullable(Type.Integer()),
  techPrefix: Type.String(),
  status: Type.String(),
  effectiveStatus: Type.String({ description: 'active only while customer, trunk and host are all active' }),
  callLimit: Nullable(Type.Integer()),
  cpsLimit: Nullable(Type.String()),
  warnings: Type.Array(Warning),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});
export type HostDto = Static<typeof Host>;
export const HostList = Type.Object({ data: Type.Array(Host) });

/** What a level uses now, read from the call counters (memory or Redis), shown beside its limits. */
const Usage = {
  currentCalls: Type.Integer({ description: 'live calls holding a slot at this level now' }),
  currentCps: Type.Integer({ description: 'calls admitted at this level in the last second' }),
};
const LimitPair = Type.Object({
  callLimit: Nullable(Type.Integer()),
  cpsLimit: Nullable(Type.String()),
  ...Usage,
});

/** The Host view (DOMAIN 3.9): one row per host with the three levels side by side. */
export const HostViewRow = Type.Object({
  id: Type.Integer(),
  cidr: Type.String(),
  port: Nullable(Type.Integer()),
  techPrefix: Type.String(),
  status: Type.String(),
  effectiveStatus: Type.String(),
  customer: Type.Object({
    id: Type.Integer(),
    name: Type.String(),
    accountNumber: Type.String(),
    status: Type.String(),
    callLimit: Nullable(Type.Integer()),
    cpsLimit: Nullable(Type.String()),
    ...Usage,
  }),
  trunk: Type.Object({
    id: Type.Integer(),
    name: Type.String(),
    status: Type.String(),
    callLimit: Nullable(Type.Integer()),
    cpsLimit: Nullable(Type.String()),
    ...Usage,
  }),
  host: LimitPair,
});
export type HostViewRowDto = Static<typeof HostViewRow>;

export const HostViewQuery = Type.Object(
  {
    status: Type.Optional(Status),
    customerId: Type.Optional(Type.Integer({ minimum: 1 })),
    customer: Type.Optional(Type.String({ maxLength: 100, description: 'customer name contains' })),
    trunk: Type.Optional(Type.String({ maxLength: 100, description: 'trunk name contains' })),
    ip: Type.Optional(
      Type.String({ maxLength: 60, description: 'an IP or CIDR: matches hosts that overlap it' }),
    ),
    ...PageQuery,
  },
  { additionalProperties: false },
);
export type HostViewQuery = Static<typeof HostViewQuery>;
export const HostViewPage = Type.Object({
  data: Type.Array(HostViewRow),
  nextCursor: Nullable(Type.String()),
});

/** The Customer Limit view (DOMAIN 3.9). */
export const CustomerLimitRow = Type.Object({
  id: Type.Integer(),
  accountNumber: Type.String(),
  name: Type.String(),
  status: Type.String(),
  mode: Type.String(),
  currency: Type.String(),
  creditLimit: Type.String(),
  unlimitedCredit: Type.Boolean(),
  callLimit: Nullable(Type.Integer()),
  cpsLimit: Nullable(Type.String()),
  ...Usage,
  trunkCount: Type.Integer(),
  trunks: Type.Array(
    Type.Object({
      id: Type.Integer(),
      name: Type.String(),
      status: Type.String(),
      effectiveStatus: Type.String(),
      callLimit: Nullable(Type.Integer()),
      cpsLimit: Nullable(Type.String()),
      ...Usage,
    }),
    { description: '"View Trunks": the trunks with their limits' },
  ),
  warnings: Type.Array(Warning),
});
export type CustomerLimitRowDto = Static<typeof CustomerLimitRow>;

export const CustomerLimitQuery = Type.Object(
  {
    status: Type.Optional(Status),
    name: Type.Optional(Type.String({ maxLength: 100, description: 'customer name contains' })),
    ...PageQuery,
  },
  { additionalProperties: false },
);
export type CustomerLimitQuery = Static<typeof CustomerLimitQuery>;
export const CustomerLimitPage = Type.Object({
  data: Type.Array(CustomerLimitRow),
  nextCursor: Nullable(Type.String()),
});

export const PatchCustomerLimitBody = Type.Object(
  {
    callLimit: Type.Optional(CallLimit),
    cpsLimit: Type.Optional(CpsLimit),
    creditLimit: Type.Optional(Type.String({ pattern: '^(0|[1-9][0-9]{0,13})(\\.[0-9]{1,6})?$' })),
    unlimitedCredit: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type PatchCustomerLimitInput = Static<typeof PatchCustomerLimitBody>;

export { Digits };

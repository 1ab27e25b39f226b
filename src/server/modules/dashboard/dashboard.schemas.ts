import { Type, type Static } from 'typebox';

export const DashboardQuery = Type.Object(
  {
    days: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 366, default: 30, description: 'Days in the per-day chart' }),
    ),
    timezone: Type.Optional(
      Type.String({ maxLength: 64, description: 'IANA zone the days are counted in (default UTC)' }),
    ),
  },
  { additionalProperties: false },
);
export type DashboardQuery = Static<typeof DashboardQuery>;

const NewestCustomer = Type.Object({
  id: Type.Integer(),
  kind: Type.String(),
  accountNumber: Type.String(),
  name: Type.String(),
  companyName: Type.Union([Type.Null(), Type.String()]),
  mode: Type.String(),
  status: Type.String(),
  balance: Type.String(),
  currency: Type.String(),
  timezone: Type.String(),
  resellerName: Type.Union([Type.Null(), Type.String()]),
  createdAt: Type.String({ format: 'date-time' }),
});

/** An exact amount as a decimal string (SQL numeric), never a float. */
const money = (description: string) => Type.String({ description: `${description} (decimal string)` });
const Money = money('amount');

const CurrencyMoney = Type.Object({
  currency: Type.String(),
  accounts: Type.Integer({ description: 'live customers in this currency' }),
  balance: money('sum of their balances'),
  creditInUse: money('credit exposure: sum over the customers of max(0, -balance), uncapped'),
  creditGranted: money('sum of the finite credit limits of postpaid customers'),
  unlimited: Type.Integer({ description: 'postpaid customers with unlimited credit (not in creditGranted)' }),
  lowBalance: Type.Integer({ description: 'customers at or below their low-balance threshold' }),
  zeroBalance: Type.Integer({ description: 'of those, customers with no funds left (metric <= 0)' }),
});

export const Dashboard = Type.Object({
  customers: Type.Object({
    total: Type.Integer(),
    active: Type.Integer(),
    inactive: Type.Integer(),
    prepaid: Type.Integer(),
    postpaid: Type.Integer(),
  }),
  newest: Type.Array(NewestCustomer),
  money: Type.Array(CurrencyMoney, { description: 'one row per currency; never summed across currencies' }),
  lowBalance: Type.Integer({
    description: 'customers at or below their low-balance threshold, all currencies',
  }),
  today: Type.Object({
    date: Type.String({ format: 'date', description: "today in the asked time zone (the viewer's)" }),
    timezone: Type.String(),
    payments: Type.Array(Type.Object({ currency: Type.String(), count: Type.Integer(), amount: Money }), {
      description: 'PAYMENT ledger entries made today, per currency',
    }),
    calls: Type.Union(
      [
        Type.Null(),
        Type.Array(
          Type.Object({
            currency: Type.String(),
            calls: Type.Integer(),
            answered: Type.Integer(),
            rated: Type.Integer(),
            revenue: Money,
          }),
        ),
      ],
      {
        description:
          "CDRs started today per account currency, and today's revenue in that currency as the usage chart counts it (what the accounts the viewer bills directly paid); null when no CDR exists at all",
      },
    ),
  }),
  createdPerDay: Type.Object({
    timezone: Type.String(),
    days: Type.Array(Type.Object({ date: Type.String({ format: 'date' }), count: Type.Integer() })),
  }),
});
export type DashboardDto = Static<typeof Dashboard>;

const Timezone = Type.Optional(
  Type.String({ maxLength: 64, description: 'IANA zone the days are counted in (default UTC)' }),
);

export const UsageQuery = Type.Object(
  {
    days: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 92, default: 30, description: 'Local days, ending today' }),
    ),
    timezone: Timezone,
  },
  { additionalProperties: false },
);
export type UsageQuery = Static<typeof UsageQuery>;

const CurrencyMargin = Type.Object({
  currency: Type.String(),
  revenue: money('what the accounts the viewer bills directly paid'),
  cost: money("what the viewer paid: the provider's cost (operator) or its own buy rate (reseller)"),
  margin: money('revenue - cost'),
});

export const Usage = Type.Object({
  timezone: Type.String(),
  currencies: Type.Array(Type.String(), { description: 'every currency with money in the window' }),
  days: Type.Array(
    Type.Object({
      date: Type.String({ format: 'date' }),
      calls: Type.Integer({ description: 'every CDR (denied and unrated too)' }),
      answered: Type.Integer(),
      minutes: Type.String({ description: 'answered minutes (billsec / 60, 2 decimals)' }),
      money: Type.Array(CurrencyMargin, { description: 'one row per currency of `currencies`, zero-filled' }),
    }),
  ),
  totals: Type.Object({
    calls: Type.Integer(),
    answered: Type.Integer(),
    minutes: Type.String(),
    money: Type.Array(CurrencyMargin),
  }),
});
export type UsageDto = Static<typeof Usage>;

export const TopDestinationsQuery = Type.Object(
  {
    days: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 92, default: 7, description: 'Local days, ending today' }),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 10 })),
    timezone: Timezone,
  },
  { additionalProperties: false },
);
export type TopDestinationsQuery = Static<typeof TopDestinationsQuery>;

export const TopDestinations = Type.Object({
  timezone: Type.String(),
  from: Type.String({ format: 'date' }),
  to: Type.String({ format: 'date' }),
  data: Type.Array(
    Type.Object({
      code: Type.String({ description: "the customer's rate code (prefix)" }),
      codeName: Type.String({ description: "the rate's destination name" }),
      country: Type.String({ description: "ISO 3166-1 alpha-2 of the code's dial code, '' if none" }),
      calls: Type.Integer(),
      answered: Type.Integer(),
      minutes: Type.String(),
      money: Type.Array(CurrencyMargin),
    }),
    { description: 'rated calls by destination, most minutes first' },
  ),
});
export type TopDestinationsDto = Static<typeof TopDestinations>;

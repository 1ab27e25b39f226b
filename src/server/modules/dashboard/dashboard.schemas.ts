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

export const Dashboard = Type.Object({
  customers: Type.Object({
    total: Type.Integer(),
    active: Type.Integer(),
    inactive: Type.Integer(),
    prepaid: Type.Integer(),
    postpaid: Type.Integer(),
  }),
  newest: Type.Array(NewestCustomer),
  createdPerDay: Type.Object({
    timezone: Type.String(),
    days: Type.Array(Type.Object({ date: Type.String({ format: 'date' }), count: Type.Integer() })),
  }),
});
export type DashboardDto = Static<typeof Dashboard>;

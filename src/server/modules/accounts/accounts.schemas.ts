import { Type, type Static } from 'typebox';
import { Nullable } from '../../platform/http/nullable.js';
import { MONEY_PATTERN } from '../../platform/money.js';
import { NotificationSettingsBody, type NotificationSettingsInput } from '../notifications/index.js';

export const MoneyString = Type.String({
  pattern: MONEY_PATTERN,
  description: 'Decimal amount, up to 6 places',
});
const NonNegMoney = Type.String({ pattern: '^(0|[1-9][0-9]{0,13})(\\.[0-9]{1,6})?$' });
const Email = Type.String({ format: 'email', maxLength: 254 });
const EmailList = Type.Array(Email, { maxItems: 5 });
const Text = (max: number) => Type.String({ maxLength: max });

export const AccountKind = Type.Union([
  Type.Literal('customer'),
  Type.Literal('provider'),
  Type.Literal('reseller'),
]);
export type AccountKind = Static<typeof AccountKind>;

export const MinProfitability = Type.Object(
  {
    type: Type.Union([Type.Literal('percent'), Type.Literal('absolute')]),
    value: MoneyString,
  },
  { additionalProperties: false },
);

export const PORTAL_PERMISSIONS = [
  'accountSummary',
  'balance',
  'paymentHistory',
  'payments.online',
  'invoices',
  'cdrs',
  'reports',
  'rateTable',
  'trunks.view',
  'trunks.manageHosts',
  'products',
  'dids.view',
  'dids.request',
  'cliBlocking',
  'sipTrace',
  'sipDevices.manage',
  'speedDial.manage',
] as const;

/** Every field an operator edits on the account (create form and edit tabs share it). */
const editableFields = {
  name: Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' }),
  roles: Type.Array(Type.Union([Type.Literal('customer'), Type.Literal('provider')]), {
    minItems: 1,
    maxItems: 2,
    uniqueItems: true,
  }),
  status: Type.Union([Type.Literal('active'), Type.Literal('inactive')]),
  portalUsername: Type.String({ minLength: 3, maxLength: 64, pattern: '^[A-Za-z0-9._@+-]+$' }),
  pin: Nullable(Type.String({ pattern: '^[0-9]{6,12}$' })),
  validUntil: Nullable(Type.String({ format: 'date-time' })),
  companyName: Nullable(Text(100)),
  firstName: Nullable(Text(60)),
  lastName: Nullable(Text(60)),
  mainEmail: Nullable(Email),
  nocEmails: EmailList,
  billingEmails: EmailList,
  ratesEmails: EmailList,
  notificationEmails: EmailList,
  phone: Nullable(Type.String({ maxLength: 40, pattern: '^[0-9+() .-]*$' })),
  address1: Nullable(Text(200)),
  address2: Nullable(Text(200)),
  city: Nullable(Text(100)),
  province: Nullable(Text(100)),
  zip: Nullable(Text(20)),
  country: Type.String({ minLength: 2, maxLength: 2 }),
  timezone: Type.String({ minLength: 1, maxLength: 64 }),
  taxId: Nullable(Text(100)),
  reference: Nullable(Text(100)),
  callLimit: Nullable(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
  cpsLimit: Nullable(Type.String({ pattern: '^(0|[1-9][0-9]{0,6})(\\.[0-9]{1,2})?$' })),
  localizationId: Nullable(Type.Integer({ minimum: 1 })),
  allowLocalCalls: Type.Boolean(),
  localCallPricePerMin: NonNegMoney,
  minProfitability: Nullable(MinProfitability),
  notificationsEnabled: Type.Boolean(),
  onlinePayment: Type.Boolean(),
  portalPermissions: Type.Array(Type.Union(PORTAL_PERMISSIONS.map((p) => Type.Literal(p))), {
    uniqueItems: true,
  }),
  mode: Type.Union([Type.Literal('prepaid'), Type.Literal('postpaid')]),
  currency: Type.String({ minLength: 3, maxLength: 3 }),
  creditLimit: NonNegMoney,
  unlimitedCredit: Type.Boolean(),
  rateGroupId: Nullable(Type.Integer({ minimum: 1 })),
  nonCliRateGroupId: Nullable(Type.Integer({ minimum: 1 })),
  cliPoolMode: Type.Integer({ minimum: 0, maximum: 8 }),
  billingSchedule: Type.Union([Type.Literal('daily'), Type.Literal('monthly')]),
  billingDay: Type.Integer({ minimum: 1, maximum: 28 }),
  generateZeroInvoice: Type.Boolean(),
  invoiceNote: Nullable(Text(500)),
};

export const CreateAccountBody = Type.Object(
  {
    ...Object.fromEntries(Object.entries(editableFields).map(([k, v]) => [k, Type.Optional(v)])),
    name: editableFields.name,
    country: editableFields.country,
    timezone: editableFields.timezone,
    currency: editableFields.currency,
    accountNumber: Type.Optional(Type.String({ pattern: '^[0-9]{4,20}$' })),
    resellerId: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
    password: Type.Optional(Type.String({ minLength: 10, maxLength: 200 })),
    // Opening entries (DOMAIN 3.2), posted to the ledger in the creation transaction.
    testCredit: Type.Optional(
      Type.String({
        pattern: '^(0|[1-9][0-9]{0,13})(\\.[0-9]{1,6})?$',
        description: 'Prepaid only: a TEST_CREDIT ledger entry at creation (postpaid uses creditLimit)',
      }),
    ),
    initialBalance: Type.Optional(
      Type.String({
        pattern: MONEY_PATTERN,
        description: 'Opening balance: an INITIAL_BALANCE ledger entry',
      }),
    ),
    createSipDevice: Type.Optional(
      Type.Boolean({ description: 'make a SIP device: username = account number, random secret shown once' }),
    ),
    sendWelcomeLetter: Type.Optional(
      Type.Boolean({ description: 'mail the welcome letter to mainEmail once the account is created' }),
    ),
    // The Notification Setting and Alert Threshold sections of the create form (DOMAIN 3.15),
    // checked as PUT /customers/{id}/notification-settings checks them; left out = the defaults.
    notificationSettings: Type.Optional(NotificationSettingsBody),
  } as unknown as typeof editableFields,
  { additionalProperties: false },
);
export type CreateAccountInput = Partial<Static<typeof PatchAccountBody>> & {
  name: string;
  country: string;
  timezone: string;
  currency: string;
  accountNumber?: string;
  resellerId?: number | null;
  password?: string;
  testCredit?: string;
  initialBalance?: string;
  createSipDevice?: boolean;
  sendWelcomeLetter?: boolean;
  notificationSettings?: NotificationSettingsInput;
};

export const PatchAccountBody = Type.Object(
  Object.fromEntries(Object.entries(editableFields).map(([k, v]) => [k, Type.Optional(v)])) as {
    [K in keyof typeof editableFields]: ReturnType<typeof Type.Optional<(typeof editableFields)[K]>>;
  },
  { additionalProperties: false, minProperties: 1 },
);
export type PatchAccountInput = Static<typeof PatchAccountBody>;

export const Account = Type.Object({
  id: Type.Integer(),
  kind: AccountKind,
  accountNumber: Type.String(),
  isReseller: Type.Boolean(),
  roles: Type.Array(Type.String()),
  resellerId: Nullable(Type.Integer()),
  resellerName: Nullable(Type.String()),
  trunkCount: Type.Integer({ description: 'live ingress trunks' }),
  name: Type.String(),
  status: Type.String(),
  portalUsername: Nullable(Type.String()),
  hasPassword: Type.Boolean(),
  pin: Nullable(Type.String()),
  validUntil: Nullable(Type.String({ format: 'date-time' })),
  firstUsedAt: Nullable(Type.String({ format: 'date-time' })),
  companyName: Nullable(Type.String()),
  firstName: Nullable(Type.String()),
  lastName: Nullable(Type.String()),
  mainEmail: Nullable(Type.String()),
  nocEmails: Type.Array(Type.String()),
  billingEmails: Type.Array(Type.String()),
  ratesEmails: Type.Array(Type.String()),
  notificationEmails: Type.Array(Type.String()),
  phone: Nullable(Type.String()),
  address1: Nullable(Type.String()),
  address2: Nullable(Type.String()),
  city: Nullable(Type.String()),
  province: Nullable(Type.String()),
  zip: Nullable(Type.String()),
  country: Type.String(),
  timezone: Type.String(),
  taxId: Nullable(Type.String()),
  reference: Nullable(Type.String()),
  callLimit: Nullable(Type.Integer()),
  cpsLimit: Nullable(Type.String()),
  localizationId: Nullable(Type.Integer()),
  localizationName: Nullable(Type.String()),
  allowLocalCalls: Type.Boolean(),
  localCallPricePerMin: Type.String(),
  minProfitability: Nullable(MinProfitability),
  notificationsEnabled: Type.Boolean(),
  onlinePayment: Type.Boolean(),
  portalPermissions: Type.Array(Type.String()),
  mode: Type.String(),
  currency: Type.String(),
  creditLimit: Type.String(),
  unlimitedCredit: Type.Boolean(),
  balance: Type.String(),
  availableCredit: Nullable(Type.String({ description: 'null when credit is unlimited' })),
  rateGroupId: Nullable(Type.Integer()),
  nonCliRateGroupId: Nullable(Type.Integer()),
  rateGroupName: Nullable(Type.String()),
  nonCliRateGroupName: Nullable(Type.String()),
  cliPoolMode: Type.Integer(),
  billingSchedule: Type.String(),
  billingDay: Type.Integer(),
  generateZeroInvoice: Type.Boolean(),
  invoiceNote: Nullable(Type.String()),
  templateId: Nullable(Type.Integer()),
  templateVersion: Nullable(Type.Integer({ description: 'the template version last applied' })),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  deletedAt: Nullable(Type.String({ format: 'date-time' })),
});
export type AccountDto = Static<typeof Account>;

/** The create answer: the account, plus the SIP device when one was asked for (its secret, once). */
export const CreatedAccount = Type.Object({
  ...Account.properties,
  sipDevice: Type.Optional(
    Type.Object({
      id: Type.Integer(),
      username: Type.String(),
      secret: Type.String({ description: 'shown once' }),
    }),
  ),
});

export const SORTABLE = [
  'accountNumber',
  'name',
  'companyName',
  'firstName',
  'lastName',
  'mode',
  'balance',
  'creditLimit',
  'callLimit',
  'cpsLimit',
  'firstUsedAt',
  'validUntil',
  'createdAt',
  'status',
  'rateGroupId',
  'localizationId',
  'resellerId',
] as const;
export type SortField = (typeof SORTABLE)[number];

export const ListAccountsQuery = Type.Object(
  {
    q: Type.Optional(Type.String({ maxLength: 100, description: 'account number, name, company or email' })),
    status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('inactive')])),
    mode: Type.Optional(Type.Union([Type.Literal('prepaid'), Type.Literal('postpaid')])),
    role: Type.Optional(
      Type.Union([Type.Literal('customer'), Type.Literal('provider'), Type.Literal('any')], {
        description: 'customers list only: customer (default), provider, or any',
      }),
    ),
    resellerId: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Literal('none')])),
    company: Type.Optional(Type.String({ maxLength: 100 })),
    name: Type.Optional(Type.String({ maxLength: 100 })),
    accountNumber: Type.Optional(Type.String({ pattern: '^[0-9]{1,20}$' })),
    rateGroupId: Type.Optional(Type.Integer({ minimum: 1 })),
    createdFrom: Type.Optional(Type.String({ format: 'date-time' })),
    createdTo: Type.Optional(Type.String({ format: 'date-time' })),
    lowBalance: Type.Optional(
      Type.Boolean({
        description:
          'true: only accounts at or below their low-balance threshold (DOMAIN 3.15, computed live)',
      }),
    ),
    sort: Type.Optional(Type.Union(SORTABLE.map((s) => Type.Literal(s)))),
    order: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')])),
    limit: Type.Optional(Type.Integer({ minimum: 10, maximum: 500, default: 25 })),
    cursor: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);
export type ListAccountsQuery = Static<typeof ListAccountsQuery>;

export const AccountPage = Type.Object({
  data: Type.Array(Account),
  nextCursor: Nullable(Type.String()),
  total: Type.Integer(),
  totalCapped: Type.Boolean({
    description: 'true when more rows match than were counted (total is a floor)',
  }),
});

export const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });

export const DeleteQuery = Type.Object(
  {
    confirmBalance: Type.Optional(MoneyString),
    force: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const ChangePasswordBody = Type.Object(
  { password: Type.String({ minLength: 10, maxLength: 200 }) },
  { additionalProperties: false },
);

export const BulkBody = Type.Object(
  {
    action: Type.Union([
      Type.Literal('activate'),
      Type.Literal('deactivate'),
      Type.Literal('delete'),
      Type.Literal('changePassword'),
    ]),
    ids: Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1, maxItems: 1000, uniqueItems: true }),
    password: Type.Optional(Type.String({ minLength: 10, maxLength: 200 })),
    confirmBalances: Type.Optional(Type.Boolean({ description: 'delete: accept non-zero balances' })),
  },
  { additionalProperties: false },
);

export const BulkResult = Type.Object({
  results: Type.Array(
    Type.Object({
      id: Type.Integer(),
      ok: Type.Boolean(),
      error: Type.Optional(Type.Object({ code: Type.String(), message: Type.String() })),
    }),
  ),
  succeeded: Type.Integer(),
  failed: Type.Integer(),
});

export const AuditEntry = Type.Object({
  id: Type.Integer(),
  at: Type.String({ format: 'date-time' }),
  actor: Type.String(),
  actorName: Nullable(
    Type.String({ description: "the acting user's display name; null for the system or an API key" }),
  ),
  action: Type.String(),
  entityType: Type.String(),
  entityId: Nullable(Type.Integer()),
  before: Type.Unknown(),
  after: Type.Unknown(),
  requestId: Nullable(Type.String()),
});

import { Type, type Static } from 'typebox';
import { MONEY_PATTERN } from '../../platform/money.js';

// Null first: with type coercion on, ajv would otherwise turn null into 0 or "" in the first branch.
import { Nullable } from '../../platform/http/nullable.js';

export const ENTRY_TYPES = [
  'PAYMENT',
  'TEST_CREDIT',
  'INITIAL_BALANCE',
  'CHARGE',
  'CALL',
  'RECURRING',
  'TAX',
  'SHORT_CALL_CHARGE',
  'BALANCE_RESET',
  'ADJUSTMENT',
  'REVERSAL',
] as const;
export type EntryType = (typeof ENTRY_TYPES)[number];
export const EntryTypeSchema = Type.Unsafe<EntryType>({
  type: 'string',
  enum: [...ENTRY_TYPES],
  description: 'Ledger entry type',
});

/** A positive decimal amount; the server decides the sign from the operation. */
const PositiveMoney = Type.String({
  pattern: '^(0|[1-9][0-9]{0,13})(\\.[0-9]{1,6})?$',
  description:
    'Decimal amount > 0 as a string, with no more decimals than the account currency allows ' +
    '(JPY 0, USD 2, KWD 3)',
  examples: ['25.00'],
});
const SignedMoney = Type.String({
  pattern: MONEY_PATTERN,
  description: 'Signed decimal amount as a string, not zero',
  examples: ['-3.50'],
});
const Reason = Type.String({ minLength: 1, maxLength: 500, description: 'Why; shown in the history' });
const Method = Type.String({
  minLength: 1,
  maxLength: 50,
  description: 'How the money came in: cash, bank_transfer, card, online ... (free text)',
});
const ExternalRef = Type.String({
  minLength: 1,
  maxLength: 100,
  description: 'Reference outside Tollgate: bank transaction, receipt or ticket number',
});

export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.String({
    minLength: 1,
    maxLength: 200,
    pattern: '^[\\x21-\\x7E]+$',
    description:
      'Required. One key per intended posting (a UUID is fine), printable ASCII, up to 200 chars. ' +
      'Sending the same key again returns the first result and changes nothing; the same key with a ' +
      'different body is a 409 IDEMPOTENCY_KEY_REUSED. Keys are scoped to the operator, or to one reseller.',
  }),
});

export const RefillBody = Type.Object(
  {
    amount: PositiveMoney,
    reason: Reason,
    method: Type.Optional(Method),
    externalRef: Type.Optional(ExternalRef),
  },
  { additionalProperties: false },
);
export type RefillInput = Static<typeof RefillBody>;

export const ChargeBody = Type.Object(
  {
    amount: PositiveMoney,
    reason: Reason,
    externalRef: Type.Optional(ExternalRef),
    allowNegative: Type.Optional(
      Type.Boolean({
        description:
          'A charge beyond the available funds (balance + effective credit - live reservations) is refused ' +
          'with INSUFFICIENT_FUNDS unless this is true; the entry records it.',
      }),
    ),
  },
  { additionalProperties: false },
);
export type ChargeInput = Static<typeof ChargeBody>;

export const AdjustmentBody = Type.Object(
  { amount: SignedMoney, reason: Reason, externalRef: Type.Optional(ExternalRef) },
  { additionalProperties: false },
);
export type AdjustmentInput = Static<typeof AdjustmentBody>;

export const ResetBody = Type.Object(
  { reason: Type.Optional(Reason) },
  { additionalProperties: false, description: 'reason defaults to "Balance reset"' },
);
export type ResetInput = Static<typeof ResetBody>;

export const ReversalBody = Type.Object({ reason: Reason }, { additionalProperties: false });
export type ReversalInput = Static<typeof ReversalBody>;

export const BulkResetBody = Type.Object(
  {
    ids: Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1, maxItems: 1000, uniqueItems: true }),
    reason: Type.Optional(Reason),
  },
  { additionalProperties: false },
);
export type BulkResetInput = Static<typeof BulkResetBody>;

export const LedgerEntry = Type.Object({
  id: Type.String({ format: 'uuid' }),
  accountId: Type.Integer(),
  type: EntryTypeSchema,
  amount: Type.String({ description: 'Signed: credits > 0, debits < 0; 6 decimals' }),
  balanceAfter: Type.String({ description: 'The account balance right after this entry' }),
  currency: Type.String(),
  reason: Type.String(),
  method: Nullable(Type.String()),
  externalRef: Nullable(Type.String()),
  reversesEntryId: Nullable(Type.String({ format: 'uuid' })),
  allowNegative: Type.Boolean({
    description: 'A manual charge the admin allowed beyond the available funds (DOMAIN 3.16)',
  }),
  idempotencyKey: Type.String({
    description: 'As stored: the client key prefixed by its scope (op:, reseller:<id>:) or a system key',
  }),
  createdBy: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
});
export type LedgerEntryDto = Static<typeof LedgerEntry>;

export const LedgerEntryListed = Type.Object({
  ...LedgerEntry.properties,
  reversedByEntryId: Nullable(Type.String({ format: 'uuid', description: 'The reversal, if any' })),
});
export type LedgerEntryListedDto = Static<typeof LedgerEntryListed>;

export const EntryPage = Type.Object({
  data: Type.Array(LedgerEntryListed),
  nextCursor: Nullable(Type.String()),
});

const rangeFields = {
  from: Type.Optional(Type.String({ format: 'date-time', description: 'inclusive' })),
  to: Type.Optional(Type.String({ format: 'date-time', description: 'exclusive' })),
};
const pageFields = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
};
const typeFilter = {
  type: Type.Optional(
    Type.Array(EntryTypeSchema, {
      maxItems: ENTRY_TYPES.length,
      description: 'repeat to match several: type=PAYMENT&type=CHARGE',
    }),
  ),
};

export const ListEntriesQuery = Type.Object(
  { ...rangeFields, ...typeFilter, ...pageFields },
  { additionalProperties: false },
);
export const ExportEntriesQuery = Type.Object(
  { ...rangeFields, ...typeFilter },
  { additionalProperties: false },
);
export const ListRefillsQuery = Type.Object(
  { ...rangeFields, ...pageFields },
  { additionalProperties: false },
);
export const ExportRefillsQuery = Type.Object({ ...rangeFields }, { additionalProperties: false });
export interface EntryFilter {
  from?: string;
  to?: string;
  type?: EntryType[];
  limit?: number;
  cursor?: string;
}

export const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
export const EntryParams = Type.Object({
  id: Type.Integer({ minimum: 1 }),
  entryId: Type.String({ format: 'uuid' }),
});

export const BalanceSummary = Type.Object({
  accountId: Type.Integer(),
  currency: Type.String(),
  mode: Type.String(),
  balance: Type.String(),
  creditLimit: Type.String(),
  unlimitedCredit: Type.Boolean(),
  effectiveCreditLimit: Nullable(Type.String({ description: 'null = unlimited' })),
  availableCredit: Nullable(
    Type.String({ description: 'balance + effective credit limit; null = unlimited' }),
  ),
  heldForLiveCalls: Type.String({ description: 'reserved by live calls until they are rated' }),
  availableFunds: Nullable(
    Type.String({ description: 'available credit - held for live calls; null = unlimited' }),
  ),
});

export const BulkResetResult = Type.Object({
  results: Type.Array(
    Type.Object({
      id: Type.Integer(),
      ok: Type.Boolean(),
      entry: Type.Optional(LedgerEntry),
      error: Type.Optional(Type.Object({ code: Type.String(), message: Type.String() })),
    }),
  ),
  succeeded: Type.Integer(),
  failed: Type.Integer(),
});

export const ReconcileReport = Type.Object({
  ok: Type.Boolean({ description: 'true when no account differs' }),
  checkedAt: Type.String({ format: 'date-time' }),
  checkedAccounts: Type.Integer(),
  checkedEntries: Type.Integer(),
  differences: Type.Array(
    Type.Object({
      accountId: Type.Integer(),
      accountNumber: Type.String(),
      cachedBalance: Type.String({ description: 'accounts.balance' }),
      ledgerBalance: Type.String({ description: 'sum of the ledger amounts' }),
      difference: Type.String({ description: 'cachedBalance - ledgerBalance' }),
      lastBalanceAfter: Nullable(Type.String({ description: 'balanceAfter of the newest entry' })),
      chainBreaks: Type.Integer({ description: 'entries whose balanceAfter is not the running sum' }),
      currencyMismatches: Type.Integer({ description: 'entries in another currency than the account' }),
    }),
  ),
  truncated: Type.Boolean({ description: 'more than 1,000 accounts differ; only the first are listed' }),
});
export type ReconcileReportDto = Static<typeof ReconcileReport>;

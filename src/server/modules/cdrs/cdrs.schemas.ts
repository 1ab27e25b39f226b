import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { Type, type Static } from 'typebox';
import { Nullable } from '../../platform/http/nullable.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

const Seconds = Type.Number({ minimum: 0, maximum: 86_400 * 7 });
const Instant = Type.String({ format: 'date-time', maxLength: 40 });

/** One CDR as the switch sends it (issue #13, intake). */
export const CdrInput = Type.Object(
  {
    callId: Type.String({ minLength: 1, maxLength: 128, pattern: '^[\\x21-\\x7e]+$' }),
    leg: Type.String({ minLength: 1, maxLength: 16, pattern: '^[A-Za-z0-9_-]+$' }),
    sourceIp: Type.Union([Type.String({ format: 'ipv4' }), Type.String({ format: 'ipv6', maxLength: 45 })]),
    sipUsername: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    callingNumber: Type.String({ minLength: 0, maxLength: 64 }),
    calledNumber: Type.String({ minLength: 1, maxLength: 64 }),
    startedAt: Instant,
    answeredAt: Type.Optional(Nullable(Instant)),
    endedAt: Instant,
    durationSec: Seconds,
    billsec: Seconds,
    disposition: Type.String({ minLength: 1, maxLength: 32 }),
    sipCode: Type.Integer({ minimum: 100, maximum: 699 }),
    hangupCause: Type.String({ minLength: 0, maxLength: 64 }),
    egressTrunk: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  },
  { additionalProperties: false },
);
export type CdrInputValue = Static<typeof CdrInput>;

/**
 * The batch: items are checked one by one (checkCdr) so a malformed CDR is refused with its index
 * and field while the good ones in the batch still commit.
 */
export const CdrBatchBody = Type.Object({
  cdrs: Type.Array(Type.Object({}, { additionalProperties: true, maxProperties: 32 }), {
    minItems: 1,
    maxItems: 1000,
  }),
});

const ajv = addFormats(new Ajv({ allErrors: false, strict: false, coerceTypes: false }));
const validateCdr = ajv.compile(CdrInput as object);

/** Null when `value` is a well-formed CDR, else the first offending field and why. */
export function checkCdr(value: unknown): { field: string; message: string } | null {
  if (validateCdr(value)) return null;
  const e = validateCdr.errors?.[0];
  if (!e) return { field: '', message: 'Invalid CDR.' };
  const params = e.params as { missingProperty?: string; additionalProperty?: string };
  const path = e.instancePath.replace(/^\//, '').split('/')[0];
  const field = params.missingProperty ?? params.additionalProperty ?? path;
  return { field, message: e.message ?? 'Invalid value.' };
}

const Money = Type.String({ description: 'decimal, 6 places' });

export const CdrResultItem = Type.Object({
  index: Type.Integer(),
  callId: Nullable(Type.String()),
  leg: Nullable(Type.String()),
  outcome: Type.Union([Type.Literal('created'), Type.Literal('replayed'), Type.Literal('refused')]),
  cdr: Nullable(
    Type.Object({
      id: Type.Integer(),
      accountId: Nullable(Type.Integer()),
      status: Type.Union([Type.Literal('rated'), Type.Literal('denied'), Type.Literal('unrated')]),
      reason: Nullable(Type.String()),
      noReservation: Type.Boolean(),
      chargedSec: Type.Integer(),
      cost: Money,
    }),
  ),
  error: Nullable(Type.Object({ code: Type.String(), field: Type.String(), message: Type.String() })),
});
export type CdrResultItemValue = Static<typeof CdrResultItem>;

export const CdrBatchResponse = Type.Object({
  created: Type.Integer(),
  replayed: Type.Integer(),
  refused: Type.Integer(),
  results: Type.Array(CdrResultItem),
});

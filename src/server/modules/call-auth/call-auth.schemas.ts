import { Type, type Static } from 'typebox';
import { Nullable } from '../../platform/http/nullable.js';
import { DENY_REASON_CODES, type DenyReason } from './call-auth.reasons.js';

const MAX_ID = Number.MAX_SAFE_INTEGER;
const Id = Type.Integer({ minimum: 1, maximum: MAX_ID });

/** A SIP Call-ID: printable ASCII without spaces, as the switch sends it. */
export const CallId = Type.String({ minLength: 1, maxLength: 128, pattern: '^[\\x21-\\x7e]+$' });

export const Reason = Type.Unsafe<DenyReason>({ type: 'string', enum: DENY_REASON_CODES });

export const AuthorizeBody = Type.Object({
  callId: CallId,
  sourceIp: Type.Union([Type.String({ format: 'ipv4' }), Type.String({ format: 'ipv6', maxLength: 45 })]),
  sourcePort: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
  sipUsername: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  digestVerified: Type.Optional(Type.Boolean()),
  calledNumber: Type.String({ minLength: 1, maxLength: 64 }),
  callingNumber: Type.String({ minLength: 0, maxLength: 64 }),
  callingName: Type.Optional(Type.String({ minLength: 0, maxLength: 128 })),
});
export type AuthorizeBodyInput = Static<typeof AuthorizeBody>;

const Money = Type.String({ description: 'decimal, 6 places' });

const Deny = Type.Object({
  callId: Type.String(),
  decision: Type.Literal('deny'),
  reason: Reason,
  sipCode: Type.Integer(),
  sipReason: Type.String(),
});

export const AuthorizeResponse = Type.Union([
  Type.Object({
    callId: Type.String(),
    decision: Type.Literal('allow'),
    accountId: Type.Integer(),
    trunkId: Nullable(Type.Integer()),
    hostId: Nullable(Type.Integer()),
    sipDeviceId: Nullable(Type.Integer()),
    grantSec: Type.Integer({ description: 'seconds from authorization; the switch ends the call there' }),
    calledNumber: Type.String({ description: 'translated, tech prefix stripped' }),
    callingNumber: Type.String({ description: 'the CLI to send (CLI pool, force caller ID applied)' }),
    callingName: Nullable(Type.String()),
    rate: Type.Object({
      prefix: Type.String(),
      ratePerMin: Money,
      connectFee: Money,
      initialIncrement: Type.Integer(),
      nextIncrement: Type.Integer(),
      includedSeconds: Type.Integer(),
    }),
    routes: Nullable(
      Type.Array(
        Type.Object({
          trunkId: Type.Integer(),
          providerAccountId: Type.Integer(),
          prefix: Type.String(),
          priority: Type.Integer(),
          buyRate: Type.Object({ prefix: Type.String(), ratePerMin: Money, connectFee: Money }),
        }),
        { description: 'egress routes in order that pass min profitability; null: no route plan' },
      ),
    ),
  }),
  Deny,
]);

export const CallParams = Type.Object({ callId: CallId });

export const ExtendBody = Type.Object({
  seq: Type.Integer({
    minimum: 1,
    maximum: 100_000,
    description:
      "The extension's number within the call (1, 2, 3 ...). A retry with the same seq gets the first " +
      'answer (allow or deny) and reserves nothing more; the next extension uses the next number.',
  }),
});

export const ExtendResponse = Type.Union([
  Type.Object({
    callId: Type.String(),
    decision: Type.Literal('allow'),
    grantSec: Type.Integer({ description: 'the new total grant, in seconds from authorization' }),
  }),
  Deny,
]);

export const EndBody = Type.Object({
  answered: Type.Optional(Type.Boolean()),
  durationSec: Type.Optional(Type.Integer({ minimum: 0, maximum: 86_400 })),
});
export const EndResponse = Type.Object({ callId: Type.String(), ended: Type.Boolean() });

export const SipCredentialsParams = Type.Object({ username: Type.String({ minLength: 1, maxLength: 64 }) });
export const SipCredentialsQuery = Type.Object({ realm: Type.String({ minLength: 1, maxLength: 128 }) });
export const SipCredentials = Type.Object({
  username: Type.String(),
  realm: Type.String(),
  ha1: Type.String({ description: 'md5(username:realm:secret), hex' }),
});

export const ReasonSetting = Type.Object({
  reason: Reason,
  sipCode: Type.Integer(),
  sipReason: Type.String(),
  defaultSipCode: Type.Integer(),
  defaultSipReason: Type.String(),
});
export const ReasonParams = Type.Object({ reason: Reason });
export const PutReasonBody = Type.Object(
  {
    sipCode: Type.Integer({ minimum: 400, maximum: 699 }),
    sipReason: Type.String({ minLength: 1, maxLength: 100, pattern: '^[\\x20-\\x7e]+$' }),
  },
  { additionalProperties: false },
);

/** Names beside the ids, for the Live Calls page (null: the row is gone). */
const Labels = {
  accountName: Nullable(Type.String()),
  accountNumber: Nullable(Type.String()),
  currency: Nullable(Type.String({ description: "the account's currency (amountHeld is in it)" })),
  trunkName: Nullable(Type.String()),
  hostAddress: Nullable(Type.String({ description: 'the host CIDR, and port when it has one' })),
};

export const AlarmsQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  cursor: Type.Optional(Id),
  acknowledged: Type.Optional(
    Type.Boolean({ description: 'true: acknowledged alarms only; false: open ones only; absent: both' }),
  ),
});
export const Alarm = Type.Object({
  id: Type.Integer(),
  kind: Type.Union([Type.Literal('MISSING_END'), Type.Literal('MISSING_CDR')]),
  callId: Type.String(),
  accountId: Type.Integer(),
  trunkId: Nullable(Type.Integer()),
  hostId: Nullable(Type.Integer()),
  calledNumber: Type.String(),
  startedAt: Type.String(),
  expiresAt: Type.String(),
  grantSec: Type.Integer(),
  amountHeld: Money,
  createdAt: Type.String(),
  acknowledgedAt: Nullable(Type.String({ description: 'when an admin acknowledged it; null = open' })),
  acknowledgedBy: Nullable(Type.String({ description: 'who acknowledged it (the user or API key)' })),
  ...Labels,
});
export const AlarmList = Type.Object({
  data: Type.Array(Alarm),
  nextCursor: Nullable(Type.Integer()),
});

export const LiveCallsQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
});
export const LiveCallList = Type.Object({
  data: Type.Array(
    Type.Object({
      callId: Type.String(),
      accountId: Type.Integer(),
      trunkId: Nullable(Type.Integer()),
      hostId: Nullable(Type.Integer()),
      sipDeviceId: Nullable(Type.Integer()),
      calledNumber: Type.String(),
      callingNumber: Type.String(),
      startedAt: Type.String(),
      grantSec: Type.Integer(),
      expiresAt: Type.String(),
      amountHeld: Money,
      state: Type.Union([Type.Literal('live'), Type.Literal('awaiting_cdr')], {
        description: 'awaiting_cdr: ended answered, money held until the CDR is rated',
      }),
      ...Labels,
    }),
  ),
});

export const RoutePlanEntry = Type.Object({
  prefix: Type.String({ pattern: '^[0-9]{1,20}$' }),
  priority: Type.Integer({ minimum: 0, maximum: 1000, description: 'lower first' }),
  providerTrunkId: Id,
});
export const RoutePlanBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    entries: Type.Array(RoutePlanEntry, { maxItems: 5000 }),
  },
  { additionalProperties: false },
);
export const RoutePlan = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  entries: Type.Array(RoutePlanEntry),
});
export const IdParams = Type.Object({ id: Id });
export const CustomerParams = Type.Object({ customerId: Id });
export const AssignRoutePlanBody = Type.Object(
  { routePlanId: Nullable(Id) },
  { additionalProperties: false },
);
export const RoutePlanAssignment = Type.Object({
  customerId: Type.Integer(),
  routePlanId: Nullable(Type.Integer()),
});

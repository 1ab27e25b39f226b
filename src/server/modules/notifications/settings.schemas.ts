import { Type, type Static } from 'typebox';
import { Nullable } from '../../platform/http/nullable.js';

const Recipient = Type.Union([Type.Literal('owner'), Type.Literal('partner'), Type.Literal('both')]);
const Money = Type.String({
  pattern: '^(0|[1-9][0-9]{0,13})(\\.[0-9]{1,6})?$',
  description: 'decimal amount, up to 6 decimals',
});
const Percent = Type.String({
  pattern: '^(100(\\.0{1,2})?|[0-9]{1,2}(\\.[0-9]{1,2})?)$',
  description: '(0, 100]',
});

/** Notification Setting and Alert Threshold (DOMAIN 3.15). */
export const NotificationSettingsBody = Type.Object(
  {
    lowBalance: Type.Object(
      {
        enabled: Type.Boolean(),
        thresholdType: Type.Union([Type.Literal('amount'), Type.Literal('percent')]),
        amount: Money,
        percent: Nullable(Percent),
        schedule: Type.Union([Type.Literal('daily'), Type.Literal('hourly')]),
        sendAt: Type.String({
          pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$',
          description: "HH:MM in the customer's zone; hourly uses the minute",
        }),
        repeatDays: Type.Integer({ minimum: 1, maximum: 60 }),
        recipient: Recipient,
        disableTrunksAfterDays: Nullable(Type.Integer({ minimum: 1, maximum: 365 })),
      },
      { additionalProperties: false },
    ),
    sendTrunkUpdate: Type.Boolean(),
    paymentReceivedAlert: Type.Boolean(),
    zeroBalanceNotification: Type.Boolean(),
    signInNotification: Type.Optional(
      Type.Boolean({
        description: 'a mail to mainEmail on each portal sign-in (DOMAIN 3.11); left out = unchanged',
      }),
    ),
  },
  { additionalProperties: false },
);
export type NotificationSettingsInput = Static<typeof NotificationSettingsBody>;

export const NotificationSettings = Type.Object({
  customerId: Type.Integer(),
  notificationsEnabled: Type.Boolean({ description: 'the master switch (edited on the account)' }),
  ...NotificationSettingsBody.properties,
  signInNotification: Type.Boolean(),
  state: Type.Object({
    state: Type.Union([Type.Literal('OK'), Type.Literal('LOW'), Type.Literal('ZERO')]),
    lowSince: Nullable(Type.String({ format: 'date-time' })),
    escalatedAt: Nullable(Type.String({ format: 'date-time' })),
  }),
});
export type NotificationSettingsDto = Static<typeof NotificationSettings>;

import { Type, type Static } from 'typebox';
import { Nullable } from '../../platform/http/nullable.js';
import { PageQuery } from '../../platform/http/schemas.js';

const MailStatus = Type.Union(
  [
    Type.Literal('queued'),
    Type.Literal('sending'),
    Type.Literal('sent'),
    Type.Literal('failed'),
    Type.Literal('skipped'),
  ],
  {
    description:
      'queued (waiting or retrying), sending, sent, failed (with the server answer), skipped (with why)',
  },
);

export const Mail = Type.Object({
  id: Type.Integer(),
  customerId: Nullable(Type.Integer()),
  accountNumber: Nullable(Type.String()),
  accountName: Nullable(Type.String()),
  kind: Type.String(),
  to: Type.Array(Type.String()),
  subject: Type.String(),
  status: MailStatus,
  skipReason: Nullable(Type.String()),
  lastError: Nullable(Type.String({ description: "the SMTP server's answer to the last failed attempt" })),
  attempts: Type.Integer(),
  nextAttemptAt: Nullable(Type.String({ format: 'date-time' })),
  sentAt: Nullable(Type.String({ format: 'date-time' })),
  messageId: Nullable(Type.String()),
  resendOf: Nullable(Type.Integer()),
  createdBy: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
});
export type MailDto = Static<typeof Mail>;

export const MailDetail = Type.Object({
  ...Mail.properties,
  textBody: Type.String(),
  htmlBody: Nullable(Type.String()),
  from: Nullable(Type.String()),
  replyTo: Nullable(Type.String()),
});
export type MailDetailDto = Static<typeof MailDetail>;

export const MailList = Type.Object({ data: Type.Array(Mail), nextCursor: Nullable(Type.String()) });

export const MailListQuery = Type.Object(
  {
    ...PageQuery,
    status: Type.Optional(MailStatus),
    kind: Type.Optional(Type.String({ pattern: '^[a-z_]{1,50}$' })),
    customerId: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })),
  },
  { additionalProperties: false },
);
export type MailListQueryInput = Static<typeof MailListQuery>;
export const CustomerMailQuery = Type.Object(
  { ...PageQuery, status: Type.Optional(MailStatus) },
  { additionalProperties: false },
);

export const QueuedMail = Type.Object({
  mailId: Type.Integer(),
  status: Type.Union([Type.Literal('queued'), Type.Literal('skipped')]),
  skipReason: Nullable(Type.String()),
});
export type QueuedMailDto = Static<typeof QueuedMail>;

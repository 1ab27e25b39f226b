import { Type, type Static } from 'typebox';
import { Digits, Status } from '../../platform/http/schemas.js';
import { Nullable } from '../../platform/http/nullable.js';

export const SipUsername = Type.String({
  minLength: 3,
  maxLength: 40,
  pattern: '^[A-Za-z0-9._@+-]+$',
  description: '3-40 characters: letters, digits and . _ @ + -; unique among live devices',
});
export const SipSecret = Type.String({
  minLength: 12,
  maxLength: 128,
  pattern: '^[\\x21-\\x7e]+$',
  description: 'at least 12 printable characters, no spaces',
});
const Codec = Type.String({ pattern: '^[A-Za-z0-9.-]{1,20}$' });

const fields = {
  username: SipUsername,
  callerIdName: Nullable(Type.String({ maxLength: 40 })),
  callerIdNumber: Nullable(Digits(20)),
  status: Status,
  codecs: Type.Array(Codec, { maxItems: 10, uniqueItems: true, description: 'in order of preference' }),
  voicemailEnabled: Type.Boolean(),
};

export const CreateSipDeviceBody = Type.Object(
  {
    username: fields.username,
    secret: Type.Optional(SipSecret),
    callerIdName: Type.Optional(fields.callerIdName),
    callerIdNumber: Type.Optional(fields.callerIdNumber),
    status: Type.Optional(fields.status),
    codecs: Type.Optional(fields.codecs),
    voicemailEnabled: Type.Optional(fields.voicemailEnabled),
  },
  { additionalProperties: false },
);
export type CreateSipDeviceInput = Static<typeof CreateSipDeviceBody>;

export const PatchSipDeviceBody = Type.Object(
  {
    username: Type.Optional(fields.username),
    secret: Type.Optional(SipSecret),
    callerIdName: Type.Optional(fields.callerIdName),
    callerIdNumber: Type.Optional(fields.callerIdNumber),
    status: Type.Optional(fields.status),
    codecs: Type.Optional(fields.codecs),
    voicemailEnabled: Type.Optional(fields.voicemailEnabled),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type PatchSipDeviceInput = Static<typeof PatchSipDeviceBody>;

/** A device as listed and read: the secret is never part of it. */
export const SipDevice = Type.Object({
  id: Type.Integer(),
  customerId: Type.Integer(),
  username: Type.String(),
  callerIdName: Nullable(Type.String()),
  callerIdNumber: Nullable(Type.String()),
  status: Type.String(),
  effectiveStatus: Type.String({ description: 'active only while the customer and the device are active' }),
  codecs: Type.Array(Type.String()),
  voicemailEnabled: Type.Boolean(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});
export type SipDeviceDto = Static<typeof SipDevice>;

/** The answer to create and reset-secret: the only time the secret is shown. */
export const SipDeviceWithSecret = Type.Object({
  ...SipDevice.properties,
  secret: Type.String({ description: 'shown once; store it in the phone or PBX now' }),
});
export type SipDeviceWithSecretDto = Static<typeof SipDeviceWithSecret>;

export const SipDeviceList = Type.Object({ data: Type.Array(SipDevice) });

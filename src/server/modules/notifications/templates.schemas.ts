import { Type, type Static } from 'typebox';
import { Nullable } from '../../platform/http/nullable.js';
import { MAIL_KINDS, type MailKind } from './template-catalog.js';

export const MailKindSchema = Type.Unsafe<MailKind>({
  type: 'string',
  enum: [...MAIL_KINDS],
  description: 'the kind of mail',
});
export const KindParams = Type.Object({ kind: MailKindSchema });
/** Whose templates: an admin names a reseller to see and edit its overrides; a reseller only its own. */
export const TemplateOwnerQuery = Type.Object(
  {
    resellerId: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: Number.MAX_SAFE_INTEGER,
        description: "a reseller's overrides (admins: any reseller; a reseller: only itself)",
      }),
    ),
  },
  { additionalProperties: false },
);

export const MailTemplate = Type.Object({
  kind: MailKindSchema,
  subject: Type.String(),
  textBody: Type.String(),
  htmlBody: Nullable(Type.String()),
  /** Where the text comes from, seen from the caller: the operator's, or a reseller's override. */
  source: Type.Union([Type.Literal('operator'), Type.Literal('reseller')]),
  ownerId: Nullable(Type.Integer()),
  /** True when it is the caller's own row (a reseller's override, or the operator's for an admin). */
  isOwn: Type.Boolean(),
  variables: Type.Array(Type.Object({ name: Type.String(), sample: Type.String() })),
  updatedAt: Type.String({ format: 'date-time' }),
  updatedBy: Type.String(),
});
export type MailTemplateDto = Static<typeof MailTemplate>;
export const MailTemplateList = Type.Object({ data: Type.Array(MailTemplate) });

export const PutTemplateBody = Type.Object(
  {
    subject: Type.String({ minLength: 1, maxLength: 300 }),
    textBody: Type.String({ minLength: 1, maxLength: 20_000 }),
    htmlBody: Nullable(Type.String({ maxLength: 50_000 })),
  },
  { additionalProperties: false },
);
export type PutTemplateInput = Static<typeof PutTemplateBody>;

export const PreviewBody = Type.Object(
  {
    subject: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
    textBody: Type.Optional(Type.String({ minLength: 1, maxLength: 20_000 })),
    htmlBody: Type.Optional(Nullable(Type.String({ maxLength: 50_000 }))),
    variables: Type.Optional(
      Type.Record(Type.String({ pattern: '^[A-Za-z][A-Za-z0-9]{0,49}$' }), Type.String({ maxLength: 2000 }), {
        maxProperties: 50,
        description: 'values to use instead of the samples',
      }),
    ),
  },
  { additionalProperties: false },
);
export type PreviewInput = Static<typeof PreviewBody>;
export const Preview = Type.Object({
  subject: Type.String(),
  textBody: Type.String(),
  htmlBody: Nullable(Type.String()),
  unknownVariables: Type.Array(Type.String()),
});
export type PreviewDto = Static<typeof Preview>;

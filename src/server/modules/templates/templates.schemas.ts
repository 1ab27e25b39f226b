import { Type, type Static, type TSchema } from 'typebox';
import { CreateAccountBody, PatchAccountBody } from '../accounts/index.js';
import { TEMPLATE_FIELDS, type TemplateField } from './template-fields.js';

export { TEMPLATE_FIELDS, type TemplateField };

import { Nullable } from '../../platform/http/nullable.js';

const patchProps = PatchAccountBody.properties as Record<string, TSchema>;
export const TemplateSettings = Type.Object(
  Object.fromEntries(TEMPLATE_FIELDS.map((f) => [f, patchProps[f]!])) as Record<TemplateField, TSchema>,
  {
    additionalProperties: false,
    description: 'Any subset of the template fields, typed as in the account API',
  },
);
export type TemplateSettings = Partial<Record<TemplateField, unknown>>;

const TemplateName = Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' });
const Description = Nullable(Type.String({ maxLength: 500 }));

export const CreateTemplateBody = Type.Object(
  {
    name: TemplateName,
    description: Type.Optional(Description),
    resellerId: Type.Optional(
      Nullable(Type.Integer({ minimum: 1, description: 'admins only: the reseller who owns it' })),
    ),
    settings: TemplateSettings,
  },
  { additionalProperties: false },
);
export type CreateTemplateInput = Static<typeof CreateTemplateBody>;

export const SaveAsTemplateBody = Type.Object(
  { name: TemplateName, description: Type.Optional(Description) },
  { additionalProperties: false },
);

export const PatchTemplateBody = Type.Object(
  {
    name: Type.Optional(TemplateName),
    description: Type.Optional(Description),
    settings: Type.Optional(TemplateSettings),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type PatchTemplateInput = Static<typeof PatchTemplateBody>;

export const Template = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  description: Nullable(Type.String()),
  resellerId: Nullable(Type.Integer()),
  version: Type.Integer({ description: 'bumped by every change of settings' }),
  settings: Type.Record(Type.String(), Type.Unknown()),
  usedBy: Type.Integer({ description: 'live customers in your scope linked to this template' }),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});
export type TemplateDto = Static<typeof Template>;

export const TemplateList = Type.Object({ data: Type.Array(Template) });

export const TemplatePrefill = Type.Object({
  templateId: Type.Integer(),
  templateVersion: Type.Integer(),
  values: Type.Record(Type.String(), Type.Unknown(), {
    description: 'create-form values; POST /customer-templates/{id}/customers with any of them changed',
  }),
});

const createProps = CreateAccountBody.properties as Record<string, TSchema>;
/** The create form, every field optional but the name: missing ones come from the template. */
export const CreateFromTemplateBody = Type.Object(
  Object.fromEntries(
    Object.entries(createProps).map(([k, v]) => [k, k === 'name' ? v : Type.Optional(v)]),
  ) as Record<string, TSchema>,
  { additionalProperties: false },
);

export const FieldChange = Type.Object({
  field: Type.String(),
  from: Type.Unknown(),
  to: Type.Unknown(),
});
export type FieldChange = Static<typeof FieldChange>;

export const ReapplyPreviewQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
    afterId: Type.Optional(Type.Integer({ minimum: 0, description: 'keyset: the last customer id seen' })),
  },
  { additionalProperties: false },
);

export const ReapplyPreview = Type.Object({
  templateId: Type.Integer(),
  templateVersion: Type.Integer(),
  customers: Type.Array(
    Type.Object({
      id: Type.Integer(),
      accountNumber: Type.String(),
      name: Type.String(),
      templateVersion: Nullable(Type.Integer()),
      changes: Type.Array(FieldChange, { description: 'empty when the customer already matches' }),
    }),
  ),
  nextAfterId: Nullable(Type.Integer()),
});

export const ReapplyBody = Type.Object(
  {
    expectedVersion: Type.Integer({
      minimum: 1,
      description: 'the version the preview showed; a newer one answers 409 TEMPLATE_VERSION_CHANGED',
    }),
    accountIds: Type.Optional(
      Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1, maxItems: 1000, uniqueItems: true }),
    ),
    afterId: Type.Optional(
      Type.Integer({ minimum: 0, description: 'without accountIds: continue after this customer id' }),
    ),
  },
  { additionalProperties: false },
);

export const ReapplyResult = Type.Object({
  templateVersion: Type.Integer(),
  results: Type.Array(
    Type.Object({
      id: Type.Integer(),
      ok: Type.Boolean(),
      changes: Type.Array(FieldChange),
      error: Type.Optional(Type.Object({ code: Type.String(), message: Type.String() })),
    }),
  ),
  succeeded: Type.Integer(),
  failed: Type.Integer(),
  nextAfterId: Nullable(Type.Integer({ description: 'without accountIds: more linked customers remain' })),
});

export const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });

import { Type, type Static } from 'typebox';
import { Nullable } from '../../platform/http/nullable.js';
import { OwnerFilter } from '../../platform/tenancy/index.js';
import { PageQuery } from '../../platform/http/schemas.js';

export const Rule = Type.Object(
  {
    match: Type.String({ minLength: 1, maxLength: 40, description: "a prefix, or '*' for any input" }),
    action: Type.Union([Type.Literal('strip'), Type.Literal('replace'), Type.Literal('prepend')]),
    value: Type.String({
      maxLength: 40,
      description:
        "replace/prepend: the text; strip: empty, or with match '*' the count of leading characters",
    }),
  },
  { additionalProperties: false },
);
const Rules = Type.Array(Rule, { maxItems: 100, description: 'in order; the first matching rule wins' });

export const CreateLocalizationBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' }),
    destinationRules: Type.Optional(Rules),
    callerNumberRules: Type.Optional(Rules),
    callerNameRules: Type.Optional(Rules),
    resellerId: Type.Optional(
      Nullable(
        Type.Integer({ minimum: 1, description: 'admin only: the reseller that owns it; null = operator' }),
      ),
    ),
  },
  { additionalProperties: false },
);
export type CreateLocalizationInput = Static<typeof CreateLocalizationBody>;

export const PatchLocalizationBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' })),
    destinationRules: Type.Optional(Rules),
    callerNumberRules: Type.Optional(Rules),
    callerNameRules: Type.Optional(Rules),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type PatchLocalizationInput = Static<typeof PatchLocalizationBody>;

export const Localization = Type.Object({
  id: Type.Integer(),
  resellerId: Nullable(Type.Integer()),
  name: Type.String(),
  destinationRules: Type.Array(Rule),
  callerNumberRules: Type.Array(Rule),
  callerNameRules: Type.Array(Rule),
  customerCount: Type.Integer(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});
export type LocalizationDto = Static<typeof Localization>;

export const ListLocalizationsQuery = Type.Object(
  { name: Type.Optional(Type.String({ maxLength: 100 })), resellerId: OwnerFilter, ...PageQuery },
  { additionalProperties: false },
);
export const LocalizationPage = Type.Object({
  data: Type.Array(Localization),
  nextCursor: Nullable(Type.String()),
});

const sample = {
  destination: Type.Optional(Type.String({ pattern: '^[0-9]{0,32}$' })),
  callerNumber: Type.Optional(Type.String({ pattern: '^[0-9]{0,32}$' })),
  callerName: Type.Optional(Type.String({ maxLength: 80 })),
};
export const PreviewBody = Type.Object(sample, { additionalProperties: false, minProperties: 1 });
export type PreviewInput = Static<typeof PreviewBody>;
export const PreviewRulesBody = Type.Object(
  {
    ...sample,
    destinationRules: Type.Optional(Rules),
    callerNumberRules: Type.Optional(Rules),
    callerNameRules: Type.Optional(Rules),
  },
  { additionalProperties: false },
);
export type PreviewRulesInput = Static<typeof PreviewRulesBody>;

const Translation = Nullable(
  Type.Object({
    input: Type.String(),
    output: Type.String(),
    matchedRule: Nullable(Type.Integer()),
    steps: Type.Array(
      Type.Object({
        index: Type.Integer(),
        rule: Rule,
        matched: Type.Boolean(),
        output: Type.Optional(Type.String()),
      }),
    ),
  }),
);
export const PreviewResult = Type.Object({
  destination: Translation,
  callerNumber: Translation,
  callerName: Translation,
});

import { Type, type Static } from 'typebox';
import { Nullable } from '../../platform/http/nullable.js';

const RetentionMonths = Nullable(
  Type.Integer({
    minimum: 1,
    maximum: 120,
    description:
      'raw CDRs are kept at least this many whole months before the current one, then dropped a month at a time (their daily usage and ledger entries stay); null = forever',
  }),
);

/** The system settings an admin edits (issue 13: CDR retention); a field left out is unchanged. */
export const SystemSettingsBody = Type.Object(
  { cdrRetentionMonths: Type.Optional(RetentionMonths) },
  { additionalProperties: false },
);
export type SystemSettingsInput = Static<typeof SystemSettingsBody>;

export const SystemSettings = Type.Object({
  cdrRetentionMonths: RetentionMonths,
  updatedAt: Type.String({ format: 'date-time' }),
});
export type SystemSettingsDto = Static<typeof SystemSettings>;

import { Type } from 'typebox';

export const PREFERENCE_KEY_PATTERN = '^[A-Za-z0-9._-]{1,100}$';

export const PreferenceKeyParams = Type.Object({
  key: Type.String({ pattern: PREFERENCE_KEY_PATTERN, description: 'e.g. customers.datatable' }),
});

export const PutPreferenceBody = Type.Object(
  { value: Type.Unknown({ description: 'Any JSON value, at most 10,000 characters once serialised' }) },
  { additionalProperties: false },
);

export const Preference = Type.Object({ key: Type.String(), value: Type.Unknown() });

export const PreferenceMap = Type.Object({
  data: Type.Record(Type.String(), Type.Unknown(), { description: 'Every preference of the user, by key' }),
});

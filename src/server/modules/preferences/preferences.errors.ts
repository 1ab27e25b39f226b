import { AppError, forbidden } from '../../platform/errors.js';

/** Preferences belong to a person: an API key has none. */
export const preferencesNeedUser = () =>
  forbidden('Preferences belong to a signed-in user, not to an API key.', 'PREFERENCES_NEED_USER');
/** The value is too large once serialised: preferences are small UI settings, not a data store. */
export const preferenceTooLarge = (max: number) =>
  new AppError('PREFERENCE_TOO_LARGE', `A preference is at most ${max} characters of JSON.`, {
    field: 'value',
  });
/** A value is required; JSON null is how a client would forget one, and DELETE does that. */
export const preferenceValueRequired = () =>
  new AppError('VALIDATION_FAILED', 'A value is required; DELETE the key to forget it.', {
    field: 'value',
  });
/** Each user keeps a bounded number of keys. */
export const tooManyPreferences = (max: number) =>
  new AppError('TOO_MANY_PREFERENCES', `A user keeps at most ${max} preferences.`, { field: 'key' });

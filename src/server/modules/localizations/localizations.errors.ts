import { AppError, conflict, notFound } from '../../platform/errors.js';

/** The profile does not exist, is deleted, or is outside the actor's scope. */
export const localizationNotFound = () =>
  notFound('LOCALIZATION_NOT_FOUND', 'Localization profile not found.');
/** Another live profile of the same owner has this name. */
export const localizationNameTaken = () =>
  conflict(
    'LOCALIZATION_NAME_TAKEN',
    'name',
    'Another localization profile of the same owner has this name.',
  );
/** Live accounts still use the profile. */
export const localizationInUse = (count: number) =>
  new AppError('LOCALIZATION_IN_USE', `${count} account(s) still use this localization profile.`, {
    field: 'id',
    count,
  });

import { AppError, notFound } from '../../platform/errors.js';

/** The mass create does not exist or is outside the actor's scope (never told apart). */
export const massCreateNotFound = () => notFound('MASS_CREATE_NOT_FOUND', 'Mass create not found.');
/** The prefix and length cannot hold that many new numbers (DOMAIN 3.4). */
export const capacityExceeded = (capacity: string, prefix: string, length: number) =>
  new AppError(
    'NUMBER_CAPACITY_EXCEEDED',
    `Prefix "${prefix}" with ${length} digits has room for ${capacity} more account numbers.`,
    { field: 'count', capacity },
  );
/** The result is not ready yet, or was already downloaded (it is offered once). */
export const resultNotAvailable = (state: string) =>
  new AppError(
    state === 'downloaded' ? 'MASS_CREATE_RESULT_GONE' : 'MASS_CREATE_RESULT_NOT_READY',
    state === 'downloaded'
      ? 'The result was already downloaded; it is offered only once.'
      : 'The accounts are not created yet.',
    { state },
  );
/** The download key is not the one given when the mass create started. */
export const downloadKeyInvalid = () =>
  new AppError('DOWNLOAD_KEY_INVALID', 'This is not the download key of this mass create.', {
    field: 'downloadKey',
  });

import { AppError, conflict, notFound } from '../../platform/errors.js';

/** The rate group does not exist, is deleted, or is outside the actor's scope. */
export const rateGroupNotFound = () => notFound('RATE_GROUP_NOT_FOUND', 'Rate group not found.');
/** The rate does not exist or its group is outside the actor's scope. */
export const rateNotFound = () => notFound('RATE_NOT_FOUND', 'Rate not found.');
/** Another live rate group of the same owner has this name (case-insensitive). */
export const rateGroupNameTaken = () =>
  conflict('RATE_GROUP_NAME_TAKEN', 'name', 'Another rate group of the same owner already has this name.');
/** A rate with this code and start already exists in the group. */
export const rateAlreadyExists = () =>
  conflict(
    'RATE_ALREADY_EXISTS',
    'prefix',
    'This rate group already has a rate for this code starting at this time.',
  );
/** Live accounts still use the group as their rate group or non-CLI rate group. */
export const rateGroupInUse = (count: number) =>
  new AppError('RATE_GROUP_IN_USE', `${count} account(s) still use this rate group.`, {
    field: 'id',
    count,
  });

export interface DeckError {
  /** The CSV row, counting the header as row 1. */
  row: number;
  column: string | null;
  reason: string;
}

/** The deck has errors; nothing was loaded. At most 1,000 are listed. */
export const rateDeckInvalid = (errors: DeckError[], errorCount: number, truncated: boolean) =>
  new AppError(
    'RATE_DECK_INVALID',
    `The rate deck has ${errorCount}${truncated ? '+' : ''} error(s); nothing was loaded. First: row ${errors[0]?.row}` +
      `${errors[0]?.column ? `, ${errors[0].column}` : ''}: ${errors[0]?.reason}`,
    { field: 'body', errors, errorCount, truncated },
  );

/** The upload is larger than the server accepts. */
export const rateDeckTooLarge = (maxBytes: number) =>
  new AppError('BODY_TOO_LARGE', `The rate deck is larger than ${maxBytes} bytes.`, { field: 'body' });

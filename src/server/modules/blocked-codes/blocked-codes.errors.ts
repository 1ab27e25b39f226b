import { conflict, notFound } from '../../platform/errors.js';

/** The blocked code does not exist, is deleted, or is outside the actor's scope. */
export const blockedCodeNotFound = () => notFound('BLOCKED_CODE_NOT_FOUND', 'Blocked code not found.');
/** The account already blocks this prefix. */
export const blockedCodeTaken = () =>
  conflict('BLOCKED_CODE_TAKEN', 'prefix', 'This account already blocks this prefix.');

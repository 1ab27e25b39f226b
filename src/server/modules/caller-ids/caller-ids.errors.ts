import { conflict, notFound } from '../../platform/errors.js';

/** The caller ID does not exist, is deleted, or is outside the actor's scope. */
export const callerIdNotFound = () => notFound('CALLER_ID_NOT_FOUND', 'Caller ID not found.');
/** The customer already has this number among its live caller IDs. */
export const callerIdTaken = () =>
  conflict('CALLER_ID_TAKEN', 'number', 'This customer already has this caller ID.');
/** The force caller ID does not exist, is deleted, or is outside the actor's scope. */
export const forceCallerIdNotFound = () =>
  notFound('FORCE_CALLER_ID_NOT_FOUND', 'Force caller ID not found.');
/** The customer already has an active force caller ID; deactivate it first. */
export const forceCallerIdActiveExists = () =>
  conflict(
    'FORCE_CALLER_ID_ACTIVE_EXISTS',
    'status',
    'This customer already has an active force caller ID; deactivate it first.',
  );

import { AppError, conflict, notFound } from '../../platform/errors.js';

/** The DID does not exist, is deleted, or is outside the actor's scope. */
export const didNotFound = () => notFound('DID_NOT_FOUND', 'DID not found.');
/** Another live DID has this number. */
export const didTaken = () => conflict('DID_TAKEN', 'number', 'This DID is already in the inventory.');
/** The DID is assigned to a customer; release it first. */
export const didAlreadyAssigned = () =>
  conflict('DID_ALREADY_ASSIGNED', 'customerId', 'This DID is assigned to a customer; release it first.');
/** A DID goes only to customers of the pool's owner (the operator's pool to the operator's customers). */
export const didPoolMismatch = () =>
  new AppError(
    'DID_POOL_MISMATCH',
    "This DID belongs to another owner's pool than the customer's; move it to that pool first.",
    { field: 'customerId' },
  );

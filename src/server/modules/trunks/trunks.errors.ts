import { conflict, notFound, validationError } from '../../platform/errors.js';

/** The trunk does not exist, is deleted, or belongs to an account outside the actor's scope. */
export const trunkNotFound = () => notFound('TRUNK_NOT_FOUND', 'Trunk not found.');
/** The host does not exist, is deleted, or is outside the actor's scope. */
export const hostNotFound = () => notFound('HOST_NOT_FOUND', 'Host not found.');
/** Another live trunk of the same customer has this name (case-insensitive). */
export const trunkNameTaken = () =>
  conflict('TRUNK_NAME_TAKEN', 'name', 'Another trunk of this customer already has this name.');
/** The (IP/CIDR, tech prefix) pair already identifies a live host, of this or another customer. */
export const hostAlreadyInUse = (cidr: string, techPrefix: string) =>
  conflict(
    'HOST_ALREADY_IN_USE',
    'cidr',
    `The address ${cidr} with tech prefix "${techPrefix}" is already used by another host; ` +
      'change the address or the tech prefix.',
  );
/** The text is not an IP address or CIDR we accept. */
export const invalidCidr = (field: string, reason: string) => validationError(field, reason, 'INVALID_CIDR');

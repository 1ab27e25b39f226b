import { conflict, notFound } from '../../platform/errors.js';

/** The device does not exist, is deleted, or belongs to an account outside the actor's scope. */
export const sipDeviceNotFound = () => notFound('SIP_DEVICE_NOT_FOUND', 'SIP device not found.');
/** Another live device already uses this username (case-insensitive). */
export const sipUsernameTaken = (field = 'username') =>
  conflict('SIP_USERNAME_TAKEN', field, 'This SIP username is already used by another device.');

import { validationError } from '../../platform/errors.js';

/** A requested export column is not one of DOMAIN 3.6's, or is named twice. */
export const unknownExportColumn = (name: string) =>
  validationError('columns', `Unknown or repeated column "${name}".`, 'UNKNOWN_EXPORT_COLUMN');

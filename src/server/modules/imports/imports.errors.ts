import { AppError, notFound, type ErrorCode } from '../../platform/errors.js';

/** The import does not exist or is outside the actor's scope (never told apart). */
export const importNotFound = () => notFound('IMPORT_NOT_FOUND', 'Import not found.');
/** The file is not CSV we can read (unclosed quote, binary data ...); `details.row` says where. */
export const csvMalformed = (message: string, row?: number) =>
  new AppError('CSV_MALFORMED', message, { field: 'file', ...(row ? { row } : {}) });
/** The file has no header row, or no data row. */
export const csvEmpty = (message: string) => new AppError('CSV_EMPTY', message, { field: 'file' });
/** More than 1,000,000 data rows, or more bytes than allowed. */
export const importTooLarge = (message: string) =>
  new AppError('IMPORT_TOO_LARGE', message, { field: 'file' });
/** The import is busy (validating or running) or finished, so this step cannot start now. */
export const importWrongState = (status: string, action: string) =>
  new AppError('IMPORT_WRONG_STATE', `The import is ${status}; it cannot ${action} now.`, { status });
/** A column mapping that does not fit the file or names an unknown column. */
export const badMapping = (field: string, message: string, code: ErrorCode = 'INVALID_MAPPING') =>
  new AppError(code, message, { field }, true);

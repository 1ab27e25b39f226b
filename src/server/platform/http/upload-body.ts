import { Readable } from 'node:stream';
import { AppError } from '../errors.js';

/**
 * The raw body of an upload route, as the stream its content-type parser handed over. A body that
 * arrived as JSON (or none at all) was not a file: 415 (400 when absent), before any reading.
 */
export function uploadStream(body: unknown, expected = 'text/csv'): Readable {
  if (body instanceof Readable) return body;
  if (body === undefined || body === null)
    throw new AppError('FILE_REQUIRED', `Send the file as the request body (Content-Type: ${expected}).`, {
      field: 'body',
    });
  throw new AppError('UNSUPPORTED_MEDIA_TYPE', `Send the file as ${expected}, not JSON.`, {
    field: 'body',
  });
}

import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';

interface AjvError {
  instancePath?: string;
  keyword?: string;
  params?: Record<string, unknown>;
  message?: string;
}

/** `/address/city` + additionalProperty `foo` -> `address.city.foo` */
function fieldOf(e: AjvError, context: string | undefined): string {
  const parts = (e.instancePath ?? '').split('/').filter(Boolean);
  if (e.keyword === 'required' && e.params?.missingProperty) parts.push(String(e.params.missingProperty));
  if (e.keyword === 'additionalProperties' && e.params?.additionalProperty)
    parts.push(String(e.params.additionalProperty));
  const path = parts.join('.');
  return clip(path || context || 'body');
}

/** Keeps an echoed value (a field name, a URL) from making an error answer large. */
function clip(s: string, max = 200): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

/** At most this many entries in details.errors: an answer must not grow with the input. */
const MAX_LISTED_ERRORS = 20;

/** Our error shape for an answer Fastify writes itself (bad URL, over-long path parameter). */
function frameworkError(err: FastifyError): { status: number; code: string; message: string } {
  if (err.code === 'FST_ERR_MAX_PARAM_LENGTH')
    return { status: 414, code: 'URI_TOO_LONG', message: 'A path parameter is too long.' };
  if (err.code === 'FST_ERR_BAD_URL')
    return { status: 400, code: 'BAD_URL', message: 'The URL is not valid (bad percent-encoding).' };
  return { status: err.statusCode ?? 400, code: 'BAD_REQUEST', message: clip(err.message) };
}

/**
 * Fastify's options for errors raised before routing: `frameworkErrors` (bad URL, path parameter
 * too long: 400 and 414) and `clientErrorHandler` (raw socket errors: header or URL too large 431,
 * timeouts 408), each answering in our error shape. Passed to Fastify() in app.ts.
 */
export const frameworkErrorOptions = {
  frameworkErrors(err: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
    const e = frameworkError(err);
    void reply
      .status(e.status)
      .send({ error: { code: e.code, message: e.message, details: { requestId: req.id } } });
  },
  clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    const [status, code, message] =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'HEADERS_TOO_LARGE', 'The request line or headers are too large.']
        : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? [408, 'REQUEST_TIMEOUT', 'The request took too long to arrive.']
          : [400, 'BAD_REQUEST', 'The request is not valid HTTP.'];
    const body = JSON.stringify({ error: { code, message, details: {} } });
    if (socket.writable)
      socket.write(
        `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    socket.destroy();
  },
};

function messageOf(e: AjvError): string {
  if (e.keyword === 'additionalProperties') return 'Unknown field.';
  if (e.keyword === 'required') return 'Required.';
  // Names are trimmed before they are stored: one made of spaces only would be empty.
  if (e.keyword === 'pattern' && e.params?.pattern === '\\S') return 'Must not be blank.';
  return e.message ? e.message.charAt(0).toUpperCase() + e.message.slice(1) + '.' : 'Invalid value.';
}

/**
 * The one place errors become HTTP: AppError by its code and status, schema failures as 400
 * VALIDATION_FAILED with the field, everything else a masked 500 logged with the request id.
 */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler(
    (err: FastifyError & { validation?: AjvError[]; validationContext?: string }, req, reply) => {
      if (err instanceof AppError) {
        if (err.status >= 500) req.log.error({ err }, 'server error');
        return reply
          .status(err.status)
          .send({ error: { code: err.code, message: err.message, details: err.details } });
      }
      if (err.validation) {
        // The most specific error names the field best: with `anyOf` (nullable fields), the first one
        // is often "must be null" on the parent.
        const depth = (e: AjvError) =>
          fieldOf(e, '').split('.').length * 2 + (e.keyword === 'anyOf' || e.keyword === 'type' ? 0 : 1);
        const first = [...err.validation].sort((a, b) => depth(b) - depth(a))[0] ?? {};
        const field = fieldOf(first, err.validationContext);
        return reply.status(400).send({
          error: {
            code: 'VALIDATION_FAILED',
            message: `${field}: ${messageOf(first)}`,
            details: {
              field,
              errors: err.validation.slice(0, MAX_LISTED_ERRORS).map((e) => ({
                field: fieldOf(e, err.validationContext),
                message: messageOf(e),
              })),
            },
          },
        });
      }
      const status = err.statusCode ?? 500;
      if (status < 500) {
        const code =
          err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
            ? 'UNSUPPORTED_MEDIA_TYPE'
            : err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ||
                err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' ||
                err instanceof SyntaxError
              ? 'MALFORMED_BODY'
              : err.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
                ? 'BODY_TOO_LARGE'
                : status === 429
                  ? 'RATE_LIMITED'
                  : 'BAD_REQUEST';
        return reply
          .status(status)
          .send({ error: { code, message: clip(err.message), details: { field: 'body' } } });
      }
      req.log.error({ err }, 'unhandled error');
      return reply.status(500).send({
        error: {
          code: 'INTERNAL_ERROR',
          message: 'Something went wrong on our side.',
          details: { requestId: req.id },
        },
      });
    },
  );
  app.setNotFoundHandler((req, reply) =>
    reply.status(404).send({
      error: { code: 'ROUTE_NOT_FOUND', message: `No route ${req.method} ${clip(req.url)}`, details: {} },
    }),
  );
}

import type { FastifyError, FastifyInstance } from 'fastify';
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
  return path || context || 'body';
}

function messageOf(e: AjvError): string {
  if (e.keyword === 'additionalProperties') return 'Unknown field.';
  if (e.keyword === 'required') return 'Required.';
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
              errors: err.validation.map((e) => ({
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
          .send({ error: { code, message: err.message, details: { field: 'body' } } });
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
      error: { code: 'ROUTE_NOT_FOUND', message: `No route ${req.method} ${req.url}`, details: {} },
    }),
  );
}

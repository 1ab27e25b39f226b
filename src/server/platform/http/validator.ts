import { Ajv, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifyInstance } from 'fastify';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/**
 * Two validators. Query strings, params and headers arrive as text, so they are coerced to the
 * schema's types. JSON bodies are NOT coerced: with coercion, ajv turns `null` into 0 or "" and 0
 * into null inside nullable unions, so "no limit" and "nothing allowed" could swap. A body must
 * send the JSON type the schema names.
 */
export function registerValidators(app: FastifyInstance): void {
  const base: Options = { removeAdditional: false, useDefaults: true, allErrors: true, strict: false };
  const bodyAjv = addFormats(new Ajv({ ...base, coerceTypes: false }));
  const textAjv = addFormats(new Ajv({ ...base, coerceTypes: 'array' }));
  app.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === 'body' ? bodyAjv : textAjv).compile(schema as object),
  );
}

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
  // allErrors off: validation stops at the first error, so a 100,000-item array costs one check,
  // not 100,000 error objects.
  const base: Options = { removeAdditional: false, useDefaults: true, allErrors: false, strict: false };
  const bodyAjv = addFormats(new Ajv({ ...base, coerceTypes: false }));
  const textAjv = addFormats(new Ajv({ ...base, coerceTypes: 'array' }));
  app.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === 'body' ? bodyAjv : textAjv).compile(schema as object),
  );
}

import { Stream } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { validationError } from '../errors.js';

/** The largest id (and integer) the API takes: what a JavaScript number holds exactly. */
export const MAX_SAFE_ID = Number.MAX_SAFE_INTEGER;

/** Caps a schema gets where it names none (an explicit one, smaller, always wins). */
export const DEFAULT_CAPS = {
  maxLength: 10_000,
  maxItems: 1_000,
  maxProperties: 200,
} as const;

type Schema = Record<string, unknown>;

/**
 * Gives every string, array, free-form object and number of a request schema an upper bound, in
 * place, so no route (a new one included) accepts input that costs more to check than to send, and
 * no out-of-range integer reaches the database as a bigint error. Runs on each route as it is
 * added, before the validator compiles the schema and before the OpenAPI document is read, so
 * the spec shows the caps.
 */
export function capSchema(schema: unknown, seen = new Set<unknown>()): void {
  if (!schema || typeof schema !== 'object' || seen.has(schema)) return;
  seen.add(schema);
  const s = schema as Schema;
  const types = Array.isArray(s.type) ? (s.type as string[]) : typeof s.type === 'string' ? [s.type] : [];
  if (types.includes('string') && s.maxLength === undefined && s.enum === undefined && s.const === undefined)
    s.maxLength = DEFAULT_CAPS.maxLength;
  if (types.includes('array') && s.maxItems === undefined) s.maxItems = DEFAULT_CAPS.maxItems;
  if (types.includes('object') && s.additionalProperties !== false && s.maxProperties === undefined)
    s.maxProperties = DEFAULT_CAPS.maxProperties;
  if (types.includes('integer') || types.includes('number')) {
    if (s.maximum === undefined && s.exclusiveMaximum === undefined) s.maximum = MAX_SAFE_ID;
    if (s.minimum === undefined && s.exclusiveMinimum === undefined) s.minimum = -MAX_SAFE_ID;
  }
  for (const [key, value] of Object.entries(s)) {
    if (key === 'default' || key === 'examples' || key === 'const' || key === 'enum') continue;
    if (Array.isArray(value)) value.forEach((v) => capSchema(v, seen));
    else if (value && typeof value === 'object') capSchema(value, seen);
  }
}

// A NUL (PostgreSQL text cannot hold it) or a lone UTF-16 surrogate (not encodable as UTF-8).
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** True when the text can be stored: no NUL character and no lone surrogate. */
export function isStorableText(s: string): boolean {
  return !UNSTORABLE.test(s);
}

const unstorable = (field: string) =>
  validationError(field, `${field}: Text may not contain NUL characters or unpaired surrogates.`);

/** The path of the first string (or key) that cannot be stored, or null. Depth-bounded. */
export function findUnstorable(value: unknown, at: string, depth = 0): string | null {
  if (typeof value === 'string') return isStorableText(value) ? null : at;
  if (!value || typeof value !== 'object' || depth > 32) return null;
  // Data only: an upload's body is a stream (or a buffer), checked by its own reader.
  if (value instanceof Stream || Buffer.isBuffer(value)) return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const f = findUnstorable(value[i], at ? `${at}.${i}` : String(i), depth + 1);
      if (f) return f;
    }
    return null;
  }
  for (const [k, v] of Object.entries(value)) {
    const path = at ? `${at}.${k}` : k;
    if (!isStorableText(k)) return path;
    const f = findUnstorable(v, path, depth + 1);
    if (f) return f;
  }
  return null;
}

function guardRequest(req: FastifyRequest): void {
  const field =
    findUnstorable(req.params, '') ?? findUnstorable(req.query, '') ?? findUnstorable(req.body, '');
  if (field !== null) throw unstorable(field || 'body');
}

/**
 * Input limits for every route: schema caps (capSchema) as routes are added, and a refusal (400
 * VALIDATION_FAILED naming the field) of any path parameter, query value or JSON body string that
 * PostgreSQL cannot store, before the schema is even checked.
 */
export function registerInputLimits(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    const schema = route.schema as Schema | undefined;
    if (!schema) return;
    for (const part of ['body', 'querystring', 'params', 'headers'])
      if (schema[part]) capSchema(schema[part]);
  });
  app.addHook('preValidation', async (req) => guardRequest(req));
}

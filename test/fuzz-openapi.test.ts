import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { adminLogin, Client, createTestApp, customerBody, type TestApp } from './app.js';
import { testDatabaseKinds } from './databases.js';

/*
 * Malformed requests derived from /api/openapi.json for every operation: out-of-range and ill-typed
 * ids in paths, queries and bodies, huge, NUL and lone-surrogate strings, bad cursors, oversized
 * arrays, wrong content types. Fails on any 5xx, any refusal outside our error shape
 * `{ error: { code, message, details } }` or over ERROR_BODY_MAX bytes, and any request over 2 s.
 * It walks the spec, so a new route is fuzzed without touching this file. Deterministic: the one
 * random source is seeded.
 */

const SLOW_MS = 2000;
// A rate deck lists up to 1,000 row errors, each clipped: the largest answer we write by design.
const ERROR_BODY_MAX = 256 * 1024;
/** Probes per operation at most (sampled with the seeded generator when an operation has more). */
// 20 keeps the file near a minute per database on a loaded 2-core machine; FUZZ_PROBES=160 walks
// everything (11,853 requests).
const MAX_PROBES_PER_OPERATION = Number(process.env.FUZZ_PROBES ?? 20);

type Schema = Record<string, any>;
interface Operation {
  method: string;
  path: string;
  op: Schema;
}
interface Probe {
  cause: string;
  url: string;
  headers?: Record<string, string>;
  payload?: string | Buffer;
  /** Send without the admin's session (logout would end it). */
  anonymous?: boolean;
}

/** mulberry32: small, seeded, good enough to sample probes. */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---- raw JSON: values JSON.stringify cannot write (1e309, 2^63 exactly, lone surrogates) ----

class Raw {
  constructor(readonly text: string) {}
}
function toJson(v: unknown): string {
  const raws: string[] = [];
  const text = JSON.stringify(v, (_k, x) => {
    if (x instanceof Raw) {
      raws.push(x.text);
      return `\u0001RAW${raws.length - 1}\u0001`;
    }
    return x;
  });
  return text.replace(/"\\u0001RAW(\d+)\\u0001"/g, (_m, i) => raws[Number(i)]);
}

// ---- valid samples from a schema (enough to get past validation to the handler) ----

const STRING_CANDIDATES = ['1', 'US', 'USD', 'a', '12345678', '0.5', 'x@example.com', 'active', 'abc.def'];

function sampleString(s: Schema): string {
  if (s.enum) return s.enum[0];
  if (s.const !== undefined) return s.const;
  if (s.default !== undefined && typeof s.default === 'string') return s.default;
  if (s.format === 'date-time') return '2026-01-01T00:00:00Z';
  if (s.format === 'date') return '2026-01-01';
  if (s.format === 'email') return 'x@example.com';
  const min = s.minLength ?? 0;
  const max = s.maxLength ?? 1000;
  const re = s.pattern ? new RegExp(s.pattern) : null;
  for (const c of STRING_CANDIDATES) {
    for (const v of [c, c.repeat(Math.max(1, Math.ceil(min / c.length))).slice(0, Math.max(min, c.length))]) {
      if (v.length >= min && v.length <= max && (!re || re.test(v))) return v;
    }
  }
  return 'a'.repeat(Math.max(min, 1));
}

function branches(s: Schema): Schema[] {
  return s.anyOf ?? s.oneOf ?? [];
}
function typeOf(s: Schema): string | undefined {
  if (Array.isArray(s.type)) return s.type.find((t: string) => t !== 'null');
  if (s.type) return s.type;
  const b = branches(s).find((x) => x.type !== 'null');
  return b ? typeOf(b) : undefined;
}

function sample(s: Schema, depth = 0): unknown {
  if (!s || depth > 6) return null;
  if (s.default !== undefined) return s.default;
  if (s.const !== undefined) return s.const;
  if (s.enum) return s.enum[0];
  const b = branches(s);
  if (b.length) return sample(b.find((x) => x.type !== 'null') ?? b[0], depth + 1);
  switch (typeOf(s)) {
    case 'object': {
      const o: Record<string, unknown> = {};
      for (const k of s.required ?? []) o[k] = sample(s.properties?.[k] ?? {}, depth + 1);
      return o;
    }
    case 'array':
      return Array.from({ length: s.minItems ?? 0 }, () => sample(s.items ?? {}, depth + 1));
    case 'integer':
    case 'number':
      return Math.max(s.minimum ?? 1, Math.min(1, s.maximum ?? 1));
    case 'boolean':
      return false;
    case 'string':
      return sampleString(s);
    default:
      return 'x';
  }
}

// ---- the malformed values ----

const BIG_INT_TEXTS = [
  '9223372036854775808', // 2^63
  '9223372036854775807', // 2^63 - 1: a bigint, but past what JavaScript holds exactly
  '18446744073709551616',
  '99999999999999999999', // 20 digits
  '9007199254740993', // 2^53 + 1
];
const BAD_TEXT_IDS = [
  ...BIG_INT_TEXTS,
  'Infinity',
  '-Infinity',
  'NaN',
  '1e20',
  '1e309',
  '-1',
  '0',
  '-0',
  '1.5',
  '0x10',
  'abc',
  '%00',
  'a%00b',
  '%ED%A0%80', // a lone surrogate, UTF-8 encoded (invalid)
  '%FF%FE',
  '%25', // a literal %
  '%',
  '+1',
  ' 1',
  'a'.repeat(150), // longer than a path parameter may be
];

const memos = new Map<string, Raw>();
/** The large values are built once: building 100,000 items per probe would dominate the run. */
function memo(key: string, build: () => Raw): Raw {
  let v = memos.get(key);
  if (!v) memos.set(key, (v = build()));
  return v;
}

function badValues(s: Schema, rnd: () => number): { cause: string; value: unknown }[] {
  const t = typeOf(s) ?? 'unknown';
  const out: { cause: string; value: unknown }[] = [
    { cause: 'null', value: null },
    { cause: 'object', value: { a: 1 } },
    { cause: 'array', value: [1, 'a'] },
    { cause: 'bool', value: true },
  ];
  if (t === 'integer' || t === 'number') {
    for (const n of BIG_INT_TEXTS) out.push({ cause: `int ${n}`, value: new Raw(n) });
    out.push(
      { cause: 'num 1e20', value: new Raw('1e20') },
      { cause: 'num 1e309', value: new Raw('1e309') },
      { cause: 'num -1e309', value: new Raw('-1e309') },
      { cause: 'num -1e20', value: new Raw('-1e20') },
      { cause: 'num 1.5', value: 1.5 },
      { cause: 'num 1e-400', value: new Raw('1e-400') },
      { cause: 'num -1', value: -1 },
      { cause: 'num as string', value: '1' },
      { cause: 'num huge string', value: '9223372036854775808' },
    );
  } else {
    out.push({ cause: 'number', value: 12345 }, { cause: 'num 1e309', value: new Raw('1e309') });
  }
  if (t === 'string' || t === 'unknown') {
    const ok = typeof sample(s) === 'string' ? (sample(s) as string) : 'a';
    out.push(
      { cause: 'str NUL', value: `${ok}\u0000` },
      { cause: 'str NUL only', value: '\u0000' },
      { cause: 'str lone surrogate', value: new Raw(`"${ok}\\ud800"`) },
      { cause: 'str lone low surrogate', value: new Raw('"\\udc00x"') },
      { cause: 'str whitespace', value: '   ' },
      { cause: 'str empty', value: '' },
      { cause: 'str huge', value: 'x'.repeat(200_000) },
      { cause: 'str control', value: `${ok}\u0007\u001b[2J` },
      { cause: 'str big id', value: '9223372036854775808' },
      { cause: 'str date', value: '2026-13-45T99:99:99Z' },
      {
        cause: 'str random',
        value: Array.from({ length: 20 }, () => String.fromCharCode(32 + Math.floor(rnd() * 94))).join(''),
      },
    );
  }
  if (t === 'array') {
    const item = sample(s.items ?? {});
    out.push(
      {
        cause: 'array 100k',
        value: memo(
          `array ${toJson(item)}`,
          () => new Raw(`[${Array(100_000).fill(toJson(item)).join(',')}]`),
        ),
      },
      {
        cause: 'array 100k numbers',
        value: memo('numbers', () => new Raw(`[${Array.from({ length: 100_000 }, (_v, i) => i).join(',')}]`)),
      },
      { cause: 'array NUL items', value: ['\u0000', 'a\u0000'] },
      { cause: 'array big ints', value: [new Raw('9223372036854775808'), new Raw('1e309')] },
    );
  }
  if (t === 'object') {
    out.push(
      {
        cause: 'object 100k keys',
        value: memo(
          'keys',
          () => new Raw(`{${Array.from({ length: 100_000 }, (_v, i) => `"k${i}":1`).join(',')}}`),
        ),
      },
      { cause: 'object NUL key', value: new Raw('{"a\\u0000":1}') },
      {
        cause: 'object deep',
        value: memo('deep', () => new Raw('{"a":'.repeat(2000) + '1' + '}'.repeat(2000))),
      },
    );
  }
  return out;
}

// ---- cursors ----

const b64 = (s: string) => Buffer.from(s).toString('base64url');
function badCursors(): { cause: string; text: string }[] {
  const keyValues: [string, string][] = [
    ['1', 'number'],
    ['"x"', 'text'],
    ['"2026-13-45"', 'bad date'],
    ['"99999999999999999999"', '20 digits'],
    ['"1e309"', '1e309 text'],
    ['"-Infinity"', 'Infinity text'],
    ['"NaN"', 'NaN text'],
    ['"\\u0000"', 'NUL'],
    ['"ab\\ud800"', 'lone surrogate'],
    ['{}', 'object'],
    ['[1]', 'array'],
    ['true', 'bool'],
    ['""', 'empty'],
    [`"${'9'.repeat(300)}"`, 'long digits'],
  ];
  const idValues: [string, string][] = [
    ['9223372036854775808', '2^63'],
    ['1e20', '1e20'],
    ['1e309', '1e309'],
    ['-1', '-1'],
    ['1.5', '1.5'],
    ['"1"', 'string'],
    ['null', 'null'],
  ];
  const out: { cause: string; text: string }[] = [];
  // One cursor names every key a list may use (k, v, t; id, s), so each probe hits every decoder.
  for (const [v, label] of keyValues)
    out.push({ cause: `cursor key ${label}`, text: b64(`{"k":${v},"v":${v},"t":${v},"id":1,"s":1}`) });
  for (const [v, label] of idValues)
    out.push({
      cause: `cursor id ${label}`,
      text: b64(`{"k":"a","v":"a","t":"2026-01-01T00:00:00Z","id":${v},"s":${v}}`),
    });
  out.push(
    { cause: 'cursor not base64', text: '!!!***' },
    { cause: 'cursor not JSON', text: b64('not json') },
    { cause: 'cursor null', text: b64('null') },
    { cause: 'cursor array', text: b64('[1,2]') },
    { cause: 'cursor number', text: b64('12') },
    { cause: 'cursor NUL', text: '%00' },
  );
  return out;
}

// ---- the walk ----

interface Seeds {
  byCollection: Record<string, number>;
}

/** Path parameters get a real id where the collection is known (so handlers run), else 1. */
function fillPath(path: string, seeds: Seeds, except?: string): string {
  return path.replace(/\{(\w+)\}/g, (_m, name: string) => {
    if (name === except) return `{${name}}`;
    if (name === 'key') return path.includes('speed-dials') ? '1' : 'fuzz.pref';
    if (name === 'customerId') return String(seeds.byCollection.customers ?? 1);
    if (name === 'entryId') return String(seeds.byCollection['ledger-entries'] ?? 1);
    if (name === 'groupId' || name === 'trunkId') {
      return String(seeds.byCollection[name === 'groupId' ? 'rate-groups' : 'trunks'] ?? 1);
    }
    const before =
      path
        .slice(0, path.indexOf(`{${name}}`))
        .split('/')
        .filter(Boolean)
        .pop() ?? '';
    return String(seeds.byCollection[before] ?? 1);
  });
}

function queryOf(params: Schema[], over: Record<string, string> = {}): string {
  const q: string[] = [];
  for (const p of params) {
    if (p.in !== 'query' || !p.required || p.name in over) continue;
    q.push(`${p.name}=${encodeURIComponent(String(sample(p.schema ?? {})))}`);
  }
  for (const [k, v] of Object.entries(over)) q.push(`${k}=${v}`);
  return q.length ? `?${q.join('&')}` : '';
}

function headersOf(params: Schema[]): Record<string, string> {
  const h: Record<string, string> = {};
  for (const p of params) if (p.in === 'header') h[p.name] = `fuzz-${Math.random().toString(36).slice(2)}`;
  return h;
}

function probesOf(o: Operation, seeds: Seeds, rnd: () => number): Probe[] {
  const params: Schema[] = o.op.parameters ?? [];
  const probes: Probe[] = [];
  const base = fillPath(o.path, seeds);
  const contents = Object.keys(o.op.requestBody?.content ?? {});
  const jsonSchema = o.op.requestBody?.content?.['application/json']?.schema as Schema | undefined;
  const validBody = jsonSchema ? sample(jsonSchema) : undefined;
  const json = { 'content-type': 'application/json' };
  const okBody = jsonSchema ? { payload: toJson(validBody), headers: json } : {};
  const anonymous = o.path.endsWith('/auth/logout');

  // Path parameters.
  for (const p of params.filter((x) => x.in === 'path')) {
    const template = fillPath(o.path, seeds, p.name);
    for (const bad of BAD_TEXT_IDS)
      probes.push({
        cause: `path ${bad.length > 40 ? 'long' : bad}`,
        url: template.replace(`{${p.name}}`, bad) + queryOf(params),
        ...okBody,
      });
  }
  // Query parameters, one at a time.
  const sorts = params.find((x) => x.in === 'query' && x.name === 'sort');
  const sortValues: string[] = sorts
    ? branches(sorts.schema)
        .map((b) => b.enum?.[0])
        .filter(Boolean)
    : [];
  for (const p of params.filter((x) => x.in === 'query')) {
    if (p.name === 'cursor') {
      for (const c of badCursors()) {
        probes.push({ cause: c.cause, url: base + queryOf(params, { cursor: c.text }) });
        for (const sort of sortValues)
          for (const order of ['asc', 'desc'])
            if (rnd() < 0.25)
              probes.push({
                cause: `${c.cause} (sort)`,
                url: base + queryOf(params, { sort, order, cursor: c.text }),
              });
      }
      continue;
    }
    for (const bad of [...BAD_TEXT_IDS, 'x'.repeat(20_000), '9223372036854775808&' + p.name + '=1'])
      probes.push({
        cause: `query ${bad.length > 40 ? 'long' : bad}`,
        url: base + queryOf(params, { [p.name]: bad }),
        ...okBody,
      });
  }
  // Header parameters (idempotency keys).
  for (const p of params.filter((x) => x.in === 'header')) {
    for (const bad of ['x'.repeat(10_000), '', ' ', 'a\tb', 'é'.repeat(100)])
      probes.push({
        cause: `header ${bad.length > 40 ? 'long' : JSON.stringify(bad)}`,
        url: base + queryOf(params),
        payload: okBody.payload,
        headers: { ...json, [p.name]: bad },
      });
  }
  const h = headersOf(params);
  // JSON bodies: each property in turn, then the whole body.
  if (jsonSchema) {
    const props: [string[], Schema][] = [];
    const walk = (s: Schema, at: string[], depth: number) => {
      const t = s.properties ? s : branches(s).find((b) => b.properties);
      if (!t?.properties || depth > 2) return;
      for (const [k, ps] of Object.entries<Schema>(t.properties)) {
        props.push([[...at, k], ps]);
        walk(ps, [...at, k], depth + 1);
        if (typeOf(ps) === 'array' && ps.items) walk(ps.items, [...at, k, '0'], depth + 1);
      }
    };
    walk(jsonSchema, [], 0);
    for (const [at, ps] of props) {
      for (const bad of badValues(ps, rnd)) {
        const body = structuredClone(validBody) as Record<string, unknown>;
        let cur: any = body;
        for (const k of at.slice(0, -1)) {
          if (cur[k] === undefined || cur[k] === null || typeof cur[k] !== 'object')
            cur[k] = /^\d+$/.test(k) ? [] : {};
          cur = cur[k];
        }
        cur[at[at.length - 1]] = bad.value;
        probes.push({
          cause: `body ${bad.cause}`,
          url: base + queryOf(params),
          payload: toJson(body),
          headers: { ...json, ...h },
        });
      }
    }
    for (const [cause, payload] of [
      ['body empty', ''],
      ['body null', 'null'],
      ['body array', '[]'],
      ['body string', '"x"'],
      ['body number', '1e309'],
      ['body truncated', '{"a":'],
      ['body NUL', '{"a":"\u0000"}'],
      ['body 100k array', `[${'1,'.repeat(99_999)}1]`],
      ['body deep', '['.repeat(5000) + ']'.repeat(5000)],
    ] as const)
      probes.push({ cause, url: base + queryOf(params), payload, headers: { ...json, ...h } });
  }
  // Wrong content types, to every route that takes a body (and CSV to the CSV routes).
  if (contents.length) {
    const binary = Buffer.from(Array.from({ length: 4096 }, () => Math.floor(rnd() * 256)));
    const csvWrongs: [string, string, string | Buffer][] = [
      ['ctype binary octet', 'application/octet-stream', binary],
      ['ctype text/plain', 'text/plain', 'hello'],
      ['ctype form', 'application/x-www-form-urlencoded', 'a=1&b=2'],
      ['ctype multipart', 'multipart/form-data; boundary=x', '--x\r\n\r\n--x--'],
      ['ctype json', 'application/json', '{"a":1}'],
      ['ctype json empty', 'application/json', ''],
      ['ctype json array', 'application/json', '[1,2,3]'],
      ['ctype bogus', 'application/x-bogus', 'zzz'],
      ['ctype none', '', 'abc'],
    ];
    if (contents.includes('text/csv')) {
      const header = 'accountNumber,name,prefix,destination,price,country,currency,email\n';
      csvWrongs.push(
        ['csv empty', 'text/csv', ''],
        ['csv binary', 'text/csv', binary],
        ['csv NUL cell', 'text/csv', `${header}1\u0000,a\u0000b,44\u0000,x\u0000,0.1\u0000,US,USD,a@b.c\n`],
        [
          'csv lone surrogate bytes',
          'text/csv',
          Buffer.concat([Buffer.from(header), Buffer.from([0xed, 0xa0, 0x80, 0x2c, 0x61, 0x0a])]),
        ],
        ['csv BOM only', 'text/csv', '\ufeff'],
        ['csv unterminated quote', 'text/csv', `${header}"abc,def\n`],
        ['csv huge cell', 'text/csv', `${header}${'x'.repeat(500_000)},a\n`],
        [
          'csv many columns',
          'text/csv',
          `${Array.from({ length: 20_000 }, (_v, i) => `c${i}`).join(',')}\n1\n`,
        ],
        [
          'csv big ids',
          'text/csv',
          `${header}9223372036854775808,1e309,99999999999999999999,Infinity,1e20,US,USD,a@b.c\n`,
        ],
        ['csv json text', 'text/csv', '{"a":1}'],
      );
    }
    for (const [cause, ctype, payload] of csvWrongs)
      probes.push({
        cause,
        url: base + queryOf(params),
        payload,
        headers: ctype ? { 'content-type': ctype, ...h } : { ...h },
      });
  }
  // No body at all where one is expected.
  if (contents.length) probes.push({ cause: 'no body', url: base + queryOf(params), headers: h });
  for (const p of probes) p.anonymous = anonymous;
  if (probes.length <= MAX_PROBES_PER_OPERATION) return probes;
  // Distinct causes first (each where it first appears), then the rest, each group in random
  // order: the cap keeps as many kinds of malformation as it can.
  const seen = new Set<string>();
  const first: Probe[] = [];
  const rest: Probe[] = [];
  for (const p of probes) (seen.has(p.cause) ? rest : (seen.add(p.cause), first)).push(p);
  const shuffled = (xs: Probe[]) =>
    xs
      .map((p) => [rnd(), p] as const)
      .sort((a, b) => a[0] - b[0])
      .map(([, p]) => p);
  return [...shuffled(first), ...shuffled(rest)].slice(0, MAX_PROBES_PER_OPERATION);
}

/** Creates one object per collection so that probes with valid ids reach the handlers. */
async function seed(app: FastifyInstance, admin: Client): Promise<Seeds> {
  const by: Record<string, number> = {};
  const create = async (collection: string, url: string, body: unknown) => {
    const res = await admin.post(url, body);
    if (res.statusCode !== 201 && res.statusCode !== 200)
      throw new Error(`seed ${url}: ${res.statusCode} ${res.body}`);
    const j = res.json();
    by[collection] = j.id ?? j.apiKey?.id;
    return j;
  };
  const c = await create(
    'customers',
    '/api/v1/customers',
    customerBody({ portalUsername: 'fuzz-cust', password: 'fuzz-pass-1234' }),
  );
  await create('resellers', '/api/v1/resellers', customerBody());
  await create('providers', '/api/v1/providers', customerBody());
  await create('api-keys', '/api/v1/api-keys', { name: 'fuzz' });
  await create('users', '/api/v1/users', {
    email: 'fuzz@example.com',
    displayName: 'Fuzz',
    password: 'fuzz-pass-1234',
  });
  const g = await create('rate-groups', '/api/v1/rate-groups', { name: 'Fuzz group', currency: 'USD' });
  await create('rates', `/api/v1/rate-groups/${g.id}/rates`, { prefix: '4420', ratePerMin: '0.01' });
  await create('localizations', '/api/v1/localizations', { name: 'Fuzz loc' });
  await create('customer-templates', '/api/v1/customer-templates', { name: 'Fuzz template', settings: {} });
  const tr = await create('trunks', `/api/v1/customers/${c.id}/trunks`, { name: 'Fuzz trunk' });
  await create('hosts', `/api/v1/trunks/${tr.id}/hosts`, { cidr: '198.51.100.7' });
  await create('sip-devices', `/api/v1/customers/${c.id}/sip-devices`, { username: 'fuzz.dev' });
  await create('caller-ids', `/api/v1/customers/${c.id}/caller-ids`, { number: '15550001' });
  await create('force-caller-ids', `/api/v1/customers/${c.id}/force-caller-ids`, { number: '15550002' });
  await create('blocked-codes', `/api/v1/customers/${c.id}/blocked-codes`, { prefix: '1900' });
  await create('dids', '/api/v1/dids', { number: '33100000001' });
  const refill = await admin.request(
    'POST',
    `/api/v1/customers/${c.id}/refills`,
    { amount: '10', reason: 'fuzz' },
    { 'idempotency-key': 'fuzz-seed' },
  );
  if (refill.statusCode === 201 || refill.statusCode === 200)
    by['ledger-entries'] = refill.json().id ?? refill.json().entry?.id;
  void app;
  return { byCollection: by };
}

interface Failure {
  op: string;
  cause: string;
  status: number;
  ms: number;
  why: string;
  body: string;
}

function checkAnswer(status: number, body: string, ms: number): string | null {
  if (ms > SLOW_MS) return `took ${Math.round(ms)} ms`;
  if (status >= 500) return `status ${status}`;
  if (status < 400) return null;
  if (body.length > ERROR_BODY_MAX) return `error answer of ${body.length} bytes`;
  let j: any;
  try {
    j = JSON.parse(body);
  } catch {
    return 'error answer is not JSON';
  }
  const e = j?.error;
  if (
    typeof e?.code !== 'string' ||
    typeof e.message !== 'string' ||
    typeof e.details !== 'object' ||
    e.details === null ||
    Array.isArray(e.details)
  )
    return 'error answer outside {error:{code,message,details}}';
  return null;
}

/** The order operations are walked: reads, then writes, then deletes (which remove the seeds). */
function rank(method: string): number {
  return { GET: 0, PUT: 1, PATCH: 1, POST: 2, DELETE: 3 }[method] ?? 2;
}

describe.each(testDatabaseKinds())('fuzz from the OpenAPI spec (%s)', (kind) => {
  let t: TestApp;
  let admin: Client;
  beforeAll(async () => {
    t = await createTestApp(kind);
    admin = await adminLogin(t.app);
  });
  afterAll(async () => t?.close());

  it('answers every malformed request with a 4xx in our error shape, each within 2 s', async () => {
    const seeds = await seed(t.app, admin);
    const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    const ops: Operation[] = [];
    // FUZZ_ONLY narrows the walk while working on one cause (a regular expression on "METHOD /path").
    const only = new RegExp(process.env.FUZZ_ONLY ?? '');
    for (const [path, methods] of Object.entries<Schema>(doc.paths))
      for (const [method, op] of Object.entries<Schema>(methods))
        if (path.startsWith('/api/v1/') && only.test(`${method.toUpperCase()} ${path}`))
          ops.push({ method: method.toUpperCase(), path, op });
    ops.sort((a, b) => rank(a.method) - rank(b.method) || a.path.localeCompare(b.path));
    if (!process.env.FUZZ_ONLY) expect(ops.length).toBeGreaterThan(100);

    const rnd = rng(14);
    const failures: Failure[] = [];
    let sent = 0;
    const timeByOp = new Map<string, number>();
    const walkStarted = performance.now();
    for (const o of ops) {
      for (const p of probesOf(o, seeds, rnd)) {
        const req: InjectOptions = {
          method: o.method as InjectOptions['method'],
          url: p.url,
          headers: p.headers,
          payload: p.payload,
        };
        const send = async () => {
          const started = performance.now();
          sent++;
          let res: { statusCode: number; body: string };
          try {
            res = p.anonymous
              ? await t.app.inject(req)
              : await admin.request(req.method, p.url, p.payload, p.headers);
          } catch (err) {
            // The server closed the connection mid-answer (headers sent, then an error).
            res = { statusCode: 599, body: `no answer: ${(err as Error).message}` };
          }
          return { res, ms: performance.now() - started };
        };
        let { res, ms } = await send();
        // A slow answer is sent again once: a handler that hangs or works too hard is slow both
        // times; a pause of the shared machine (GC, the other test worker) is not.
        if (ms > SLOW_MS) ({ res, ms } = await send());
        const k = `${o.method} ${o.path}`;
        timeByOp.set(k, (timeByOp.get(k) ?? 0) + ms);
        const why = checkAnswer(res.statusCode, res.body, ms);
        if (why)
          failures.push({
            op: `${o.method} ${o.path}`,
            cause: p.cause,
            status: res.statusCode,
            ms,
            why,
            body: res.body.slice(0, 200),
          });
        if (res.statusCode === 401 && !p.anonymous && o.path !== '/api/v1/auth/login')
          admin = await adminLogin(t.app);
      }
    }
    if (process.env.FUZZ_REPORT) {
      // Where the time goes, slowest operations first, and every failure in full.
      const total = [...timeByOp.values()].reduce((a, b) => a + b, 0);
      console.log(
        `requests took ${Math.round(total)} ms of ${Math.round(performance.now() - walkStarted)} ms`,
      );
      const slowest = [...timeByOp].sort((a, b) => b[1] - a[1]).slice(0, 25);
      console.log(slowest.map(([op, ms]) => `${op}: ${Math.round(ms)} ms`).join('\n'));
      fs.writeFileSync(process.env.FUZZ_REPORT, JSON.stringify(failures, null, 1));
    }
    const fiveXx = failures.filter((f) => f.status >= 500);
    const byOp = new Set(failures.map((f) => f.op));
    console.log(
      `fuzz (${kind}): ${ops.length} operations, ${sent} requests, ${fiveXx.length} answers of 5xx, ` +
        `${failures.length} failures in ${byOp.size} operations`,
    );
    const byCause = new Map<string, Failure[]>();
    for (const f of failures)
      byCause.set(`${f.why} <- ${f.cause}`, [...(byCause.get(`${f.why} <- ${f.cause}`) ?? []), f]);
    const summary = [...byCause].map(
      ([k, fs]) =>
        `${fs.length} x ${k}: ${fs
          .slice(0, 3)
          .map((f) => `${f.op} ${f.body}`)
          .join(' | ')}`,
    );
    expect(summary).toEqual([]);
  }, 600_000);
});

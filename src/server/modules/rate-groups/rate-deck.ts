import type { DeckError } from './rate-groups.errors.js';

/**
 * The rate-deck CSV format, pure: header mapping and row validation (no I/O), so the rules are
 * unit-tested and the upload loop stays a loop.
 *
 * Header (row 1) names the columns in any order; names are matched ignoring case, spaces, `_` and
 * `-` (`rate_per_min`, `Rate Per Min` and `ratePerMin` are one column). `prefix` and `rate_per_min`
 * are required. Empty optional cells take their defaults.
 */
export const DECK_COLUMNS = [
  'prefix',
  'destination',
  'rate_per_min',
  'connect_fee',
  'included_seconds',
  'initial_increment',
  'billing_increment',
  'effective_from',
  'effective_to',
] as const;
export type DeckColumn = (typeof DECK_COLUMNS)[number];

const ALIASES: Record<string, DeckColumn> = {
  prefix: 'prefix',
  code: 'prefix',
  destination: 'destination',
  ratepermin: 'rate_per_min',
  rate: 'rate_per_min',
  connectfee: 'connect_fee',
  includedseconds: 'included_seconds',
  initialincrement: 'initial_increment',
  billingincrement: 'billing_increment',
  effectivefrom: 'effective_from',
  effectiveto: 'effective_to',
};

export interface DeckRow {
  prefix: string;
  destination: string;
  ratePerMin: string;
  connectFee: string;
  includedSeconds: number;
  initialIncrement: number;
  billingIncrement: number;
  /** ISO text, UTC. */
  effectiveFrom: string;
  effectiveTo: string | null;
}

export interface DeckHeader {
  /** For each CSV field position, the column it fills (null: never, as unknown columns are errors). */
  positions: DeckColumn[];
  index: Partial<Record<DeckColumn, number>>;
}

export function mapHeader(fields: string[]): { header: DeckHeader; errors: DeckError[] } {
  const errors: DeckError[] = [];
  const index: Partial<Record<DeckColumn, number>> = {};
  const positions: DeckColumn[] = [];
  fields.forEach((text, i) => {
    // Named back in the answer: a header cell of any size must not make the answer large.
    const raw = text.length > 100 ? `${text.slice(0, 100)}…` : text;
    const key = text
      .trim()
      .toLowerCase()
      .replace(/[\s_-]/g, '');
    const col = ALIASES[key];
    if (!col) {
      errors.push({ row: 1, column: raw, reason: `Unknown column; use ${DECK_COLUMNS.join(', ')}.` });
      return;
    }
    if (index[col] !== undefined) {
      errors.push({ row: 1, column: raw, reason: `Column ${col} appears twice.` });
      return;
    }
    index[col] = i;
    positions[i] = col;
  });
  for (const required of ['prefix', 'rate_per_min'] as const)
    if (index[required] === undefined && !errors.length)
      errors.push({ row: 1, column: required, reason: 'Required column missing from the header.' });
  return { header: { positions, index }, errors };
}

const PREFIX = /^[0-9]{1,20}$/;
const CONTROL = /[\x00-\x1f\x7f]/;
const MONEY = /^(0|[1-9][0-9]{0,13})(\.[0-9]{1,6})?$/;
const INT = /^(0|[1-9][0-9]{0,5})$/;
const DATE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

// Decks repeat a handful of dates a million times: parse each text once.
const dateCache = new Map<string, number | null>();
const isoCache = new Map<number, string>();

function cachedDate(text: string): number | null {
  let ms = dateCache.get(text);
  if (ms === undefined) {
    ms = parseDeckDate(text);
    if (dateCache.size > 10_000) dateCache.clear();
    dateCache.set(text, ms);
  }
  return ms;
}

function isoOf(ms: number): string {
  let s = isoCache.get(ms);
  if (s === undefined) {
    s = new Date(ms).toISOString();
    if (isoCache.size > 10_000) isoCache.clear();
    isoCache.set(ms, s);
  }
  return s;
}

/** `2026-01-01`, `2026-01-01 12:00`, `2026-01-01T12:00:00Z`, `...+02:00`; no zone = UTC. */
export function parseDeckDate(text: string): number | null {
  const m = DATE.exec(text);
  if (!m) return null;
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', zone = 'Z'] = m;
  const iso = `${y}-${mo}-${d}T${h}:${mi}:${s}${frac}${zone.length === 5 ? zone.slice(0, 3) + ':' + zone.slice(3) : zone}`;
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return null;
  // Date.parse rolls 2026-02-30 over to March: refuse dates that do not exist.
  const check = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  if (check.getUTCMonth() !== Number(mo) - 1 || check.getUTCDate() !== Number(d)) return null;
  return ms;
}

/**
 * Validates one data row. `row` is its CSV row number (header = 1); `now` fills an empty
 * effective_from. Returns the row, or the errors (one per bad cell). Hot loop of a million-row
 * upload: no closures, each cell read once.
 */
export function validateDeckRow(
  fields: string[],
  header: DeckHeader,
  row: number,
  now: number,
): { ok: true; value: DeckRow } | { ok: false; errors: DeckError[] } {
  if (fields.length !== header.positions.length) {
    return {
      ok: false,
      errors: [
        { row, column: null, reason: `Expected ${header.positions.length} fields, found ${fields.length}.` },
      ],
    };
  }
  const ix = header.index;
  let errors: DeckError[] | null = null;
  const bad = (column: DeckColumn, reason: string) => (errors ??= []).push({ row, column, reason });

  const prefix = cellAt(fields, ix.prefix);
  if (!PREFIX.test(prefix)) bad('prefix', 'Must be 1 to 20 digits.');
  const destination = cellAt(fields, ix.destination);
  if (destination.length > 100) bad('destination', 'At most 100 characters.');
  else if (CONTROL.test(destination)) bad('destination', 'No control characters.');
  const ratePerMin = cellAt(fields, ix.rate_per_min);
  if (!MONEY.test(ratePerMin)) bad('rate_per_min', 'Must be a decimal >= 0 with at most 6 places.');
  let connectFee = cellAt(fields, ix.connect_fee);
  if (connectFee === '') connectFee = '0';
  else if (!MONEY.test(connectFee)) bad('connect_fee', 'Must be a decimal >= 0 with at most 6 places.');
  const includedSeconds = intAt(fields, ix.included_seconds, 86_400);
  if (includedSeconds < 0) bad('included_seconds', 'Must be a whole number from 0 to 86400.');
  const initialIncrement = intAt(fields, ix.initial_increment, 3600);
  if (initialIncrement < 0) bad('initial_increment', 'Must be a whole number from 0 to 3600.');
  const billingIncrement = intAt(fields, ix.billing_increment, 3600);
  if (billingIncrement < 0) bad('billing_increment', 'Must be a whole number from 0 to 3600.');
  const fromText = cellAt(fields, ix.effective_from);
  let from = now;
  if (fromText !== '') {
    const ms = cachedDate(fromText);
    if (ms === null) bad('effective_from', 'Not a date; use YYYY-MM-DD or an ISO 8601 date-time.');
    else from = ms;
  }
  const toText = cellAt(fields, ix.effective_to);
  let to: number | null = null;
  if (toText !== '') {
    const ms = cachedDate(toText);
    if (ms === null) bad('effective_to', 'Not a date; use YYYY-MM-DD or an ISO 8601 date-time.');
    else if (ms <= from) bad('effective_to', 'Must be after effective_from.');
    else to = ms;
  }
  if (errors !== null) return { ok: false, errors };
  return {
    ok: true,
    value: {
      prefix,
      destination,
      ratePerMin,
      connectFee,
      includedSeconds,
      initialIncrement,
      billingIncrement,
      effectiveFrom: isoOf(from),
      effectiveTo: to === null ? null : isoOf(to),
    },
  };
}

function cellAt(fields: string[], i: number | undefined): string {
  if (i === undefined) return '';
  const v = fields[i];
  // Trim only when needed: most cells have no surrounding spaces.
  const n = v.length;
  return n > 0 && (v.charCodeAt(0) <= 32 || v.charCodeAt(n - 1) <= 32) ? v.trim() : v;
}

/** A whole number 0..max; '' = 0; -1 = invalid. */
function intAt(fields: string[], i: number | undefined, max: number): number {
  const t = cellAt(fields, i);
  if (t === '') return 0;
  if (!INT.test(t)) return -1;
  const n = Number(t);
  return n > max ? -1 : n;
}

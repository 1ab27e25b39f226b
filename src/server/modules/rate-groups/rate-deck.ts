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
  fields.forEach((raw, i) => {
    const key = raw
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
const MONEY = /^(0|[1-9][0-9]{0,13})(\.[0-9]{1,6})?$/;
const INT = /^(0|[1-9][0-9]{0,5})$/;
const DATE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

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
 * effective_from. Returns the row, or the errors (one per bad cell).
 */
export function validateDeckRow(
  fields: string[],
  header: DeckHeader,
  row: number,
  now: number,
): { ok: true; value: DeckRow } | { ok: false; errors: DeckError[] } {
  const errors: DeckError[] = [];
  if (fields.length !== header.positions.length) {
    return {
      ok: false,
      errors: [
        { row, column: null, reason: `Expected ${header.positions.length} fields, found ${fields.length}.` },
      ],
    };
  }
  const cell = (c: DeckColumn) => {
    const i = header.index[c];
    return i === undefined ? '' : fields[i].trim();
  };
  const bad = (column: DeckColumn, reason: string) => errors.push({ row, column, reason });

  const prefix = cell('prefix');
  if (!PREFIX.test(prefix)) bad('prefix', 'Must be 1 to 20 digits.');
  const destination = cell('destination');
  if (destination.length > 100) bad('destination', 'At most 100 characters.');
  const ratePerMin = cell('rate_per_min');
  if (!MONEY.test(ratePerMin)) bad('rate_per_min', 'Must be a decimal >= 0 with at most 6 places.');
  const connectFeeText = cell('connect_fee');
  if (connectFeeText !== '' && !MONEY.test(connectFeeText))
    bad('connect_fee', 'Must be a decimal >= 0 with at most 6 places.');
  const int = (c: DeckColumn, max: number) => {
    const t = cell(c);
    if (t === '') return 0;
    if (!INT.test(t) || Number(t) > max) {
      bad(c, `Must be a whole number from 0 to ${max}.`);
      return 0;
    }
    return Number(t);
  };
  const includedSeconds = int('included_seconds', 86_400);
  const initialIncrement = int('initial_increment', 3600);
  const billingIncrement = int('billing_increment', 3600);
  const fromText = cell('effective_from');
  let from = now;
  if (fromText !== '') {
    const ms = parseDeckDate(fromText);
    if (ms === null) bad('effective_from', 'Not a date; use YYYY-MM-DD or an ISO 8601 date-time.');
    else from = ms;
  }
  const toText = cell('effective_to');
  let to: number | null = null;
  if (toText !== '') {
    const ms = parseDeckDate(toText);
    if (ms === null) bad('effective_to', 'Not a date; use YYYY-MM-DD or an ISO 8601 date-time.');
    else if (ms <= from) bad('effective_to', 'Must be after effective_from.');
    else to = ms;
  }
  if (errors.length) return { ok: false, errors };
  return {
    ok: true,
    value: {
      prefix,
      destination,
      ratePerMin,
      connectFee: connectFeeText === '' ? '0' : connectFeeText,
      includedSeconds,
      initialIncrement,
      billingIncrement,
      effectiveFrom: new Date(from).toISOString(),
      effectiveTo: to === null ? null : new Date(to).toISOString(),
    },
  };
}

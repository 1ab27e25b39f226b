import { Decimal } from 'decimal.js';

/**
 * Money is a decimal string in the API and NUMERIC(20,6) in the database; arithmetic goes through
 * decimal.js. One rounding rule: half-up, applied once, to 6 places for stored amounts.
 */
export const MoneyDecimal = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP });
export type Money = InstanceType<typeof MoneyDecimal>;

export const MONEY_SCALE = 6;
/** Up to 14 integer digits and 6 decimals: what NUMERIC(20,6) holds. */
export const MONEY_PATTERN = '^-?(0|[1-9][0-9]{0,13})(\\.[0-9]{1,6})?$';
const moneyRe = new RegExp(MONEY_PATTERN);

export function isMoney(s: string): boolean {
  return moneyRe.test(s);
}

export function money(v: string | number | Money): Money {
  return new MoneyDecimal(v);
}

/** Already canonical (non-negative, no leading zero, exactly 6 places): returned as it is. */
const canonicalRe = /^(0|[1-9][0-9]*)\.[0-9]{6}$/;

/** The canonical text of an amount: fixed 6 places, as the database returns it. */
export function formatMoney(v: string | Money): string {
  // Most amounts already come from the database in this form (the call decision path formats
  // every rate it answers): no decimal to build for them.
  if (typeof v === 'string' && canonicalRe.test(v)) return v;
  return new MoneyDecimal(v).toFixed(MONEY_SCALE, Decimal.ROUND_HALF_UP);
}

export function roundHalfUp(v: Money, places: number): Money {
  return v.toDecimalPlaces(places, Decimal.ROUND_HALF_UP);
}

/** Minor-unit exponents of ISO 4217 currencies that differ from 2. */
const MINOR_UNITS: Record<string, number> = {
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  UYI: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
};

export function currencyMinorUnits(currency: string): number {
  return MINOR_UNITS[currency.toUpperCase()] ?? 2;
}

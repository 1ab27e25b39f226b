import { Decimal } from 'decimal.js';
import { MoneyDecimal, formatMoney, roundHalfUp } from '../../platform/money.js';

/** The rate fields the cost formula reads (DOMAIN 5). Money as decimal strings. */
export interface CostRate {
  /** C: fee per answered call. */
  connectFee: string;
  /** P: price per minute. */
  ratePerMin: string;
  /** S: free seconds at the start, >= 0. */
  includedSeconds: number;
  /** B: the minimum first billed block; 0 = the rate group's value, then 1. */
  initialIncrement: number;
  /** I: each later billed block; 0 = the rate group's value, then 1. */
  billingIncrement: number;
}

export interface IncrementDefaults {
  initialIncrement?: number | null;
  billingIncrement?: number | null;
}

/** B and I after the fallbacks: the rate's own, else the rate group's, else 1. */
export function effectiveIncrements(rate: CostRate, group: IncrementDefaults = {}) {
  const pick = (own: number, fallback: number | null | undefined) =>
    own >= 1 ? own : fallback && fallback >= 1 ? fallback : 1;
  return {
    initialIncrement: pick(rate.initialIncrement, group.initialIncrement),
    billingIncrement: pick(rate.billingIncrement, group.billingIncrement),
  };
}

/** Seconds billed for `d` answered seconds: 0, else B, else B + ceil((r - B) / I) * I. */
export function chargedSeconds(d: number, s: number, b: number, i: number): number {
  if (d === 0) return 0;
  const r = Math.max(0, d - s);
  if (r === 0) return 0;
  if (r <= b) return b;
  return b + Math.ceil((r - b) / i) * i;
}

/**
 * The cost of one answered call (DOMAIN 5), rounded half-up once, to 6 places.
 * `durationSec` is the answered time; fractions are rounded up to whole seconds. An unanswered
 * call (0 s) costs nothing, connect fee included.
 *
 * Example: C = 0.01, P = 0.012, S = 0, B = 30, I = 6, d = 47 -> charged 48 s -> 0.019600.
 */
export function callCost(
  rate: CostRate,
  durationSec: number | string,
  group: IncrementDefaults = {},
): string {
  const raw = new Decimal(durationSec);
  if (raw.isNegative() || !raw.isFinite()) throw new RangeError('The duration must be a finite number >= 0');
  const d = raw.ceil().toNumber();
  if (rate.includedSeconds < 0) throw new RangeError('Included seconds must be >= 0');
  const { initialIncrement: b, billingIncrement: i } = effectiveIncrements(rate, group);
  if (d === 0) return formatMoney('0');
  const charged = chargedSeconds(d, rate.includedSeconds, b, i);
  const cost = new MoneyDecimal(rate.connectFee).plus(
    new MoneyDecimal(rate.ratePerMin).times(charged).dividedBy(60),
  );
  return formatMoney(roundHalfUp(cost, 6));
}

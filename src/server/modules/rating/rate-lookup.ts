import { Decimal } from 'decimal.js';

/**
 * Longest-prefix rate lookup (DOMAIN 4 step 7). Pure: no database, no clock.
 *
 * Candidates are the rows of the selected rate group plus the customer's overrides. A candidate
 * applies to a number when its code begins the number and it is valid at the call's time
 * (`effectiveFrom <= at < effectiveTo`). Among those the winner is, in order:
 *   (a) the longest code; (b) a customer override before a group row; (c) the latest
 *   effectiveFrom; (d) the higher price per minute (then connect fee); (e) the lowest id.
 */
export interface RateCandidate {
  id: number;
  /** Destination code, digits only. */
  prefix: string;
  /** A customer override rather than a row of the rate group. */
  isOverride: boolean;
  /** Epoch milliseconds, inclusive. */
  effectiveFrom: number;
  /** Epoch milliseconds, exclusive; null = open-ended. */
  effectiveTo: number | null;
  /** Decimal strings, as stored. */
  ratePerMin: string;
  connectFee: string;
}

export function isValidAt(c: Pick<RateCandidate, 'effectiveFrom' | 'effectiveTo'>, at: number): boolean {
  return c.effectiveFrom <= at && (c.effectiveTo === null || at < c.effectiveTo);
}

/** Order among candidates of the same code length: (b) override, (c) latest start, (d) price, (e) id. */
export function compareSameLength(a: RateCandidate, b: RateCandidate): number {
  if (a.isOverride !== b.isOverride) return a.isOverride ? -1 : 1;
  if (a.effectiveFrom !== b.effectiveFrom) return b.effectiveFrom - a.effectiveFrom;
  const price = new Decimal(b.ratePerMin).comparedTo(a.ratePerMin);
  if (price !== 0) return price;
  const fee = new Decimal(b.connectFee).comparedTo(a.connectFee);
  if (fee !== 0) return fee;
  return a.id - b.id;
}

/** The full order, (a) to (e). */
export function compareCandidates(a: RateCandidate, b: RateCandidate): number {
  if (a.prefix.length !== b.prefix.length) return b.prefix.length - a.prefix.length;
  return compareSameLength(a, b);
}

/**
 * The reference implementation: filters and sorts every candidate. Linear in the candidates; use
 * it on the few rows a SQL query returns for one number, and as the oracle for RateIndex.
 */
export function selectRate<T extends RateCandidate>(
  candidates: readonly T[],
  number: string,
  at: number,
): T | null {
  let best: T | null = null;
  for (const c of candidates) {
    if (!number.startsWith(c.prefix) || !isValidAt(c, at)) continue;
    if (best === null || compareCandidates(c, best) < 0) best = c;
  }
  return best;
}

/** Every prefix of a number, longest first: the keys an indexed equality lookup needs. */
export function prefixesOf(number: string, maxLength = 20): string[] {
  const out: string[] = [];
  for (let n = Math.min(number.length, maxLength); n >= 1; n--) out.push(number.slice(0, n));
  return out;
}

/**
 * An in-memory index for the call path: a digit trie stored flat (node i's child for digit d is
 * `children[i * 10 + d]`, 0 = none; node 0 is the root), whose nodes hold their candidates
 * pre-sorted by (b)..(e). A lookup walks the number once and, from the deepest node back up,
 * returns the first candidate valid at the given time. Built once per rate-group version;
 * read-only after, so one index serves any number of concurrent lookups.
 */
export class RateIndex<T extends RateCandidate = RateCandidate> {
  private children: Int32Array;
  private readonly rates: (T[] | undefined)[] = [undefined];
  private nodes = 1;
  private readonly path = new Int32Array(21);
  readonly size: number;

  constructor(candidates: Iterable<T>) {
    this.children = new Int32Array(1024 * 10);
    let size = 0;
    for (const c of candidates) {
      if (!/^[0-9]{1,20}$/.test(c.prefix))
        throw new Error(`Rate ${c.id}: code "${c.prefix}" is not 1-20 digits`);
      let node = 0;
      for (let i = 0; i < c.prefix.length; i++) {
        const slot = node * 10 + c.prefix.charCodeAt(i) - 48;
        let next = this.children[slot];
        if (next === 0) {
          next = this.addNode();
          this.children[slot] = next;
        }
        node = next;
      }
      const list = this.rates[node];
      if (list) list.push(c);
      else this.rates[node] = [c];
      size++;
    }
    this.size = size;
    for (const list of this.rates) if (list && list.length > 1) list.sort(compareSameLength);
  }

  private addNode(): number {
    if ((this.nodes + 1) * 10 > this.children.length) {
      const grown = new Int32Array(this.children.length * 2);
      grown.set(this.children);
      this.children = grown;
    }
    this.rates.push(undefined);
    return this.nodes++;
  }

  /** The winning candidate for `number` at epoch-ms `at`, or null (NO_RATE). */
  lookup(number: string, at: number): T | null {
    const children = this.children;
    const rates = this.rates;
    const path = this.path;
    let depth = 0;
    let node = 0;
    const n = number.length < 20 ? number.length : 20;
    for (let i = 0; i < n; i++) {
      const d = number.charCodeAt(i) - 48;
      if (d < 0 || d > 9) break;
      node = children[node * 10 + d];
      if (node === 0) break;
      if (rates[node] !== undefined) path[depth++] = node;
    }
    for (let k = depth - 1; k >= 0; k--) {
      const list = rates[path[k]]!;
      for (let j = 0; j < list.length; j++) {
        const c = list[j];
        if (c.effectiveFrom <= at && (c.effectiveTo === null || at < c.effectiveTo)) return c;
      }
    }
    return null;
  }
}

/**
 * The winner among a rate group's rows and a customer's overrides (DOMAIN 4 step 7): each index
 * gives its own best valid candidate, and the full order (a)..(e) picks between the two, so a
 * longer group code beats a shorter override, and on the same length the override wins (b).
 */
export function lookupWithOverrides<T extends RateCandidate>(
  group: RateIndex<T> | null | undefined,
  overrides: RateIndex<T> | null | undefined,
  number: string,
  at: number,
): T | null {
  const g = group ? group.lookup(number, at) : null;
  const o = overrides ? overrides.lookup(number, at) : null;
  if (g === null) return o;
  if (o === null) return g;
  return compareCandidates(o, g) <= 0 ? o : g;
}

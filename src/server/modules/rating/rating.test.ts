import { describe, expect, it } from 'vitest';
import { callCost, chargedSeconds, effectiveIncrements } from './call-cost.js';
import { RateIndex, prefixesOf, selectRate, type RateCandidate } from './rate-lookup.js';

const T0 = Date.UTC(2026, 0, 1);
const DAY = 86_400_000;

let nextId = 1;
function rate(over: Partial<RateCandidate> & { prefix: string }): RateCandidate {
  return {
    id: nextId++,
    isOverride: false,
    effectiveFrom: T0,
    effectiveTo: null,
    ratePerMin: '0.010000',
    connectFee: '0',
    ...over,
  };
}

/** Both implementations must agree on every case: the linear reference and the trie. */
function pick(cands: RateCandidate[], number: string, at = T0 + DAY) {
  const a = selectRate(cands, number, at);
  const b = new RateIndex(cands).lookup(number, at);
  expect(b?.id ?? null).toBe(a?.id ?? null);
  return a;
}

describe('call cost (DOMAIN 5)', () => {
  const base = {
    connectFee: '0',
    ratePerMin: '0',
    includedSeconds: 0,
    initialIncrement: 1,
    billingIncrement: 1,
  };

  it('prices the worked example: C=0.01, P=0.012, S=0, B=30, I=6, d=47 -> 48 s -> 0.0196', () => {
    const r = {
      connectFee: '0.01',
      ratePerMin: '0.012',
      includedSeconds: 0,
      initialIncrement: 30,
      billingIncrement: 6,
    };
    expect(chargedSeconds(47, 0, 30, 6)).toBe(48);
    expect(callCost(r, 47)).toBe('0.019600');
  });

  it('bills 47 s at 1/1 and 60 s at 60/60', () => {
    expect(chargedSeconds(47, 0, 1, 1)).toBe(47);
    expect(chargedSeconds(47, 0, 60, 60)).toBe(60);
    expect(callCost({ ...base, ratePerMin: '0.6' }, 47)).toBe('0.470000');
    expect(callCost({ ...base, ratePerMin: '0.6', initialIncrement: 60, billingIncrement: 60 }, 47)).toBe(
      '0.600000',
    );
    expect(callCost({ ...base, ratePerMin: '0.6', initialIncrement: 60, billingIncrement: 60 }, 61)).toBe(
      '1.200000',
    );
  });

  it('charges nothing for an unanswered call, not even the connect fee', () => {
    expect(callCost({ ...base, connectFee: '0.05', ratePerMin: '1' }, 0)).toBe('0.000000');
  });

  it('charges only the connect fee while within the included seconds', () => {
    const r = {
      ...base,
      connectFee: '0.05',
      ratePerMin: '1',
      includedSeconds: 30,
      initialIncrement: 6,
      billingIncrement: 6,
    };
    expect(callCost(r, 30)).toBe('0.050000');
    // 31 s: r = 1, within B = 6 -> 6 s billed
    expect(callCost(r, 31)).toBe('0.150000');
    // 43 s: r = 13 -> 6 + ceil(7/6)*6 = 18 s
    expect(chargedSeconds(43, 30, 6, 6)).toBe(18);
  });

  it('rounds a fractional duration up to whole seconds', () => {
    expect(callCost({ ...base, ratePerMin: '0.6' }, 46.2)).toBe('0.470000');
    expect(callCost({ ...base, ratePerMin: '0.6' }, '0.001')).toBe('0.010000');
  });

  it('falls back from a zero increment to the rate group value, then to 1', () => {
    const r = { ...base, ratePerMin: '0.6', initialIncrement: 0, billingIncrement: 0 };
    expect(effectiveIncrements(r, { initialIncrement: 30, billingIncrement: 6 })).toEqual({
      initialIncrement: 30,
      billingIncrement: 6,
    });
    expect(effectiveIncrements(r)).toEqual({ initialIncrement: 1, billingIncrement: 1 });
    expect(callCost(r, 47, { initialIncrement: 30, billingIncrement: 6 })).toBe('0.480000');
    expect(callCost(r, 47)).toBe('0.470000');
  });

  it('rounds once, half-up, to 6 places and never rounds the per-second price', () => {
    // 0.00003/min for 1 s = 0.0000005 exactly -> 0.000001
    expect(callCost({ ...base, ratePerMin: '0.00003' }, 1)).toBe('0.000001');
    // 0.01/min for 7 s = 0.0011666.. -> 0.001167 (a per-second price rounded first would give 0.001169)
    expect(callCost({ ...base, ratePerMin: '0.01' }, 7)).toBe('0.001167');
  });

  it('refuses a negative duration', () => {
    expect(() => callCost(base, -1)).toThrow(RangeError);
  });
});

describe('longest-prefix rate lookup (DOMAIN 4 step 7)', () => {
  it('lists every prefix of a number, longest first', () => {
    expect(prefixesOf('4420')).toEqual(['4420', '442', '44', '4']);
  });

  it('(a) takes the longest code', () => {
    const short = rate({ prefix: '44' });
    const long = rate({ prefix: '4420' });
    expect(pick([short, long], '442079460000')).toBe(long);
    expect(pick([short, long], '4430')).toBe(short);
  });

  it('(a) before (b): a longer group row beats a shorter customer override (ASTPP #273)', () => {
    const override = rate({ prefix: '44', isOverride: true, ratePerMin: '0.001' });
    const group = rate({ prefix: '442', ratePerMin: '0.5' });
    expect(pick([override, group], '4420')).toBe(group);
  });

  it('(b) an override beats a group row of the same code, even an older one', () => {
    const group = rate({ prefix: '44', effectiveFrom: T0 + 1000 });
    const override = rate({ prefix: '44', isOverride: true, effectiveFrom: T0 });
    expect(pick([group, override], '4420')).toBe(override);
  });

  it('(c) the latest effectiveFrom wins, even at a lower price', () => {
    const old = rate({ prefix: '44', effectiveFrom: T0, ratePerMin: '0.9' });
    const recent = rate({ prefix: '44', effectiveFrom: T0 + 1000, ratePerMin: '0.1' });
    expect(pick([old, recent], '4420')).toBe(recent);
  });

  it('(d) the higher price wins between equal starts, then the higher connect fee', () => {
    const cheap = rate({ prefix: '44', ratePerMin: '0.100000' });
    const dear = rate({ prefix: '44', ratePerMin: '0.2' });
    expect(pick([cheap, dear], '4420')).toBe(dear);
    const fee = rate({ prefix: '44', ratePerMin: '0.2', connectFee: '0.01' });
    expect(pick([cheap, dear, fee], '4420')).toBe(fee);
  });

  it('(d) compares prices as decimals, not as text', () => {
    const a = rate({ prefix: '44', ratePerMin: '9.5' });
    const b = rate({ prefix: '44', ratePerMin: '10.25' });
    expect(pick([a, b], '4420')).toBe(b);
  });

  it('(e) the lowest id breaks a full tie', () => {
    const a = rate({ prefix: '44', id: 20 });
    const b = rate({ prefix: '44', id: 10 });
    expect(pick([a, b], '4420')).toBe(b);
  });

  it('takes only rows valid at the call time: from inclusive, to exclusive', () => {
    const r = rate({ prefix: '44', effectiveFrom: T0, effectiveTo: T0 + DAY });
    expect(pick([r], '4420', T0 - 1)).toBeNull();
    expect(pick([r], '4420', T0)).toBe(r);
    expect(pick([r], '4420', T0 + DAY - 1)).toBe(r);
    expect(pick([r], '4420', T0 + DAY)).toBeNull();
  });

  it('a future row does not hide the current one of the same code', () => {
    const current = rate({ prefix: '44', effectiveFrom: T0 });
    const future = rate({ prefix: '44', effectiveFrom: T0 + 10 * DAY, ratePerMin: '0.5' });
    expect(pick([current, future], '4420', T0 + DAY)).toBe(current);
    expect(pick([current, future], '4420', T0 + 10 * DAY)).toBe(future);
  });

  it('falls back to a shorter code when the longest has no row valid now', () => {
    const expired = rate({ prefix: '4420', effectiveTo: T0 + 1 });
    const fallback = rate({ prefix: '44' });
    expect(pick([expired, fallback], '442079', T0 + DAY)).toBe(fallback);
  });

  it('answers null when no code begins the number (NO_RATE)', () => {
    expect(pick([rate({ prefix: '44' })], '33123')).toBeNull();
    expect(pick([], '33123')).toBeNull();
    expect(pick([rate({ prefix: '44' })], '')).toBeNull();
  });

  it('a code longer than the number never matches', () => {
    expect(pick([rate({ prefix: '44201' })], '4420')).toBeNull();
  });

  it('stops at the first non-digit', () => {
    const r = rate({ prefix: '44' });
    expect(new RateIndex([r]).lookup('44#1', T0 + DAY)).toBe(r);
    expect(new RateIndex([rate({ prefix: '441' })]).lookup('44#1', T0 + DAY)).toBeNull();
  });

  it('refuses to index a code that is not 1-20 digits', () => {
    expect(() => new RateIndex([rate({ prefix: '4a' })])).toThrow(/not 1-20 digits/);
  });

  it('agrees with an independent ranking on every pair of candidates from a small domain', () => {
    // Every combination of the fields that matter, paired with every other: 14,400 pairs, 4 times each.
    const variants: RateCandidate[] = [];
    let id = 1;
    for (const prefix of ['4', '44', '442', '4420', '5'])
      for (const isOverride of [false, true])
        for (const effectiveFrom of [0, 100])
          for (const effectiveTo of [null, 100, 200])
            for (const ratePerMin of ['0.1', '0.2'])
              variants.push({
                id: id++,
                prefix,
                isOverride,
                effectiveFrom,
                effectiveTo,
                ratePerMin,
                connectFee: '0',
              });
    const key = (c: RateCandidate) => [
      -c.prefix.length,
      c.isOverride ? 0 : 1,
      -c.effectiveFrom,
      -Number(c.ratePerMin),
      c.id,
    ];
    const rank = (cands: RateCandidate[], at: number) => {
      const ok = cands.filter(
        (c) =>
          '44201'.startsWith(c.prefix) &&
          c.effectiveFrom <= at &&
          (c.effectiveTo === null || at < c.effectiveTo),
      );
      ok.sort((x, y) => {
        const kx = key(x);
        const ky = key(y);
        for (let i = 0; i < kx.length; i++) if (kx[i] !== ky[i]) return kx[i] - ky[i];
        return 0;
      });
      return ok[0] ?? null;
    };
    let checked = 0;
    for (const a of variants)
      for (const b of variants) {
        if (a === b) continue;
        const pair = [a, b];
        const index = new RateIndex(pair);
        for (const at of [0, 50, 150, 250]) {
          const want = rank(pair, at);
          expect(selectRate(pair, '44201', at)?.id ?? null).toBe(want?.id ?? null);
          expect(index.lookup('44201', at)?.id ?? null).toBe(want?.id ?? null);
          checked++;
        }
      }
    expect(checked).toBe(120 * 119 * 4);
  });

  it('the trie agrees with the reference on random decks and numbers', () => {
    let seed = 42;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const digits = (n: number) => Array.from({ length: n }, () => String(rnd(3))).join('');
    for (let round = 0; round < 30; round++) {
      const cands: RateCandidate[] = [];
      for (let i = 0; i < 200; i++) {
        const from = rnd(4) * 100;
        cands.push({
          id: i + 1,
          prefix: digits(1 + rnd(5)),
          isOverride: rnd(4) === 0,
          effectiveFrom: from,
          effectiveTo: rnd(3) === 0 ? from + 100 + rnd(3) * 100 : null,
          ratePerMin: `0.${rnd(5)}`,
          connectFee: `0.0${rnd(2)}`,
        });
      }
      const index = new RateIndex(cands);
      for (let q = 0; q < 300; q++) {
        const number = digits(1 + rnd(8));
        const at = rnd(6) * 75;
        expect(index.lookup(number, at)?.id ?? null).toBe(selectRate(cands, number, at)?.id ?? null);
      }
    }
  });
});

import crypto from 'node:crypto';

/** How many numbers of `length` digits start with `prefix` (DOMAIN 3.4: 10^(length - len(prefix))). */
export function numberSpace(prefix: string, length: number): bigint {
  return 10n ** BigInt(length - prefix.length);
}

const MAX_RANDOM_INT = 2 ** 48 - 1;

/**
 * Draws distinct numbers `prefix + k digits` uniformly at random from a CSPRNG, without
 * replacement (a sparse Fisher-Yates shuffle over the space), so a nearly full space still ends
 * quickly: each draw is new. Spaces beyond 2^48 draw random digits and skip repeats.
 */
export function numberDrawer(prefix: string, length: number): (n: number) => string[] {
  const k = length - prefix.length;
  const space = 10 ** k;
  const pad = (v: number) => prefix + String(v).padStart(k, '0');
  if (space <= MAX_RANDOM_INT) {
    const swapped = new Map<number, number>();
    let i = 0;
    return (n) => {
      const out: string[] = [];
      while (out.length < n && i < space) {
        const j = i + crypto.randomInt(space - i);
        const vi = swapped.get(i) ?? i;
        const vj = swapped.get(j) ?? j;
        swapped.set(j, vi);
        swapped.delete(i);
        out.push(pad(vj));
        i++;
      }
      return out;
    };
  }
  const seen = new Set<string>();
  return (n) => {
    const out: string[] = [];
    while (out.length < n) {
      let s = prefix;
      for (let d = 0; d < k; d++) s += String(crypto.randomInt(10));
      if (seen.has(s)) continue;
      seen.add(s);
      out.push(s);
    }
    return out;
  };
}

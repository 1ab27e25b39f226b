import net from 'node:net';

/**
 * IP / CIDR text of a host (DOMAIN 3.9): IPv4 or IPv6, a bare address becomes /32 or /128.
 * Pure; the database stores the result as `cidr` and answers its canonical text.
 */
export type CidrResult =
  { ok: true; cidr: string; family: 4 | 6; prefixLength: number } | { ok: false; reason: string };

/** Shorter masks would let one host claim a whole provider's address space. */
export const MIN_PREFIX = { 4: 8, 6: 16 } as const;

function ipv4ToBigInt(ip: string): bigint {
  return ip.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

function ipv6ToBigInt(ip: string): bigint {
  let text = ip;
  // An embedded IPv4 tail (::ffff:10.0.0.1) becomes two hextets.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const n = ipv4ToBigInt(v4[1]);
    text =
      text.slice(0, -v4[1].length) + ((n >> 16n) & 0xffffn).toString(16) + ':' + (n & 0xffffn).toString(16);
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, null];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === null ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

export function parseCidr(input: string): CidrResult {
  const text = input.trim();
  const slash = text.indexOf('/');
  const ip = slash === -1 ? text : text.slice(0, slash);
  const bitsText = slash === -1 ? null : text.slice(slash + 1);
  const family = net.isIPv4(ip) ? 4 : net.isIPv6(ip) && !ip.includes('%') ? 6 : null;
  if (family === null) return { ok: false, reason: `"${ip}" is not an IPv4 or IPv6 address.` };
  const max = family === 4 ? 32 : 128;
  let bits = max;
  if (bitsText !== null) {
    if (!/^[0-9]{1,3}$/.test(bitsText) || Number(bitsText) > max)
      return { ok: false, reason: `The mask must be /0 to /${max}.` };
    bits = Number(bitsText);
  }
  if (bits < MIN_PREFIX[family])
    return { ok: false, reason: `The mask must be /${MIN_PREFIX[family]} or longer for IPv${family}.` };
  const value = family === 4 ? ipv4ToBigInt(ip) : ipv6ToBigInt(ip);
  const hostBits = BigInt(max - bits);
  const hostMask = (1n << hostBits) - 1n;
  if ((value & hostMask) !== 0n) {
    const network = value & ~hostMask & ((1n << BigInt(max)) - 1n);
    const suggestion = family === 4 ? bigIntToIpv4(network) : bigIntToIpv6(network);
    return {
      ok: false,
      reason: `${text} has host bits set; the network is ${suggestion}/${bits}.`,
    };
  }
  return { ok: true, cidr: `${ip.toLowerCase()}/${bits}`, family, prefixLength: bits };
}

function bigIntToIpv4(n: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => String((n >> s) & 0xffn)).join('.');
}

function bigIntToIpv6(n: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) => ((n >> BigInt((7 - i) * 16)) & 0xffffn).toString(16));
  // Compress the longest run of zero groups, as RFC 5952 asks.
  let best = { start: -1, len: 0 };
  for (let i = 0; i < 8;) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > best.len && j - i > 1) best = { start: i, len: j - i };
    i = j;
  }
  if (best.start === -1) return groups.join(':');
  return groups.slice(0, best.start).join(':') + '::' + groups.slice(best.start + best.len).join(':');
}

import { describe, expect, it } from 'vitest';
import { parseCidr } from './cidr.js';

describe('parseCidr', () => {
  it.each([
    ['10.0.0.1', '10.0.0.1/32', 4],
    [' 10.0.0.1 ', '10.0.0.1/32', 4],
    ['10.1.0.0/16', '10.1.0.0/16', 4],
    ['2001:DB8::1', '2001:db8::1/128', 6],
    ['2001:db8::/32', '2001:db8::/32', 6],
    ['::ffff:10.0.0.1', '::ffff:10.0.0.1/128', 6],
  ])('accepts %s as %s', (input, cidr, family) => {
    expect(parseCidr(input)).toMatchObject({ ok: true, cidr, family });
  });

  it.each([
    ['10.0.0.256', /not an IPv4 or IPv6/],
    ['example.com', /not an IPv4 or IPv6/],
    ['fe80::1%eth0', /not an IPv4 or IPv6/],
    ['10.0.0.0/33', /\/0 to \/32/],
    ['10.0.0.0/x', /\/0 to \/32/],
    ['0.0.0.0/0', /\/8 or longer/],
    ['::/0', /\/16 or longer/],
    ['10.0.0.1/24', /host bits set; the network is 10.0.0.0\/24/],
    ['2001:db8::1/64', /the network is 2001:db8::\/64/],
  ])('refuses %s', (input, reason) => {
    const r = parseCidr(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });
});

import { describe, expect, it } from 'vitest';
import { cleanAccountFilter, hasBadFilter } from './list-filter.js';

describe('account list filter from the URL', () => {
  it('keeps valid values and drops what the API would refuse', () => {
    const f = {
      q: 'acme',
      status: 'bogus',
      mode: 'prepaid',
      resellerId: 'abc',
      rateGroupId: 7,
      accountNumber: '12x',
      createdFrom: 'yesterday',
      unknownKey: 'x',
      company: '',
    };
    expect(cleanAccountFilter(f)).toEqual({ q: 'acme', mode: 'prepaid', rateGroupId: 7 });
    expect(hasBadFilter(f)).toBe(true);
    expect(hasBadFilter({ q: 'acme', resellerId: 'none', company: '' })).toBe(false);
    expect(cleanAccountFilter({ resellerId: '12', createdTo: '2026-12-03T00:00:00.000Z' })).toEqual({
      resellerId: '12',
      createdTo: '2026-12-03T00:00:00.000Z',
    });
  });
});

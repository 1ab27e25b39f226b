import { describe, expect, it } from 'vitest';
import { mapHeader, parseDeckDate, validateDeckRow } from './rate-deck.js';

const NOW = Date.UTC(2026, 10, 24);
const full = mapHeader([
  'prefix',
  'Destination',
  'rate_per_min',
  'connect fee',
  'includedSeconds',
  'initial_increment',
  'billing-increment',
  'effective_from',
  'effective_to',
]).header;

describe('rate deck CSV rules', () => {
  it('maps header names ignoring case, spaces, _ and -', () => {
    const { header, errors } = mapHeader(['Rate Per Min', 'CODE']);
    expect(errors).toEqual([]);
    expect(header.index).toEqual({ rate_per_min: 0, prefix: 1 });
  });

  it('reports unknown, repeated and missing header columns on row 1', () => {
    expect(mapHeader(['prefix', 'rate', 'colour']).errors).toEqual([
      { row: 1, column: 'colour', reason: expect.stringContaining('Unknown column') },
    ]);
    expect(mapHeader(['prefix', 'rate', 'rate_per_min']).errors[0]).toMatchObject({
      row: 1,
      column: 'rate_per_min',
    });
    expect(mapHeader(['prefix', 'destination']).errors).toEqual([
      { row: 1, column: 'rate_per_min', reason: 'Required column missing from the header.' },
    ]);
  });

  it('fills defaults: connect fee 0, increments 0 (group value), effective from now', () => {
    const { header } = mapHeader(['prefix', 'rate']);
    const r = validateDeckRow(['4420', '0.0123'], header, 2, NOW);
    expect(r).toEqual({
      ok: true,
      value: {
        prefix: '4420',
        destination: '',
        ratePerMin: '0.0123',
        connectFee: '0',
        includedSeconds: 0,
        initialIncrement: 0,
        billingIncrement: 0,
        effectiveFrom: new Date(NOW).toISOString(),
        effectiveTo: null,
      },
    });
  });

  it('reads every column', () => {
    const r = validateDeckRow(
      ['33', 'France', '0.01', '0.05', '10', '30', '6', '2026-01-01', '2027-01-01T00:00:00+01:00'],
      full,
      7,
      NOW,
    );
    expect(r.ok && r.value).toMatchObject({
      prefix: '33',
      destination: 'France',
      connectFee: '0.05',
      includedSeconds: 10,
      initialIncrement: 30,
      billingIncrement: 6,
      effectiveFrom: '2026-01-01T00:00:00.000Z',
      effectiveTo: '2026-12-31T23:00:00.000Z',
    });
  });

  it.each([
    [['44a', 'UK', '0.1', '', '', '', '', '', ''], 'prefix'],
    [['', 'UK', '0.1', '', '', '', '', '', ''], 'prefix'],
    [['44', 'UK', '-0.1', '', '', '', '', '', ''], 'rate_per_min'],
    [['44', 'UK', '0.1234567', '', '', '', '', '', ''], 'rate_per_min'],
    [['44', 'UK', '', '', '', '', '', '', ''], 'rate_per_min'],
    [['44', 'UK', '0.1', 'abc', '', '', '', '', ''], 'connect_fee'],
    [['44', 'UK', '0.1', '', '-1', '', '', '', ''], 'included_seconds'],
    [['44', 'UK', '0.1', '', '', '3601', '', '', ''], 'initial_increment'],
    [['44', 'UK', '0.1', '', '', '', '1.5', '', ''], 'billing_increment'],
    [['44', 'UK', '0.1', '', '', '', '', '2026-02-30', ''], 'effective_from'],
    [['44', 'UK', '0.1', '', '', '', '', 'tomorrow', ''], 'effective_from'],
    [['44', 'UK', '0.1', '', '', '', '', '2026-01-02', '2026-01-01'], 'effective_to'],
    [['44', 'x'.repeat(101), '0.1', '', '', '', '', '', ''], 'destination'],
    [['44', 'U\u001fK', '0.1', '', '', '', '', '', ''], 'destination'],
  ])('refuses %j on column %s with the row number', (fields, column) => {
    const r = validateDeckRow(fields, full, 12, NOW);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors).toEqual([{ row: 12, column, reason: expect.any(String) }]);
  });

  it('reports every bad cell of a row, and a wrong field count once', () => {
    const r = validateDeckRow(['x', '', 'y', '', '', '', '', '', ''], full, 3, NOW);
    expect(!r.ok && r.errors.map((e) => e.column)).toEqual(['prefix', 'rate_per_min']);
    const short = validateDeckRow(['44', '0.1'], full, 4, NOW);
    expect(!short.ok && short.errors).toEqual([
      { row: 4, column: null, reason: 'Expected 9 fields, found 2.' },
    ]);
  });

  it('parses the accepted date forms, without a zone as UTC', () => {
    expect(parseDeckDate('2026-03-01')).toBe(Date.UTC(2026, 2, 1));
    expect(parseDeckDate('2026-03-01 12:30')).toBe(Date.UTC(2026, 2, 1, 12, 30));
    expect(parseDeckDate('2026-03-01T12:30:15.5Z')).toBe(Date.UTC(2026, 2, 1, 12, 30, 15, 500));
    expect(parseDeckDate('2026-03-01T12:30:00+0200')).toBe(Date.UTC(2026, 2, 1, 10, 30));
    expect(parseDeckDate('01/03/2026')).toBeNull();
  });
});

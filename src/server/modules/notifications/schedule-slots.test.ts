import { describe, expect, it } from 'vitest';
import { slotKey, zoneOffsetMinutes } from './schedule-slots.js';

describe('notification slots (pure)', () => {
  it('knows the offset on both sides of a DST change', () => {
    expect(zoneOffsetMinutes(new Date('2026-10-24T12:00:00Z'), 'Europe/Paris')).toBe(120);
    expect(zoneOffsetMinutes(new Date('2026-10-25T12:00:00Z'), 'Europe/Paris')).toBe(60);
    expect(zoneOffsetMinutes(new Date('2026-12-03T12:00:00Z'), 'Asia/Kolkata')).toBe(330);
  });
  it('daily slots start at sendAt local time, DST included', () => {
    const k = (iso: string) => slotKey(new Date(iso), 'Europe/Paris', 'daily', '09:00');
    // 09:00 CEST = 07:00Z on the 24th; 09:00 CET = 08:00Z on the 25th (clocks went back that night).
    expect(k('2026-10-24T06:59:00Z')).toBe('2026-10-23');
    expect(k('2026-10-24T07:00:00Z')).toBe('2026-10-24');
    expect(k('2026-10-25T07:30:00Z')).toBe('2026-10-24');
    expect(k('2026-10-25T08:00:00Z')).toBe('2026-10-25');
    // Month end: 31 Dec 23:59 local is still the 31st's slot.
    expect(slotKey(new Date('2026-12-31T22:59:00Z'), 'Europe/Paris', 'daily', '00:30')).toBe('2026-12-31');
    expect(slotKey(new Date('2026-12-31T23:30:00Z'), 'Europe/Paris', 'daily', '00:30')).toBe('2027-01-01');
  });
  it('hourly slots start at the minute given, in half-hour zones too', () => {
    expect(slotKey(new Date('2026-12-03T10:14:00Z'), 'UTC', 'hourly', '00:15')).toBe('2026-12-03T09:15');
    expect(slotKey(new Date('2026-12-03T10:15:00Z'), 'UTC', 'hourly', '00:15')).toBe('2026-12-03T10:15');
    // Kolkata is UTC+5:30: 10:14Z = 15:44 local -> the 15:15 slot.
    expect(slotKey(new Date('2026-12-03T10:14:00Z'), 'Asia/Kolkata', 'hourly', '07:15')).toBe(
      '2026-12-03T15:15',
    );
  });
});

import type { Window } from './dashboard.usage.repository.js';

/** The zone's UTC offset in minutes at an instant (`GMT+05:30` -> 330). */
function offsetMinutes(zone: string, at: Date): number {
  const name = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' })
    .formatToParts(at)
    .find((p) => p.type === 'timeZoneName')!.value;
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}

/**
 * Whether the window's local days are whole UTC hours (the zone's offset a whole number of hours
 * checked at both ends of the window), so the
 * hourly summaries answer exactly; else (India, Nepal, Newfoundland...) the raw CDRs do.
 */
export function readsHourly(w: Window): boolean {
  const ends = [`${w.firstDay}T12:00:00Z`, `${w.lastDay}T12:00:00Z`].map((d) => new Date(d));
  return ends.every((at) => offsetMinutes(w.timezone, at) % 60 === 0);
}

/*
 * Local-time arithmetic for notification slots, pure. A zone's offset comes from Intl, so DST is
 * honoured (DOMAIN 2 "Time"). Slots are periods: a daily slot runs from sendAt local time to the
 * next day's sendAt, an hourly slot from minute MM to the next hour's minute MM.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Minutes to add to UTC to get the zone's local time at `at`. */
export function zoneOffsetMinutes(at: Date, timeZone: string): number {
  const p = Object.fromEntries(
    formatterFor(timeZone)
      .formatToParts(at)
      .map((x) => [x.type, x.value]),
  );
  const local = Date.UTC(+p.year!, +p.month! - 1, +p.day!, +p.hour!, +p.minute!);
  return Math.round((local - Math.floor(at.getTime() / 60_000) * 60_000) / 60_000);
}

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * The key of the slot `now` falls in: `2026-12-03` (daily; the local date the slot starts on) or
 * `2026-12-03T09:30` (hourly; the local start). Two instances compute the same key.
 */
export function slotKey(now: Date, timeZone: string, schedule: 'daily' | 'hourly', sendAt: string): string {
  const [hh, mm] = sendAt.split(':').map(Number) as [number, number];
  const localMin = Math.floor(now.getTime() / 60_000) + zoneOffsetMinutes(now, timeZone);
  let start: number;
  if (schedule === 'daily') {
    start = Math.floor(localMin / 1440) * 1440 + hh * 60 + mm;
    if (start > localMin) start -= 1440;
  } else {
    start = localMin - ((((localMin - mm) % 60) + 60) % 60);
  }
  const d = new Date(start * 60_000);
  const date = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  return schedule === 'daily' ? date : `${date}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

/** `2026-12-03 11:15 (Europe/Berlin, UTC+01:00)`: a moment as the customer reads it. */
export function formatLocalTime(at: Date, timeZone: string): string {
  const off = zoneOffsetMinutes(at, timeZone);
  const d = new Date(Math.floor(at.getTime() / 60_000) * 60_000 + off * 60_000);
  const abs = Math.abs(off);
  const sign = off < 0 ? '-' : '+';
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} ` +
    `(${timeZone}, UTC${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)})`
  );
}

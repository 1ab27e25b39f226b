import { sql } from 'kysely';
import type { Executor } from '../db/database.js';

/**
 * A recurring job: every N seconds, or a cron expression (5 fields, UTC: minute hour day-of-month
 * month day-of-week; `*`, numbers, lists, ranges and steps). The scheduler only enqueues (STYLE 9).
 */
export interface JobSchedule {
  name: string;
  kind: string;
  payload?: unknown;
  everySeconds?: number;
  expression?: string;
}

const FIELD_RANGES: [number, number][] = [
  [0, 59],
  [0, 23],
  [1, 31],
  [1, 12],
  [0, 6],
];

/** Parses one cron field into the set of values it allows; throws on anything else. */
function parseField(field: string, [min, max]: [number, number]): Set<number> {
  const out = new Set<number>();
  for (const part of field.split(',')) {
    const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
    if (!m) throw new Error(`Bad cron field "${field}"`);
    const step = m[4] ? Number(m[4]) : 1;
    const from = m[1] === '*' ? min : Number(m[2]);
    const to = m[1] === '*' ? max : m[3] !== undefined ? Number(m[3]) : m[4] ? max : from;
    if (from < min || to > max || from > to || step < 1) throw new Error(`Bad cron field "${field}"`);
    for (let v = from; v <= to; v += step) out.add(v);
  }
  return out;
}

export function parseCron(expression: string): Set<number>[] {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) throw new Error(`A cron expression has 5 fields: "${expression}"`);
  return fields.map((f, i) => parseField(f, FIELD_RANGES[i]!));
}

const MINUTE = 60_000;
/** How far back the latest matching minute is looked for (expressions fire at least weekly). */
const LOOKBACK_MINUTES = 8 * 1440;

/** The start of the slot `now` is in: the latest interval boundary or matching minute <= now. */
export function currentSlot(s: JobSchedule, now: Date): Date | null {
  if (s.everySeconds) {
    const ms = s.everySeconds * 1000;
    return new Date(Math.floor(now.getTime() / ms) * ms);
  }
  if (!s.expression) return null;
  const [min, hour, dom, month, dow] = parseCron(s.expression);
  let t = Math.floor(now.getTime() / MINUTE) * MINUTE;
  for (let i = 0; i <= LOOKBACK_MINUTES; i++, t -= MINUTE) {
    const d = new Date(t);
    if (
      min!.has(d.getUTCMinutes()) &&
      hour!.has(d.getUTCHours()) &&
      dom!.has(d.getUTCDate()) &&
      month!.has(d.getUTCMonth() + 1) &&
      dow!.has(d.getUTCDay())
    )
      return d;
  }
  return null;
}

/**
 * Enqueues the current slot's job of every schedule. The job's dedupe key is
 * `schedule:<name>:<slot>` under a unique index, so however many instances tick, a slot gets one
 * job. Returns how many jobs were added. Finished scheduled jobs older than a day are pruned.
 */
export async function enqueueDueSchedules(
  db: Executor,
  schedules: JobSchedule[],
  now: Date,
): Promise<number> {
  let added = 0;
  for (const s of schedules) {
    const slot = currentSlot(s, now);
    if (!slot) continue;
    const r = await db
      .insertInto('jobs')
      .values({
        kind: s.kind,
        payload: JSON.stringify(s.payload ?? {}),
        dedupe_key: `schedule:${s.name}:${slot.toISOString()}`,
        max_attempts: 3,
      })
      .onConflict((oc) => oc.column('dedupe_key').where('dedupe_key', 'is not', null).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (r) added++;
  }
  await sql`
    DELETE FROM jobs WHERE id IN (
      SELECT id FROM jobs
      WHERE dedupe_key LIKE 'schedule:%' AND status = 'done' AND finished_at < ${new Date(now.getTime() - 86_400_000)}
      LIMIT 1000)`.execute(db);
  return added;
}

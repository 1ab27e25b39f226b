import { sql } from 'kysely';
import type { Db } from '../../platform/db/database.js';
import type { LiveCall } from './counters.js';

/*
 * The durable copy of reservations (DOMAIN 4 step 11): written after the decision, in batches,
 * so no SQL statement and no disk sync sits on the decision path. The latest state of each call
 * wins within a batch (a call admitted and ended before a flush costs one delete). Read back at
 * start-up to rebuild the counter store.
 */
export class ReservationJournal {
  private pending = new Map<string, LiveCall | null>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly db: Db,
    private readonly opts: {
      flushMs?: number;
      batch?: number;
      log?: { error(o: object, m: string): void };
    } = {},
  ) {}

  /** The call as it stands now (admitted, extended, ended answered). */
  upsert(call: LiveCall): void {
    this.pending.set(call.callId, call);
    this.schedule();
  }

  /** The call holds nothing any more. */
  remove(callId: string): void {
    this.pending.set(callId, null);
    this.schedule();
  }

  private schedule(): void {
    if (this.pending.size >= (this.opts.batch ?? 500)) {
      void this.flush();
      return;
    }
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, this.opts.flushMs ?? 200);
  }

  /** Writes everything pending; resolves when it is in the database. */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    this.flushing = this.write(batch)
      .catch((err) => {
        this.opts.log?.error({ err }, 'reservation journal: write failed; will retry');
        for (const [k, v] of batch) if (!this.pending.has(k)) this.pending.set(k, v);
        this.schedule();
      })
      .finally(() => {
        this.flushing = null;
      });
    await this.flushing;
  }

  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.flush();
  }

  /**
   * One statement per kind whatever the batch size. The rows travel as ONE JSON text (an array of
   * the calls, expanded by json_array_elements): JSON.stringify is native, while a text[] of
   * JSON documents went through pg's per-element array escaping in JavaScript (~4 % of the
   * decision server's CPU in the profile). Times stay exact: epoch ms as integers.
   */
  private async write(batch: Map<string, LiveCall | null>): Promise<void> {
    const calls: LiveCall[] = [];
    const removes: string[] = [];
    for (const [id, c] of batch) {
      if (c === null) removes.push(id);
      else calls.push(c);
    }
    if (calls.length)
      await sql`
        INSERT INTO call_reservations (call_id, account_id, expires_at, ended_at, call)
        SELECT c->>'callId', (c->>'accountId')::bigint,
               timestamptz 'epoch' + (c->>'expiresAt')::bigint * interval '1 millisecond',
               timestamptz 'epoch' + (c->>'endedAt')::bigint * interval '1 millisecond',
               c::jsonb
        FROM json_array_elements(${JSON.stringify(calls)}::json) AS c
        ON CONFLICT (call_id) DO UPDATE SET
          expires_at = excluded.expires_at, ended_at = excluded.ended_at, call = excluded.call,
          updated_at = now()`.execute(this.db);
    if (removes.length)
      await sql`DELETE FROM call_reservations WHERE call_id = ANY(${removes}::text[])`.execute(this.db);
  }

  /**
   * What a restart puts back (set-based, two statements whatever the size): the reservations
   * already past their expiry (grant + margin) are not restored, they are what the sweeper would
   * have freed, so they become its alarms (MISSING_END, or MISSING_CDR for an answered call) and
   * leave the durable copy in one statement; the others are returned to be restored.
   */
  static async rebuild(db: Db, now: Date): Promise<{ live: LiveCall[]; expired: number }> {
    const moved = await sql<{ n: string }>`
      WITH gone AS (
        DELETE FROM call_reservations WHERE expires_at <= ${now}
        RETURNING call_id, account_id, expires_at, ended_at, call
      ), alarms AS (
        INSERT INTO call_auth_alarms
          (kind, call_id, account_id, trunk_id, host_id, called_number, started_at, expires_at, grant_sec, amount_held)
        SELECT CASE WHEN ended_at IS NULL THEN 'MISSING_END' ELSE 'MISSING_CDR' END,
               call_id, account_id, (call->>'trunkId')::bigint, (call->>'hostId')::bigint,
               call->>'calledNumber', to_timestamp((call->>'startedAt')::numeric / 1000), expires_at,
               (call->>'grantSec')::integer, COALESCE((call->'holds'->0->>'amount')::numeric, 0)
        FROM gone
        ON CONFLICT (call_id, kind) DO NOTHING
      )
      SELECT count(*) AS n FROM gone`.execute(db);
    const rows = await db
      .selectFrom('call_reservations')
      .select(['call'])
      .where('expires_at', '>', now)
      .execute();
    return {
      live: rows.map((r) => (typeof r.call === 'string' ? JSON.parse(r.call) : r.call) as LiveCall),
      expired: Number(moved.rows[0]?.n ?? 0),
    };
  }
}

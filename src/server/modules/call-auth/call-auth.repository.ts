import { sql } from 'kysely';
import type { Executor } from '../../platform/db/database.js';

/*
 * The reads that fill the decision snapshot (a read model over the tables of accounts, trunks,
 * SIP devices, caller IDs, blocked codes, speed dials, DIDs, rate groups and localizations), and
 * the writes of this module's own tables. `ids` null = every row; else only those accounts'.
 * Never on the decision path: the loader runs them at start and after change notifications.
 */

type Ids = readonly number[] | null;

/**
 * A column added here must also be added to the columns whose change the accounts UPDATE trigger
 * reports (migration 2026_12_05_0100_call_auth_balance_notify, by a new migration): the balance
 * alone is sent as a value, other columns as 'account:<ids>' only when one of those changed.
 */
export async function loadAccounts(db: Executor, ids: Ids) {
  let q = db
    .selectFrom('accounts')
    .select([
      'id',
      'parent_id',
      'is_reseller',
      'status',
      sql<number | null>`extract(epoch from valid_until) * 1000`.as('valid_until_ms'),
      'mode',
      'balance',
      'credit_limit',
      'unlimited_credit',
      'rate_group_id',
      'non_cli_rate_group_id',
      'localization_id',
      'cli_pool_mode',
      'call_limit',
      'cps_limit',
      'min_profit_type',
      'min_profit_value',
    ])
    .where('deleted_at', 'is', null);
  if (ids) q = q.where('id', 'in', ids);
  return q.execute();
}

export async function loadTrunks(db: Executor, ids: Ids) {
  let q = db
    .selectFrom('trunks')
    .select([
      'id',
      'account_id',
      'status',
      'call_limit',
      'cps_limit',
      'max_duration_sec',
      'min_profit_type',
      'min_profit_value',
    ])
    .where('deleted_at', 'is', null);
  if (ids) q = q.where('account_id', 'in', ids);
  return q.execute();
}

export async function loadHosts(db: Executor, ids: Ids) {
  let q = db
    .selectFrom('hosts')
    .select([
      'id',
      'trunk_id',
      'account_id',
      sql<string>`cidr::text`.as('cidr'),
      'port',
      'tech_prefix',
      'status',
      'call_limit',
      'cps_limit',
    ])
    .where('deleted_at', 'is', null);
  if (ids) q = q.where('account_id', 'in', ids);
  return q.execute();
}

export async function loadDevices(db: Executor, ids: Ids) {
  let q = db
    .selectFrom('sip_devices')
    .select(['id', 'account_id', 'username', 'status'])
    .where('deleted_at', 'is', null);
  if (ids) q = q.where('account_id', 'in', ids);
  return q.execute();
}

/** Per account: active caller IDs, active assigned DIDs, blocked codes, speed dials, force caller ID. */
export async function loadNumbers(db: Executor, ids: Ids) {
  let callerIds = db
    .selectFrom('caller_ids')
    .select(['account_id', 'number'])
    .where('deleted_at', 'is', null)
    .where('status', '=', 'active');
  let dids = db
    .selectFrom('dids')
    .select(['account_id', 'number'])
    .where('deleted_at', 'is', null)
    .where('status', '=', 'active')
    .where('account_id', 'is not', null);
  let blocked = db
    .selectFrom('blocked_codes')
    .select(['account_id', 'prefix'])
    .where('deleted_at', 'is', null);
  let dials = db
    .selectFrom('speed_dials')
    .select(['account_id', 'key', 'number'])
    .where('deleted_at', 'is', null);
  let forced = db
    .selectFrom('force_caller_ids')
    .select(['account_id', 'number', 'name'])
    .where('deleted_at', 'is', null)
    .where('status', '=', 'active');
  if (ids) {
    callerIds = callerIds.where('account_id', 'in', ids);
    dids = dids.where('account_id', 'in', ids);
    blocked = blocked.where('account_id', 'in', ids);
    dials = dials.where('account_id', 'in', ids);
    forced = forced.where('account_id', 'in', ids);
  }
  // One at a time: PGlite has a single connection.
  return {
    callerIds: await callerIds.execute(),
    dids: await dids.execute(),
    blocked: await blocked.execute(),
    dials: await dials.execute(),
    forced: await forced.execute(),
  };
}

export async function loadRateGroups(db: Executor, ids: Ids) {
  let q = db
    .selectFrom('rate_groups')
    .select(['id', 'status', 'initial_increment', 'billing_increment'])
    .where('deleted_at', 'is', null);
  if (ids) q = q.where('id', 'in', ids);
  return q.execute();
}

/** The rates of a group in id order, in chunks (a million-row deck never sits in one result). */
/** Active, live customer rate overrides (of these accounts, or all), with times in epoch ms. */
export async function loadRateOverrides(db: Executor, ids: Ids) {
  let q = db
    .selectFrom('customer_rate_overrides')
    .select([
      'id',
      'account_id',
      'prefix',
      'rate_per_min',
      'connect_fee',
      'included_seconds',
      'initial_increment',
      'billing_increment',
      sql<number>`extract(epoch from effective_from) * 1000`.as('from_ms'),
      sql<number | null>`extract(epoch from effective_to) * 1000`.as('to_ms'),
    ])
    .where('deleted_at', 'is', null)
    .where('status', '=', 'active');
  if (ids) q = q.where('account_id', 'in', ids);
  return q.orderBy('id').execute();
}

export async function* streamRates(db: Executor, groupId: number, chunk = 100_000) {
  let after = 0;
  for (;;) {
    const rows = await db
      .selectFrom('rates')
      .select([
        'id',
        'prefix',
        'rate_per_min',
        'connect_fee',
        'included_seconds',
        'initial_increment',
        'billing_increment',
        sql<number>`extract(epoch from effective_from) * 1000`.as('from_ms'),
        sql<number | null>`extract(epoch from effective_to) * 1000`.as('to_ms'),
      ])
      .where('rate_group_id', '=', groupId)
      .where('id', '>', after)
      .orderBy('id')
      .limit(chunk)
      .execute();
    if (rows.length === 0) return;
    yield rows;
    after = rows[rows.length - 1].id;
  }
}

export async function loadLocalizations(db: Executor, ids: Ids) {
  let q = db
    .selectFrom('localization_profiles')
    .select(['id', 'destination_rules', 'caller_number_rules', 'caller_name_rules'])
    .where('deleted_at', 'is', null);
  if (ids) q = q.where('id', 'in', ids);
  return q.execute();
}

export async function loadReasons(db: Executor) {
  return db.selectFrom('call_auth_reasons').select(['reason', 'sip_code', 'sip_reason']).execute();
}

export async function upsertReason(
  db: Executor,
  r: { reason: string; sipCode: number; sipReason: string },
  now: Date,
) {
  await db
    .insertInto('call_auth_reasons')
    .values({ reason: r.reason, sip_code: r.sipCode, sip_reason: r.sipReason, updated_at: now })
    .onConflict((oc) =>
      oc.column('reason').doUpdateSet({ sip_code: r.sipCode, sip_reason: r.sipReason, updated_at: now }),
    )
    .execute();
}

export async function deleteReason(db: Executor, reason: string) {
  await db.deleteFrom('call_auth_reasons').where('reason', '=', reason).execute();
}

export interface AlarmInput {
  kind: 'MISSING_END' | 'MISSING_CDR';
  callId: string;
  accountId: number;
  trunkId: number | null;
  hostId: number | null;
  calledNumber: string;
  startedAt: Date;
  expiresAt: Date;
  grantSec: number;
  amountHeld: string;
}

/** One alarm per call and kind: a second sweep of the same call adds nothing. */
export async function insertAlarm(db: Executor, a: AlarmInput): Promise<void> {
  await db
    .insertInto('call_auth_alarms')
    .values({
      kind: a.kind,
      call_id: a.callId,
      account_id: a.accountId,
      trunk_id: a.trunkId,
      host_id: a.hostId,
      called_number: a.calledNumber,
      started_at: a.startedAt,
      expires_at: a.expiresAt,
      grant_sec: a.grantSec,
      amount_held: a.amountHeld,
    })
    .onConflict((oc) => oc.columns(['call_id', 'kind']).doNothing())
    .execute();
}

const ALARM_COLUMNS = [
  'id',
  'kind',
  'call_id',
  'account_id',
  'trunk_id',
  'host_id',
  'called_number',
  'started_at',
  'expires_at',
  'grant_sec',
  'amount_held',
  'created_at',
  'acknowledged_at',
  'acknowledged_by',
] as const;

/** Newest first, keyset by id; `acknowledged` true/false keeps only those, undefined both. */
export async function listAlarms(
  db: Executor,
  q: { limit: number; afterId: number | null; acknowledged?: boolean },
) {
  let query = db
    .selectFrom('call_auth_alarms')
    .select(ALARM_COLUMNS)
    .orderBy('id', 'desc')
    .limit(q.limit + 1);
  if (q.afterId !== null) query = query.where('id', '<', q.afterId);
  if (q.acknowledged === true) query = query.where('acknowledged_at', 'is not', null);
  if (q.acknowledged === false) query = query.where('acknowledged_at', 'is', null);
  return query.execute();
}
export type AlarmRow = Awaited<ReturnType<typeof listAlarms>>[number];

export async function findAlarm(db: Executor, id: number) {
  return db.selectFrom('call_auth_alarms').select(ALARM_COLUMNS).where('id', '=', id).executeTakeFirst();
}

/**
 * Marks an open alarm acknowledged; answers the row when this call did it, undefined when it was
 * acknowledged already or does not exist (one UPDATE: two admins at once record one acknowledger).
 */
export async function acknowledgeAlarm(
  db: Executor,
  id: number,
  by: { userId: number | null; label: string },
  now: Date,
) {
  return db
    .updateTable('call_auth_alarms')
    .set({
      acknowledged_at: now,
      acknowledged_by_user_id: by.userId,
      acknowledged_by: by.label.slice(0, 300),
    })
    .where('id', '=', id)
    .where('acknowledged_at', 'is', null)
    .returning(ALARM_COLUMNS)
    .executeTakeFirst();
}

/**
 * What a person reads beside the ids of live calls and alarms: the account's name, number and
 * currency, the trunk's name, the host's address. Three batched reads for a whole page (deleted
 * rows included: an alarm may outlive its account).
 */
export async function labelsOf(
  db: Executor,
  ids: { accountIds: number[]; trunkIds: number[]; hostIds: number[] },
) {
  const uniq = (v: number[]) => [...new Set(v)];
  const accounts = ids.accountIds.length
    ? await db
        .selectFrom('accounts')
        .select(['id', 'name', 'account_number', 'currency'])
        .where('id', 'in', uniq(ids.accountIds))
        .execute()
    : [];
  const trunks = ids.trunkIds.length
    ? await db.selectFrom('trunks').select(['id', 'name']).where('id', 'in', uniq(ids.trunkIds)).execute()
    : [];
  const hosts = ids.hostIds.length
    ? await db
        .selectFrom('hosts')
        .select(['id', 'cidr', 'port'])
        .where('id', 'in', uniq(ids.hostIds))
        .execute()
    : [];
  return {
    accounts: new Map(accounts.map((a) => [a.id, a])),
    trunks: new Map(trunks.map((t) => [t.id, t.name])),
    hosts: new Map(hosts.map((h) => [h.id, h.port ? `${h.cidr} : ${h.port}` : h.cidr])),
  };
}

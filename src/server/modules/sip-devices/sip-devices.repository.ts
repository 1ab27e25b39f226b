import { sql } from 'kysely';
import type { Executor } from '../../platform/db/database.js';
import type { Actor } from '../../platform/context.js';
import { accountScope } from '../../platform/tenancy/index.js';

/** Columns of a device; `secret_enc` is not among them and is read only by findDeviceSecret. */
function deviceSelect(db: Executor) {
  return db
    .selectFrom('sip_devices as d')
    .innerJoin('accounts as a', 'a.id', 'd.account_id')
    .select([
      'd.id',
      'd.account_id',
      'd.username',
      'd.caller_id_name',
      'd.caller_id_number',
      'd.status',
      'd.codecs',
      'd.voicemail_enabled',
      'd.created_at',
      'd.updated_at',
      'a.status as customer_status',
    ])
    .where('d.deleted_at', 'is', null)
    .where('a.deleted_at', 'is', null);
}
export type DeviceRow = Awaited<ReturnType<ReturnType<typeof deviceSelect>['executeTakeFirstOrThrow']>>;

export async function findDevice(db: Executor, actor: Actor, id: number, opts: { forUpdate?: boolean } = {}) {
  let q = deviceSelect(db).where('d.id', '=', id).where(accountScope(actor));
  if (opts.forUpdate) q = q.forUpdate(['d']);
  return q.executeTakeFirst();
}

export async function listDevicesOfAccount(db: Executor, accountId: number): Promise<DeviceRow[]> {
  return deviceSelect(db).where('d.account_id', '=', accountId).orderBy('d.id').execute();
}

export async function insertDevice(
  db: Executor,
  v: {
    accountId: number;
    username: string;
    secretEnc: string;
    callerIdName: string | null;
    callerIdNumber: string | null;
    status: 'active' | 'inactive';
    codecs: string[];
    voicemailEnabled: boolean;
  },
): Promise<number> {
  const r = await db
    .insertInto('sip_devices')
    .values({
      account_id: v.accountId,
      username: v.username,
      secret_enc: v.secretEnc,
      caller_id_name: v.callerIdName,
      caller_id_number: v.callerIdNumber,
      status: v.status,
      codecs: v.codecs,
      voicemail_enabled: v.voicemailEnabled,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

/**
 * Devices made by bulk work (import, mass create) in one statement, inside the caller's
 * transaction; the caller has checked the usernames (a race still fails on the unique index).
 */
export async function insertDevicesBulk(
  db: Executor,
  rows: {
    accountId: number;
    username: string;
    secretEnc: string;
    callerIdName?: string | null;
    callerIdNumber?: string | null;
    status?: 'active' | 'inactive';
    codecs?: string[];
    voicemailEnabled?: boolean;
  }[],
): Promise<{ id: number; accountId: number; username: string }[]> {
  const out: { id: number; accountId: number; username: string }[] = [];
  for (let i = 0; i < rows.length; i += 1000) {
    const slice = rows.slice(i, i + 1000);
    const made = await db
      .insertInto('sip_devices')
      .values(
        slice.map((r) => ({
          account_id: r.accountId,
          username: r.username,
          secret_enc: r.secretEnc,
          caller_id_name: r.callerIdName ?? null,
          caller_id_number: r.callerIdNumber ?? null,
          status: r.status ?? ('active' as const),
          codecs: r.codecs ?? [],
          voicemail_enabled: r.voicemailEnabled ?? false,
        })),
      )
      .returning(['id', 'account_id', 'username'])
      .execute();
    for (const m of made)
      out.push({ id: Number(m.id), accountId: Number(m.account_id), username: m.username });
  }
  return out;
}

/** Live devices by username (case-insensitive), with their fields but never the secret. */
export async function devicesByUsername(db: Executor, usernames: string[]) {
  if (usernames.length === 0) return [];
  const lower = [...new Set(usernames.map((u) => u.toLowerCase()))];
  const rows = await db
    .selectFrom('sip_devices')
    .select([
      'id',
      'account_id',
      'username',
      'caller_id_name',
      'caller_id_number',
      'status',
      'codecs',
      'voicemail_enabled',
    ])
    .where(sql<boolean>`lower(username) = ANY(${lower}::text[])`)
    .where('deleted_at', 'is', null)
    .execute();
  return rows.map((r) => ({ ...r, id: Number(r.id), account_id: Number(r.account_id) }));
}

/** Which of `usernames` live devices already use, lower-cased (usernames are unique ignoring case). */
export async function takenSipUsernames(db: Executor, usernames: string[]): Promise<Set<string>> {
  if (usernames.length === 0) return new Set();
  const lower = [...new Set(usernames.map((u) => u.toLowerCase()))];
  const rows = await db
    .selectFrom('sip_devices')
    .select(sql<string>`lower(username)`.as('u'))
    .where(sql<boolean>`lower(username) = ANY(${lower}::text[])`)
    .where('deleted_at', 'is', null)
    .execute();
  return new Set(rows.map((r) => r.u));
}

export async function updateDevice(
  db: Executor,
  id: number,
  set: Partial<{
    username: string;
    secret_enc: string;
    caller_id_name: string | null;
    caller_id_number: string | null;
    status: 'active' | 'inactive';
    codecs: string[];
    voicemail_enabled: boolean;
  }>,
  now: Date,
): Promise<void> {
  await db
    .updateTable('sip_devices')
    .set({ ...set, updated_at: now })
    .where('id', '=', id)
    .execute();
}

export async function softDeleteDevice(db: Executor, id: number, now: Date): Promise<void> {
  await db
    .updateTable('sip_devices')
    .set({ deleted_at: now, updated_at: now })
    .where('id', '=', id)
    .execute();
}

/**
 * The encrypted secret of a live device by username, for digest authentication by the switch
 * (call authorization). The only query that reads `secret_enc`.
 */
export async function findDeviceSecret(db: Executor, username: string) {
  return db
    .selectFrom('sip_devices as d')
    .innerJoin('accounts as a', 'a.id', 'd.account_id')
    .select(['d.id', 'd.account_id', 'd.status', 'd.secret_enc', 'a.status as customer_status'])
    .where(sql<boolean>`lower(d.username) = lower(${username})`)
    .where('d.deleted_at', 'is', null)
    .where('a.deleted_at', 'is', null)
    .executeTakeFirst();
}

import { sql, type SelectQueryBuilder } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { Actor } from '../../platform/context.js';
import type { Executor } from '../../platform/db/database.js';
import { ownedScope } from '../../platform/tenancy/index.js';

const COLUMNS = [
  'm.id',
  'm.owner_id',
  'm.actor',
  'm.params',
  'm.count',
  'm.status',
  'm.prepared',
  'm.created',
  'm.public_key',
  'm.result_state',
  'm.failure',
  'm.created_at',
  'm.finished_at',
  'm.downloaded_at',
] as const;

type MassQuery = SelectQueryBuilder<DB & { m: DB['customer_mass_creates'] }, 'm', object>;

/** Scope: an admin sees all, a reseller those owned by itself or its subtree's resellers. */
function scope<Q extends MassQuery>(q: Q, actor: Actor): Q {
  return q.where(ownedScope(actor, 'm.owner_id')) as Q;
}

const select = (db: Executor) => db.selectFrom('customer_mass_creates as m').select(COLUMNS);
export type MassCreateRow = Awaited<ReturnType<ReturnType<typeof select>['executeTakeFirstOrThrow']>>;

export async function findMassCreate(
  db: Executor,
  actor: Actor,
  id: number,
  opts: { forUpdate?: boolean } = {},
) {
  let q = scope(select(db).where('m.id', '=', id), actor);
  if (opts.forUpdate) q = q.forUpdate('m');
  return q.executeTakeFirst();
}

export async function listMassCreates(db: Executor, actor: Actor, limit: number) {
  return scope(select(db), actor).orderBy('m.id', 'desc').limit(limit).execute();
}

export async function insertMassCreate(
  db: Executor,
  v: { ownerId: number | null; actor: Actor; params: unknown; count: number; publicKey: string },
): Promise<number> {
  const r = await db
    .insertInto('customer_mass_creates')
    .values({
      owner_id: v.ownerId,
      actor: JSON.stringify(v.actor),
      params: JSON.stringify(v.params),
      count: v.count,
      public_key: v.publicKey,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

export async function updateMassCreate(
  db: Executor,
  id: number,
  set: Record<string, unknown>,
  expect: { prepared?: number; status?: string[]; resultState?: string } = {},
): Promise<boolean> {
  let q = db
    .updateTable('customer_mass_creates')
    .set({ ...set, updated_at: sql`now()` } as never)
    .where('id', '=', id);
  if (expect.prepared !== undefined) q = q.where('prepared', '=', expect.prepared);
  if (expect.status) q = q.where('status', 'in', expect.status as never[]);
  if (expect.resultState) q = q.where('result_state', '=', expect.resultState as never);
  const r = await q.executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Existing accounts (deleted included) with this prefix and length: what the capacity subtracts. */
export async function countNumbersLike(db: Executor, prefix: string, length: number): Promise<number> {
  const pattern = prefix.replace(/[\\%_]/g, (c) => '\\' + c) + '%';
  const r = await sql<{ n: number }>`
    SELECT count(*) AS n FROM accounts
    WHERE account_number LIKE ${pattern} AND char_length(account_number) = ${length}`.execute(db);
  return Number(r.rows[0]!.n);
}

export async function insertPreparedRows(
  db: Executor,
  massCreateId: number,
  rows: { seq: number; passwordHash: string; passwordBox: string }[],
): Promise<void> {
  if (rows.length === 0) return;
  await sql`
    INSERT INTO customer_mass_create_rows (mass_create_id, seq, password_hash, password_box)
    SELECT ${massCreateId}::bigint, t.seq, t.h, t.b
    FROM unnest(${rows.map((r) => r.seq)}::int4[], ${rows.map((r) => r.passwordHash)}::text[],
                ${rows.map((r) => r.passwordBox)}::text[]) AS t(seq, h, b)
    ON CONFLICT DO NOTHING`.execute(db);
}

export async function preparedRows(db: Executor, massCreateId: number) {
  return db
    .selectFrom('customer_mass_create_rows')
    .select(['seq', 'password_hash'])
    .where('mass_create_id', '=', massCreateId)
    .orderBy('seq')
    .execute();
}

/** Records each row's account, and drops its hash (the account holds it now). */
export async function setRowAccounts(
  db: Executor,
  massCreateId: number,
  rows: {
    seq: number;
    accountNumber: string;
    pin: string | null;
    accountId: number;
    sipSecretBox: string | null;
  }[],
): Promise<void> {
  if (rows.length === 0) return;
  await sql`
    UPDATE customer_mass_create_rows r
    SET account_number = t.n, pin = t.p, account_id = t.a, sip_secret_box = t.s, password_hash = NULL
    FROM unnest(${rows.map((r) => r.seq)}::int4[], ${rows.map((r) => r.accountNumber)}::text[],
                ${rows.map((r) => r.pin)}::text[], ${rows.map((r) => r.accountId)}::bigint[],
                ${rows.map((r) => r.sipSecretBox)}::text[]) AS t(seq, n, p, a, s)
    WHERE r.mass_create_id = ${massCreateId} AND r.seq = t.seq`.execute(db);
}

export async function resultRows(db: Executor, massCreateId: number) {
  return db
    .selectFrom('customer_mass_create_rows')
    .select(['seq', 'account_number', 'pin', 'password_box', 'sip_secret_box'])
    .where('mass_create_id', '=', massCreateId)
    .orderBy('seq')
    .execute();
}

export async function deleteRows(db: Executor, massCreateId: number): Promise<void> {
  await db.deleteFrom('customer_mass_create_rows').where('mass_create_id', '=', massCreateId).execute();
}

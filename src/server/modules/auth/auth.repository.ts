import { sql } from 'kysely';
import type { Executor } from '../../platform/db/database.js';

export interface UserRecord {
  id: number;
  login: string;
  email: string | null;
  displayName: string;
  role: 'admin' | 'reseller' | 'customer';
  accountId: number | null;
  status: 'active' | 'inactive';
}

const USER_COLUMNS = ['id', 'login', 'email', 'display_name', 'role', 'account_id', 'status'] as const;

function toUser(r: {
  id: number;
  login: string;
  email: string | null;
  display_name: string;
  role: UserRecord['role'];
  account_id: number | null;
  status: UserRecord['status'];
}): UserRecord {
  return {
    id: r.id,
    login: r.login,
    email: r.email,
    displayName: r.display_name,
    role: r.role,
    accountId: r.account_id,
    status: r.status,
  };
}

export async function insertUser(
  db: Executor,
  u: {
    login: string;
    email: string | null;
    displayName: string;
    role: UserRecord['role'];
    accountId: number | null;
    passwordHash: string | null;
  },
): Promise<UserRecord> {
  const r = await db
    .insertInto('users')
    .values({
      login: u.login,
      email: u.email,
      display_name: u.displayName,
      role: u.role,
      account_id: u.accountId,
      password_hash: u.passwordHash,
    })
    .returning(USER_COLUMNS)
    .executeTakeFirstOrThrow();
  return toUser(r);
}

/** Reads the password hash for a login check: the only place it is selected. */
export async function findUserForLogin(db: Executor, login: string) {
  return db
    .selectFrom('users')
    .select([...USER_COLUMNS, 'password_hash', 'failed_logins', 'locked_until'])
    .where(sql<boolean>`lower(login) = lower(${login})`)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
}

export async function countAdmins(db: Executor): Promise<number> {
  const r = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('role', '=', 'admin')
    .where('deleted_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Counts a failed sign-in (kept for the record: nothing locks on it; throttling is at the route). */
export async function recordLoginFailure(db: Executor, userId: number) {
  await db
    .updateTable('users')
    .set({ failed_logins: sql`failed_logins + 1` })
    .where('id', '=', userId)
    .execute();
}

/** Whether the user has had a session from this address, revoked or not. */
export async function hasSessionFrom(db: Executor, userId: number, ip: string): Promise<boolean> {
  const r = await db
    .selectFrom('sessions')
    .select('user_id')
    .where('user_id', '=', userId)
    .where('ip', '=', ip)
    .limit(1)
    .executeTakeFirst();
  return r !== undefined;
}

export async function recordLoginSuccess(db: Executor, userId: number) {
  await db
    .updateTable('users')
    .set({ failed_logins: 0, locked_until: null })
    .where('id', '=', userId)
    .execute();
}

export async function insertSession(
  db: Executor,
  s: {
    idHash: string;
    userId: number;
    csrfToken: string;
    ip: string | null;
    userAgent: string | null;
    expiresAt: Date;
    impersonatorUserId?: number | null;
  },
) {
  await db
    .insertInto('sessions')
    .values({
      id: s.idHash,
      user_id: s.userId,
      csrf_token: s.csrfToken,
      ip: s.ip,
      user_agent: s.userAgent,
      expires_at: s.expiresAt,
      impersonator_user_id: s.impersonatorUserId ?? null,
    })
    .execute();
}

/**
 * A session is good only while it is unexpired and unrevoked, its user active, and the user's
 * account (and every reseller above it) live and active.
 */
export async function findLiveSession(db: Executor, idHash: string, now: Date) {
  return db
    .selectFrom('sessions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .leftJoin('accounts as a', 'a.id', 'u.account_id')
    .select([
      's.id as session_id',
      's.csrf_token',
      's.expires_at',
      's.last_seen_at',
      's.impersonator_user_id',
      'u.id',
      'u.login',
      'u.email',
      'u.display_name',
      'u.role',
      'u.account_id',
      'u.status',
      'a.name as account_name',
    ])
    .where('s.id', '=', idHash)
    .where('s.revoked_at', 'is', null)
    .where('s.expires_at', '>', now)
    .where('u.deleted_at', 'is', null)
    .where('u.status', '=', 'active')
    .where((eb) =>
      eb.or([
        eb('u.account_id', 'is', null),
        eb.and([
          eb('a.deleted_at', 'is', null),
          eb('a.status', '=', 'active'),
          sql<boolean>`NOT EXISTS (SELECT 1 FROM accounts up WHERE up.id = ANY(a.ancestor_ids)
                         AND (up.deleted_at IS NOT NULL OR up.status <> 'active'))`,
        ]),
      ]),
    )
    .executeTakeFirst();
}

export async function touchSession(db: Executor, idHash: string, now: Date) {
  await db.updateTable('sessions').set({ last_seen_at: now }).where('id', '=', idHash).execute();
}

export async function revokeSession(db: Executor, idHash: string, now: Date) {
  await db.updateTable('sessions').set({ revoked_at: now }).where('id', '=', idHash).execute();
}

/** Ends every session of the users of these accounts (deactivation, deletion, password change). */
export async function revokeSessionsOfAccounts(db: Executor, accountIds: number[], now: Date) {
  if (!accountIds.length) return;
  await db
    .updateTable('sessions')
    .set({ revoked_at: now })
    .where('revoked_at', 'is', null)
    .where('user_id', 'in', (eb) =>
      eb.selectFrom('users').select('users.id').where('users.account_id', 'in', accountIds),
    )
    .execute();
}

export async function revokeSessionsOfUser(db: Executor, userId: number, now: Date) {
  await db
    .updateTable('sessions')
    .set({ revoked_at: now })
    .where('revoked_at', 'is', null)
    .where('user_id', '=', userId)
    .execute();
}

export async function findPortalUser(db: Executor, accountId: number) {
  const r = await db
    .selectFrom('users')
    .select(USER_COLUMNS)
    .where('account_id', '=', accountId)
    .where('deleted_at', 'is', null)
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  return r ? toUser(r) : undefined;
}

export async function updateUser(
  db: Executor,
  userId: number,
  patch: { login?: string; passwordHash?: string; status?: 'active' | 'inactive'; displayName?: string },
) {
  await db
    .updateTable('users')
    .set({
      ...(patch.login !== undefined ? { login: patch.login } : {}),
      ...(patch.passwordHash !== undefined
        ? { password_hash: patch.passwordHash, failed_logins: 0, locked_until: null }
        : {}),
      ...(patch.status !== undefined ? { status: patch.status } : {}),
      ...(patch.displayName !== undefined ? { display_name: patch.displayName } : {}),
      updated_at: sql`now()`,
    })
    .where('id', '=', userId)
    .execute();
}

export async function softDeleteUsersOfAccounts(db: Executor, accountIds: number[], now: Date) {
  if (!accountIds.length) return;
  await db
    .updateTable('users')
    .set({ deleted_at: now, status: 'inactive' })
    .where('account_id', 'in', accountIds)
    .where('deleted_at', 'is', null)
    .execute();
}

export async function insertApiKey(
  db: Executor,
  k: { name: string; prefix: string; keyHash: string; role: 'admin' | 'switch'; createdBy: number },
) {
  return db
    .insertInto('api_keys')
    .values({ name: k.name, prefix: k.prefix, key_hash: k.keyHash, role: k.role, created_by: k.createdBy })
    .returning(['id', 'name', 'prefix', 'role', 'created_at', 'last_used_at', 'revoked_at'])
    .executeTakeFirstOrThrow();
}

export async function listApiKeys(db: Executor) {
  return db
    .selectFrom('api_keys')
    .select(['id', 'name', 'prefix', 'role', 'created_at', 'last_used_at', 'revoked_at'])
    .orderBy('id', 'desc')
    .execute();
}

export async function revokeApiKey(db: Executor, id: number, now: Date): Promise<boolean> {
  const r = await db
    .updateTable('api_keys')
    .set({ revoked_at: now })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function findLiveApiKey(db: Executor, keyHash: string) {
  return db
    .selectFrom('api_keys')
    .select(['id', 'name', 'role', 'created_by', 'last_used_at'])
    .where('key_hash', '=', keyHash)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
}

export async function touchApiKey(db: Executor, id: number, now: Date) {
  await db.updateTable('api_keys').set({ last_used_at: now }).where('id', '=', id).execute();
}

export async function listStaffUsers(db: Executor): Promise<UserRecord[]> {
  const rows = await db
    .selectFrom('users')
    .select(USER_COLUMNS)
    .where('role', '=', 'admin')
    .where('deleted_at', 'is', null)
    .orderBy('id')
    .execute();
  return rows.map(toUser);
}

export async function findStaffUser(db: Executor, id: number): Promise<UserRecord | undefined> {
  const r = await db
    .selectFrom('users')
    .select(USER_COLUMNS)
    .where('id', '=', id)
    .where('role', '=', 'admin')
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  return r ? toUser(r) : undefined;
}

/** Serializes first-admin creation across instances (transaction-scoped advisory lock). */
export async function lockFirstAdminCreation(db: Executor): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtext('tollgate.first-admin'))`.execute(db);
}

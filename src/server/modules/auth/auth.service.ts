import type { Actor, Ctx } from '../../platform/context.js';
import { conflict, forbidden, isUniqueViolation, notFound, validationError } from '../../platform/errors.js';
import { inTransaction } from '../../platform/db/transaction.js';
import { hashPassword, randomToken, sha256Hex, verifyPassword } from '../../platform/passwords.js';
import { recordAudit } from '../audit/index.js';
import type { ApiKeyCache } from './api-key-cache.js';
import { runSignInHooks } from './sign-in-hooks.js';
import * as repo from './auth.repository.js';
import { apiKeyNotFound, invalidCredentials } from './auth.errors.js';

export const SESSION_COOKIE = 'tg_session';

export interface SessionUser {
  sessionId: string;
  csrfToken: string;
  expiresAt: Date;
  user: {
    id: number;
    login: string;
    email: string | null;
    displayName: string;
    role: 'admin' | 'reseller' | 'customer';
    accountId: number | null;
    accountName: string | null;
    impersonatorUserId: number | null;
  };
}

/**
 * Checks a login and password and opens a server-side session. The cookie holds a random token;
 * the database holds only its SHA-256, so a leaked table cannot be replayed.
 */
export async function login(
  ctx: Ctx,
  input: { login: string; password: string; ip: string | null; userAgent: string | null; ttlHours: number },
): Promise<{ token: string; session: SessionUser }> {
  const user = await repo.findUserForLogin(ctx.db, input.login.trim());
  const now = ctx.now();
  // No lock: failures are throttled by source and account at the route (auth.routes.ts), which
  // answers the same for unknown and known accounts and lets the owner in from a known address.
  const ok = await verifyPassword(user?.password_hash ?? null, input.password);
  if (!user || !ok) {
    if (user) await repo.recordLoginFailure(ctx.db, user.id);
    throw invalidCredentials();
  }
  const token = randomToken();
  const csrfToken = randomToken(24);
  const expiresAt = new Date(now.getTime() + input.ttlHours * 3600_000);
  await repo.recordLoginSuccess(ctx.db, user.id);
  await repo.insertSession(ctx.db, {
    idHash: sha256Hex(token),
    userId: user.id,
    csrfToken,
    ip: input.ip,
    userAgent: input.userAgent,
    expiresAt,
  });
  const session = await resolveSession(ctx, token);
  // A user of an inactive or deleted account has a password but no usable session.
  if (!session) throw invalidCredentials();
  // E.g. a portal user's sign-in notice, when its account asks for one (DOMAIN 3.15).
  await runSignInHooks(ctx, session, { ip: input.ip, userAgent: input.userAgent });
  return { token, session };
}

/** Whether this login has opened a session from this address before (the owner's usual place). */
export async function isKnownLoginSource(ctx: Ctx, login: string, ip: string): Promise<boolean> {
  if (!login) return false;
  const user = await repo.findUserForLogin(ctx.db, login);
  return user ? repo.hasSessionFrom(ctx.db, user.id, ip) : false;
}

export async function resolveSession(ctx: Ctx, token: string): Promise<SessionUser | null> {
  const idHash = sha256Hex(token);
  const now = ctx.now();
  const r = await repo.findLiveSession(ctx.db, idHash, now);
  if (!r) return null;
  if (now.getTime() - new Date(r.last_seen_at).getTime() > 60_000)
    await repo.touchSession(ctx.db, idHash, now);
  return {
    sessionId: idHash,
    csrfToken: r.csrf_token,
    expiresAt: new Date(r.expires_at),
    user: {
      id: r.id,
      login: r.login,
      email: r.email,
      displayName: r.display_name,
      role: r.role,
      accountId: r.account_id,
      accountName: r.account_name ?? null,
      impersonatorUserId: r.impersonator_user_id,
    },
  };
}

export async function logout(ctx: Ctx, token: string): Promise<void> {
  await repo.revokeSession(ctx.db, sha256Hex(token), ctx.now());
}

export function actorOf(s: SessionUser): Actor {
  const u = s.user;
  if (u.role === 'admin') return { kind: 'admin', userId: u.id, apiKeyId: null, label: `user:${u.login}` };
  return {
    kind: u.role,
    userId: u.id,
    accountId: u.accountId!,
    label: `user:${u.login}`,
    impersonatorUserId: u.impersonatorUserId,
  };
}

function apiKeyActor(row: { id: number; name: string; role: string }): Actor {
  if (row.role === 'switch')
    return {
      kind: 'switch',
      userId: null,
      apiKeyId: row.id,
      label: `api-key:${row.name}`,
      impersonatorUserId: null,
    };
  return { kind: 'admin', userId: null, apiKeyId: row.id, label: `api-key:${row.name}` };
}

const TOUCH_EVERY_MS = 60_000;

/**
 * The actor of an API key, or null. With a cache (app.ts), a known key costs no query: the
 * answer comes from memory and `last_used_at` is written at most once a minute, without waiting.
 */
export async function resolveApiKey(ctx: Ctx, key: string, cache?: ApiKeyCache): Promise<Actor | null> {
  const now = ctx.now().getTime();
  const verified = cache?.getVerified(key, now);
  if (verified) {
    if (now - verified.touchedAt > TOUCH_EVERY_MS) {
      verified.touchedAt = now;
      repo.touchApiKey(ctx.db, verified.id, new Date(now)).catch(() => {});
    }
    return verified.actor;
  }
  const hash = sha256Hex(key);
  const cached = cache?.get(hash);
  if (cached === null) return null;
  if (cached) {
    cache?.setVerified(key, cached, cache.stamp(), now);
    if (now - cached.touchedAt > TOUCH_EVERY_MS) {
      cached.touchedAt = now;
      repo.touchApiKey(ctx.db, cached.id, new Date(now)).catch(() => {});
    }
    return cached.actor;
  }
  const stamp = cache?.stamp() ?? 0;
  const row = await repo.findLiveApiKey(ctx.db, hash);
  if (!row) {
    cache?.set(hash, null, stamp);
    return null;
  }
  let touchedAt = row.last_used_at ? new Date(row.last_used_at).getTime() : 0;
  if (now - touchedAt > TOUCH_EVERY_MS) {
    await repo.touchApiKey(ctx.db, row.id, new Date(now));
    touchedAt = now;
  }
  const actor = apiKeyActor(row);
  const entry = { id: row.id, actor, touchedAt };
  cache?.set(hash, entry, stamp);
  cache?.setVerified(key, entry, stamp, now);
  return actor;
}

function requireAdminUser(ctx: Ctx): number {
  if (ctx.actor.kind !== 'admin' || ctx.actor.userId === null)
    throw forbidden('Only a signed-in admin manages API keys.');
  return ctx.actor.userId;
}

/** Creates an API key; the secret is shown once and stored only as a SHA-256 hash. */
export async function createApiKey(ctx: Ctx, input: { name: string; role: 'admin' | 'switch' }) {
  const userId = requireAdminUser(ctx);
  const prefix = randomToken(6).replace(/[-_]/g, 'x').slice(0, 8);
  const key = `tg_${prefix}_${randomToken(32)}`;
  const row = await repo.insertApiKey(ctx.db, {
    name: input.name,
    prefix,
    keyHash: sha256Hex(key),
    role: input.role,
    createdBy: userId,
  });
  await recordAudit(ctx, {
    action: 'api_key.create',
    entityType: 'api_key',
    entityId: row.id,
    accountId: null,
    after: { name: row.name, role: row.role, prefix },
  });
  return { key, apiKey: apiKeyDto(row) };
}

export async function listApiKeys(ctx: Ctx) {
  requireAdminUser(ctx);
  return (await repo.listApiKeys(ctx.db)).map(apiKeyDto);
}

/**
 * Revokes a key at once: this instance forgets its cached keys after the commit, before answering;
 * the others when the change notification reaches them (api-key-cache.ts).
 */
export async function revokeApiKey(ctx: Ctx, id: number, cache?: ApiKeyCache): Promise<void> {
  requireAdminUser(ctx);
  const revoked = await repo.revokeApiKey(ctx.db, id, ctx.now());
  cache?.clear();
  if (!revoked) throw apiKeyNotFound();
  await recordAudit(ctx, { action: 'api_key.revoke', entityType: 'api_key', entityId: id, accountId: null });
}

function apiKeyDto(r: {
  id: number;
  name: string;
  prefix: string;
  role: string;
  created_at: Date;
  last_used_at: Date | string | null;
  revoked_at: Date | string | null;
}) {
  return {
    id: r.id,
    name: r.name,
    prefix: r.prefix,
    role: r.role,
    createdAt: r.created_at.toISOString(),
    lastUsedAt: r.last_used_at ? new Date(r.last_used_at).toISOString() : null,
    revokedAt: r.revoked_at ? new Date(r.revoked_at).toISOString() : null,
  };
}

/**
 * On an empty database, creates the first admin: from the given email and password, or with a
 * generated password that the caller prints once. Returns null when an admin already exists.
 */
export async function ensureFirstAdmin(
  ctx: Ctx,
  opts: { email: string | null; password: string | null; generate: () => string },
): Promise<{ email: string; password: string | null; generated: boolean } | null> {
  if ((await repo.countAdmins(ctx.db)) > 0) return null;
  const email = opts.email ?? 'admin@tollgate.local';
  const generated = !opts.password;
  const password = opts.password ?? opts.generate();
  if (password.length < 10) throw new Error('TOLLGATE_ADMIN_PASSWORD must be at least 10 characters');
  const passwordHash = await hashPassword(password);
  // Two instances started together on an empty database: one creates the admin, the other sees it
  // (without the lock the second crashed on the unique login).
  const created = await inTransaction(ctx, async (tx) => {
    await repo.lockFirstAdminCreation(tx.db);
    if ((await repo.countAdmins(tx.db)) > 0) return false;
    await repo.insertUser(tx.db, {
      login: email,
      email,
      displayName: 'Administrator',
      role: 'admin',
      accountId: null,
      passwordHash,
    });
    return true;
  });
  if (!created) return null;
  return { email, password: generated ? password : null, generated };
}

function staffDto(u: repo.UserRecord) {
  return { id: u.id, email: u.email ?? u.login, displayName: u.displayName, role: u.role, status: u.status };
}

/** Creates an operator staff user (admin role). */
export async function createStaffUser(
  ctx: Ctx,
  input: { email: string; displayName: string; password: string },
) {
  requireAdminUser(ctx);
  if (input.password.toLowerCase() === input.email.toLowerCase())
    throw validationError('password', 'The password must differ from the email.');
  const passwordHash = await hashPassword(input.password);
  try {
    return await inTransaction(ctx, async (tx) => {
      const user = await repo.insertUser(tx.db, {
        login: input.email,
        email: input.email,
        displayName: input.displayName,
        role: 'admin',
        accountId: null,
        passwordHash,
      });
      await recordAudit(tx, {
        action: 'user.create',
        entityType: 'user',
        entityId: user.id,
        accountId: null,
        after: staffDto(user),
      });
      return staffDto(user);
    });
  } catch (err) {
    if (isUniqueViolation(err, 'users_login_key'))
      throw conflict('LOGIN_TAKEN', 'email', 'A user with this email or login already exists.');
    throw err;
  }
}

export async function listStaffUsers(ctx: Ctx) {
  requireAdminUser(ctx);
  return (await repo.listStaffUsers(ctx.db)).map(staffDto);
}

/** Edits a staff user; deactivation or a new password ends the user's sessions at once. */
export async function updateStaffUser(
  ctx: Ctx,
  id: number,
  patch: { displayName?: string; status?: 'active' | 'inactive'; password?: string },
) {
  requireAdminUser(ctx);
  const passwordHash = patch.password ? await hashPassword(patch.password) : undefined;
  return inTransaction(ctx, async (tx) => {
    const before = await repo.findStaffUser(tx.db, id);
    if (!before) throw notFound('USER_NOT_FOUND', 'User not found.');
    if (patch.status === 'inactive' && tx.actor.kind === 'admin' && tx.actor.userId === id)
      throw validationError('status', 'You cannot deactivate yourself.');
    await repo.updateUser(tx.db, id, { displayName: patch.displayName, status: patch.status, passwordHash });
    if (patch.status === 'inactive' || passwordHash) await repo.revokeSessionsOfUser(tx.db, id, tx.now());
    const after = (await repo.findStaffUser(tx.db, id))!;
    await recordAudit(tx, {
      action: 'user.update',
      entityType: 'user',
      entityId: id,
      accountId: null,
      before: staffDto(before),
      after: { ...staffDto(after), ...(passwordHash ? { password: 'changed' } : {}) },
    });
    return staffDto(after);
  });
}

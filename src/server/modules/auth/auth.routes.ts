import type { ApiKeyCache } from './api-key-cache.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type {} from '@fastify/rate-limit';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AppError } from '../../platform/errors.js';
import { Type } from 'typebox';
import { unauthenticated, loginRateLimited } from './auth.errors.js';
import * as auth from './auth.service.js';
import { SESSION_COOKIE } from './auth.service.js';

const ErrorBody = Type.Object({
  error: Type.Object({ code: Type.String(), message: Type.String(), details: Type.Optional(Type.Unknown()) }),
});

const Me = Type.Object({
  id: Type.Integer(),
  login: Type.String(),
  email: Type.Union([Type.String(), Type.Null()]),
  displayName: Type.String(),
  role: Type.String(),
  accountId: Type.Union([Type.Integer(), Type.Null()]),
  accountName: Type.Union([Type.String(), Type.Null()]),
  impersonated: Type.Boolean(),
  csrfToken: Type.String(),
  expiresAt: Type.String({ format: 'date-time' }),
});

function meOf(s: auth.SessionUser) {
  return {
    ...s.user,
    impersonated: s.user.impersonatorUserId !== null,
    csrfToken: s.csrfToken,
    expiresAt: s.expiresAt.toISOString(),
  };
}

/** Sign-in throttles (DOMAIN 3.14 as revised by issue 14): they slow an attacker, never lock the owner out. */
export interface LoginThrottle {
  /** Attempts per minute from one address, whatever the account. */
  perSourcePerMinute: number;
  /** Failed attempts per account in 15 minutes before it is throttled (except from known sources). */
  failuresPerAccount: number;
}

const ACCOUNT_WINDOW_MS = 15 * 60_000;

/**
 * Throttles sign-in by source and by account through @fastify/rate-limit (its store is Redis when
 * REDIS_URL is set, so every instance counts together). The account counter counts failures only
 * and is keyed by the login as typed, whether or not it exists, so the answer (429 with
 * Retry-After) tells nothing about which accounts exist. An address this user has signed in from
 * before is not throttled by account: an attacker elsewhere cannot lock the owner out.
 */
function createLoginThrottle(app: FastifyInstance, opts: LoginThrottle) {
  const loginOf = (req: FastifyRequest) =>
    ((req.body as { email?: string } | undefined)?.email ?? '').trim().toLowerCase();
  const bySource = app.createRateLimit({
    keyGenerator: (req) => `login-source:${req.ip}`,
    max: opts.perSourcePerMinute,
    timeWindow: 60_000,
  });
  const byAccount = app.createRateLimit({
    keyGenerator: (req) => `login-account:${loginOf(req)}`,
    max: opts.failuresPerAccount,
    timeWindow: ACCOUNT_WINDOW_MS,
    allowList: (req) => auth.isKnownLoginSource(req.ctx, loginOf(req), req.ip),
  });
  const refuse = (reply: FastifyReply, seconds: number) => {
    const wait = Math.max(1, seconds);
    void reply.header('retry-after', String(wait));
    return loginRateLimited(wait);
  };
  return {
    /** Before the password is checked: over either limit is a 429. */
    async check(req: FastifyRequest, reply: FastifyReply) {
      const source = await bySource(req);
      if (!source.isAllowed && source.isExceeded) throw refuse(reply, source.ttlInSeconds);
      // Reaching the limit is allowed; only going past it (a read, not counted) is refused.
      const account = await byAccount(req, { increment: false });
      if (!account.isAllowed && account.remaining <= 0 && account.ttlInSeconds > 0)
        throw refuse(reply, account.ttlInSeconds);
    },
    /** After a wrong password: one more failure on the account. */
    async fail(req: FastifyRequest) {
      await byAccount(req);
    },
  };
}

export const authRoutes =
  (opts: {
    sessionTtlHours: number;
    cookieSecure: boolean;
    throttle: LoginThrottle;
    /** The API-key cache of the auth hook: a revoke clears it before answering. */
    apiKeys?: ApiKeyCache;
  }): FastifyPluginAsyncTypebox =>
  async (app) => {
    const throttle = createLoginThrottle(app, opts.throttle);

    app.post(
      '/auth/login',
      {
        config: { public: true },
        schema: {
          tags: ['auth'],
          summary: 'Sign in: sets the session cookie; answer carries the CSRF token for later changes',
          body: Type.Object(
            {
              email: Type.String({
                minLength: 1,
                maxLength: 254,
                description: 'Admin email or portal username',
              }),
              password: Type.String({ minLength: 1, maxLength: 200 }),
            },
            { additionalProperties: false },
          ),
          response: { 200: Me, 401: ErrorBody, 429: ErrorBody },
        },
      },
      async (req, reply) => {
        await throttle.check(req, reply);
        let signedIn;
        try {
          signedIn = await auth.login(req.ctx, {
            login: req.body.email,
            password: req.body.password,
            ip: req.ip,
            userAgent: req.headers['user-agent'] ?? null,
            ttlHours: opts.sessionTtlHours,
          });
        } catch (err) {
          if (err instanceof AppError && err.code === 'INVALID_CREDENTIALS') await throttle.fail(req);
          throw err;
        }
        const { token, session } = signedIn;
        reply.setCookie(SESSION_COOKIE, token, {
          path: '/',
          httpOnly: true,
          sameSite: 'lax',
          secure: opts.cookieSecure,
          expires: session.expiresAt,
        });
        return meOf(session);
      },
    );

    app.post(
      '/auth/logout',
      {
        schema: { tags: ['auth'], summary: 'Sign out: revokes the session', response: { 204: Type.Null() } },
      },
      async (req, reply) => {
        const token = req.cookies?.[SESSION_COOKIE];
        if (token) await auth.logout(req.ctx, token);
        reply.clearCookie(SESSION_COOKIE, { path: '/' });
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/auth/me',
      { schema: { tags: ['auth'], summary: 'The signed-in user', response: { 200: Me, 401: ErrorBody } } },
      async (req) => {
        if (!req.session) throw unauthenticated();
        return meOf(req.session);
      },
    );

    const ApiKey = Type.Object({
      id: Type.Integer(),
      name: Type.String(),
      prefix: Type.String(),
      role: Type.String(),
      createdAt: Type.String(),
      lastUsedAt: Type.Union([Type.String(), Type.Null()]),
      revokedAt: Type.Union([Type.String(), Type.Null()]),
    });

    app.post(
      '/api-keys',
      {
        config: { roles: ['admin'] },
        schema: {
          tags: ['auth'],
          summary: 'Create an API key (the key is shown once)',
          body: Type.Object(
            {
              name: Type.String({ minLength: 1, maxLength: 100 }),
              role: Type.Optional(Type.Union([Type.Literal('admin'), Type.Literal('switch')])),
            },
            { additionalProperties: false },
          ),
          response: { 201: Type.Object({ key: Type.String(), apiKey: ApiKey }) },
        },
      },
      async (req, reply) => {
        const r = await auth.createApiKey(req.ctx, { name: req.body.name, role: req.body.role ?? 'admin' });
        return reply.status(201).send(r);
      },
    );

    app.get(
      '/api-keys',
      {
        config: { roles: ['admin'] },
        schema: {
          tags: ['auth'],
          summary: 'List API keys',
          response: { 200: Type.Object({ data: Type.Array(ApiKey) }) },
        },
      },
      async (req) => ({ data: await auth.listApiKeys(req.ctx) }),
    );

    app.delete(
      '/api-keys/:id',
      {
        config: { roles: ['admin'] },
        schema: {
          tags: ['auth'],
          summary: 'Revoke an API key',
          params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
          response: { 204: Type.Null() },
        },
      },
      async (req, reply) => {
        await auth.revokeApiKey(req.ctx, req.params.id, opts.apiKeys);
        return reply.status(204).send(null);
      },
    );

    const StaffUser = Type.Object({
      id: Type.Integer(),
      email: Type.String(),
      displayName: Type.String(),
      role: Type.String(),
      status: Type.String(),
    });

    app.get(
      '/users',
      {
        config: { roles: ['admin'] },
        schema: {
          tags: ['auth'],
          summary: 'List staff users',
          response: { 200: Type.Object({ data: Type.Array(StaffUser) }) },
        },
      },
      async (req) => ({ data: await auth.listStaffUsers(req.ctx) }),
    );

    app.post(
      '/users',
      {
        config: { roles: ['admin'] },
        schema: {
          tags: ['auth'],
          summary: 'Create a staff (admin) user',
          body: Type.Object(
            {
              email: Type.String({ format: 'email', maxLength: 254 }),
              displayName: Type.String({ minLength: 1, maxLength: 100 }),
              password: Type.String({ minLength: 10, maxLength: 200 }),
            },
            { additionalProperties: false },
          ),
          response: { 201: StaffUser },
        },
      },
      async (req, reply) => reply.status(201).send(await auth.createStaffUser(req.ctx, req.body)),
    );

    app.patch(
      '/users/:id',
      {
        config: { roles: ['admin'] },
        schema: {
          tags: ['auth'],
          summary: 'Edit a staff user (deactivation and password changes end its sessions)',
          params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
          body: Type.Object(
            {
              displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
              status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('inactive')])),
              password: Type.Optional(Type.String({ minLength: 10, maxLength: 200 })),
            },
            { additionalProperties: false, minProperties: 1 },
          ),
          response: { 200: StaffUser },
        },
      },
      async (req) => auth.updateStaffUser(req.ctx, req.params.id, req.body),
    );
  };

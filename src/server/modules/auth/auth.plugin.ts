import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Db } from '../../platform/db/database.js';
import { forbidden } from '../../platform/errors.js';
import { anonymousActor, type Ctx } from '../../platform/context.js';
import { actorOf, resolveApiKey, resolveSession, SESSION_COOKIE, type SessionUser } from './auth.service.js';
import { csrfInvalid, unauthenticated } from './auth.errors.js';
import type { ApiKeyCache } from './api-key-cache.js';
import '../../platform/http/types.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The session of a cookie-authenticated request (null for API keys and public routes). */
    session: SessionUser | null;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Resolves the actor of every /api route from the session cookie or an `Authorization: Bearer`
 * API key, enforces the route's declared roles, and checks the CSRF token on cookie-authenticated
 * changes. Routes marked `config.public` skip it.
 */
export function registerAuthHook(
  app: FastifyInstance,
  deps: { db: Db; now: () => Date; apiKeys?: ApiKeyCache },
): void {
  app.decorateRequest('ctx', null as unknown as Ctx);
  app.decorateRequest('session', null);
  app.addHook('onRequest', async (req: FastifyRequest) => {
    if (!req.url.startsWith('/api/v1/')) return;
    const base: Ctx = {
      // Public routes run as nobody: a route that forgets its guard fails closed.
      actor: anonymousActor,
      db: deps.db,
      now: deps.now,
      requestId: req.id,
    };
    req.ctx = base;
    const config = req.routeOptions.config;
    if (config?.public || !req.routeOptions.url) return;

    const authz = req.headers.authorization;
    if (authz?.startsWith('Bearer ')) {
      const actor = await resolveApiKey(base, authz.slice(7).trim(), deps.apiKeys);
      if (!actor) throw unauthenticated();
      req.ctx = { ...base, actor };
    } else {
      const token = req.cookies?.[SESSION_COOKIE];
      const session = token ? await resolveSession(base, token) : null;
      if (!session) throw unauthenticated();
      if (!SAFE_METHODS.has(req.method) && req.headers['x-csrf-token'] !== session.csrfToken)
        throw csrfInvalid();
      req.session = session;
      req.ctx = { ...base, actor: actorOf(session) };
    }
    const roles = config?.roles;
    const kind = req.ctx.actor.kind;
    if (roles && (kind === 'system' || kind === 'anonymous' || !roles.includes(kind))) throw forbidden();
    // A switch key reaches only the routes that name it; an open route ("any signed-in role") is not one.
    if (kind === 'switch' && !roles) throw forbidden();
  });
}

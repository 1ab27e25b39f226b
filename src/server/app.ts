import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import type { Redis } from 'ioredis';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fastifyStatic from '@fastify/static';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { sql } from 'kysely';
import type { Config } from './config.js';
import type { MailSettings } from './platform/mail/index.js';
import type { Database } from './platform/db/database.js';
import { frameworkErrorOptions, registerErrorHandler } from './platform/http/error-handler.js';
import { registerInputLimits } from './platform/http/input-limits.js';
import { LOOPBACK, registerMetrics, type MetricsAccess } from './platform/http/metrics.js';
import { registerValidators } from './platform/http/validator.js';
import { ApiKeyCache, authRoutes, registerAuthHook, registerSignInHook } from './modules/auth/index.js';
import { accountRoutes } from './modules/accounts/index.js';
import { dashboardRoutes } from './modules/dashboard/index.js';
import { preferenceRoutes } from './modules/preferences/index.js';
import { settingsRoutes } from './modules/settings/index.js';
import { ledgerAdminRoutes, ledgerRoutes, ledgerAccountHooks } from './modules/ledger/index.js';
import { exportRoutes } from './modules/exports/index.js';
import { templateRoutes } from './modules/templates/index.js';
import { importRoutes } from './modules/imports/index.js';
import { massCreateRoutes } from './modules/mass-create/index.js';
import { configureSecretKey } from './platform/secrets.js';
import { trunkRoutes, trunkAccountHooks } from './modules/trunks/index.js';
import { sipDeviceRoutes, sipDeviceAccountHooks } from './modules/sip-devices/index.js';
import { rateGroupRoutes, rateGroupAccountHooks, rateOverrideRoutes } from './modules/rate-groups/index.js';
import { localizationRoutes, localizationAccountHooks } from './modules/localizations/index.js';
import { callerIdRoutes, callerIdAccountHooks } from './modules/caller-ids/index.js';
import { blockedCodeRoutes, blockedCodeAccountHooks } from './modules/blocked-codes/index.js';
import { speedDialRoutes, speedDialAccountHooks } from './modules/speed-dials/index.js';
import { didRoutes, didAccountHooks } from './modules/dids/index.js';
import {
  callAuthRoutes,
  heldFor,
  levelUsage,
  startCallAuth,
  type CallAuthOptions,
  type CallAuthRuntime,
} from './modules/call-auth/index.js';
import { cdrRoutes } from './modules/cdrs/index.js';
import {
  mailTemplateRoutes,
  notificationAccountHooks,
  notificationRoutes,
  recordSignIn,
} from './modules/notifications/index.js';
import { NO_MAIL } from './platform/mail/index.js';
import { jobMetrics, jobRoutes } from './modules/jobs/index.js';
import { systemActor } from './platform/context.js';
import { registerAccountHooks } from './platform/account-lifecycle.js';

/**
 * What each module does when an account is created, changed or deleted (issue 11): registered
 * here, so the accounts module knows none of them. They run in this order.
 */
export function registerModuleAccountHooks(): void {
  registerAccountHooks('rate-groups', rateGroupAccountHooks);
  registerAccountHooks('localizations', localizationAccountHooks);
  registerAccountHooks('ledger', ledgerAccountHooks);
  registerAccountHooks('trunks', trunkAccountHooks);
  registerAccountHooks('sip-devices', sipDeviceAccountHooks);
  registerAccountHooks('caller-ids', callerIdAccountHooks);
  registerAccountHooks('speed-dials', speedDialAccountHooks);
  registerAccountHooks('blocked-codes', blockedCodeAccountHooks);
  registerAccountHooks('dids', didAccountHooks);
  registerAccountHooks('notifications', notificationAccountHooks);
  registerSignInHook('notifications', recordSignIn);
}

export interface AppDeps {
  config: Pick<Config, 'logLevel' | 'sessionTtlHours' | 'cookieSecure' | 'trustProxy' | 'serveUi'>;
  database: Database;
  now?: () => Date;
  /** Where the built admin UI lives; served at / when present. */
  webRoot?: string;
  logger?: boolean;
  /** Sign-in attempts per minute from one address (default 20). */
  loginAttemptsPerMinute?: number;
  /** Failed sign-ins per account in 15 minutes before it is throttled (default 10). */
  loginFailuresPerAccount?: number;
  /** Who may read /metrics; default: loopback addresses only. */
  metrics?: MetricsAccess;
  /** Shared store of the rate limits (REDIS_URL): every instance counts together. Absent: in process. */
  redis?: Redis | null;
  /** Encrypts stored SIP secrets (platform/secrets.ts); tests omit it and get a per-process key. */
  secretKey?: string;
  /** Call authorization: REDIS_URL, grant settings, sweeper interval (defaults: memory, 300/7200 s, 10 s). */
  callAuth?: Omit<CallAuthOptions, 'database' | 'now' | 'log'>;
  /** Outgoing mail settings (the transport itself is used by the jobs only); default: no SMTP. */
  mail?: MailSettings;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Call authorization's engine and sweeper (tests drive them). */
    callAuth: CallAuthRuntime;
  }
}

/** Builds the HTTP app: platform plugins first, then every module's routes. Does not listen. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const now = deps.now ?? (() => new Date());
  if (deps.secretKey) configureSecretKey(deps.secretKey);
  const app = Fastify({
    logger: deps.logger === false ? false : { level: deps.config.logLevel },
    trustProxy: deps.config.trustProxy,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,100}$/.test(given) ? given : crypto.randomUUID();
    },
    bodyLimit: 1024 * 1024,
    ...frameworkErrorOptions,
  }).withTypeProvider<TypeBoxTypeProvider>();

  registerModuleAccountHooks();
  registerValidators(app);
  registerInputLimits(app);
  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });

  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        // MUI (emotion) and Swagger UI add <style> elements at run time.
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        // Behind HTTPS only (COOKIE_SECURE): on plain HTTP it would break every request.
        upgradeInsecureRequests: deps.config.cookieSecure ? [] : null,
      },
    },
    strictTransportSecurity: deps.config.cookieSecure ? { maxAge: 15_552_000 } : false,
  });
  await app.register(cookie);
  // Limits are applied where declared (sign-in), not to every route; counted in Redis when given.
  await app.register(rateLimit, {
    global: false,
    ...(deps.redis ? { redis: deps.redis, nameSpace: 'tollgate-rl:' } : {}),
  });
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Tollgate API',
        version: '1.0.0',
        description: 'Customer management for VoIP carriers.',
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'tg_session' },
          apiKey: { type: 'http', scheme: 'bearer' },
        },
      },
      security: [{ session: [] }, { apiKey: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });
  app.get('/api/openapi.json', { config: { public: true }, schema: { hide: true } }, async () =>
    app.swagger(),
  );

  const callAuth = await startCallAuth({ ...deps.callAuth, database: deps.database, now, log: app.log });
  app.decorate('callAuth', callAuth);
  app.addHook('onClose', async () => callAuth.close());

  registerErrorHandler(app);
  registerMetrics(app, deps.database.pool, deps.metrics ?? { token: null, allow: LOOPBACK }, () =>
    jobMetrics({ actor: systemActor, db: deps.database.db, now }),
  );
  const apiKeys = await ApiKeyCache.start(deps.database.listen);
  app.addHook('onClose', async () => apiKeys.close());
  registerAuthHook(app, { db: deps.database.db, now, apiKeys });

  app.get('/health', { schema: { hide: true } }, async (_req, reply) => {
    try {
      await sql`SELECT 1`.execute(deps.database.db);
      return { status: 'ok', database: deps.database.kind };
    } catch {
      return reply.status(503).send({ status: 'unavailable', database: deps.database.kind });
    }
  });

  await app.register(
    async (api) => {
      await api.register(
        authRoutes({
          sessionTtlHours: deps.config.sessionTtlHours,
          cookieSecure: deps.config.cookieSecure,
          apiKeys,
          throttle: {
            perSourcePerMinute: deps.loginAttemptsPerMinute ?? 20,
            failuresPerAccount: deps.loginFailuresPerAccount ?? 10,
          },
        }),
      );
      await api.register(exportRoutes({ pool: deps.database.pool }));
      await api.register(templateRoutes);
      await api.register(importRoutes);
      await api.register(massCreateRoutes);
      await api.register(accountRoutes('customer'));
      await api.register(accountRoutes('provider'));
      await api.register(accountRoutes('reseller'));
      await api.register(dashboardRoutes);
      await api.register(preferenceRoutes);
      const heldForLiveCalls = (accountId: number) => heldFor(callAuth.engine, accountId);
      for (const kind of ['customer', 'reseller'] as const)
        await api.register(ledgerRoutes(kind, { heldForLiveCalls }));
      await api.register(ledgerAdminRoutes);
      const liveUsage = (keys: string[]) => levelUsage(callAuth.engine, keys, now().getTime());
      await api.register(trunkRoutes({ liveUsage }));
      await api.register(sipDeviceRoutes);
      await api.register(
        rateGroupRoutes({ pgPool: deps.database.kind === 'postgres' ? deps.database.pool : null }),
      );
      await api.register(localizationRoutes);
      await api.register(callerIdRoutes);
      await api.register(blockedCodeRoutes);
      await api.register(speedDialRoutes);
      await api.register(rateOverrideRoutes);
      await api.register(didRoutes);
      await api.register(callAuthRoutes(callAuth.engine));
      await api.register(cdrRoutes(callAuth.engine));
      await api.register(mailTemplateRoutes);
      await api.register(notificationRoutes(deps.mail ?? NO_MAIL));
      await api.register(jobRoutes);
      await api.register(settingsRoutes);
    },
    { prefix: '/api/v1' },
  );

  const webRoot = deps.webRoot;
  if (deps.config.serveUi && webRoot && fs.existsSync(path.join(webRoot, 'index.html'))) {
    await app.register(fastifyStatic, { root: webRoot, prefix: '/', wildcard: false });
    // Client-side routes fall back to the app shell.
    app.get('/*', { schema: { hide: true } }, (req, reply) => {
      // A missing file (`/favicon.ico`, an old asset) is a 404, not the app shell's HTML.
      const isFile = /\.[A-Za-z0-9]{1,8}$/.test(req.url.split('?')[0]!);
      if (req.url.startsWith('/api/') || isFile) {
        return reply.status(404).send({
          error: {
            code: 'ROUTE_NOT_FOUND',
            message: `No route ${req.method} ${req.url.slice(0, 200)}`,
            details: {},
          },
        });
      }
      return reply.sendFile('index.html');
    });
  }
  return app;
}

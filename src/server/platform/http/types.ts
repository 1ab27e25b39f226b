import type { Ctx } from '../context.js';

/** 'switch' is a softswitch's API key: it reaches only routes that name it. */
export type Role = 'admin' | 'reseller' | 'customer' | 'switch';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who acts, with the database and clock: set by the auth hook on every /api/v1 route. */
    ctx: Ctx;
  }
  interface FastifyContextConfig {
    /** No sign-in needed (login, health). */
    public?: boolean;
    /** The roles that may call this route; absent = any signed-in role. */
    roles?: Role[];
  }
}

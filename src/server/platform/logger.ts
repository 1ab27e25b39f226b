import { pino, type Logger } from 'pino';

/**
 * The process's logger outside a request (start-up, the database pool, the UI build): the same
 * pino that Fastify logs requests with, so every line of the process is JSON on stdout, at LOG_LEVEL.
 */
export const logger: Logger = pino({ level: process.env.LOG_LEVEL ?? 'info' });

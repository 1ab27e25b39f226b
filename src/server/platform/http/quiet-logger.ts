import type { FastifyBaseLogger } from 'fastify';
import type { Bindings, ChildLoggerOptions } from 'fastify/types/logger.js';

/*
 * A request logger for routes that log at `warn` and above only (the call decision routes, issue
 * 12). Fastify makes a child logger per request, and with a route log level pino rebuilds every
 * log method of that child: ~1.3 % of a decision's CPU for a logger that almost never writes.
 * This one costs an object: info/debug/trace do nothing, and the first warn/error/fatal makes the
 * real child (same bindings and level as Fastify's) and writes through it.
 */

const noop = () => {};

export function warnOnlyChildLogger(
  logger: FastifyBaseLogger,
  bindings: Bindings,
  opts: ChildLoggerOptions,
): FastifyBaseLogger {
  let real: FastifyBaseLogger | null = null;
  const child = () => (real ??= logger.child(bindings, { ...opts, level: 'warn' }));
  const quiet = {
    level: 'warn',
    info: noop,
    debug: noop,
    trace: noop,
    silent: noop,
    warn: (...args: unknown[]) => (child().warn as (...a: unknown[]) => void)(...args),
    error: (...args: unknown[]) => (child().error as (...a: unknown[]) => void)(...args),
    fatal: (...args: unknown[]) => (child().fatal as (...a: unknown[]) => void)(...args),
    child: (b: Bindings, o?: ChildLoggerOptions) => child().child(b, o),
  };
  return quiet as unknown as FastifyBaseLogger;
}

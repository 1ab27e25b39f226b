import type { FastifyBaseLogger } from 'fastify';
import type { Bindings, ChildLoggerOptions } from 'fastify/types/logger.js';

/*
 * A request logger for routes that log at `warn` and above only (the call decision routes, issue
 * 12). Fastify makes a child logger per request, and with a route log level pino rebuilds every
 * log method of that child: ~1.3 % of a decision's CPU for a logger that almost never writes.
 * This one costs one small object (methods on the prototype): info/debug/trace do nothing, and
 * the first warn/error/fatal makes the real child (same bindings and level as Fastify's) and
 * writes through it.
 */
class WarnOnlyLogger {
  readonly level = 'warn';
  private real: FastifyBaseLogger | null = null;

  constructor(
    private readonly parent: FastifyBaseLogger,
    private readonly bindings: Bindings,
    private readonly opts: ChildLoggerOptions,
  ) {}

  private get target(): FastifyBaseLogger {
    return (this.real ??= this.parent.child(this.bindings, { ...this.opts, level: 'warn' }));
  }

  info(): void {}
  debug(): void {}
  trace(): void {}
  silent(): void {}
  warn(...args: unknown[]): void {
    const t = this.target;
    (t.warn as (...a: unknown[]) => void).apply(t, args);
  }
  error(...args: unknown[]): void {
    const t = this.target;
    (t.error as (...a: unknown[]) => void).apply(t, args);
  }
  fatal(...args: unknown[]): void {
    const t = this.target;
    (t.fatal as (...a: unknown[]) => void).apply(t, args);
  }
  child(b: Bindings, o?: ChildLoggerOptions): FastifyBaseLogger {
    return this.target.child(b, o);
  }
}

export function warnOnlyChildLogger(
  logger: FastifyBaseLogger,
  bindings: Bindings,
  opts: ChildLoggerOptions,
): FastifyBaseLogger {
  return new WarnOnlyLogger(logger, bindings, opts) as unknown as FastifyBaseLogger;
}

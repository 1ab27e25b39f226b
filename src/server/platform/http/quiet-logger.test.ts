import { describe, expect, it } from 'vitest';
import pino from 'pino';
import type { FastifyBaseLogger } from 'fastify';
import { warnOnlyChildLogger } from './quiet-logger.js';

describe('warn-only request logger', () => {
  it('drops info and below; warn and above go through a child with the request id', () => {
    const lines: string[] = [];
    const root = pino({ level: 'info' }, { write: (s: string) => lines.push(s) });
    const log = warnOnlyChildLogger(root as unknown as FastifyBaseLogger, { reqId: 'r1' }, {});
    log.info('dropped');
    log.debug('dropped');
    log.warn({ a: 1 }, 'w');
    log.error(new Error('boom'), 'e');
    log.child({ x: 1 }).warn('c');
    const got = lines.map((s) => JSON.parse(s) as { level: number; reqId: string; msg: string; x?: number });
    expect(got.map((o) => [o.level, o.reqId, o.msg, o.x])).toEqual([
      [40, 'r1', 'w', undefined],
      [50, 'r1', 'e', undefined],
      [40, 'r1', 'c', 1],
    ]);
  });
});

import { BlockList, isIP } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type pg from 'pg';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { AppError } from '../errors.js';

/** Who may read /metrics: a bearer token, or an address in one of the CIDRs (default loopback). */
export interface MetricsAccess {
  token: string | null;
  allow: string[];
}

export const LOOPBACK = ['127.0.0.0/8', '::1/128'];

/** A BlockList of CIDRs ("10.0.0.0/8", "::1/128", or a bare address); throws on a bad one. */
export function cidrList(cidrs: string[]): BlockList {
  const list = new BlockList();
  for (const raw of cidrs) {
    const [addr, bits] = raw.trim().split('/');
    const family = isIP(addr ?? '');
    if (!family) throw new Error(`not an address: "${raw}"`);
    const type = family === 6 ? 'ipv6' : 'ipv4';
    const prefix = bits === undefined ? (family === 6 ? 128 : 32) : Number(bits);
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === 6 ? 128 : 32))
      throw new Error(`bad prefix length: "${raw}"`);
    list.addSubnet(addr!, prefix, type);
  }
  return list;
}

function allowed(list: BlockList, ip: string): boolean {
  const family = isIP(ip);
  if (!family) return false;
  if (family === 6 && ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4)
    return list.check(ip.slice(7), 'ipv4');
  return list.check(ip, family === 6 ? 'ipv6' : 'ipv4');
}

function hasToken(req: FastifyRequest, token: string): boolean {
  const given = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Prometheus metrics through prom-client: requests and latency by route, database pool use and
 * the process defaults. /metrics lists every route, so it is served only to the configured token
 * or addresses (loopback by default); anyone else gets a 404, as if it did not exist.
 */
export function registerMetrics(
  app: FastifyInstance,
  pool: pg.Pool,
  access: MetricsAccess,
  /** More exposition lines from the modules (jobs by status), computed at scrape time. */
  extra?: () => Promise<string[]>,
): void {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const labelNames = ['method', 'route', 'status'] as const;
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests by method, route and status.',
    labelNames,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by route.',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  new Gauge({
    name: 'db_pool_connections',
    help: 'Database pool connections by state.',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      this.set({ state: 'total' }, pool.totalCount);
      this.set({ state: 'idle' }, pool.idleCount);
      this.set({ state: 'waiting' }, pool.waitingCount);
    },
  });
  const allowList = cidrList(access.allow);

  app.addHook('onResponse', async (req, reply) => {
    // Unmatched URLs share one label: a scan must not grow the series without bound.
    const route = req.routeOptions.url ?? 'unmatched';
    if (route === '/metrics') return;
    requests.inc({ method: req.method, route, status: String(reply.statusCode) });
    latency.observe({ method: req.method, route }, reply.elapsedTime / 1000);
  });

  app.get('/metrics', { schema: { hide: true } }, async (req, reply) => {
    const ok = access.token ? hasToken(req, access.token) : false;
    if (!ok && !allowed(allowList, req.ip)) throw new AppError('ROUTE_NOT_FOUND', `No route GET /metrics`);
    const more = extra ? (await extra()).join('\n') + '\n' : '';
    return reply.type(registry.contentType).send((await registry.metrics()) + more);
  });
}

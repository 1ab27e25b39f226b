import type { FastifyInstance } from 'fastify';
import type pg from 'pg';

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface Series {
  count: number;
  sum: number;
  buckets: number[];
}

/** Prometheus text metrics: requests and latency by route, and database pool use. Hand-rolled: small. */
export function registerMetrics(
  app: FastifyInstance,
  pool: pg.Pool,
  /** More lines from the modules (jobs by status), computed at scrape time. */
  extra?: () => Promise<string[]>,
): void {
  const requests = new Map<string, number>();
  const latency = new Map<string, Series>();
  const esc = (s: string) => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');

  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    if (route === '/metrics') return;
    const key = `method="${req.method}",route="${esc(route)}",status="${reply.statusCode}"`;
    requests.set(key, (requests.get(key) ?? 0) + 1);
    const lkey = `method="${req.method}",route="${esc(route)}"`;
    const seconds = reply.elapsedTime / 1000;
    let s = latency.get(lkey);
    if (!s) latency.set(lkey, (s = { count: 0, sum: 0, buckets: BUCKETS.map(() => 0) }));
    s.count++;
    s.sum += seconds;
    BUCKETS.forEach((b, i) => {
      if (seconds <= b) s.buckets[i]++;
    });
  });

  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
    const lines: string[] = [];
    lines.push('# HELP http_requests_total HTTP requests by method, route and status.');
    lines.push('# TYPE http_requests_total counter');
    for (const [k, v] of requests) lines.push(`http_requests_total{${k}} ${v}`);
    lines.push('# HELP http_request_duration_seconds HTTP request latency by route.');
    lines.push('# TYPE http_request_duration_seconds histogram');
    for (const [k, s] of latency) {
      BUCKETS.forEach((b, i) =>
        lines.push(`http_request_duration_seconds_bucket{${k},le="${b}"} ${s.buckets[i]}`),
      );
      lines.push(`http_request_duration_seconds_bucket{${k},le="+Inf"} ${s.count}`);
      lines.push(`http_request_duration_seconds_sum{${k}} ${s.sum}`);
      lines.push(`http_request_duration_seconds_count{${k}} ${s.count}`);
    }
    lines.push('# HELP db_pool_connections Database pool connections by state.');
    lines.push('# TYPE db_pool_connections gauge');
    lines.push(`db_pool_connections{state="total"} ${pool.totalCount}`);
    lines.push(`db_pool_connections{state="idle"} ${pool.idleCount}`);
    lines.push(`db_pool_connections{state="waiting"} ${pool.waitingCount}`);
    lines.push('# HELP process_resident_memory_bytes Resident memory size in bytes.');
    lines.push('# TYPE process_resident_memory_bytes gauge');
    lines.push(`process_resident_memory_bytes ${process.memoryUsage().rss}`);
    if (extra) lines.push(...(await extra()));
    return reply.type('text/plain; version=0.0.4').send(lines.join('\n') + '\n');
  });
}

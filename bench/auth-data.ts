import crypto from 'node:crypto';
import type pg from 'pg';

/**
 * Data of the call-authorization bench (`bench:auth`), generated inside PostgreSQL with
 * set-based INSERT ... SELECT over generate_series, and the formulas the load generator uses to
 * aim at it (both sides compute the same hosts, addresses and numbers from an index, so nothing
 * is exchanged but the sizes).
 *
 * Shape: `resellers` resellers (postpaid, unlimited credit), `customers` prepaid customers (every
 * third under a reseller), one trunk and one /32 host for every `customers / hosts`-th customer,
 * `rateGroups` rate groups sharing `rates` rates (codes 1 .. rates/rateGroups in each, so codes
 * nest as in real decks: 4, 44, 442 ...). A host's category (index % 100) decides what its calls
 * meet, so every refusal reason has hosts of its own.
 */

export interface AuthBenchSizes {
  customers: number;
  hosts: number;
  rates: number;
  rateGroups: number;
  resellers: number;
}

/** What a host's calls meet, by host index % 100. Everything not listed is a plain allowed host. */
export const CATEGORY = {
  accountInactive: 0,
  noFunds: 1,
  hostInactive: 2,
  trunkInactive: 3,
  trunkCps: 4,
  hostCallLimit: 5,
  customerCps: 6,
  blocked: 7,
  techPrefixA: 8,
  techPrefixB: 9,
} as const;

export const BLOCKED_PREFIX = '1999';
export const TECH_PREFIX = '77';

export const hostIp = (h: number) => `10.${(h >> 16) & 255}.${(h >> 8) & 255}.${h & 255}`;
export const stride = (s: AuthBenchSizes) => Math.max(1, Math.floor(s.customers / s.hosts));

/** The bench's switch key (a fixed secret: the database is the bench's own and dropped each run). */
export const BENCH_SWITCH_KEY = 'tg_benchkey_' + 'b'.repeat(43);
export const sha256Hex = (s: string) => crypto.createHash('sha256').update(s).digest('hex');

async function step(c: pg.Client, label: string, text: string, values: unknown[] = []): Promise<number> {
  const t = performance.now();
  await c.query(text, values);
  const ms = performance.now() - t;
  process.stdout.write(`  ${label}: ${(ms / 1000).toFixed(1)} s\n`);
  return ms;
}

/** Fills an empty, migrated database. Returns the generation time in ms. */
export async function generateAuthData(c: pg.Client, s: AuthBenchSizes): Promise<number> {
  const t0 = performance.now();
  const perGroup = Math.ceil(s.rates / s.rateGroups);
  const k = stride(s);
  await c.query(`SET maintenance_work_mem = '512MB'`);
  await step(
    c,
    `${s.rateGroups} rate groups`,
    `INSERT INTO rate_groups (name, currency, initial_increment, billing_increment)
     SELECT 'Bench group ' || g, 'USD', CASE WHEN g % 2 = 0 THEN 60 ELSE 1 END,
            CASE WHEN g % 2 = 0 THEN 60 ELSE 1 END
       FROM generate_series(1, $1::int) g`,
    [s.rateGroups],
  );
  // The unique index (group, prefix, from) is rebuilt after the load: faster than row by row.
  await c.query(`DROP INDEX rates_group_prefix_from_key`);
  await step(
    c,
    `${s.rates} rates`,
    `INSERT INTO rates (rate_group_id, prefix, destination, rate_per_min, connect_fee, included_seconds,
                        initial_increment, billing_increment, effective_from)
     SELECT rg.id, (1 + (n - 1) / $2::int)::text, 'Destination ' || (1 + (n - 1) / $2::int),
            (0.005 + ((n * 7) % 200) / 1000.0)::numeric(20,6),
            CASE WHEN n % 5 = 0 THEN 0.01 ELSE 0 END, 0, 0, 0, now() - interval '1 day'
       FROM generate_series(1, $1::int) n
       JOIN rate_groups rg ON rg.name = 'Bench group ' || (1 + (n - 1) % $2::int)`,
    [perGroup * s.rateGroups, s.rateGroups],
  );
  await step(
    c,
    'rates index',
    `CREATE UNIQUE INDEX rates_group_prefix_from_key ON rates (rate_group_id, prefix, effective_from)`,
  );
  await step(
    c,
    `${s.resellers} resellers`,
    `INSERT INTO accounts (account_number, is_reseller, name, country, timezone, currency, mode,
                           credit_limit, unlimited_credit, balance, rate_group_id)
     SELECT (2000000000 + r)::text, true, 'Bench reseller ' || r, 'US', 'America/New_York', 'USD',
            'postpaid', 0, true, 0, (SELECT id FROM rate_groups WHERE name = 'Bench group ' || (1 + r % $2::int))
       FROM generate_series(1, $1::int) r`,
    [s.resellers, s.rateGroups],
  );
  await c.query(
    `CREATE TEMP TABLE bench_groups AS SELECT row_number() OVER (ORDER BY id) - 1 AS k, id FROM rate_groups`,
  );
  await c.query(
    `CREATE TEMP TABLE bench_resellers AS
     SELECT (account_number::bigint - 2000000000)::int AS r, id FROM accounts WHERE is_reseller`,
  );
  // Customers: host owners are every k-th; their host's category decides status, balance, limits.
  await step(
    c,
    `${s.customers} customers`,
    `INSERT INTO accounts (account_number, name, country, timezone, currency, mode, credit_limit, balance,
                           status, rate_group_id, parent_id, ancestor_ids, cps_limit)
     SELECT (1000000000 + g)::text, 'Bench customer ' || g, 'US', 'America/New_York', 'USD', 'prepaid', 0,
            CASE WHEN g % $2::int = 0 AND (g / $2::int) % 100 = ${CATEGORY.noFunds} THEN 0 ELSE 1000 END,
            CASE WHEN g % $2::int = 0 AND (g / $2::int) % 100 = ${CATEGORY.accountInactive}
                 THEN 'inactive' ELSE 'active' END,
            bg.id, br.id, CASE WHEN br.id IS NULL THEN '{}'::bigint[] ELSE ARRAY[br.id] END,
            CASE WHEN g % $2::int = 0 AND (g / $2::int) % 100 = ${CATEGORY.customerCps} THEN 1 END
       FROM generate_series(1, $1::int) g
       JOIN bench_groups bg ON bg.k = g % $3::int
       LEFT JOIN bench_resellers br ON g % 3 = 0 AND br.r = 1 + g % $4::int`,
    [s.customers, k, s.rateGroups, s.resellers],
  );
  await step(
    c,
    `${s.hosts} trunks`,
    `INSERT INTO trunks (account_id, name, status, cps_limit)
     SELECT a.id, 'bench-' || h,
            CASE WHEN h % 100 = ${CATEGORY.trunkInactive} THEN 'inactive' ELSE 'active' END,
            CASE WHEN h % 100 = ${CATEGORY.trunkCps} THEN 1 END
       FROM generate_series(1, $1::int) h
       JOIN accounts a ON a.account_number = (1000000000 + h * $2::int)::text`,
    [s.hosts, k],
  );
  await step(
    c,
    `${s.hosts} hosts`,
    `INSERT INTO hosts (trunk_id, account_id, cidr, tech_prefix, status, call_limit)
     SELECT t.id, t.account_id,
            ('10.' || ((h >> 16) & 255) || '.' || ((h >> 8) & 255) || '.' || (h & 255) || '/32')::cidr,
            CASE WHEN h % 100 IN (${CATEGORY.techPrefixA}, ${CATEGORY.techPrefixB}) THEN '${TECH_PREFIX}' ELSE '' END,
            CASE WHEN h % 100 = ${CATEGORY.hostInactive} THEN 'inactive' ELSE 'active' END,
            CASE WHEN h % 100 = ${CATEGORY.hostCallLimit} THEN 1 END
       FROM trunks t CROSS JOIN LATERAL (SELECT substr(t.name, 7)::int AS h) x`,
  );
  await step(
    c,
    'blocked codes',
    `INSERT INTO blocked_codes (account_id, prefix)
     SELECT a.id, '${BLOCKED_PREFIX}' FROM accounts a
      WHERE NOT a.is_reseller
        AND (a.account_number::bigint - 1000000000) % $1::int = 0
        AND ((a.account_number::bigint - 1000000000) / $1::int) % 100 = ${CATEGORY.blocked}
     UNION ALL
     SELECT a.id, '900' FROM accounts a WHERE NOT a.is_reseller AND a.id % 10 = 0`,
    [k],
  );
  await c.query(
    `INSERT INTO users (login, email, display_name, role) VALUES ('bench-admin', 'bench@example.com', 'Bench', 'admin')`,
  );
  await c.query(
    `INSERT INTO api_keys (name, prefix, key_hash, role, created_by)
     SELECT 'bench switch', 'benchkey', $1, 'switch', id FROM users WHERE login = 'bench-admin'`,
    [sha256Hex(BENCH_SWITCH_KEY)],
  );
  await step(c, 'analyze', `ANALYZE`);
  return performance.now() - t0;
}

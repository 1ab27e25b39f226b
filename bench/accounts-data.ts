import type pg from 'pg';

/**
 * Bulk data for the accounts benchmark: resellers, then customers under them, then one portal
 * user per account, all generated inside PostgreSQL (INSERT ... SELECT over generate_series).
 *
 * The indexes the migration created are taken off the two tables for the load and rebuilt after
 * it from their own definitions (read back from pg_indexes), so the benchmark always measures
 * exactly the migration's indexes. Foreign keys and CHECK constraints stay on during the load.
 */

export interface GenerateOptions {
  resellers: number;
  customers: number;
  /** Resellers numbered above this are sub-resellers of a top-level one (any-depth subtree). */
  topLevelResellers: number;
  seed: number;
}

export interface GenerateTimings {
  loadMs: number;
  indexMs: number;
  analyzeMs: number;
  totalMs: number;
}

const FIRST = [
  'James', 'Mary', 'John', 'Patricia', 'Robert', 'Jennifer', 'Michael', 'Linda', 'William', 'Elizabeth',
  'David', 'Barbara', 'Richard', 'Susan', 'Joseph', 'Jessica', 'Thomas', 'Sarah', 'Carlos', 'Maria',
  'Ahmed', 'Fatima', 'Wei', 'Mei', 'Hiroshi', 'Yuki', 'Ivan', 'Olga', 'Luca', 'Giulia', 'Pierre',
  'Camille', 'Hans', 'Anna', 'Raj', 'Priya', 'Kwame', 'Amara', 'Diego', 'Sofia', 'Omar', 'Leila',
  'Sven', 'Ingrid', 'Pavel', 'Elena', 'Tariq', 'Nadia',
]; // prettier-ignore

const LAST = [
  'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez',
  'Hernandez', 'Lopez', 'Gonzalez', 'Wilson', 'Anderson', 'Taylor', 'Moore', 'Jackson', 'Martin', 'Lee',
  'Nguyen', 'Chen', 'Wang', 'Kim', 'Tanaka', 'Sato', 'Ivanov', 'Petrov', 'Rossi', 'Bianchi', 'Dubois',
  'Moreau', 'Muller', 'Schmidt', 'Patel', 'Sharma', 'Mensah', 'Okafor', 'Silva', 'Santos', 'Haddad',
  'Khan', 'Larsen', 'Nilsson', 'Novak', 'Kowalski', 'Yilmaz', 'Demir',
]; // prettier-ignore

const COMPANY_A = [
  'Blue', 'Global', 'Nova', 'Prime', 'Apex', 'Vertex', 'Silver', 'Atlas', 'Zenith', 'North', 'Delta',
  'Orbit', 'Pulse', 'Echo', 'Summit', 'Horizon', 'Quantum', 'Rapid', 'Clear', 'Bright', 'Iron', 'Urban',
  'Metro', 'Coastal', 'Pacific', 'Alpine', 'Golden', 'Crystal', 'Solid', 'Swift',
]; // prettier-ignore

const COMPANY_B = [
  'Telecom', 'Networks', 'Communications', 'VoIP', 'Telco', 'Connect', 'Voice', 'Carrier', 'Solutions',
  'Systems', 'Dial', 'Call', 'Link', 'Wave', 'Signal', 'Media', 'Data', 'Cloud', 'Fiber', 'Line',
]; // prettier-ignore

const LEGAL = ['LLC', 'Ltd', 'Inc', 'GmbH', 'SA', 'BV', 'SRL', 'Pty Ltd', 'AB', 'Oy'];
const MAIL_DOMAINS = ['gmail.com', 'outlook.com', 'yahoo.com', 'proton.me', 'mail.de', 'orange.fr'];
const PLACES: [string, string, string][] = [
  ['US', 'America/New_York', 'USD'],
  ['US', 'America/Chicago', 'USD'],
  ['US', 'America/Los_Angeles', 'USD'],
  ['GB', 'Europe/London', 'GBP'],
  ['DE', 'Europe/Berlin', 'EUR'],
  ['FR', 'Europe/Paris', 'EUR'],
  ['ES', 'Europe/Madrid', 'EUR'],
  ['IT', 'Europe/Rome', 'EUR'],
  ['NL', 'Europe/Amsterdam', 'EUR'],
  ['IN', 'Asia/Kolkata', 'INR'],
  ['BR', 'America/Sao_Paulo', 'BRL'],
  ['NG', 'Africa/Lagos', 'NGN'],
  ['AE', 'Asia/Dubai', 'AED'],
  ['JP', 'Asia/Tokyo', 'JPY'],
];

/** A fixed word that only every 10,000th company carries: the "rare term" of the searches. */
export const RARE_COMPANY_WORD = 'Quokka';

function arr(values: string[]): string {
  return `ARRAY[${values.map((v) => `'${v.replace(/'/g, "''")}'`).join(',')}]::text[]`;
}

/** `pick(list, expr)`: the element of a SQL text array chosen by an integer expression. */
function pick(list: string[], expr: string): string {
  return `(${arr(list)})[1 + ((${expr}) % ${list.length})]`;
}

/** A rough order of index build cost: arrays and wide keys sort slowest. */
function buildWeight(def: string): number {
  if (def.includes('ancestor_ids) INCLUDE')) return 4;
  if (def.includes('INCLUDE') || def.includes('lower(')) return 3;
  if (def.includes('gin')) return 1;
  return 2;
}

/** Runs one SQL step and logs how long it took. */
async function step(c: pg.Client, label: string, text: string, values: unknown[] = []): Promise<void> {
  const t = performance.now();
  await c.query(text, values);
  process.stdout.write(`  ${label}: ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
}

/**
 * Loads the data on two connections (the machine has two cores): customers are inserted by two
 * sessions at once (odd and even rows, so the heap stays in creation order), then both sessions
 * work through one queue: the trigram GIN index (the slowest build, single-threaded) on one,
 * every other index and the users on the other, whichever is free first.
 */
export async function generateAccounts(
  clients: [pg.Client, pg.Client],
  opts: GenerateOptions,
): Promise<GenerateTimings> {
  const [a, b] = clients;
  const started = performance.now();
  for (const c of clients) {
    await c.query(`SET maintenance_work_mem = '1GB'`);
    // The generator makes every parent before its children, so the per-row foreign-key
    // triggers (which would also row-lock each reseller from both sessions) are skipped for
    // the load; verifyForeignKeys() checks the result afterwards in one pass.
    await c.query(`SET session_replication_role = replica`);
  }

  const { rows: indexes } = await a.query<{ name: string; table: string; def: string }>(
    `SELECT indexname AS name, tablename AS table, indexdef AS def FROM pg_indexes
      WHERE schemaname = current_schema() AND tablename IN ('accounts', 'users')
        AND indexname NOT IN ('accounts_pkey', 'users_pkey')`,
  );
  for (const ix of indexes) await a.query(`DROP INDEX ${ix.name}`);
  const isTrigram = (ix: { def: string }) => ix.def.includes('gin_trgm_ops');

  const t0 = performance.now();
  await a.query(`SELECT setseed($1)`, [opts.seed]);
  // Resellers: created in the first month of the two years; the last ones sit under earlier ones.
  await step(
    a,
    `${opts.resellers} resellers`,
    `
      INSERT INTO accounts (account_number, is_reseller, roles, parent_id, ancestor_ids, name, status,
                            company_name, first_name, last_name, main_email, country, timezone, currency,
                            mode, credit_limit, balance, created_at, updated_at)
      SELECT (2000000000 + g)::text, true, '{customer}', NULL, '{}',
             'Reseller ' || ${pick(COMPANY_A, 'g * 7')} || ' ' || ${pick(COMPANY_B, 'g * 3')} || ' ' || g,
             CASE WHEN g % 50 = 0 THEN 'inactive' ELSE 'active' END,
             ${pick(COMPANY_A, 'g * 7')} || ' ' || ${pick(COMPANY_B, 'g * 3')} || ' ' || ${pick(LEGAL, 'g')},
             ${pick(FIRST, 'g')}, ${pick(LAST, 'g * 5')},
             'billing@reseller' || g || '.example.net',
             ${pick(
               PLACES.map((p) => p[0]),
               'g',
             )}, ${pick(
               PLACES.map((p) => p[1]),
               'g',
             )}, ${pick(
               PLACES.map((p) => p[2]),
               'g',
             )},
             'postpaid', 10000, round((random() * 20000 - 5000)::numeric, 6),
             now() - interval '760 days' + g * interval '40 minutes',
             now() - interval '760 days' + g * interval '40 minutes'
        FROM generate_series(1, $1::int) g`,
    [opts.resellers],
  );
  await a.query(`
      UPDATE accounts c
         SET parent_id = p.id, ancestor_ids = ARRAY[p.id]
        FROM accounts p
       WHERE c.is_reseller AND p.is_reseller
         AND c.account_number::bigint - 2000000000 > ${opts.topLevelResellers}
         AND p.account_number::bigint - 2000000000
             = 1 + ((c.account_number::bigint - 2000000000) * 7) % ${opts.topLevelResellers}`);
  await a.query(`
    CREATE UNLOGGED TABLE bench_resellers AS
    SELECT (account_number::bigint - 2000000000)::int AS ri, id, ancestor_ids || id AS ancestors
      FROM accounts WHERE is_reseller`);
  await a.query(`CREATE UNIQUE INDEX ON bench_resellers (ri)`);
  await a.query(`ANALYZE bench_resellers`);

  // Customers, half per session: reseller sizes are skewed (the biggest holds ~3 %, the smallest
  // a few hundred), created_at grows with the row over two years (with jitter), account numbers
  // are a bijection of g onto 10-digit numbers that never start with 0.
  const customersSql = `
      INSERT INTO accounts (account_number, is_reseller, roles, parent_id, ancestor_ids, name, status,
                            company_name, first_name, last_name, main_email, phone, city, zip, country,
                            timezone, currency, mode, credit_limit, unlimited_credit, balance, call_limit,
                            cps_limit, billing_day, created_at, updated_at, deleted_at, first_used_at)
      SELECT (1000000000 + (g::bigint * 2654435761) % 9000000000)::text,
             false,
             CASE WHEN x.kr < 0.03 THEN '{customer,provider}'::text[]
                  WHEN x.kr < 0.05 THEN '{provider}'::text[] ELSE '{customer}'::text[] END,
             r.id, r.ancestors,
             CASE WHEN x.biz THEN x.company ELSE x.fn || ' ' || x.ln END || ' ' || g,
             CASE WHEN x.sr < 0.12 THEN 'inactive' ELSE 'active' END,
             CASE WHEN x.biz OR x.cr < 0.3 THEN x.company END,
             x.fn, x.ln,
             CASE WHEN x.er < 0.95 THEN lower(x.fn || '.' || x.ln) || g || '@' ||
                  CASE WHEN x.biz THEN lower(replace(x.company, ' ', '')) || '.com'
                       ELSE ${pick(MAIL_DOMAINS, 'g')} END END,
             '+1555' || lpad((g % 10000000)::text, 7, '0'),
             ${pick(['New York', 'Chicago', 'London', 'Berlin', 'Paris', 'Madrid', 'Mumbai', 'Lagos', 'Dubai', 'Tokyo'], 'g * 13')},
             lpad((g % 99999)::text, 5, '0'),
             ${pick(
               PLACES.map((p) => p[0]),
               'g / 7',
             )}, ${pick(
               PLACES.map((p) => p[1]),
               'g / 7',
             )}, ${pick(
               PLACES.map((p) => p[2]),
               'g / 7',
             )},
             CASE WHEN x.mr < 0.3 THEN 'postpaid' ELSE 'prepaid' END,
             CASE WHEN x.mr < 0.3 THEN (100 * (1 + (g % 50)))::numeric ELSE 0 END,
             x.mr < 0.003,
             round((CASE WHEN x.mr < 0.3 THEN random() * 2000 - 1500 ELSE random() * 500 END)::numeric, 6),
             CASE WHEN g % 4 = 0 THEN NULL ELSE 1 + g % 200 END,
             CASE WHEN g % 3 = 0 THEN NULL ELSE (1 + g % 30)::numeric END,
             1 + g % 28,
             x.created, x.created,
             CASE WHEN x.dr < 0.01 THEN x.created + interval '30 days' END,
             CASE WHEN x.sr < 0.9 THEN x.created + interval '2 days' END
        FROM generate_series($3::int, $1::int, 2) g
       CROSS JOIN LATERAL (
             SELECT 1 + floor($2::int * random() ^ 2)::int AS ri,
                    ${pick(FIRST, '(random() * 100000)::int')} AS fn,
                    ${pick(LAST, '(random() * 100000)::int')} AS ln,
                    CASE WHEN g % 10000 = 5000 THEN '${RARE_COMPANY_WORD}'
                         ELSE ${pick(COMPANY_A, '(random() * 100000)::int')} END
                      || ' ' || ${pick(COMPANY_B, '(random() * 100000)::int')}
                      || ' ' || ${pick(LEGAL, '(random() * 100000)::int')} AS company,
                    random() < 0.4 AS biz, random() AS cr, random() AS er, random() AS sr,
                    random() AS mr, random() AS kr, random() AS dr,
                    now() - interval '730 days' + (g::float8 / $1) * interval '729 days'
                      + random() * interval '6 hours' AS created
             OFFSET 0) x
        JOIN bench_resellers r ON r.ri = x.ri`;
  await Promise.all(
    clients.map(async (c, k) => {
      await c.query(`SELECT setseed($1)`, [opts.seed / (k + 2)]);
      await step(c, `customers, half ${k + 1}`, customersSql, [opts.customers, opts.resellers, k + 1]);
    }),
  );
  await a.query(`DROP TABLE bench_resellers`);
  await step(a, 'vacuum accounts', `VACUUM accounts`);
  const loadMs = performance.now() - t0;

  // The rest is a queue both sessions take from: the trigram GIN build first (the longest, and
  // single-threaded), then the other index builds, longest first, and the users with their own
  // indexes. With two cores, each session gets one (no parallel index-build workers).
  const accountIndexes = indexes.filter((x) => x.table === 'accounts');
  const tasks: { label: string; run: (c: pg.Client) => Promise<void> }[] = [
    ...accountIndexes.filter(isTrigram),
    ...accountIndexes.filter((x) => !isTrigram(x)).sort((x, y) => buildWeight(y.def) - buildWeight(x.def)),
  ].map((ix) => ({ label: ix.name, run: (c) => step(c, ix.name, ix.def) }));
  tasks.splice(2, 0, {
    label: 'users',
    run: async (c) => {
      // One portal user per account, as createAccount makes: login = account number.
      await step(
        c,
        'users',
        `
      INSERT INTO users (login, email, display_name, role, account_id, password_hash, status,
                         created_at, updated_at, deleted_at)
      SELECT a.account_number, a.main_email, a.name,
             CASE WHEN a.is_reseller THEN 'reseller' ELSE 'customer' END, a.id,
             CASE WHEN a.id % 5 = 0 THEN NULL ELSE '$argon2id$v=19$m=19456,t=2,p=1$bench$bench' END,
             a.status, a.created_at, a.created_at, a.deleted_at
        FROM accounts a`,
      );
      await step(c, 'vacuum users', `VACUUM users`);
      for (const ix of indexes.filter((x) => x.table === 'users')) await step(c, ix.name, ix.def);
    },
  });
  const t1 = performance.now();
  await Promise.all(
    clients.map(async (c) => {
      await c.query(`SET max_parallel_maintenance_workers = 0`);
      for (let task = tasks.shift(); task; task = tasks.shift()) await task.run(c);
    }),
  );
  const indexMs = performance.now() - t1;

  const t2 = performance.now();
  await Promise.all([
    step(a, 'analyze accounts', `ANALYZE accounts`),
    step(b, 'analyze users', `ANALYZE users`),
  ]);
  const analyzeMs = performance.now() - t2;
  for (const c of clients) await c.query(`RESET session_replication_role`);
  await verifyForeignKeys(a);
  return { loadMs, indexMs, analyzeMs, totalMs: performance.now() - started };
}

/** The checks the skipped foreign-key triggers would have made, in one pass each. */
async function verifyForeignKeys(c: pg.Client): Promise<void> {
  const { rows } = await c.query<{ orphans: number }>(`
    SELECT (SELECT count(*) FROM accounts x WHERE x.parent_id IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM accounts p WHERE p.id = x.parent_id))
         + (SELECT count(*) FROM users u WHERE u.account_id IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM accounts p WHERE p.id = u.account_id)) AS orphans`);
  if (Number(rows[0].orphans) !== 0)
    throw new Error(`generated data has ${rows[0].orphans} dangling references`);
}

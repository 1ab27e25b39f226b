import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here.
//
// The accounts UPDATE notification (2026_12_05_0100) still said 'account:*' above 200 accounts
// whose decision columns changed; 2026_12_05_0600 made every other kind send its keys in batches
// of 300 and keep '*' for more than 20,000. The same rule here, so an import's or a mass edit's
// chunk names its accounts instead of making every instance reload all of them.

const READ = [
  'parent_id',
  'ancestor_ids',
  'is_reseller',
  'roles',
  'status',
  'valid_until',
  'mode',
  'credit_limit',
  'unlimited_credit',
  'rate_group_id',
  'non_cli_rate_group_id',
  'localization_id',
  'cli_pool_mode',
  'call_limit',
  'cps_limit',
  'min_profit_type',
  'min_profit_value',
  'deleted_at',
];
const cols = (alias: string) => sql.raw(READ.map((c) => `${alias}.${c}`).join(', '));

const fn = (limit: number, batch: number) => sql`
    CREATE OR REPLACE FUNCTION call_auth_notify_accounts() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      keys text[];
      payload text;
      n int;
      i int := 1;
    BEGIN
      SELECT array_agg(n.id::text ORDER BY n.id) INTO keys
        FROM new_rows n JOIN old_rows o ON o.id = n.id
       WHERE (${cols('n')}) IS DISTINCT FROM (${cols('o')});
      IF keys IS NOT NULL THEN
        n := cardinality(keys);
        IF n > ${sql.lit(limit)} THEN
          PERFORM pg_notify('call_auth', 'account:*');
        ELSE
          WHILE i <= n LOOP
            PERFORM pg_notify('call_auth', 'account:' || array_to_string(keys[i:i + ${sql.lit(batch - 1)}], ','));
            i := i + ${sql.lit(batch)};
          END LOOP;
        END IF;
      END IF;
      FOR payload IN
        SELECT 'balance:' || string_agg(id::text || '=' || balance::text, ',' ORDER BY id)
          FROM (SELECT n.id, n.balance, (row_number() OVER (ORDER BY n.id) - 1) / 180 AS chunk
                  FROM new_rows n JOIN old_rows o ON o.id = n.id
                 WHERE n.balance IS DISTINCT FROM o.balance AND n.deleted_at IS NULL) s
         GROUP BY chunk ORDER BY chunk
      LOOP
        PERFORM pg_notify('call_auth', payload);
      END LOOP;
      RETURN NULL;
    END $$`;

export async function up(db: Kysely<any>): Promise<void> {
  await fn(20000, 300).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await fn(200, 201).execute(db);
}

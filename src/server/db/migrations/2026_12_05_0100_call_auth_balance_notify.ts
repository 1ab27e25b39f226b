import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here.
//
// The call-authorization notification of UPDATEs on accounts, split in two (issue 13, CDR intake
// throughput). Before, every UPDATE named its changed accounts, and above 200 ('*') every instance
// reloaded every account: a CDR batch moves up to 1,000 balances, so each batch made each instance
// reload its whole decision state. Now:
//   - 'account:<ids>' (or 'account:*' above 200) names only the rows where a column the decision
//     state reads, other than the balance, changed (READ below: the columns of the call-auth
//     loader's loadAccounts, plus roles and ancestor_ids): the loader reloads those accounts as
//     before. A column added to that read must be added here (by a new migration). Listed
//     columns, not a whole-row comparison: to_jsonb of 1,000 wide rows cost ~40 times more;
//   - 'balance:<id>=<balance>,...' carries the new balance of every live row whose balance changed,
//     180 to a payload (at most 43 bytes each: under NOTIFY's 8000-byte limit): the loader sets
//     them in place, with no read.
// NOTIFY stays transactional and ordered by commit, so the last balance heard is the committed one.

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

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE FUNCTION call_auth_notify_accounts() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      keys text[];
      payload text;
    BEGIN
      SELECT array_agg(n.id::text ORDER BY n.id) INTO keys
        FROM new_rows n JOIN old_rows o ON o.id = n.id
       WHERE (${cols('n')}) IS DISTINCT FROM (${cols('o')});
      IF keys IS NOT NULL THEN
        IF cardinality(keys) > 200 THEN
          PERFORM pg_notify('call_auth', 'account:*');
        ELSE
          PERFORM pg_notify('call_auth', 'account:' || array_to_string(keys, ','));
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
    END $$`.execute(db);
  await sql`DROP TRIGGER accounts_call_auth_upd ON accounts`.execute(db);
  await sql`CREATE TRIGGER accounts_call_auth_upd AFTER UPDATE ON accounts
            REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION call_auth_notify_accounts()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TRIGGER IF EXISTS accounts_call_auth_upd ON accounts`.execute(db);
  await sql`CREATE TRIGGER accounts_call_auth_upd AFTER UPDATE ON accounts
            REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION call_auth_notify('account', 'id')`.execute(db);
  await sql`DROP FUNCTION IF EXISTS call_auth_notify_accounts()`.execute(db);
}

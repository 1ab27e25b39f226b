import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here.
//
// The call-authorization notification of UPDATEs on accounts, split in two (issue 13, CDR intake
// throughput). Before, every UPDATE named its changed accounts, and above 200 ('*') every instance
// reloaded every account: a CDR batch moves up to 1,000 balances, so each batch made each instance
// reload its whole decision state. Now:
//   - 'account:<ids>' (or 'account:*' above 200) names only the rows where something other than
//     the balance changed (first_used_at and updated_at are not read by the decision either): the
//     loader reloads those accounts as before;
//   - 'balance:<id>=<balance>,...' carries the new balance of every live row whose balance changed,
//     in payloads under NOTIFY's 8000-byte limit (several per statement when needed): the loader
//     sets them in place, with no read.
// NOTIFY stays transactional and ordered by commit, so the last balance heard is the committed one.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE FUNCTION call_auth_notify_accounts() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      keys text[];
      chunk text := '';
      item text;
      r record;
    BEGIN
      SELECT array_agg(n.id::text ORDER BY n.id) INTO keys
        FROM new_rows n JOIN old_rows o ON o.id = n.id
       WHERE to_jsonb(n) - '{balance,first_used_at,updated_at}'::text[]
             IS DISTINCT FROM to_jsonb(o) - '{balance,first_used_at,updated_at}'::text[];
      IF keys IS NOT NULL THEN
        IF cardinality(keys) > 200 THEN
          PERFORM pg_notify('call_auth', 'account:*');
        ELSE
          PERFORM pg_notify('call_auth', 'account:' || array_to_string(keys, ','));
        END IF;
      END IF;
      FOR r IN
        SELECT n.id, n.balance FROM new_rows n JOIN old_rows o ON o.id = n.id
         WHERE n.balance IS DISTINCT FROM o.balance AND n.deleted_at IS NULL
         ORDER BY n.id
      LOOP
        item := r.id::text || '=' || r.balance::text;
        IF chunk = '' THEN
          chunk := item;
        ELSIF length(chunk) + length(item) > 7800 THEN
          PERFORM pg_notify('call_auth', 'balance:' || chunk);
          chunk := item;
        ELSE
          chunk := chunk || ',' || item;
        END IF;
      END LOOP;
      IF chunk <> '' THEN
        PERFORM pg_notify('call_auth', 'balance:' || chunk);
      END IF;
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

import { sql, type Kysely } from 'kysely';

/**
 * API keys are cached in memory by every instance (the switch's key is checked on every call
 * decision). Any change that can take a key away or give one (insert, revoke, a role or hash
 * change, delete) notifies `api_keys` once committed, and every instance drops its cache. The
 * once-a-minute `last_used_at` touch is not one of them (UPDATE OF lists the columns that count).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE FUNCTION api_keys_notify() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('api_keys', TG_OP);
      RETURN NULL;
    END $$`.execute(db);
  await sql`CREATE TRIGGER api_keys_notify_change
            AFTER INSERT OR DELETE OR UPDATE OF revoked_at, role, key_hash ON api_keys
            FOR EACH STATEMENT EXECUTE FUNCTION api_keys_notify()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TRIGGER IF EXISTS api_keys_notify_change ON api_keys`.execute(db);
  await sql`DROP FUNCTION IF EXISTS api_keys_notify()`.execute(db);
}

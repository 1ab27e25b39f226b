import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here.
//
// The call-authorization change notifications (2026_12_03_0900) said '*' ("reload that kind
// whole") for any statement touching more than 200 keys. Every chunk of an import (5,000 new
// accounts, then their balances) is such a statement, so each instance reloaded every account after
// every chunk: quadratic in the import's size, and a 256 MB heap ran out at 140,000 accounts
// (issue 16). Now the keys go out in notifications of at most 300 (under NOTIFY's 8000 bytes with
// 19-digit ids), and '*' is kept for statements touching more than 20,000 keys, where one reload
// costs less than loading that many by id.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE OR REPLACE FUNCTION call_auth_notify() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      keys text[];
      q text;
      n int;
      i int := 1;
    BEGIN
      IF TG_OP = 'INSERT' THEN
        q := format('SELECT array_agg(DISTINCT k) FROM (SELECT %I::text AS k FROM new_rows) s WHERE k IS NOT NULL', TG_ARGV[1]);
      ELSIF TG_OP = 'DELETE' THEN
        q := format('SELECT array_agg(DISTINCT k) FROM (SELECT %I::text AS k FROM old_rows) s WHERE k IS NOT NULL', TG_ARGV[1]);
      ELSE
        q := format('SELECT array_agg(DISTINCT k) FROM (SELECT %I::text AS k FROM new_rows UNION ALL SELECT %I::text FROM old_rows) s WHERE k IS NOT NULL', TG_ARGV[1], TG_ARGV[1]);
      END IF;
      EXECUTE q INTO keys;
      IF keys IS NULL THEN
        RETURN NULL;
      END IF;
      n := cardinality(keys);
      IF n > 20000 THEN
        PERFORM pg_notify('call_auth', TG_ARGV[0] || ':*');
        RETURN NULL;
      END IF;
      WHILE i <= n LOOP
        PERFORM pg_notify('call_auth', TG_ARGV[0] || ':' || array_to_string(keys[i:i + 299], ','));
        i := i + 300;
      END LOOP;
      RETURN NULL;
    END $$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE OR REPLACE FUNCTION call_auth_notify() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      keys text[];
      q text;
    BEGIN
      IF TG_OP = 'INSERT' THEN
        q := format('SELECT array_agg(DISTINCT k) FROM (SELECT %I::text AS k FROM new_rows) s WHERE k IS NOT NULL', TG_ARGV[1]);
      ELSIF TG_OP = 'DELETE' THEN
        q := format('SELECT array_agg(DISTINCT k) FROM (SELECT %I::text AS k FROM old_rows) s WHERE k IS NOT NULL', TG_ARGV[1]);
      ELSE
        q := format('SELECT array_agg(DISTINCT k) FROM (SELECT %I::text AS k FROM new_rows UNION ALL SELECT %I::text FROM old_rows) s WHERE k IS NOT NULL', TG_ARGV[1], TG_ARGV[1]);
      END IF;
      EXECUTE q INTO keys;
      IF keys IS NULL THEN
        RETURN NULL;
      END IF;
      IF cardinality(keys) > 200 THEN
        PERFORM pg_notify('call_auth', TG_ARGV[0] || ':*');
      ELSE
        PERFORM pg_notify('call_auth', TG_ARGV[0] || ':' || array_to_string(keys, ','));
      END IF;
      RETURN NULL;
    END $$`.execute(db);
}

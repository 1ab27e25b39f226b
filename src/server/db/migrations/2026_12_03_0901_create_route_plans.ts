import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here.
// Route plans (DOMAIN 4 step 8): destination prefix -> provider trunks in priority order, and the
// customers given one. Changes notify call authorization like the tables of 2026_12_03_0900.

const WATCHED: [table: string, column: string][] = [
  ['route_plans', 'id'],
  ['route_plan_entries', 'route_plan_id'],
  ['route_plan_assignments', 'route_plan_id'],
];

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE route_plans (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      deleted_at timestamptz
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX route_plans_name_key ON route_plans (lower(name)) WHERE deleted_at IS NULL`.execute(
    db,
  );
  await sql`
    CREATE TABLE route_plan_entries (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      route_plan_id bigint NOT NULL REFERENCES route_plans(id),
      prefix text NOT NULL CHECK (prefix ~ '^[0-9]{1,20}$'),
      priority integer NOT NULL CHECK (priority BETWEEN 0 AND 1000),
      provider_trunk_id bigint NOT NULL REFERENCES trunks(id)
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX route_plan_entries_key ON route_plan_entries (route_plan_id, prefix, provider_trunk_id)`.execute(
    db,
  );
  await sql`
    CREATE TABLE route_plan_assignments (
      account_id bigint PRIMARY KEY REFERENCES accounts(id),
      route_plan_id bigint NOT NULL REFERENCES route_plans(id)
    )`.execute(db);
  for (const [table, column] of WATCHED) {
    const args = sql.raw(`'route_plans', '${column}'`);
    const t = sql.table(table);
    await sql`CREATE TRIGGER ${sql.raw(`${table}_call_auth_ins`)} AFTER INSERT ON ${t}
              REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION call_auth_notify(${args})`.execute(
      db,
    );
    await sql`CREATE TRIGGER ${sql.raw(`${table}_call_auth_upd`)} AFTER UPDATE ON ${t}
              REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION call_auth_notify(${args})`.execute(
      db,
    );
    await sql`CREATE TRIGGER ${sql.raw(`${table}_call_auth_del`)} AFTER DELETE ON ${t}
              REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION call_auth_notify(${args})`.execute(
      db,
    );
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['route_plan_assignments', 'route_plan_entries', 'route_plans'])
    await sql`DROP TABLE IF EXISTS ${sql.table(t)} CASCADE`.execute(db);
}

import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here.
// Issue 13: daily per-customer usage, maintained in the transaction that stores the CDRs (one
// grouped upsert per batch), for the dashboard, the automatic reports and invoices. The day is the
// customer's local day (its IANA time zone). `code` is the rate's code (prefix) and `code_name`
// its destination; `country` is '' until rates carry a country (the key already has it).

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE cdr_daily_usage (
      account_id bigint NOT NULL REFERENCES accounts(id),
      day date NOT NULL,
      country text NOT NULL DEFAULT '',
      code_name text NOT NULL DEFAULT '',
      code text NOT NULL DEFAULT '',
      calls integer NOT NULL CHECK (calls >= 0),
      answered integer NOT NULL CHECK (answered >= 0),
      billsec numeric(16,3) NOT NULL CHECK (billsec >= 0),
      charged_sec bigint NOT NULL CHECK (charged_sec >= 0),
      cost numeric(20,6) NOT NULL CHECK (cost >= 0),
      PRIMARY KEY (account_id, day, country, code_name, code)
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE IF EXISTS cdr_daily_usage`.execute(db);
}

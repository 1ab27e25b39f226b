import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here.

const DEFAULT_TEMPLATES: [kind: string, subject: string, text: string, html: string][] = [
  [
    'welcome_letter',
    'Welcome, {{accountName}}',
    'Hello {{accountName}},\n\nyour account {{accountNumber}} is ready.\nPortal username: {{portalUsername}}\n\nWelcome aboard.',
    '<p>Hello {{accountName}},</p><p>your account <b>{{accountNumber}}</b> is ready.<br>Portal username: {{portalUsername}}</p><p>Welcome aboard.</p>',
  ],
  [
    'low_balance',
    'Low balance on account {{accountNumber}}',
    'Hello {{accountName}},\n\nthe balance of account {{accountNumber}} is low: {{balance}} {{currency}} (credit limit {{creditLimit}}, available {{available}}; alert threshold {{threshold}}).\nPlease top up to avoid interruption.',
    '<p>Hello {{accountName}},</p><p>the balance of account <b>{{accountNumber}}</b> is low: <b>{{balance}} {{currency}}</b> (credit limit {{creditLimit}}, available {{available}}; alert threshold {{threshold}}).</p><p>Please top up to avoid interruption.</p>',
  ],
  [
    'zero_balance',
    'No balance left on account {{accountNumber}}',
    'Hello {{accountName}},\n\naccount {{accountNumber}} has no balance left: {{balance}} {{currency}} (credit limit {{creditLimit}}).\nCalls may be refused until you top up.',
    '<p>Hello {{accountName}},</p><p>account <b>{{accountNumber}}</b> has no balance left: <b>{{balance}} {{currency}}</b> (credit limit {{creditLimit}}).</p><p>Calls may be refused until you top up.</p>',
  ],
  [
    'payment_received',
    'Payment received: {{amount}} {{currency}}',
    'Hello {{accountName}},\n\nwe received your payment of {{amount}} {{currency}} on {{paidAt}} (method {{method}}, reference {{reference}}).\nNew balance: {{balanceAfter}} {{currency}}.',
    '<p>Hello {{accountName}},</p><p>we received your payment of <b>{{amount}} {{currency}}</b> on {{paidAt}} (method {{method}}, reference {{reference}}).</p><p>New balance: <b>{{balanceAfter}} {{currency}}</b>.</p>',
  ],
  [
    'trunk_update',
    'Trunk update for account {{accountNumber}} ({{changeCount}} changes)',
    'Hello {{accountName}},\n\nthe following changes were made to your trunks:\n{{changes}}',
    '<p>Hello {{accountName}},</p><p>the following changes were made to your trunks:</p><pre>{{changes}}</pre>',
  ],
  [
    'sign_in',
    'New sign-in to account {{accountNumber}}',
    'Hello {{accountName}},\n\nsomeone signed in to your portal at {{signedInAt}} from {{ip}} ({{userAgent}}).\nIf this was not you, change your password.',
    '<p>Hello {{accountName}},</p><p>someone signed in to your portal at {{signedInAt}} from {{ip}} ({{userAgent}}).</p><p>If this was not you, change your password.</p>',
  ],
  [
    'invoice',
    'Invoice {{invoiceNumber}} for account {{accountNumber}}',
    'Hello {{accountName}},\n\ninvoice {{invoiceNumber}} is ready: {{amountDue}} {{currency}} due on {{dueDate}}.',
    '<p>Hello {{accountName}},</p><p>invoice <b>{{invoiceNumber}}</b> is ready: <b>{{amountDue}} {{currency}}</b> due on {{dueDate}}.</p>',
  ],
  [
    'daily_report',
    'Daily report for account {{accountNumber}}, {{reportDate}}',
    'Hello {{accountName}},\n\nyour report for {{reportDate}}:\n{{summary}}',
    '<p>Hello {{accountName}},</p><p>your report for {{reportDate}}:</p><pre>{{summary}}</pre>',
  ],
];

export async function up(db: Kysely<any>): Promise<void> {
  // Every mail passes through this outbox (DOMAIN 3.15 "Delivery"): one row per mail, unique by
  // its dedupe key (a slot, a ledger entry, a merged trunk window), claimed by a deliverer with
  // FOR UPDATE SKIP LOCKED and a lease, so two instances never send the same row.
  await sql`
    CREATE TABLE mails (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      dedupe_key text NOT NULL CHECK (char_length(dedupe_key) BETWEEN 1 AND 300),
      account_id bigint REFERENCES accounts(id),
      kind text NOT NULL CHECK (char_length(kind) BETWEEN 1 AND 50),
      to_addresses text[] NOT NULL DEFAULT '{}',
      subject text NOT NULL,
      text_body text NOT NULL,
      html_body text,
      status text NOT NULL DEFAULT 'queued'
        CHECK (status IN ('queued','sending','sent','failed','skipped')),
      skip_reason text,
      last_error text,
      attempts integer NOT NULL DEFAULT 0,
      max_attempts integer NOT NULL DEFAULT 6 CHECK (max_attempts >= 1),
      next_attempt_at timestamptz NOT NULL DEFAULT now(),
      locked_by text,
      locked_until timestamptz,
      from_address text,
      reply_to text,
      message_id text,
      sent_at timestamptz,
      resend_of bigint REFERENCES mails(id),
      created_by text NOT NULL DEFAULT 'system',
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK ((status = 'skipped') = (skip_reason IS NOT NULL))
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX mails_dedupe_key ON mails (dedupe_key)`.execute(db);
  await sql`CREATE INDEX mails_due_idx ON mails (next_attempt_at, id) WHERE status IN ('queued','sending')`.execute(
    db,
  );
  await sql`CREATE INDEX mails_account_idx ON mails (account_id, id)`.execute(db);

  // One template per kind for the operator (owner NULL, seeded below), and a reseller's override
  // for its customers.
  await sql`
    CREATE TABLE mail_templates (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      owner_id bigint REFERENCES accounts(id),
      kind text NOT NULL CHECK (char_length(kind) BETWEEN 1 AND 50),
      subject text NOT NULL CHECK (char_length(subject) BETWEEN 1 AND 300),
      text_body text NOT NULL CHECK (char_length(text_body) BETWEEN 1 AND 20000),
      html_body text CHECK (char_length(html_body) <= 50000),
      updated_by text NOT NULL DEFAULT 'system',
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX mail_templates_owner_kind ON mail_templates (COALESCE(owner_id, 0), kind)`.execute(
    db,
  );
  for (const [kind, subject, text, html] of DEFAULT_TEMPLATES) {
    await sql`INSERT INTO mail_templates (kind, subject, text_body, html_body)
              VALUES (${kind}, ${subject}, ${text}, ${html})`.execute(db);
  }

  // Notification Setting / Alert Threshold (DOMAIN 3.15); no row = the defaults below.
  await sql`
    CREATE TABLE notification_settings (
      account_id bigint PRIMARY KEY REFERENCES accounts(id),
      low_balance_enabled boolean NOT NULL DEFAULT false,
      threshold_type text NOT NULL DEFAULT 'amount' CHECK (threshold_type IN ('amount','percent')),
      threshold_amount numeric(20,6) NOT NULL DEFAULT 5 CHECK (threshold_amount > 0),
      threshold_percent numeric(5,2) CHECK (threshold_percent > 0 AND threshold_percent <= 100),
      schedule text NOT NULL DEFAULT 'daily' CHECK (schedule IN ('daily','hourly')),
      send_at text NOT NULL DEFAULT '09:00' CHECK (send_at ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
      repeat_days integer NOT NULL DEFAULT 3 CHECK (repeat_days BETWEEN 1 AND 60),
      recipient text NOT NULL DEFAULT 'partner' CHECK (recipient IN ('owner','partner','both')),
      disable_trunks_after_days integer CHECK (disable_trunks_after_days >= 1),
      send_trunk_update boolean NOT NULL DEFAULT false,
      payment_received_alert boolean NOT NULL DEFAULT false,
      zero_balance_notification boolean NOT NULL DEFAULT false,
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK (threshold_type <> 'percent' OR threshold_percent IS NOT NULL)
    )`.execute(db);

  // The low-balance state machine's memory, one row per account that ever left OK.
  await sql`
    CREATE TABLE low_balance_states (
      account_id bigint PRIMARY KEY REFERENCES accounts(id),
      state text NOT NULL DEFAULT 'OK' CHECK (state IN ('OK','LOW','ZERO')),
      low_since timestamptz,
      zero_armed boolean NOT NULL DEFAULT true,
      zero_mail_at timestamptz,
      escalated_at timestamptz,
      evaluated_at timestamptz,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);

  // Positions of readers that follow an append-only table (the ledger, by seq).
  await sql`
    CREATE TABLE notification_cursors (
      name text PRIMARY KEY,
      position bigint NOT NULL DEFAULT 0
    )`.execute(db);

  // Scheduled jobs: one job per schedule slot, across instances, by a unique key.
  await sql`ALTER TABLE jobs ADD COLUMN dedupe_key text`.execute(db);
  await sql`CREATE UNIQUE INDEX jobs_dedupe_key ON jobs (dedupe_key) WHERE dedupe_key IS NOT NULL`.execute(
    db,
  );
  await sql`CREATE INDEX jobs_recent_idx ON jobs (created_at DESC, id DESC)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX IF EXISTS jobs_recent_idx`.execute(db);
  await sql`DROP INDEX IF EXISTS jobs_dedupe_key`.execute(db);
  await sql`ALTER TABLE jobs DROP COLUMN IF EXISTS dedupe_key`.execute(db);
  await sql`DROP TABLE IF EXISTS notification_cursors`.execute(db);
  await sql`DROP TABLE IF EXISTS low_balance_states`.execute(db);
  await sql`DROP TABLE IF EXISTS notification_settings`.execute(db);
  await sql`DROP TABLE IF EXISTS mail_templates`.execute(db);
  await sql`DROP TABLE IF EXISTS mails`.execute(db);
}

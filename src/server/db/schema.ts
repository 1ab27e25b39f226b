import type { ColumnType, Generated } from 'kysely';

/** Timestamps come back as Date and may be written as Date or ISO text. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** NUMERIC comes back as a decimal string: money is never a binary float. */
type Numeric = ColumnType<string, string, string>;

export interface AccountsTable {
  id: Generated<number>;
  account_number: string;
  is_reseller: Generated<boolean>;
  roles: Generated<string[]>;
  parent_id: number | null;
  ancestor_ids: Generated<number[]>;
  name: string;
  status: Generated<'active' | 'inactive'>;
  pin: string | null;
  valid_until: Timestamp | null;
  first_used_at: Timestamp | null;
  company_name: string | null;
  first_name: string | null;
  last_name: string | null;
  main_email: string | null;
  noc_emails: Generated<string[]>;
  billing_emails: Generated<string[]>;
  rates_emails: Generated<string[]>;
  notification_emails: Generated<string[]>;
  phone: string | null;
  address1: string | null;
  address2: string | null;
  city: string | null;
  province: string | null;
  zip: string | null;
  country: string;
  timezone: string;
  tax_id: string | null;
  reference: string | null;
  call_limit: number | null;
  cps_limit: Numeric | null;
  localization_id: number | null;
  allow_local_calls: Generated<boolean>;
  local_call_price_per_min: ColumnType<string, string | undefined, string>;
  min_profit_type: 'percent' | 'absolute' | null;
  min_profit_value: Numeric | null;
  notifications_enabled: Generated<boolean>;
  online_payment: Generated<boolean>;
  portal_permissions: Generated<string[]>;
  mode: Generated<'prepaid' | 'postpaid'>;
  currency: string;
  credit_limit: ColumnType<string, string | undefined, string>;
  unlimited_credit: Generated<boolean>;
  balance: ColumnType<string, string | undefined, string>;
  rate_group_id: number | null;
  non_cli_rate_group_id: number | null;
  cli_pool_mode: Generated<number>;
  billing_schedule: Generated<'daily' | 'monthly'>;
  billing_day: Generated<number>;
  generate_zero_invoice: Generated<boolean>;
  invoice_note: string | null;
  template_id: number | null;
  template_version: ColumnType<number | null, number | null | undefined, number | null>;
  import_id: ColumnType<number | null, number | null | undefined, number | null>;
  import_row: ColumnType<number | null, number | null | undefined, number | null>;
  search_text: ColumnType<string, never, never>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  deleted_at: Timestamp | null;
  deleted_by: number | null;
}

export interface UsersTable {
  id: Generated<number>;
  login: string;
  email: string | null;
  display_name: string;
  role: 'admin' | 'reseller' | 'customer';
  account_id: number | null;
  password_hash: string | null;
  status: Generated<'active' | 'inactive'>;
  failed_logins: Generated<number>;
  locked_until: Timestamp | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  deleted_at: Timestamp | null;
}

export interface SessionsTable {
  id: string;
  user_id: number;
  csrf_token: string;
  impersonator_user_id: number | null;
  ip: string | null;
  user_agent: string | null;
  created_at: Generated<Date>;
  last_seen_at: Generated<Date>;
  expires_at: Timestamp;
  revoked_at: Timestamp | null;
}

export interface ApiKeysTable {
  id: Generated<number>;
  name: string;
  prefix: string;
  key_hash: string;
  role: Generated<'admin' | 'switch'>;
  created_by: number;
  created_at: Generated<Date>;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: Generated<Date>;
  actor_user_id: number | null;
  actor_api_key_id: number | null;
  actor_label: string;
  action: string;
  entity_type: string;
  entity_id: number | null;
  account_id: number | null;
  before: ColumnType<unknown, string | null, string | null> | null;
  after: ColumnType<unknown, string | null, string | null> | null;
  request_id: string | null;
}

export interface UserPreferencesTable {
  user_id: number;
  key: string;
  value: ColumnType<unknown, string, string>;
  updated_at: Generated<Date>;
}

export type LedgerEntryType =
  | 'PAYMENT'
  | 'TEST_CREDIT'
  | 'INITIAL_BALANCE'
  | 'CHARGE'
  | 'CALL'
  | 'RECURRING'
  | 'TAX'
  | 'SHORT_CALL_CHARGE'
  | 'BALANCE_RESET'
  | 'ADJUSTMENT'
  | 'REVERSAL';

export interface LedgerEntriesTable {
  id: Generated<string>;
  seq: ColumnType<number, never, never>;
  account_id: number;
  type: LedgerEntryType;
  amount: Numeric;
  balance_after: Numeric;
  currency: string;
  idempotency_key: string;
  request_hash: string;
  reason: string;
  method: string | null;
  external_ref: string | null;
  reverses_entry_id: string | null;
  allow_negative: ColumnType<boolean, boolean | undefined, never>;
  created_by: string;
  created_by_user_id: number | null;
  created_by_api_key_id: number | null;
  request_id: string | null;
  created_at: ColumnType<Date, Date | string | undefined, never>;
}

export interface OutboxEventsTable {
  id: Generated<number>;
  topic: string;
  dedupe_key: string;
  account_id: number | null;
  payload: ColumnType<unknown, string, string>;
  created_at: Generated<Date>;
  available_at: ColumnType<Date, Date | string | undefined, Date | string>;
  attempts: Generated<number>;
  last_error: string | null;
  processed_at: Timestamp | null;
}

/** jsonb: read back parsed, written as JSON text. */
type Json<T> = ColumnType<T, string, string>;

export interface JobsTable {
  id: Generated<number>;
  kind: string;
  payload: ColumnType<unknown, string | undefined, string>;
  status: Generated<'queued' | 'running' | 'done' | 'failed'>;
  run_after: ColumnType<Date, Date | string | undefined, Date | string>;
  attempts: Generated<number>;
  max_attempts: Generated<number>;
  locked_by: string | null;
  locked_until: Timestamp | null;
  last_error: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  finished_at: Timestamp | null;
  /** A scheduled job's slot key: one job per slot across instances. */
  dedupe_key: ColumnType<string | null, string | null | undefined, string | null>;
}

export type MailStatus = 'queued' | 'sending' | 'sent' | 'failed' | 'skipped';

export interface MailsTable {
  id: Generated<number>;
  dedupe_key: string;
  account_id: number | null;
  kind: string;
  to_addresses: ColumnType<string[], string[] | undefined, string[]>;
  subject: string;
  text_body: string;
  html_body: string | null;
  status: ColumnType<MailStatus, MailStatus | undefined, MailStatus>;
  skip_reason: string | null;
  last_error: string | null;
  attempts: Generated<number>;
  max_attempts: Generated<number>;
  next_attempt_at: ColumnType<Date, Date | string | undefined, Date | string>;
  locked_by: string | null;
  locked_until: Timestamp | null;
  from_address: string | null;
  reply_to: string | null;
  message_id: string | null;
  sent_at: Timestamp | null;
  resend_of: number | null;
  created_by: Generated<string>;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface MailTemplatesTable {
  id: Generated<number>;
  owner_id: number | null;
  kind: string;
  subject: string;
  text_body: string;
  html_body: string | null;
  updated_by: Generated<string>;
  created_at: Generated<Date>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface NotificationSettingsTable {
  account_id: number;
  low_balance_enabled: Generated<boolean>;
  threshold_type: ColumnType<'amount' | 'percent', 'amount' | 'percent' | undefined, 'amount' | 'percent'>;
  threshold_amount: ColumnType<string, string | undefined, string>;
  threshold_percent: Numeric | null;
  schedule: ColumnType<'daily' | 'hourly', 'daily' | 'hourly' | undefined, 'daily' | 'hourly'>;
  send_at: Generated<string>;
  repeat_days: Generated<number>;
  recipient: ColumnType<
    'owner' | 'partner' | 'both',
    'owner' | 'partner' | 'both' | undefined,
    'owner' | 'partner' | 'both'
  >;
  disable_trunks_after_days: number | null;
  send_trunk_update: Generated<boolean>;
  payment_received_alert: Generated<boolean>;
  zero_balance_notification: Generated<boolean>;
  sign_in_notification: Generated<boolean>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export type BalanceState = 'OK' | 'LOW' | 'ZERO';

export interface LowBalanceStatesTable {
  account_id: number;
  state: ColumnType<BalanceState, BalanceState | undefined, BalanceState>;
  low_since: Timestamp | null;
  zero_armed: Generated<boolean>;
  zero_mail_at: Timestamp | null;
  escalated_at: Timestamp | null;
  evaluated_at: Timestamp | null;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface NotificationCursorsTable {
  name: string;
  position: ColumnType<number, number | undefined, number>;
}

export interface CustomerTemplatesTable {
  id: Generated<number>;
  owner_id: number | null;
  name: string;
  description: string | null;
  settings: Json<Record<string, unknown>>;
  version: Generated<number>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface CustomerImportsTable {
  id: Generated<number>;
  owner_id: number | null;
  actor: Json<unknown>;
  file_name: string;
  file_sha256: string;
  file_bytes: number;
  headers: string[];
  hashed_columns: Generated<number[]>;
  row_count: number;
  chunk_count: number;
  settings: ColumnType<unknown, string | null | undefined, string | null>;
  status: Generated<
    'uploading' | 'uploaded' | 'validating' | 'validated' | 'queued' | 'running' | 'done' | 'failed'
  >;
  phase: 'validate' | 'write' | null;
  dry_run: ColumnType<unknown, string | null | undefined, string | null>;
  next_chunk: Generated<number>;
  rows_done: Generated<number>;
  created_count: Generated<number>;
  updated_count: Generated<number>;
  unchanged_count: Generated<number>;
  skipped_count: Generated<number>;
  rejected_count: Generated<number>;
  warning_count: Generated<number>;
  failure: ColumnType<unknown, string | null | undefined, string | null>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  started_at: Timestamp | null;
  finished_at: Timestamp | null;
}

export interface CustomerImportChunksTable {
  import_id: number;
  seq: number;
  first_row: number;
  row_count: number;
  rows: string;
}

export interface CustomerImportIssuesTable {
  id: Generated<number>;
  import_id: number;
  run: 'dry' | 'real';
  row_number: number;
  severity: 'error' | 'warning';
  column_name: string | null;
  code: string;
  message: string;
}

export interface CustomerImportRejectsTable {
  import_id: number;
  row_number: number;
  cells: string;
}

export interface CustomerMassCreatesTable {
  id: Generated<number>;
  owner_id: number | null;
  actor: Json<unknown>;
  params: Json<unknown>;
  count: number;
  status: Generated<'queued' | 'running' | 'done' | 'failed'>;
  prepared: Generated<number>;
  created: Generated<number>;
  public_key: string;
  result_state: Generated<'pending' | 'ready' | 'downloaded'>;
  failure: ColumnType<unknown, string | null | undefined, string | null>;
  downloaded_at: Timestamp | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  started_at: Timestamp | null;
  finished_at: Timestamp | null;
}

export interface CustomerMassCreateRowsTable {
  mass_create_id: number;
  seq: number;
  password_hash: string | null;
  password_box: string;
  account_number: string | null;
  pin: string | null;
  account_id: number | null;
  sip_secret_box: string | null;
}

/** jsonb: read as parsed JSON, written as JSON text. */
type JsonColumn = ColumnType<unknown, string, string>;
type Status = 'active' | 'inactive';

export interface TrunksTable {
  id: Generated<number>;
  account_id: number;
  name: string;
  status: Generated<Status>;
  disabled_reason: string | null;
  call_limit: number | null;
  cps_limit: Numeric | null;
  max_duration_sec: number | null;
  min_profit_type: 'percent' | 'absolute' | null;
  min_profit_value: Numeric | null;
  tech_prefix: Generated<string>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  deleted_at: Timestamp | null;
}

export interface HostsTable {
  id: Generated<number>;
  trunk_id: number;
  account_id: number;
  /** PostgreSQL cidr; read back as its canonical text (`10.0.0.0/24`, `2001:db8::1/128`). */
  cidr: string;
  port: number | null;
  tech_prefix: Generated<string>;
  status: Generated<Status>;
  call_limit: number | null;
  cps_limit: Numeric | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  deleted_at: Timestamp | null;
}

export interface SipDevicesTable {
  id: Generated<number>;
  account_id: number;
  username: string;
  /** AES-256-GCM ciphertext of the digest secret (platform/secrets.ts); never selected in lists. */
  secret_enc: string;
  caller_id_name: string | null;
  caller_id_number: string | null;
  status: Generated<Status>;
  codecs: Generated<string[]>;
  voicemail_enabled: Generated<boolean>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  deleted_at: Timestamp | null;
}

export interface CallerIdsTable {
  id: Generated<number>;
  account_id: number;
  number: string;
  description: string | null;
  status: Generated<Status>;
  created_at: Generated<Date>;
  deleted_at: Timestamp | null;
}

export interface ForceCallerIdsTable {
  id: Generated<number>;
  account_id: number;
  name: string | null;
  number: string;
  status: Generated<Status>;
  created_at: Generated<Date>;
  deleted_at: Timestamp | null;
}

export interface BlockedCodesTable {
  id: Generated<number>;
  account_id: number;
  prefix: string;
  label: string | null;
  created_at: Generated<Date>;
  deleted_at: Timestamp | null;
}

export interface SpeedDialsTable {
  id: Generated<number>;
  account_id: number;
  key: number;
  number: string;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  deleted_at: Timestamp | null;
}

export interface DidsTable {
  id: Generated<number>;
  number: string;
  owner_id: number | null;
  account_id: number | null;
  status: Generated<Status>;
  description: string | null;
  monthly_fee: ColumnType<string, string | undefined, string>;
  assigned_at: Timestamp | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  deleted_at: Timestamp | null;
}

export interface LocalizationProfilesTable {
  id: Generated<number>;
  owner_id: number | null;
  name: string;
  destination_rules: JsonColumn;
  caller_number_rules: JsonColumn;
  caller_name_rules: JsonColumn;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  deleted_at: Timestamp | null;
}

export interface RateGroupsTable {
  id: Generated<number>;
  owner_id: number | null;
  name: string;
  description: string | null;
  currency: string;
  status: Generated<Status>;
  initial_increment: Generated<number>;
  billing_increment: Generated<number>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  deleted_at: Timestamp | null;
}

export interface RatesTable {
  id: Generated<number>;
  rate_group_id: number;
  prefix: string;
  destination: Generated<string>;
  rate_per_min: Numeric;
  connect_fee: ColumnType<string, string | undefined, string>;
  included_seconds: Generated<number>;
  initial_increment: Generated<number>;
  billing_increment: Generated<number>;
  effective_from: Timestamp;
  effective_to: Timestamp | null;
  created_at: Generated<Date>;
}

export interface CustomerRateOverridesTable {
  id: Generated<number>;
  account_id: number;
  prefix: string;
  destination: Generated<string>;
  rate_per_min: Numeric;
  connect_fee: ColumnType<string, string | undefined, string>;
  included_seconds: Generated<number>;
  initial_increment: Generated<number>;
  billing_increment: Generated<number>;
  effective_from: Timestamp;
  effective_to: Timestamp | null;
  status: Generated<Status>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  deleted_at: Timestamp | null;
}

export interface CallAuthReasonsTable {
  reason: string;
  sip_code: number;
  sip_reason: string;
  updated_at: Generated<Date>;
}

export interface CallReservationsTable {
  call_id: string;
  account_id: number;
  expires_at: Timestamp;
  ended_at: Timestamp | null;
  call: ColumnType<unknown, string, string>;
  updated_at: Generated<Date>;
}

export interface CallAuthAlarmsTable {
  id: Generated<number>;
  kind: 'MISSING_END' | 'MISSING_CDR';
  call_id: string;
  account_id: number;
  trunk_id: number | null;
  host_id: number | null;
  called_number: string;
  started_at: Timestamp;
  expires_at: Timestamp;
  grant_sec: number;
  amount_held: Numeric;
  created_at: Generated<Date>;
  acknowledged_at: Timestamp | null;
  acknowledged_by_user_id: number | null;
  acknowledged_by: string | null;
}

export interface RoutePlansTable {
  id: Generated<number>;
  name: string;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  deleted_at: Timestamp | null;
}

export interface RoutePlanEntriesTable {
  id: Generated<number>;
  route_plan_id: number;
  prefix: string;
  priority: number;
  provider_trunk_id: number;
}

export interface RoutePlanAssignmentsTable {
  account_id: number;
  route_plan_id: number;
}

export interface CdrsTable {
  id: Generated<number>;
  call_id: string;
  leg: string;
  account_id: number | null;
  status: 'rated' | 'denied' | 'unrated';
  reason: string | null;
  no_reservation: boolean;
  source_ip: string;
  sip_username: string | null;
  calling_number: string;
  called_number: string;
  started_at: Timestamp;
  answered_at: Timestamp | null;
  ended_at: Timestamp;
  duration_sec: Numeric;
  billsec: Numeric;
  disposition: string;
  sip_code: number;
  hangup_cause: string;
  egress_trunk: string | null;
  rate_id: number | null;
  /** The customer rate override that priced the call (rate_id is then null). */
  rate_override_id: number | null;
  rate_group_id: number | null;
  rate_prefix: string | null;
  rate_per_min: Numeric | null;
  connect_fee: Numeric | null;
  included_seconds: number | null;
  initial_increment: number | null;
  billing_increment: number | null;
  charged_sec: number;
  cost: Numeric;
  ledger_entry_id: string | null;
  rating_flags: Generated<string[]>;
  created_at: Generated<Date>;
}

/** Issue 13: a reseller's buy-rate line or the provider's cost line of a CDR. */
export interface CdrLinesTable {
  id: Generated<number>;
  cdr_id: number;
  /** The CDR's start: the month partition the line lives in, with its CDR. */
  started_at: Timestamp;
  kind: 'reseller' | 'provider';
  account_id: number;
  rate_id: number;
  rate_group_id: number;
  rate_prefix: string;
  rate_per_min: Numeric;
  connect_fee: Numeric;
  included_seconds: number;
  initial_increment: number;
  billing_increment: number;
  charged_sec: number;
  cost: Numeric;
  ledger_entry_id: string | null;
  payable_entry_id: string | null;
}

/** Issue 13: the idempotency key of a CDR, unique across its month partitions. */
export interface CdrKeysTable {
  call_id: string;
  leg: string;
  cdr_id: number;
  started_at: Timestamp;
}

/** The one row of system-wide settings an admin edits. */
export interface SystemSettingsTable {
  id: Generated<boolean>;
  cdr_retention_months: number | null;
  updated_at: Generated<Date>;
}

/** Issue 13: a customer's usage per local day, country, code name and code. */
export interface CdrDailyUsageTable {
  account_id: number;
  day: string;
  country: string;
  code_name: string;
  code: string;
  calls: number;
  answered: number;
  billsec: Numeric;
  charged_sec: number;
  cost: Numeric;
}

/** ITU-T E.164 country calling codes (and NANP area codes) -> ISO country: a code's country. */
export interface DialCodesTable {
  code: string;
  country: string;
}

/** The payable ledger (what we owe providers): append-only, no cached balance. */
export interface PayableEntriesTable {
  id: Generated<string>;
  seq: Generated<number>;
  account_id: number;
  type: 'CALL_COST';
  amount: Numeric;
  currency: string;
  idempotency_key: string;
  reason: string;
  external_ref: string | null;
  created_at: Generated<Date>;
}

export interface DB {
  accounts: AccountsTable;
  users: UsersTable;
  sessions: SessionsTable;
  api_keys: ApiKeysTable;
  audit_log: AuditLogTable;
  user_preferences: UserPreferencesTable;
  ledger_entries: LedgerEntriesTable;
  outbox_events: OutboxEventsTable;
  jobs: JobsTable;
  mails: MailsTable;
  mail_templates: MailTemplatesTable;
  notification_settings: NotificationSettingsTable;
  low_balance_states: LowBalanceStatesTable;
  notification_cursors: NotificationCursorsTable;
  customer_templates: CustomerTemplatesTable;
  customer_imports: CustomerImportsTable;
  customer_import_chunks: CustomerImportChunksTable;
  customer_import_issues: CustomerImportIssuesTable;
  customer_import_rejects: CustomerImportRejectsTable;
  customer_mass_creates: CustomerMassCreatesTable;
  customer_mass_create_rows: CustomerMassCreateRowsTable;
  trunks: TrunksTable;
  hosts: HostsTable;
  sip_devices: SipDevicesTable;
  caller_ids: CallerIdsTable;
  force_caller_ids: ForceCallerIdsTable;
  blocked_codes: BlockedCodesTable;
  speed_dials: SpeedDialsTable;
  dids: DidsTable;
  localization_profiles: LocalizationProfilesTable;
  rate_groups: RateGroupsTable;
  rates: RatesTable;
  customer_rate_overrides: CustomerRateOverridesTable;
  call_auth_reasons: CallAuthReasonsTable;
  call_reservations: CallReservationsTable;
  call_auth_alarms: CallAuthAlarmsTable;
  route_plans: RoutePlansTable;
  route_plan_entries: RoutePlanEntriesTable;
  route_plan_assignments: RoutePlanAssignmentsTable;
  cdrs: CdrsTable;
  cdr_lines: CdrLinesTable;
  cdr_keys: CdrKeysTable;
  system_settings: SystemSettingsTable;
  cdr_daily_usage: CdrDailyUsageTable;
  payable_entries: PayableEntriesTable;
  dial_codes: DialCodesTable;
}

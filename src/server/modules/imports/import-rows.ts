/**
 * Pure CSV-row logic of the customer import (no I/O): the columns it reads, header auto-mapping,
 * cell parsing, and validation against the create form. Unit-tested in import-rows.test.ts.
 */
import { Compile } from 'typebox/compile';
import { AppError, type ErrorCode } from '../../platform/errors.js';
import { stripFormulaGuard } from '../../platform/csv/csv-cells.js';
import { isMoney, money } from '../../platform/money.js';
import {
  CreateAccountBody,
  PatchAccountBody,
  accountsService,
  type AccountDto,
  type CreateAccountInput,
  type PatchAccountInput,
} from '../accounts/index.js';
import type { Ctx } from '../../platform/context.js';
import {
  CUSTOMER_EXPORT_COLUMNS,
  CUSTOMER_IMPORT_ONLY_COLUMNS,
  SIP_DEVICE_EXPORT_COLUMNS,
  SIP_DEVICE_IMPORT_ONLY_COLUMNS,
  columnForHeader,
  sipDeviceColumnForHeader,
  type CsvValueType,
} from '../exports/index.js';

/**
 * What an import creates: customers (the default), resellers (the customer file's columns; parents
 * before children), or SIP devices of existing customers (one file per object type).
 */
export type ImportKind = 'customers' | 'resellers' | 'sip-devices';
export const IMPORT_KINDS: readonly ImportKind[] = ['customers', 'resellers', 'sip-devices'];

export interface RowIssue {
  rowNumber: number;
  column: string | null;
  severity: 'error' | 'warning';
  code: string;
  message: string;
}

type CellKind =
  'text' | 'trimmed' | 'upper' | 'lower' | 'int' | 'decimal' | 'bool' | 'list' | 'lowerList' | 'time';

/** Each importable column: the API field it fills and how its cell is read. */
interface ImportColumn {
  name: string;
  field: string | null;
  kind: CellKind;
  type: CsvValueType;
  /** May carry a batch default. Identity, credentials and informational columns may not. */
  defaultable: boolean;
  /** Read-only information: ignored by the import (DOMAIN 3.6 export-only columns). */
  ignored?: boolean;
}

const FIELD: Record<string, [string | null, CellKind, boolean?]> = {
  account_number: ['accountNumber', 'trimmed', false],
  name: ['name', 'trimmed', false],
  roles: ['roles', 'lowerList'],
  status: ['status', 'lower'],
  mode: ['mode', 'lower'],
  currency: ['currency', 'upper'],
  company_name: ['companyName', 'text'],
  first_name: ['firstName', 'text'],
  last_name: ['lastName', 'text'],
  main_email: ['mainEmail', 'trimmed', false],
  noc_email: ['nocEmails', 'list'],
  billing_email: ['billingEmails', 'list'],
  rates_email: ['ratesEmails', 'list'],
  notification_email: ['notificationEmails', 'list'],
  phone: ['phone', 'text'],
  address1: ['address1', 'text'],
  address2: ['address2', 'text'],
  city: ['city', 'text'],
  province: ['province', 'text'],
  zip: ['zip', 'text'],
  country: ['country', 'upper'],
  timezone: ['timezone', 'trimmed'],
  tax_id: ['taxId', 'text'],
  reference: ['reference', 'text'],
  reseller: ['resellerId', 'trimmed'],
  rate_group: ['rateGroupName', 'trimmed'],
  non_cli_rate_group: ['nonCliRateGroupName', 'trimmed'],
  cli_pool_mode: ['cliPoolMode', 'int'],
  localization: ['localizationName', 'trimmed'],
  rate_group_id: ['rateGroupId', 'int'],
  non_cli_rate_group_id: ['nonCliRateGroupId', 'int'],
  localization_id: ['localizationId', 'int'],
  call_limit: ['callLimit', 'int'],
  cps_limit: ['cpsLimit', 'decimal'],
  credit_limit: ['creditLimit', 'decimal'],
  unlimited_credit: ['unlimitedCredit', 'bool'],
  min_profit_type: ['minProfitability.type', 'lower'],
  min_profit_value: ['minProfitability.value', 'decimal'],
  allow_local_calls: ['allowLocalCalls', 'bool'],
  local_call_price_per_min: ['localCallPricePerMin', 'decimal'],
  billing_schedule: ['billingSchedule', 'lower'],
  billing_day: ['billingDay', 'int'],
  generate_zero_invoice: ['generateZeroInvoice', 'bool'],
  invoice_note: ['invoiceNote', 'text'],
  notifications_enabled: ['notificationsEnabled', 'bool'],
  online_payment: ['onlinePayment', 'bool'],
  portal_permissions: ['portalPermissions', 'list'],
  valid_until: ['validUntil', 'time'],
  portal_username: ['portalUsername', 'trimmed', false],
  balance: [null, 'decimal', false],
  first_used: [null, 'time', false],
  created_at: [null, 'time', false],
  password: [null, 'text', false],
  pin: ['pin', 'trimmed', false],
  sip_username: [null, 'text', false],
  sip_password: [null, 'text', false],
};

export const IMPORT_COLUMNS: readonly ImportColumn[] = [
  ...CUSTOMER_EXPORT_COLUMNS,
  ...CUSTOMER_IMPORT_ONLY_COLUMNS,
].map((c) => {
  const [field, kind, defaultable] = FIELD[c.name]!;
  return {
    name: c.name,
    field,
    kind,
    type: c.type,
    defaultable: defaultable ?? true,
    ignored: c.name === 'first_used' || c.name === 'created_at',
  };
});
const COLUMN = new Map(IMPORT_COLUMNS.map((c) => [c.name, c]));
const COLUMN_OF_FIELD = new Map(IMPORT_COLUMNS.filter((c) => c.field).map((c) => [c.field!, c.name]));
COLUMN_OF_FIELD.set('minProfitability', 'min_profit_value');
COLUMN_OF_FIELD.set('password', 'password');
COLUMN_OF_FIELD.set('initialBalance', 'balance');

export function importColumn(name: string): ImportColumn | undefined {
  return COLUMN.get(name);
}

/** The column a field error belongs to (`creditLimit` -> `credit_limit`). */
export function columnOfField(field: string | undefined): string | null {
  if (!field) return null;
  return COLUMN_OF_FIELD.get(field) ?? COLUMN_OF_FIELD.get(field.split('.')[0]!) ?? null;
}

/** The column names an import of this kind reads (export-only ones included, then ignored). */
export function importColumnNames(kind: ImportKind): string[] {
  return kind === 'sip-devices'
    ? [...SIP_DEVICE_EXPORT_COLUMNS, ...SIP_DEVICE_IMPORT_ONLY_COLUMNS].map((c) => c.name)
    : IMPORT_COLUMNS.map((c) => c.name);
}

/** Columns whose cells are sealed at upload (passwords hashed, SIP secrets encrypted). */
export function sealedColumnKind(kind: ImportKind, column: string | null): 'hash' | 'encrypt' | null {
  if (kind === 'sip-devices') return column === 'secret' ? 'encrypt' : null;
  return column === 'password' ? 'hash' : column === 'sip_password' ? 'encrypt' : null;
}

/** Maps each header to a column by name (ASTPP's headers included); a repeated column maps once. */
export function autoMapHeaders(headers: string[], kind: ImportKind = 'customers'): (string | null)[] {
  const seen = new Set<string>();
  const byHeader = kind === 'sip-devices' ? sipDeviceColumnForHeader : columnForHeader;
  return headers.map((h) => {
    const c = byHeader(h);
    if (!c || seen.has(c)) return null;
    seen.add(c);
    return c;
  });
}

// ---------------------------------------------------------------- cells

const INT = /^[+-]?\d{1,15}$/;
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
const TRUE = new Set(['true', 'yes', 'y', '1', 'on']);
const FALSE = new Set(['false', 'no', 'n', '0', 'off']);
const LOCAL_TIME = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?))?$/;
const ZONED_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

/** `0100.500` -> `100.5`: what TypeBox's money patterns accept, without changing the amount. */
function canonicalDecimal(s: string): string {
  let t = s.startsWith('+') ? s.slice(1) : s;
  const neg = t.startsWith('-');
  if (neg) t = t.slice(1);
  let [int, frac = ''] = t.split('.');
  int = (int ?? '').replace(/^0+(?=\d)/, '') || '0';
  frac = frac.replace(/0+$/, '');
  const out = frac ? `${int}.${frac}` : int;
  return neg && out !== '0' ? `-${out}` : out;
}

export class CellError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Reads one non-empty cell into its typed value, or throws a CellError. */
export function parseCell(kind: CellKind, raw: string): unknown {
  switch (kind) {
    case 'text':
      return stripFormulaGuard(raw);
    case 'trimmed':
      return stripFormulaGuard(raw).trim();
    case 'upper':
      return raw.trim().toUpperCase();
    case 'lower':
      return raw.trim().toLowerCase();
    case 'int': {
      const t = raw.trim();
      if (!INT.test(t)) throw new CellError('INVALID_NUMBER', `"${raw}" is not a whole number.`);
      return Number(t);
    }
    case 'decimal': {
      const t = raw.trim();
      if (!DECIMAL.test(t))
        throw new CellError('INVALID_NUMBER', `"${raw}" is not a number (use a dot, no grouping).`);
      return canonicalDecimal(t);
    }
    case 'bool': {
      const t = raw.trim().toLowerCase();
      if (TRUE.has(t)) return true;
      if (FALSE.has(t)) return false;
      throw new CellError('INVALID_BOOLEAN', `"${raw}" is not true or false.`);
    }
    case 'list':
    case 'lowerList':
      return stripFormulaGuard(raw)
        .split(';')
        .map((s) => (kind === 'lowerList' ? s.trim().toLowerCase() : s.trim()))
        .filter((s) => s !== '');
    case 'time': {
      const t = raw.trim();
      const local = LOCAL_TIME.exec(t);
      // A time without a zone is read as UTC: the server's zone must never change the meaning.
      const iso = local ? `${local[1]}T${local[2] ?? '00:00'}Z` : ZONED_TIME.test(t) ? t : null;
      const ms = iso === null ? NaN : Date.parse(iso);
      if (Number.isNaN(ms))
        throw new CellError('INVALID_TIMESTAMP', `"${raw}" is not an ISO 8601 date or time.`);
      return new Date(ms).toISOString();
    }
  }
}

// ---------------------------------------------------------------- rows

export interface ImportSettings {
  /** Set at upload, never changed. */
  kind: ImportKind;
  /** The column each header fills, by header position; null = not imported. */
  columns: (string | null)[];
  /** Batch defaults by column name, as cell text; a non-empty cell overrides them. */
  defaults: Record<string, string>;
  mode: 'skipInvalid' | 'atomic';
  onExisting: 'error' | 'skip' | 'update';
}

/** A row read from the file: typed values by field, plus the columns that need the database. */
export interface ReadRow {
  rowNumber: number;
  cells: string[];
  /** Values from non-empty cells, by API field (nested minProfitability kept as two keys). */
  values: Record<string, unknown>;
  /** Fields whose column is in the file but whose cell is empty. */
  emptied: Set<string>;
  accountNumber: string | null;
  resellerNumber: string | null;
  balance: string | null;
  passwordHash: string | null;
  /** The SIP device to create with a new account (DOMAIN 3.5): its username, its encrypted secret. */
  sipUsername: string | null;
  sipSecretEnc: string | null;
  issues: RowIssue[];
}

const SIP_USERNAME = /^[A-Za-z0-9._@+-]{3,40}$/;

const PASSWORD_MARKERS: Record<string, string> = {
  '!PASSWORD_TOO_SHORT': 'The password must have at least 10 characters.',
  '!PASSWORD_TOO_LONG': 'The password must have at most 200 characters.',
  '!PASSWORD_SAME_AS_USERNAME': 'The password must differ from the username.',
};

/**
 * Reads the mapped cells of one row: strips the export's formula guard from text, parses numbers,
 * booleans, lists and times, and flags what the import refuses outright (SIP columns, bad password
 * cells). Defaults are not applied here.
 */
export function readRow(rowNumber: number, cells: string[], settings: ImportSettings): ReadRow {
  const row: ReadRow = {
    rowNumber,
    cells,
    values: {},
    emptied: new Set(),
    accountNumber: null,
    resellerNumber: null,
    balance: null,
    passwordHash: null,
    sipUsername: null,
    sipSecretEnc: null,
    issues: [],
  };
  const error = (column: string | null, code: string, message: string) =>
    row.issues.push({ rowNumber, column, severity: 'error', code, message });
  const width = settings.columns.length;
  if (cells.length > width && cells.slice(width).some((c) => c !== ''))
    error(null, 'COLUMN_COUNT', `The row has ${cells.length} cells; the header has ${width}.`);
  for (let i = 0; i < width; i++) {
    const name = settings.columns[i];
    if (!name) continue;
    const col = COLUMN.get(name)!;
    if (col.ignored) continue;
    const raw = cells[i] ?? '';
    if (raw === '') {
      if (col.field) row.emptied.add(col.field);
      continue;
    }
    if (name === 'password') {
      if (raw.startsWith('!')) error(name, raw.slice(1), PASSWORD_MARKERS[raw] ?? 'Invalid password.');
      else row.passwordHash = raw;
      continue;
    }
    if (name === 'sip_username') {
      const u = stripFormulaGuard(raw.trim());
      if (SIP_USERNAME.test(u)) row.sipUsername = u;
      else
        error(
          name,
          'SIP_USERNAME_INVALID',
          'A SIP username has 3-40 characters: letters, digits and . _ @ + -.',
        );
      continue;
    }
    if (name === 'sip_password') {
      if (raw.startsWith('enc:')) row.sipSecretEnc = raw.slice(4);
      else
        error(name, 'SIP_PASSWORD_INVALID', 'A SIP password has 12-128 printable characters and no spaces.');
      continue;
    }
    try {
      const v = parseCell(col.kind, raw);
      if (name === 'balance') row.balance = v as string;
      else if (name === 'reseller') row.resellerNumber = (v as string) || null;
      else if (name === 'account_number') {
        row.accountNumber = (v as string) || null;
        row.values.accountNumber = v;
      } else row.values[col.field!] = v;
    } catch (err) {
      if (!(err instanceof CellError)) throw err;
      error(name, err.code, err.message);
    }
  }
  // A device needs its secret: a username alone would make a device nobody can register.
  if (row.sipUsername && !row.sipSecretEnc && !row.issues.some((i) => i.column === 'sip_password'))
    error(
      'sip_password',
      'SIP_PASSWORD_REQUIRED',
      'A row with a SIP username needs its SIP password (12-128 printable characters).',
    );
  return row;
}

const createCheck = Compile(CreateAccountBody);
const patchCheck = Compile(PatchAccountBody);

interface SchemaError {
  instancePath: string;
  keyword: string;
  message: string;
  params?: { missingProperty?: string; requiredProperties?: string[] };
}

/** Schema issues of a row, but none on a column that already has an error. */
function addSchemaIssues(row: ReadRow, errors: Iterable<SchemaError>): void {
  const reported = new Set(row.issues.filter((i) => i.severity === 'error').map((i) => i.column));
  row.issues.push(...schemaIssues(row.rowNumber, errors).filter((i) => !reported.has(i.column)));
}

/** The most telling schema error per field, as row issues. */
function schemaIssues(rowNumber: number, errors: Iterable<SchemaError>): RowIssue[] {
  const byField = new Map<string, SchemaError>();
  for (const e of errors) {
    const path = e.instancePath.split('/').filter(Boolean);
    let field = path.join('.');
    if (e.keyword === 'required') {
      const missing = e.params?.requiredProperties?.[0] ?? e.params?.missingProperty;
      if (missing) field = [...path, missing].join('.');
    }
    const known = byField.get(field);
    const weak = (x: SchemaError) => x.keyword === 'anyOf' || x.message === 'must be null';
    if (!known || (weak(known) && !weak(e))) byField.set(field, e);
  }
  return [...byField.entries()].map(([field, e]) => ({
    rowNumber,
    column: columnOfField(field) ?? field,
    severity: 'error' as const,
    code: e.keyword === 'required' ? 'REQUIRED' : 'INVALID_VALUE',
    message:
      e.keyword === 'required' ? 'Required.' : `${e.message.charAt(0).toUpperCase()}${e.message.slice(1)}.`,
  }));
}

function ruleIssue(rowNumber: number, err: unknown): RowIssue {
  if (err instanceof AppError && err.status < 500)
    return {
      rowNumber,
      column: columnOfField(err.details.field),
      severity: 'error',
      code: err.code,
      message: err.message,
    };
  throw err;
}

/** Assembles minProfitability from its two columns; one without the other is an error. */
function minProfit(row: ReadRow, values: Record<string, unknown>): void {
  const type = values['minProfitability.type'];
  const value = values['minProfitability.value'];
  delete values['minProfitability.type'];
  delete values['minProfitability.value'];
  if (type === undefined && value === undefined) return;
  if (type === undefined || value === undefined) {
    row.issues.push({
      rowNumber: row.rowNumber,
      column: type === undefined ? 'min_profit_type' : 'min_profit_value',
      severity: 'error',
      code: 'REQUIRED',
      message: 'min_profit_type and min_profit_value go together.',
    });
    return;
  }
  values.minProfitability = { type, value };
}

/**
 * The create-form input of a new account from a row and the batch defaults (a non-empty cell wins),
 * validated exactly like POST /customers (schema, then the account rules). The name falls back to
 * the company, then first and last name, then the account number (ASTPP files have no name column).
 * Returns null, with issues on the row, when the row is invalid.
 */
export function buildCreateInput(
  ctx: Ctx,
  row: ReadRow,
  defaults: Record<string, unknown>,
): (CreateAccountInput & { name: string }) | null {
  const values: Record<string, unknown> = { ...defaults, ...row.values };
  delete values.resellerId;
  minProfit(row, values);
  if (values.name === undefined || values.name === '') {
    const person = [values.firstName, values.lastName]
      .filter((s) => typeof s === 'string' && s.trim())
      .join(' ');
    const fallback = (values.companyName as string | undefined)?.trim() || person.trim() || row.accountNumber;
    if (fallback) values.name = fallback.slice(0, 100);
  }
  // A new account's balance becomes its INITIAL_BALANCE ledger entry (DOMAIN 3.5), posted with it.
  if (row.balance !== null && !money(row.balance).isZero()) {
    if (isMoney(row.balance)) values.initialBalance = row.balance;
    else
      row.issues.push({
        rowNumber: row.rowNumber,
        column: 'balance',
        severity: 'error',
        code: 'INVALID_VALUE',
        message: `"${row.balance}" is not an amount: at most 14 digits before the dot and 6 after.`,
      });
  }
  // Every error of the row, each on its column: cells that did not parse, then the schema on the
  // rest (a column already reported is not reported twice), then the account rules when the
  // values are well-formed.
  if (!createCheck.Check(values)) {
    const errors = [...(createCheck.Errors(values) as Iterable<SchemaError>)];
    addSchemaIssues(row, errors);
    // The account rules still speak about the well-formed rest (a bad country beside a bad limit).
    const rest = { ...values };
    for (const e of errors) delete rest[e.instancePath.split('/').filter(Boolean)[0] ?? ''];
    if (createCheck.Check(rest)) {
      try {
        accountsService.checkAccountRules(ctx, { ...rest, mode: rest.mode ?? 'prepaid' });
      } catch (err) {
        const issue = ruleIssue(row.rowNumber, err);
        if (!row.issues.some((i) => i.severity === 'error' && i.column === issue.column))
          row.issues.push(issue);
      }
    }
    return null;
  }
  const input = values as CreateAccountInput & { name: string };
  try {
    accountsService.checkAccountRules(ctx, { ...input, mode: input.mode ?? 'prepaid' });
    if (input.roles && !input.roles.includes('customer'))
      throw new AppError('VALIDATION_FAILED', 'A customer must have the customer role.', {
        field: 'roles',
      });
  } catch (err) {
    row.issues.push(ruleIssue(row.rowNumber, err));
    return null;
  }
  if (row.issues.some((i) => i.severity === 'error')) return null;
  // An opening balance carries the six decimals of a balance (DOMAIN 3.16: a migrated ASTPP balance
  // has them), whatever the currency's minor unit; the money format already caps it at six.
  return input;
}

const NON_NULLABLE = new Set([
  'roles',
  'status',
  'mode',
  'currency',
  'country',
  'timezone',
  'name',
  'portalUsername',
  'allowLocalCalls',
  'localCallPricePerMin',
  'notificationsEnabled',
  'creditLimit',
  'unlimitedCredit',
  'cliPoolMode',
  'billingSchedule',
  'billingDay',
  'generateZeroInvoice',
]);
const LIST_FIELDS = new Set(['nocEmails', 'billingEmails', 'ratesEmails', 'notificationEmails', 'roles']);

/** Canonical text of a value for "did it change?": money and limits compare by amount. */
function same(field: string, a: unknown, b: unknown): boolean {
  const norm = (v: unknown): unknown => {
    if (v === null || v === undefined || v === '') return null;
    if (['creditLimit', 'localCallPricePerMin', 'cpsLimit'].includes(field))
      return money(String(v)).toString();
    if (field === 'minProfitability') {
      const m = v as { type: string; value: string };
      return `${m.type}:${money(m.value).toString()}`;
    }
    if (Array.isArray(v)) return v.length ? JSON.stringify(v) : null;
    return v;
  };
  return JSON.stringify(norm(a)) === JSON.stringify(norm(b));
}

/**
 * The patch a row makes to an existing account in `update` mode (DOMAIN 3.5): only columns in the
 * file, only values that differ, never the balance (a different balance is a warning), never the
 * password. An empty cell clears a nullable field and leaves a required one alone. Validated like
 * PATCH /customers/{id}. Returns null when invalid; `{}` means unchanged.
 */
export function buildUpdatePatch(ctx: Ctx, row: ReadRow, current: AccountDto): PatchAccountInput | null {
  const values: Record<string, unknown> = { ...row.values };
  delete values.accountNumber;
  delete values.resellerId;
  minProfit(row, values);
  for (const f of row.emptied) {
    if (f === 'accountNumber' || f === 'resellerId' || NON_NULLABLE.has(f)) continue;
    if (f.startsWith('minProfitability')) values.minProfitability = null;
    else values[f] = LIST_FIELDS.has(f) ? [] : null;
  }
  if (row.passwordHash)
    row.issues.push({
      rowNumber: row.rowNumber,
      column: 'password',
      severity: 'warning',
      code: 'PASSWORD_IGNORED_ON_UPDATE',
      message: 'An import never changes the password of an existing account.',
    });
  if (row.sipUsername || row.sipSecretEnc)
    row.issues.push({
      rowNumber: row.rowNumber,
      column: row.sipUsername ? 'sip_username' : 'sip_password',
      severity: 'warning',
      code: 'SIP_IGNORED_ON_UPDATE',
      message:
        "An import adds a SIP device to new accounts only; manage an existing account's devices on its SIP Devices tab.",
    });
  if (row.balance !== null && !money(row.balance).eq(current.balance))
    row.issues.push({
      rowNumber: row.rowNumber,
      column: 'balance',
      severity: 'warning',
      code: 'BALANCE_DIFFERS',
      message: `The file says ${row.balance}; the balance is ${current.balance} and was not changed.`,
    });
  const patch: Record<string, unknown> = {};
  for (const [f, v] of Object.entries(values)) {
    if (!same(f, (current as Record<string, unknown>)[f], v)) patch[f] = v;
  }
  const failed = () => row.issues.some((i) => i.severity === 'error');
  if (Object.keys(patch).length === 0) return failed() ? null : {};
  if (!patchCheck.Check(patch)) {
    addSchemaIssues(row, patchCheck.Errors(patch) as Iterable<SchemaError>);
    return null;
  }
  if (failed()) return null;
  try {
    accountsService.checkAccountRules(ctx, {
      ...(patch as PatchAccountInput),
      mode: (patch.mode as 'prepaid' | 'postpaid' | undefined) ?? (current.mode as 'prepaid' | 'postpaid'),
      cliPoolMode: (patch.cliPoolMode as number | undefined) ?? current.cliPoolMode,
      nonCliRateGroupId:
        patch.nonCliRateGroupId !== undefined
          ? (patch.nonCliRateGroupId as number | null)
          : current.nonCliRateGroupId,
    });
  } catch (err) {
    row.issues.push(ruleIssue(row.rowNumber, err));
    return null;
  }
  return patch as PatchAccountInput;
}

/** Parses the batch defaults once; errors name the default (`defaults.currency`). */
export function parseDefaults(defaults: Record<string, string>): {
  values: Record<string, unknown>;
  resellerNumber: string | null;
  errors: { field: string; code: ErrorCode; message: string }[];
} {
  const values: Record<string, unknown> = {};
  const errors: { field: string; code: ErrorCode; message: string }[] = [];
  let resellerNumber: string | null = null;
  for (const [name, raw] of Object.entries(defaults)) {
    const col = COLUMN.get(name);
    if (!col || !col.defaultable || col.ignored) {
      errors.push({
        field: `defaults.${name}`,
        code: 'DEFAULT_NOT_ALLOWED',
        message: `No batch default for "${name}".`,
      });
      continue;
    }
    if (raw === '') continue;
    try {
      const v = parseCell(col.kind, raw);
      if (name === 'reseller') resellerNumber = v as string;
      else values[col.field!] = v;
    } catch (err) {
      if (!(err instanceof CellError)) throw err;
      errors.push({ field: `defaults.${name}`, code: err.code, message: err.message });
    }
  }
  return { values, resellerNumber, errors };
}

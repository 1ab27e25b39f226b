/**
 * One chunk of an import: read and validate its rows, decide each row's fate against the database,
 * and (for a real run) write them. Shared by the dry run, the atomic validation pass and the run.
 *
 * Idempotency: an account created by a row carries (import_id, import_row), unique together, and
 * a chunk's rows, issues, counters and position commit in one transaction; a chunk run again (after
 * a crash, or by a runner that lost its lease) finds its rows already imported and adds nothing.
 */
import { sql } from 'kysely';
import { insertDevicesBulk, takenSipUsernames } from '../sip-devices/index.js';
import type { Ctx } from '../../platform/context.js';
import { AppError } from '../../platform/errors.js';
import {
  accountsService,
  findAccountsByIds,
  insertAccountsBulk,
  toAccountDto,
  type AccountDto,
  type AccountOwner,
  type CreateAccountInput,
  type NewBulkAccount,
  type PatchAccountInput,
  takenLogins,
  takenNames,
  takenNumbers,
  takenPins,
} from '../accounts/index.js';
import {
  buildCreateInput,
  buildUpdatePatch,
  columnOfField,
  readRow,
  type ImportSettings,
  type ReadRow,
  type RowIssue,
} from './import-rows.js';
import { checkAccountReferences } from '../../platform/account-lifecycle.js';
import { postInitialBalancesBulk } from '../ledger/index.js';
import * as repo from './imports.repository.js';
import { stripFormulaGuard } from '../../platform/csv/csv-cells.js';
import { classifyDeviceChunk, writeDeviceChunk } from './imports.sip-devices.js';

export type Outcome =
  | { kind: 'create'; row: ReadRow; input: CreateAccountInput & { name: string }; owner: AccountOwner | null }
  | { kind: 'update'; row: ReadRow; accountId: number; patch: PatchAccountInput }
  | { kind: 'unchanged' | 'skip' | 'already' | 'reject'; row: ReadRow };

/** Keys seen earlier in the file, for passes that write nothing (the database cannot tell them). */
export interface FileKeys {
  numbers: Set<string>;
  logins: Set<string>;
  pins: Set<string>;
  names: Set<string>;
  sipUsernames: Set<string>;
}
export const newFileKeys = (): FileKeys => ({
  numbers: new Set(),
  logins: new Set(),
  pins: new Set(),
  names: new Set(),
  sipUsernames: new Set(),
});

/** The username of the SIP device a new account's row asks for: its own, else the account number. */
function sipUsernameOf(row: ReadRow, accountNumber: string | null | undefined): string | null {
  if (!row.sipSecretEnc) return null;
  return row.sipUsername ?? accountNumber ?? null;
}

export interface ChunkPlan {
  importId: number;
  settings: ImportSettings;
  defaults: { values: Record<string, unknown>; resellerNumber: string | null };
}

/** The kind of account a customer or reseller import creates. */
const accountKindOf = (plan: ChunkPlan): 'customer' | 'reseller' =>
  plan.settings.kind === 'resellers' ? 'reseller' : 'customer';

const reject = (row: ReadRow, column: string | null, code: string, message: string): Outcome => {
  row.issues.push({ rowNumber: row.rowNumber, column, severity: 'error', code, message });
  return { kind: 'reject', row };
};

/**
 * Decides every row of a chunk without writing: create (validated input and owner), update
 * (patch), unchanged, skip, already imported, or reject (with issues). `fileKeys`, when given,
 * also catches duplicates against earlier chunks (passes that write nothing).
 */
export async function classifyChunk(
  ctx: Ctx,
  plan: ChunkPlan,
  rawRows: [number, string[]][],
  fileKeys: FileKeys | null,
): Promise<Outcome[]> {
  const { settings } = plan;
  const kind = accountKindOf(plan);
  const rows = rawRows.map(([n, cells]) => readRow(n, cells, settings));
  if (kind === 'reseller')
    for (const row of rows)
      if (row.sipUsername || row.sipSecretEnc)
        row.issues.push({
          rowNumber: row.rowNumber,
          column: row.sipUsername ? 'sip_username' : 'sip_password',
          severity: 'error',
          code: 'VALIDATION_FAILED',
          message: 'A reseller account has no SIP device.',
        });
  const numbers = [...new Set(rows.map((r) => r.accountNumber).filter((n): n is string => !!n))];
  // Sequential on purpose: inside a transaction there is one connection (and PGlite has only one).
  const existing = await repo.accountsByNumber(ctx.db, ctx.actor, numbers);
  const already = await repo.rowsAlreadyImported(
    ctx.db,
    plan.importId,
    rows.map((r) => r.rowNumber),
  );
  const existingByNumber = new Map(existing.map((e) => [e.account_number, e]));
  const resellerNumbers = new Set<string>();
  for (const r of rows) if (r.resellerNumber) resellerNumbers.add(r.resellerNumber);
  if (plan.defaults.resellerNumber) resellerNumbers.add(plan.defaults.resellerNumber);
  const resellers = await repo.resellersByNumber(ctx.db, ctx.actor, [...resellerNumbers]);
  const self = ctx.actor.kind === 'reseller' ? await repo.accountOwnerRef(ctx.db, ctx.actor.accountId) : null;
  const updateIds =
    settings.onExisting === 'update' ? existing.filter((e) => e.in_scope && !e.deleted).map((e) => e.id) : [];
  const currentById = new Map<number, AccountDto>(
    (await findAccountsByIds(ctx.db, ctx.actor, updateIds)).map((a) => [a.id, toAccountDto(a)]),
  );
  // References by name resolve within the owner the row's account has or will have.
  const defaults = await resolveReferenceNames(ctx, rows, plan.defaults.values, (row) => {
    const found = row.accountNumber ? existingByNumber.get(row.accountNumber) : undefined;
    if (found) return found.parent_id;
    const n = row.resellerNumber ?? plan.defaults.resellerNumber;
    return n ? (resellers.get(n)?.id ?? null) : self ? self.id : null;
  });

  const outcomes: Outcome[] = [];
  const chunkKeys = fileKeys ?? newFileKeys();
  for (const row of rows) {
    if (already.has(row.rowNumber)) {
      outcomes.push({ kind: 'already', row });
      continue;
    }
    const found = row.accountNumber ? existingByNumber.get(row.accountNumber) : undefined;
    if (found) {
      if (found.import_id === plan.importId) {
        outcomes.push(
          reject(
            row,
            'account_number',
            'DUPLICATE_IN_FILE',
            `Row ${found.import_row} of this file already has this account number.`,
          ),
        );
      } else if (found.deleted || !found.in_scope || found.is_reseller !== (kind === 'reseller')) {
        outcomes.push(
          reject(
            row,
            'account_number',
            'ACCOUNT_NUMBER_TAKEN',
            'This account number is already used by another account.',
          ),
        );
      } else if (settings.onExisting === 'error') {
        outcomes.push(
          reject(
            row,
            'account_number',
            'ACCOUNT_EXISTS',
            `A ${kind} with this account number exists (choose onExisting skip or update).`,
          ),
        );
      } else if (settings.onExisting === 'skip') {
        if (chunkKeys.numbers.has(found.account_number)) {
          outcomes.push(
            reject(
              row,
              'account_number',
              'DUPLICATE_IN_FILE',
              'An earlier row of this file has this account number.',
            ),
          );
        } else {
          chunkKeys.numbers.add(found.account_number);
          outcomes.push({ kind: row.issues.some((i) => i.severity === 'error') ? 'reject' : 'skip', row });
        }
      } else {
        const current = currentById.get(found.id);
        if (chunkKeys.numbers.has(found.account_number)) {
          outcomes.push(
            reject(
              row,
              'account_number',
              'DUPLICATE_IN_FILE',
              'An earlier row of this file has this account number.',
            ),
          );
          continue;
        }
        chunkKeys.numbers.add(found.account_number);
        if (!current) {
          outcomes.push(
            reject(
              row,
              'account_number',
              'ACCOUNT_NUMBER_TAKEN',
              'This account number is already used by another account.',
            ),
          );
          continue;
        }
        if (row.resellerNumber && row.resellerNumber !== (found.parent_number ?? '')) {
          outcomes.push(
            reject(
              row,
              'reseller',
              'RESELLER_CHANGE_NOT_SUPPORTED',
              'An import cannot move a customer to another reseller.',
            ),
          );
          continue;
        }
        const patch = buildUpdatePatch(ctx, row, current);
        if (patch === null) outcomes.push({ kind: 'reject', row });
        else if (Object.keys(patch).length === 0) outcomes.push({ kind: 'unchanged', row });
        else outcomes.push({ kind: 'update', row, accountId: found.id, patch });
      }
      continue;
    }
    const input = buildCreateInput(ctx, row, defaults);
    if (!input) {
      outcomes.push({ kind: 'reject', row });
      continue;
    }
    const resellerNumber = row.resellerNumber ?? plan.defaults.resellerNumber;
    let owner: AccountOwner | null = self;
    if (resellerNumber) {
      // A pass that writes nothing over a reseller file: a parent made by an earlier row of the
      // file stands in for the reseller the run will have created by then (the file is ordered
      // parents first at upload).
      const r =
        resellers.get(resellerNumber) ??
        (fileKeys && kind === 'reseller' && chunkKeys.numbers.has(resellerNumber)
          ? { id: -row.rowNumber, ancestor_ids: [] }
          : undefined);
      if (!r) {
        outcomes.push(
          reject(row, 'reseller', 'RESELLER_NOT_FOUND', `No reseller ${resellerNumber} that you manage.`),
        );
        continue;
      }
      owner = r;
    }
    const login = (input.portalUsername ?? input.accountNumber)?.toLowerCase();
    const sip = sipUsernameOf(row, input.accountNumber)?.toLowerCase() ?? null;
    const nameKey = `${owner?.id ?? 0}:${input.name.trim().toLowerCase()}`;
    if (input.accountNumber && chunkKeys.numbers.has(input.accountNumber))
      outcomes.push(
        reject(
          row,
          'account_number',
          'DUPLICATE_IN_FILE',
          'An earlier row of this file has this account number.',
        ),
      );
    else if (chunkKeys.names.has(nameKey))
      outcomes.push(
        reject(row, 'name', 'DUPLICATE_IN_FILE', 'An earlier row of this file has this name (same owner).'),
      );
    else if (login && chunkKeys.logins.has(login))
      outcomes.push(
        reject(
          row,
          input.portalUsername ? 'portal_username' : 'account_number',
          'DUPLICATE_IN_FILE',
          'An earlier row of this file has this portal username.',
        ),
      );
    else if (input.pin && chunkKeys.pins.has(input.pin))
      outcomes.push(reject(row, 'pin', 'DUPLICATE_IN_FILE', 'An earlier row of this file has this PIN.'));
    else if (sip && chunkKeys.sipUsernames.has(sip))
      outcomes.push(
        reject(
          row,
          row.sipUsername ? 'sip_username' : 'account_number',
          'DUPLICATE_IN_FILE',
          'An earlier row of this file has this SIP username.',
        ),
      );
    else {
      if (sip) chunkKeys.sipUsernames.add(sip);
      if (input.accountNumber) chunkKeys.numbers.add(input.accountNumber);
      chunkKeys.names.add(nameKey);
      if (login) chunkKeys.logins.add(login);
      if (input.pin) chunkKeys.pins.add(input.pin);
      outcomes.push({ kind: 'create', row, input, owner });
    }
  }

  // What the database already holds, for the rows still to be created.
  const creates = outcomes.filter((o): o is Extract<Outcome, { kind: 'create' }> => o.kind === 'create');
  const names = await takenNames(
    ctx.db,
    creates.map((c) => ({ ownerId: c.owner?.id ?? 0, name: c.input.name.trim() })),
  );
  const logins = await takenLogins(
    ctx.db,
    creates.map((c) => c.input.portalUsername ?? c.input.accountNumber).filter((l): l is string => !!l),
  );
  const pins = await takenPins(
    ctx.db,
    creates.map((c) => c.input.pin).filter((p): p is string => !!p),
  );
  const sipTaken = await takenSipUsernames(
    ctx.db,
    creates.map((c) => sipUsernameOf(c.row, c.input.accountNumber)).filter((u): u is string => !!u),
  );
  const checked = outcomes.map((o) => {
    if (o.kind !== 'create') return o;
    const sip = sipUsernameOf(o.row, o.input.accountNumber);
    if (sip && sipTaken.has(sip.toLowerCase()))
      return reject(
        o.row,
        o.row.sipUsername ? 'sip_username' : 'account_number',
        'SIP_USERNAME_TAKEN',
        'A SIP device with this username exists.',
      );
    const login = o.input.portalUsername ?? o.input.accountNumber;
    if (names.has(`${o.owner?.id ?? 0}:${o.input.name.trim().toLowerCase()}`))
      return reject(
        o.row,
        o.row.values.name !== undefined ? 'name' : null,
        'ACCOUNT_NAME_TAKEN',
        `Another account of the same owner is named "${o.input.name.trim()}".`,
      );
    if (login && logins.has(login.toLowerCase()))
      return reject(
        o.row,
        o.input.portalUsername ? 'portal_username' : 'account_number',
        'PORTAL_USERNAME_TAKEN',
        'This portal username is already in use.',
      );
    if (o.input.pin && pins.has(o.input.pin))
      return reject(o.row, 'pin', 'PIN_TAKEN', 'This PIN is already used by another account.');
    return o;
  });
  return checkReferences(ctx, checked, currentById);
}

const NAME_REFERENCES = [
  { name: 'rateGroupName', id: 'rateGroupId', column: 'rate_group', table: 'rateGroups', what: 'rate group' },
  {
    name: 'nonCliRateGroupName',
    id: 'nonCliRateGroupId',
    column: 'non_cli_rate_group',
    table: 'rateGroups',
    what: 'rate group',
  },
  {
    name: 'localizationName',
    id: 'localizationId',
    column: 'localization',
    table: 'localizations',
    what: 'localization profile',
  },
] as const;

/**
 * DOMAIN 3.5: rate groups and localizations travel by name. Each row's names (its cells, else the
 * batch defaults) become ids of the records of that name owned by the row's owner, looked up once
 * per chunk; an unknown name is a row error on its column, and an id column given beside a name
 * must agree with it. An emptied name cell clears the reference. Returns the defaults without names.
 */
async function resolveReferenceNames(
  ctx: Ctx,
  rows: ReadRow[],
  defaults: Record<string, unknown>,
  ownerOf: (row: ReadRow) => number | null,
): Promise<Record<string, unknown>> {
  const rest = { ...defaults };
  for (const r of NAME_REFERENCES) delete rest[r.name];
  const wanted = { rateGroups: [] as string[], localizations: [] as string[] };
  const owners: (number | null)[] = [];
  const named = rows.map((row) => {
    const names: Partial<Record<(typeof NAME_REFERENCES)[number]['name'], string>> = {};
    for (const r of NAME_REFERENCES) {
      const cell = row.values[r.name];
      delete row.values[r.name];
      if (row.emptied.delete(r.name)) row.emptied.add(r.id);
      const v = typeof cell === 'string' ? cell : row.emptied.has(r.id) ? undefined : defaults[r.name];
      if (typeof v === 'string' && v !== '') {
        names[r.name] = v;
        wanted[r.table].push(v);
      }
    }
    const owner = Object.keys(names).length ? ownerOf(row) : null;
    if (Object.keys(names).length) owners.push(owner);
    return { row, names, owner };
  });
  if (owners.length === 0) return rest;
  const found = await repo.referencesByName(ctx.db, owners, wanted);
  for (const { row, names, owner } of named) {
    for (const r of NAME_REFERENCES) {
      const name = names[r.name];
      if (name === undefined) continue;
      const id = found[r.table].get(`${owner ?? 0}:${name.toLowerCase()}`);
      const given = row.values[r.id];
      if (id === undefined)
        row.issues.push({
          rowNumber: row.rowNumber,
          column: r.column,
          severity: 'error',
          code: r.table === 'rateGroups' ? 'RATE_GROUP_NOT_FOUND' : 'LOCALIZATION_NOT_FOUND',
          message: `No ${r.what} named "${name}" that this account's owner may use.`,
        });
      else if (given !== undefined && given !== id)
        row.issues.push({
          rowNumber: row.rowNumber,
          column: r.column,
          severity: 'error',
          code: 'REFERENCE_MISMATCH',
          message: `"${name}" is ${r.what} ${id}, not ${String(given)} as the id column says.`,
        });
      else row.values[r.id] = id;
    }
  }
  return rest;
}

const REFERENCE_COLUMNS: Record<string, string> = {
  rateGroupId: 'rate_group',
  nonCliRateGroupId: 'non_cli_rate_group',
  localizationId: 'localization',
};

/**
 * Rate groups and localization profiles named by a row must exist, be the owner's, active and in
 * the account's currency: the same rule as the create form (checkAccountReferences), checked once
 * per distinct combination in the chunk, so a bad reference rejects its row and never the chunk.
 */
async function checkReferences(
  ctx: Ctx,
  outcomes: Outcome[],
  currentById: Map<number, AccountDto>,
): Promise<Outcome[]> {
  const verdicts = new Map<string, AppError | null>();
  const out: Outcome[] = [];
  for (const o of outcomes) {
    let refs: Parameters<typeof checkAccountReferences>[1] | null = null;
    if (o.kind === 'create') {
      const { rateGroupId, nonCliRateGroupId, localizationId, currency } = o.input;
      if (rateGroupId || nonCliRateGroupId || localizationId)
        refs = { ownerId: o.owner?.id ?? null, currency, rateGroupId, nonCliRateGroupId, localizationId };
    } else if (o.kind === 'update') {
      const p = o.patch;
      const current = currentById.get(o.accountId);
      if (current && (p.rateGroupId || p.nonCliRateGroupId || p.localizationId || p.currency))
        refs = {
          ownerId: current.resellerId,
          currency: p.currency ?? current.currency,
          rateGroupId: p.rateGroupId ?? current.rateGroupId,
          nonCliRateGroupId: p.nonCliRateGroupId ?? current.nonCliRateGroupId,
          localizationId: p.localizationId ?? current.localizationId,
        };
    }
    if (!refs) {
      out.push(o);
      continue;
    }
    const key = JSON.stringify(refs);
    if (!verdicts.has(key)) {
      try {
        await checkAccountReferences(ctx, refs);
        verdicts.set(key, null);
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        verdicts.set(key, err);
      }
    }
    const err = verdicts.get(key);
    if (!err) out.push(o);
    else {
      const field = typeof err.details.field === 'string' ? err.details.field : '';
      out.push(reject(o.row, REFERENCE_COLUMNS[field] ?? null, err.code, err.message));
    }
  }
  return out;
}

/** Fresh 10-digit numbers from a CSPRNG for rows without one, none used by any account or login. */
async function assignAccountNumbers(
  ctx: Ctx,
  creates: Extract<Outcome, { kind: 'create' }>[],
): Promise<void> {
  let missing = creates.filter((c) => !c.input.accountNumber);
  for (let attempt = 0; missing.length > 0; attempt++) {
    if (attempt > 20) throw new Error('Could not find free account numbers');
    const candidates = new Map(missing.map((c) => [c, accountsService.generateAccountNumber()]));
    const values = [...candidates.values()];
    const numbers = await takenNumbers(ctx.db, values);
    const logins = await takenLogins(ctx.db, values);
    const seen = new Set<string>();
    for (const [c, n] of candidates) {
      if (numbers.has(n) || logins.has(n) || seen.has(n)) continue;
      seen.add(n);
      c.input.accountNumber = n;
    }
    missing = missing.filter((c) => !c.input.accountNumber);
  }
}

export class RowFailedError extends Error {
  constructor(
    readonly issue: RowIssue,
    /** The row's original cells, for the reject file. */
    readonly cells?: string[],
  ) {
    super(`Row ${issue.rowNumber}: ${issue.message}`);
  }
}

/**
 * Writes a classified chunk inside the caller's transaction: new accounts in one bulk insert and
 * their opening balances (INITIAL_BALANCE entries) in one bulk posting, updates one by one (each behind a savepoint, so a failing row rolls back alone). With `atomic`,
 * the first failing row throws RowFailedError and the caller's transaction rolls everything back.
 */
export async function writeChunk(
  tx: Ctx,
  plan: ChunkPlan,
  outcomes: Outcome[],
  atomic: boolean,
): Promise<Outcome[]> {
  const creates = outcomes.filter((o): o is Extract<Outcome, { kind: 'create' }> => o.kind === 'create');
  await assignAccountNumbers(tx, creates);
  const bulk: NewBulkAccount[] = creates.map((c) => ({
    key: c.row.rowNumber,
    input: c.input as CreateAccountInput & { accountNumber: string },
    // A reseller's own role is always customer (as POST /resellers makes it).
    roles: accountKindOf(plan) === 'reseller' ? ['customer'] : (c.input.roles ?? ['customer']),
    owner: c.owner,
    passwordHash: c.row.passwordHash,
    importId: plan.importId,
    importRow: c.row.rowNumber,
    source: {
      source: 'import',
      importId: plan.importId,
      row: c.row.rowNumber,
      ...(c.input.initialBalance !== undefined ? { initialBalance: c.input.initialBalance } : {}),
    },
  }));
  const { created, conflicted } = await insertAccountsBulk(tx, accountKindOf(plan), bulk);
  // Each new account's SIP device (DOMAIN 3.5), in this transaction: account and device commit
  // together. Usernames were checked by classifyChunk; a device taken meanwhile fails the chunk,
  // whose retry then rejects that row.
  await insertDevicesBulk(
    tx.db,
    creates.flatMap((c) => {
      const account = created.get(c.row.rowNumber);
      const username = sipUsernameOf(c.row, c.input.accountNumber);
      return account && username && c.row.sipSecretEnc
        ? [{ accountId: account.id, username, secretEnc: c.row.sipSecretEnc }]
        : [];
    }),
  );
  // Each new account's opening balance, in this transaction: the account and its entry commit
  // together. A chunk run again finds its rows imported and creates (so posts) nothing.
  await postInitialBalancesBulk(
    tx,
    creates.flatMap((c) => {
      const account = created.get(c.row.rowNumber);
      return account && c.input.initialBalance !== undefined
        ? [{ accountId: account.id, initialBalance: c.input.initialBalance }]
        : [];
    }),
  );
  const lost = new Set(conflicted);
  const final: Outcome[] = [];
  for (const o of outcomes) {
    if (o.kind === 'create' && lost.has(o.row.rowNumber)) {
      const r = reject(
        o.row,
        null,
        'ACCOUNT_CONFLICT',
        'Another account took this number, name, login or PIN meanwhile.',
      );
      if (atomic) throw new RowFailedError(o.row.issues.at(-1)!, o.row.cells);
      final.push(r);
    } else if (o.kind === 'update') {
      final.push(await applyUpdate(tx, accountKindOf(plan), o, atomic));
    } else final.push(o);
  }
  return final;
}

async function applyUpdate(
  tx: Ctx,
  kind: 'customer' | 'reseller',
  o: Extract<Outcome, { kind: 'update' }>,
  atomic: boolean,
): Promise<Outcome> {
  if (!atomic) await sql`SAVEPOINT import_row`.execute(tx.db);
  try {
    await accountsService.updateAccount(tx, kind, o.accountId, o.patch);
    if (!atomic) await sql`RELEASE SAVEPOINT import_row`.execute(tx.db);
    return o;
  } catch (err) {
    if (!(err instanceof AppError) || err.status >= 500) throw err;
    const issue: RowIssue = {
      rowNumber: o.row.rowNumber,
      column: columnOfField(err.details.field),
      severity: 'error',
      code: err.code,
      message: err.message,
    };
    if (atomic) throw new RowFailedError(issue, o.row.cells);
    await sql`ROLLBACK TO SAVEPOINT import_row`.execute(tx.db);
    o.row.issues.push(issue);
    return { kind: 'reject', row: o.row };
  }
}

export interface ChunkCounts {
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  skipped: number;
  rejected: number;
  warnings: number;
}

/** What every import's outcomes share (customers, resellers, SIP devices). */
export interface AnyOutcome {
  kind: 'create' | 'update' | 'unchanged' | 'skip' | 'already' | 'reject';
  row: { rowNumber: number; cells: string[]; issues: RowIssue[] };
}

/** Counters of a chunk; rows imported by an earlier attempt are not counted again. */
export function countOutcomes(outcomes: AnyOutcome[]): ChunkCounts {
  const c: ChunkCounts = {
    rows: 0,
    created: 0,
    updated: 0,
    unchanged: 0,
    skipped: 0,
    rejected: 0,
    warnings: 0,
  };
  for (const o of outcomes) {
    if (o.kind === 'already') continue;
    c.rows++;
    if (o.kind === 'create') c.created++;
    else if (o.kind === 'update') c.updated++;
    else if (o.kind === 'unchanged') c.unchanged++;
    else if (o.kind === 'skip') c.skipped++;
    else c.rejected++;
    c.warnings += o.row.issues.filter((i) => i.severity === 'warning').length;
  }
  return c;
}

/** Issues of a chunk, and the original cells of its rejected rows (passwords never echoed). */
export function chunkReport(outcomes: AnyOutcome[], hashedColumns: number[]) {
  const issues: RowIssue[] = [];
  const rejects: { rowNumber: number; cells: string[] }[] = [];
  for (const o of outcomes) {
    if (o.kind === 'already') continue;
    issues.push(...o.row.issues);
    if (o.kind === 'reject') {
      const cells = [...o.row.cells];
      for (const i of hashedColumns) if (i < cells.length) cells[i] = '';
      rejects.push({ rowNumber: o.row.rowNumber, cells });
    }
  }
  return { issues, rejects };
}

/**
 * The rows of a reseller chunk by depth within the chunk: a row whose parent is another row of
 * the chunk comes one level after it. The file was ordered parents first at upload; each level is
 * classified after the previous one is written, so a child finds its parent in the database.
 */
function levelsOf(rows: [number, string[]][], settings: ImportSettings): [number, string[]][][] {
  const numberAt = settings.columns.indexOf('account_number');
  const parentAt = settings.columns.indexOf('reseller');
  if (numberAt < 0 || parentAt < 0) return [rows];
  const cell = (r: [number, string[]], i: number) => stripFormulaGuard((r[1][i] ?? '').trim());
  const byNumber = new Map<string, [number, string[]]>();
  for (const r of rows) if (cell(r, numberAt)) byNumber.set(cell(r, numberAt), r);
  const depth = new Map<[number, string[]], number>();
  const depthOf = (r: [number, string[]], seen: Set<unknown>): number => {
    const known = depth.get(r);
    if (known !== undefined) return known;
    const parent = byNumber.get(cell(r, parentAt));
    const d = parent && !seen.has(parent) ? depthOf(parent, seen.add(r)) + 1 : 0;
    depth.set(r, d);
    return d;
  };
  const levels: [number, string[]][][] = [];
  for (const r of rows) (levels[depthOf(r, new Set())] ??= []).push(r);
  return levels.filter((l) => l !== undefined);
}

/**
 * Classifies and writes one stored chunk inside the caller's transaction (the real run): customers
 * in one pass, resellers level by level, SIP devices through their own rows. With `atomic`, the
 * first invalid or failing row throws RowFailedError.
 */
export async function runChunk(
  tx: Ctx,
  plan: ChunkPlan,
  rows: [number, string[]][],
  atomic: boolean,
): Promise<AnyOutcome[]> {
  if (plan.settings.kind === 'sip-devices') {
    const outcomes = await classifyDeviceChunk(tx, plan, rows, null);
    if (atomic) throwFirstReject(outcomes);
    return writeDeviceChunk(tx, plan, outcomes);
  }
  const levels = plan.settings.kind === 'resellers' ? levelsOf(rows, plan.settings) : [rows];
  const all: AnyOutcome[] = [];
  for (const level of levels) {
    const outcomes = await classifyChunk(tx, plan, level, null);
    if (atomic) throwFirstReject(outcomes);
    all.push(...(await writeChunk(tx, plan, outcomes, atomic)));
  }
  return all.sort((a, b) => a.row.rowNumber - b.row.rowNumber);
}

/** Classifies one chunk without writing (dry run, atomic validation), whatever the import's kind. */
export async function classifyAnyChunk(
  ctx: Ctx,
  plan: ChunkPlan,
  rows: [number, string[]][],
  fileKeys: FileKeys | null,
): Promise<AnyOutcome[]> {
  return plan.settings.kind === 'sip-devices'
    ? classifyDeviceChunk(ctx, plan, rows, fileKeys)
    : classifyChunk(ctx, plan, rows, fileKeys);
}

/**
 * Whether chunk `b` of a customer import can be written beside chunk `a`, in its own transaction,
 * before `a` commits: true when nothing `b` does depends on `a` or waits for it. Neither may
 * update an account (an update reads the account's current values), every new account's number
 * must come from the file (generated ones are only checked against committed accounts), and no
 * account number, name (per owner), portal login, PIN or SIP username may occur in both. Then
 * classifying `b` without seeing `a`'s rows decides every row as it would after `a`'s commit.
 */
export function chunksIndependent(a: Outcome[], b: Outcome[]): boolean {
  const ka = chunkKeysOf(a);
  const kb = ka && chunkKeysOf(b);
  if (!ka || !kb) return false;
  const [small, large] = ka.size < kb.size ? [ka, kb] : [kb, ka];
  for (const k of small) if (large.has(k)) return false;
  return true;
}

/** The keys of a chunk chunksIndependent compares, or null when it updates or generates numbers; once per chunk. */
const chunkKeys = new WeakMap<Outcome[], Set<string> | null>();
function chunkKeysOf(outcomes: Outcome[]): Set<string> | null {
  if (chunkKeys.has(outcomes)) return chunkKeys.get(outcomes)!;
  let keys: Set<string> | null = new Set<string>();
  for (const o of outcomes) {
    if (o.kind === 'update') {
      keys = null;
      break;
    }
    if (o.row.accountNumber) keys.add(`n:${o.row.accountNumber}`);
    if (o.kind !== 'create') continue;
    const number = o.input.accountNumber;
    if (!number) {
      keys = null;
      break;
    }
    keys.add(`n:${number}`);
    keys.add(`m:${o.owner?.id ?? 0}:${o.input.name.trim().toLowerCase()}`);
    keys.add(`l:${(o.input.portalUsername ?? number).toLowerCase()}`);
    if (o.input.pin) keys.add(`p:${o.input.pin}`);
    const sip = sipUsernameOf(o.row, number);
    if (sip) keys.add(`s:${sip.toLowerCase()}`);
  }
  chunkKeys.set(outcomes, keys);
  return keys;
}

function throwFirstReject(outcomes: AnyOutcome[]): void {
  const failed = outcomes.find((o) => o.kind === 'reject');
  if (failed)
    throw new RowFailedError(
      failed.row.issues.find((i) => i.severity === 'error')!,
      failed.row.cells,
    );
}

/**
 * One chunk of an import: read and validate its rows, decide each row's fate against the database,
 * and (for a real run) write them. Shared by the dry run, the atomic validation pass and the run.
 *
 * Idempotency: an account created by a row carries (import_id, import_row), unique together, and
 * a chunk's rows, issues, counters and position commit in one transaction; a chunk run again (after
 * a crash, or by a runner that lost its lease) finds its rows already imported and adds nothing.
 */
import { sql } from 'kysely';
import { insertDevicesBulk } from '../sip-devices/index.js';
import type { Ctx } from '../../platform/context.js';
import { AppError } from '../../platform/errors.js';
import {
  accountsService,
  insertAccountsBulk,
  type CreateAccountInput,
  type NewBulkAccount,
  takenLogins,
  takenNumbers,
} from '../accounts/index.js';
import { columnOfField, type ImportSettings, type RowIssue } from './import-rows.js';
import { postInitialBalancesBulk } from '../ledger/index.js';
import { stripFormulaGuard } from '../../platform/csv/csv-cells.js';
import { classifyDeviceChunk, writeDeviceChunk } from './imports.sip-devices.js';
import {
  accountKindOf,
  classifyChunk,
  reject,
  sipUsernameOf,
  type ChunkPlan,
  type FileKeys,
  type Outcome,
} from './imports.classify.js';

// The classifier has its own file; the import jobs reach it through this one, as before.
export {
  classifyChunk,
  newFileKeys,
  type ChunkPlan,
  type FileKeys,
  type Outcome,
} from './imports.classify.js';

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

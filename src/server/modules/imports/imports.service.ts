import type { Readable } from 'node:stream';
import type { Actor, Ctx } from '../../platform/context.js';
import { inTransaction } from '../../platform/db/transaction.js';
import { AppError } from '../../platform/errors.js';
import { csvLine, quoteCsvCell, textCsvCell } from '../../platform/csv/csv-cells.js';
import { enqueueJob } from '../../platform/jobs/index.js';
import { recordAudit } from '../audit/index.js';
import { customerCsvColumn, sipDeviceCsvColumn } from '../exports/index.js';
import {
  IMPORT_COLUMNS,
  autoMapHeaders,
  importColumnNames,
  parseDefaults,
  sealedColumnKind,
  type ImportKind,
  type ImportSettings,
} from './import-rows.js';
import { DEVICE_IMPORT_COLUMNS } from './imports.sip-devices.js';
import { badMapping, importNotFound, importWrongState } from './imports.errors.js';
import { sampleCsv, sampleLayouts, type SampleLayout } from './import-samples.js';
import * as repo from './imports.repository.js';
import type { CustomerImportDto, ImportSettingsBody } from './imports.schemas.js';
import { storeUpload } from './imports.upload.js';
import { ownerOf, requireManager } from '../../platform/tenancy/index.js';

export const DRY_RUN_JOB = 'customer-import.dry-run';
export const RUN_JOB = 'customer-import.run';

export interface DryRunState {
  status: 'running' | 'done';
  nextChunk: number;
  rowsDone: number;
  created: number;
  updated: number;
  unchanged: number;
  skipped: number;
  rejected: number;
  warnings: number;
  preview: { rowNumber: number; action: string; values: Record<string, unknown> }[];
}

const requireImporter = (ctx: Ctx) => requireManager(ctx, 'Only operators and resellers import.');

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());
const pct = (done: number, total: number) =>
  total === 0 ? 100 : Math.min(100, Math.floor((done * 100) / total));

export function settingsOf(row: repo.ImportRow): ImportSettings {
  const s = (row.settings ?? {}) as Partial<ImportSettings>;
  const kind = s.kind ?? 'customers';
  return {
    kind,
    columns: s.columns ?? autoMapHeaders(row.headers, kind),
    defaults: s.defaults ?? {},
    mode: s.mode ?? 'skipInvalid',
    onExisting: s.onExisting ?? 'error',
  };
}

function toDto(row: repo.ImportRow, sameFileAsImportId: number | null = null): CustomerImportDto {
  const settings = settingsOf(row);
  const auto = autoMapHeaders(row.headers, settings.kind);
  const dry = row.dry_run as DryRunState | null;
  return {
    id: row.id,
    kind: settings.kind,
    resellerId: row.owner_id,
    fileName: row.file_name,
    fileSha256: row.file_sha256,
    fileBytes: Number(row.file_bytes),
    headers: row.headers,
    hashedColumns: row.hashed_columns,
    autoColumns: auto,
    unmappedHeaders: row.headers.filter((_, i) => auto[i] === null),
    rowCount: row.row_count,
    status: row.status,
    phase: row.phase,
    resuming: ['queued', 'running', 'validating'].includes(row.status) && row.resuming,
    settings,
    progress: {
      rowsTotal: row.row_count,
      rowsDone: row.rows_done,
      percent: row.status === 'done' ? 100 : pct(row.rows_done, row.row_count),
      created: row.created_count,
      updated: row.updated_count,
      unchanged: row.unchanged_count,
      skipped: row.skipped_count,
      rejected: row.rejected_count,
      warnings: row.warning_count,
    },
    dryRun: dry
      ? {
          status: dry.status,
          rowsTotal: row.row_count,
          rowsDone: dry.rowsDone,
          percent: dry.status === 'done' ? 100 : pct(dry.rowsDone, row.row_count),
          created: dry.created,
          updated: dry.updated,
          unchanged: dry.unchanged,
          skipped: dry.skipped,
          rejected: dry.rejected,
          warnings: dry.warnings,
        }
      : null,
    failure: (row.failure as { code: string; message: string } | null) ?? null,
    sameFileAsImportId,
    createdAt: iso(row.created_at)!,
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
  };
}

async function load(ctx: Ctx, id: number, forUpdate = false): Promise<repo.ImportRow> {
  const row = await repo.findImport(ctx.db, ctx.actor, id, { forUpdate });
  if (!row) throw importNotFound();
  return row;
}

/**
 * Receives a CSV file (streamed) and stores it for mapping, dry run and run. Nothing is imported
 * yet. The answer carries the headers, their automatic mapping, and whether the same file was
 * imported before.
 */
export async function uploadImport(
  ctx: Ctx,
  fileName: string,
  body: Readable,
  opts: { chunkRows?: number; maxRows?: number; kind?: ImportKind } = {},
): Promise<CustomerImportDto> {
  requireImporter(ctx);
  const kind = opts.kind ?? 'customers';
  const ownerId = ownerOf(ctx.actor);
  const id = await repo.insertImport(ctx.db, { ownerId, actor: ctx.actor, fileName });
  try {
    const up = await storeUpload(ctx.db, id, body, { ...opts, kind });
    const settings: ImportSettings = {
      kind,
      columns: up.autoColumns,
      defaults: {},
      mode: 'skipInvalid',
      onExisting: 'error',
    };
    await repo.finishUpload(ctx.db, id, { ...up, settings });
    await recordAudit(ctx, {
      action: 'customer_import.upload',
      entityType: 'customer_import',
      entityId: id,
      accountId: ownerId,
      after: { kind, fileName, rows: up.rowCount, bytes: up.bytes, sha256: up.sha256 },
    });
  } catch (err) {
    body.resume();
    await repo.deleteImport(ctx.db, id);
    throw err;
  }
  const row = await load(ctx, id);
  return toDto(row, await repo.findSameFile(ctx.db, ctx.actor, row.file_sha256, id));
}

/** Merges new settings over the stored ones and checks them against the file. */
function resolveSettings(row: repo.ImportRow, body: ImportSettingsBody | undefined): ImportSettings {
  const current = settingsOf(row);
  const next: ImportSettings = {
    kind: current.kind,
    columns: body?.columns ?? current.columns,
    defaults: body?.defaults ?? current.defaults,
    mode: body?.mode ?? current.mode,
    onExisting: body?.onExisting ?? current.onExisting,
  };
  if (next.columns.length !== row.headers.length)
    throw badMapping(
      'columns',
      `Give one entry per header (${row.headers.length}), null to ignore a header.`,
    );
  const seen = new Set<string>();
  const known = new Set(importColumnNames(next.kind));
  next.columns.forEach((c, i) => {
    const hashed = row.hashed_columns.includes(i);
    if (c === null) return;
    if (!known.has(c)) throw badMapping(`columns.${i}`, `Unknown column "${c}".`, 'UNKNOWN_IMPORT_COLUMN');
    if (seen.has(c)) throw badMapping(`columns.${i}`, `Column "${c}" is mapped twice.`);
    seen.add(c);
    // Secrets are sealed at upload (passwords hashed, SIP passwords encrypted) by the header's
    // automatic mapping; a sealed column can only be read as what it was sealed as.
    const sealedAs = hashed ? autoMapHeaders(row.headers, next.kind)[i] : null;
    const sealing = sealedColumnKind(next.kind, c);
    if ((sealing || hashed) && c !== sealedAs)
      throw badMapping(
        `columns.${i}`,
        hashed
          ? `This header holds ${sealedColumnKind(next.kind, sealedAs) === 'encrypt' ? 'SIP passwords (encrypted' : 'passwords (hashed'} at upload); map it to ${sealedAs} or ignore it.`
          : `Only a header named like "${sealing === 'encrypt' ? 'SIP password' : 'password'}" is read as ${sealing === 'encrypt' ? 'SIP passwords' : 'passwords'} (they are sealed at upload); rename it in the file.`,
        'PASSWORD_COLUMN_MISMATCH',
      );
  });
  if (next.kind === 'sip-devices') {
    const [name] = Object.keys(next.defaults);
    if (name !== undefined)
      throw new AppError('DEFAULT_NOT_ALLOWED', `No batch default for "${name}" in a SIP device import.`, {
        field: `defaults.${name}`,
      });
    return next;
  }
  const parsed = parseDefaults(next.defaults);
  const first = parsed.errors[0];
  if (first) throw new AppError(first.code, first.message, { field: first.field }, true);
  return next;
}

/** Starts a dry run in the background: every row validated, nothing written. */
export async function startDryRun(ctx: Ctx, id: number, body: ImportSettingsBody | undefined) {
  requireImporter(ctx);
  return inTransaction(ctx, async (tx) => {
    const row = await load(tx, id, true);
    if (!['uploaded', 'validated'].includes(row.status))
      throw importWrongState(row.status, 'start a dry run');
    const settings = resolveSettings(row, body);
    const fresh: DryRunState = {
      status: 'running',
      nextChunk: 0,
      rowsDone: 0,
      created: 0,
      updated: 0,
      unchanged: 0,
      skipped: 0,
      rejected: 0,
      warnings: 0,
      preview: [],
    };
    await repo.clearRun(tx.db, id, 'dry');
    await repo.updateImport(tx.db, id, {
      status: 'validating',
      settings: JSON.stringify(settings),
      dry_run: JSON.stringify(fresh),
    });
    await enqueueJob(tx.db, { kind: DRY_RUN_JOB, payload: { importId: id } });
    return toDto(await load(tx, id));
  });
}

/** Starts the import in the background, with the given or the stored settings. */
export async function startImport(ctx: Ctx, id: number, body: ImportSettingsBody | undefined) {
  requireImporter(ctx);
  return inTransaction(ctx, async (tx) => {
    const row = await load(tx, id, true);
    if (!['uploaded', 'validated'].includes(row.status)) throw importWrongState(row.status, 'start');
    const settings = resolveSettings(row, body);
    await repo.updateImport(tx.db, id, {
      status: 'queued',
      phase: settings.mode === 'atomic' ? 'validate' : null,
      settings: JSON.stringify(settings),
      next_chunk: 0,
    });
    await enqueueJob(tx.db, { kind: RUN_JOB, payload: { importId: id } });
    await recordAudit(tx, {
      action: 'customer_import.start',
      entityType: 'customer_import',
      entityId: id,
      accountId: row.owner_id,
      after: { mode: settings.mode, onExisting: settings.onExisting, defaults: settings.defaults },
    });
    return toDto(await load(tx, id));
  });
}

export async function getImport(ctx: Ctx, id: number): Promise<CustomerImportDto> {
  requireImporter(ctx);
  return toDto(await load(ctx, id));
}

export async function listImports(ctx: Ctx, q: { beforeId?: number; limit?: number }) {
  requireImporter(ctx);
  const limit = q.limit ?? 20;
  const rows = await repo.listImports(ctx.db, ctx.actor, q.beforeId, limit + 1);
  const page = rows.slice(0, limit);
  return {
    data: page.map((r) => toDto(r)),
    nextBeforeId: rows.length > limit ? page[page.length - 1]!.id : null,
  };
}

/** Deletes an import that is not running: its stored file, issues and reject list. */
export async function deleteImport(ctx: Ctx, id: number): Promise<void> {
  requireImporter(ctx);
  await inTransaction(ctx, async (tx) => {
    const row = await load(tx, id, true);
    if (['validating', 'queued', 'running'].includes(row.status))
      throw importWrongState(row.status, 'be deleted');
    await repo.deleteImport(tx.db, id);
    await recordAudit(tx, {
      action: 'customer_import.delete',
      entityType: 'customer_import',
      entityId: id,
      accountId: row.owner_id,
    });
  });
}

export async function listIssues(
  ctx: Ctx,
  id: number,
  q: { run?: 'dry' | 'real'; afterId?: number; limit?: number },
) {
  requireImporter(ctx);
  await load(ctx, id);
  const limit = q.limit ?? 100;
  const rows = await repo.listIssues(ctx.db, id, q.run ?? 'real', q.afterId ?? 0, limit + 1);
  const page = rows.slice(0, limit);
  return {
    data: page.map((r) => ({
      id: r.id,
      rowNumber: r.row_number,
      column: r.column_name,
      severity: r.severity,
      code: r.code,
      message: r.message,
    })),
    nextAfterId: rows.length > limit ? page[page.length - 1]!.id : null,
  };
}

export async function getPreview(ctx: Ctx, id: number) {
  requireImporter(ctx);
  const row = await load(ctx, id);
  const dry = row.dry_run as DryRunState | null;
  return {
    rows: (dry?.preview ?? []) as { rowNumber: number; action: 'create'; values: Record<string, unknown> }[],
  };
}

const PAGE = 2_000;

/** The error report as CSV: row, column, severity, code, message (streamed). */
export async function issuesCsv(ctx: Ctx, id: number, run: 'dry' | 'real') {
  requireImporter(ctx);
  const row = await load(ctx, id);
  async function* chunks(): AsyncGenerator<string> {
    yield csvLine(['row', 'column', 'severity', 'code', 'message']);
    let after = 0;
    for (;;) {
      const page = await repo.listIssues(ctx.db, id, run, after, PAGE);
      if (page.length === 0) return;
      yield page
        .map((i) =>
          csvLine([String(i.row_number), i.column_name ?? '', i.severity, i.code, textCsvCell(i.message)]),
        )
        .join('');
      after = page[page.length - 1]!.id;
    }
  }
  return {
    fileName: `${baseName(row.file_name)}_${run === 'dry' ? 'dry-run-' : ''}issues.csv`,
    chunks: chunks(),
  };
}

/**
 * The rejected rows as a CSV to fix and upload again: the file's own header and original cells,
 * plus an `error` column (every error of the row) and `original_row` (its row number in the uploaded
 * file, header = row 1). Password cells are left empty (they were hashed at upload).
 */
export async function rejectedCsv(ctx: Ctx, id: number) {
  requireImporter(ctx);
  const row = await load(ctx, id);
  async function* chunks(): AsyncGenerator<string> {
    yield csvLine([...row.headers.map(quoteCsvCell), 'error', 'original_row']);
    let after = 0;
    for (;;) {
      const page = await repo.listRejects(ctx.db, id, after, PAGE);
      if (page.length === 0) return;
      const errors = await repo.errorsOfRows(
        ctx.db,
        id,
        page.map((p) => p.row_number),
      );
      const byRow = new Map<number, string[]>();
      for (const e of errors) {
        const list = byRow.get(e.row_number) ?? [];
        list.push(`${e.column_name ? `${e.column_name}: ` : ''}${e.message} (${e.code})`);
        byRow.set(e.row_number, list);
      }
      yield page
        .map((p) => {
          const cells = (JSON.parse(p.cells) as string[]).map(quoteCsvCell);
          while (cells.length < row.headers.length) cells.push('');
          return csvLine([
            ...cells,
            textCsvCell((byRow.get(p.row_number) ?? []).join('; ')),
            String(p.row_number),
          ]);
        })
        .join('');
      after = page[page.length - 1]!.row_number;
    }
  }
  return { fileName: `${baseName(row.file_name)}_rejected.csv`, chunks: chunks() };
}

function baseName(fileName: string): string {
  return (
    fileName
      .replace(/\.csv$/i, '')
      .replace(/[^\w.-]+/g, '_')
      .slice(0, 80) || 'import'
  );
}

/** The importable columns, their header aliases and whether a batch default is allowed. */
export function listImportFields(kind: ImportKind = 'customers') {
  if (kind === 'sip-devices')
    return {
      data: DEVICE_IMPORT_COLUMNS.map((c) => ({
        name: c,
        type: sipDeviceCsvColumn(c)!.type,
        aliases: sipDeviceCsvColumn(c)!.aliases,
        defaultable: false,
        ignored: sipDeviceCsvColumn(c)!.exportOnly,
      })),
      // The sample files are of the customer layouts; a device file has no ASTPP counterpart.
      layouts: [],
    };
  return {
    data: IMPORT_COLUMNS.map((c) => ({
      name: c.name,
      type: c.type,
      aliases: aliasesOf(c.name),
      defaultable: c.defaultable && !c.ignored,
      ignored: Boolean(c.ignored),
    })),
    layouts: sampleLayouts(),
  };
}

/** A sample file in one of the layouts the importer reads (it dry-runs without errors). */
export function getSampleCsv(layout: SampleLayout) {
  return sampleCsv(layout);
}

function aliasesOf(name: string): string[] {
  return customerCsvColumn(name)?.aliases ?? [];
}

/** The actor an import runs as: the one who uploaded it. */
export function actorOf(row: repo.ImportRow): Actor {
  return row.actor as Actor;
}

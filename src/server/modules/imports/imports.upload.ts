/**
 * Receiving an import file: the body is streamed through csv-parse (never held whole), rows are
 * stored in chunks of CHUNK_ROWS in customer_import_chunks, and password cells are validated and
 * hashed (argon2id) on the way in, so no password is ever stored in clear.
 */
import crypto from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CsvError, parse } from 'csv-parse';
import { isStorableText } from '../../platform/http/input-limits.js';
import { AppError } from '../../platform/errors.js';
import type { Executor } from '../../platform/db/database.js';
import { hashPassword } from '../../platform/passwords.js';
import { encryptSecret } from '../../platform/secrets.js';
import { stripFormulaGuard } from '../../platform/csv/csv-cells.js';
import { autoMapHeaders, sealedColumnKind, type ImportKind } from './import-rows.js';
import { csvEmpty, csvMalformed, importTooLarge } from './imports.errors.js';
import * as repo from './imports.repository.js';

export const CHUNK_ROWS = 5_000;
export const MAX_ROWS = 1_000_000;
export const MAX_BYTES = 1024 * 1024 * 1024;
/** A reseller file is ordered in memory (parents first), so it is held whole: far more than any carrier has. */
export const MAX_RESELLER_ROWS = 100_000;
const HASH_CONCURRENCY = 8;

async function mapLimit<T>(items: T[], limit: number, fn: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** A password cell becomes its argon2id hash, or a `!CODE` marker the row check turns into an error. */
async function sealPasswords(rows: [number, string[]][], passwordCols: number[], usernameCols: number[]) {
  const jobs: { cells: string[]; i: number }[] = [];
  for (const [, cells] of rows) {
    for (const i of passwordCols) {
      const pw = cells[i] ?? '';
      if (pw === '') continue;
      const username = usernameCols.map((u) => cells[u]?.trim()).find((u) => u);
      if (pw.length < 10) cells[i] = '!PASSWORD_TOO_SHORT';
      else if (pw.length > 200) cells[i] = '!PASSWORD_TOO_LONG';
      else if (username && username.toLowerCase() === pw.toLowerCase())
        cells[i] = '!PASSWORD_SAME_AS_USERNAME';
      else jobs.push({ cells, i });
    }
  }
  await mapLimit(jobs, HASH_CONCURRENCY, async (j) => {
    j.cells[j.i] = await hashPassword(j.cells[j.i]!);
  });
}

/** A SIP password must pass the device rule: 12-128 printable characters, no spaces. */
const SIP_SECRET = /^[\x21-\x7e]{12,128}$/;

/**
 * A SIP password cell becomes `enc:` + its AES-GCM ciphertext (the device needs the secret itself
 * for digest auth, so it is encrypted, never hashed), or a `!CODE` marker; never kept in clear.
 */
function sealSipSecrets(rows: [number, string[]][], sipCols: number[]) {
  for (const [, cells] of rows)
    for (const i of sipCols) {
      const pw = cells[i] ?? '';
      if (pw === '') continue;
      cells[i] = SIP_SECRET.test(pw) ? 'enc:' + encryptSecret(pw) : '!SIP_PASSWORD_INVALID';
    }
}

export interface UploadResult {
  sha256: string;
  bytes: number;
  headers: string[];
  autoColumns: (string | null)[];
  hashedColumns: number[];
  rowCount: number;
  chunkCount: number;
}

/** Columns a file may have: far more than the importable fields, far fewer than would slow the upload. */
const MAX_COLUMNS = 500;

/** A cell the database cannot store (a NUL character): the file is refused, naming the cell. */
const unstorableCell = (row: number, column: string) =>
  new AppError(
    'VALIDATION_FAILED',
    `Row ${row}, ${column.slice(0, 100)}: text may not contain NUL characters.`,
    { field: 'file', row, column: column.slice(0, 100) },
  );

/**
 * Parents before children (a reseller file): each row comes after the row whose account number its
 * `reseller` cell names, if that row is in the file; otherwise the file's order is kept, so a file
 * already in order (our export, in id order) is not reordered at all. Rows in a cycle keep their
 * place at the end and fail on their reseller.
 */
export function orderParentsFirst(
  rows: [number, string[]][],
  numberCol: number,
  parentCol: number,
): [number, string[]][] {
  if (numberCol < 0 || parentCol < 0) return rows;
  const cell = (r: [number, string[]], i: number) => stripFormulaGuard((r[1][i] ?? '').trim());
  const inFile = new Set(rows.map((r) => cell(r, numberCol)).filter((n) => n !== ''));
  const emitted = new Set<string>();
  const waiting = new Map<string, [number, string[]][]>();
  const out: [number, string[]][] = [];
  const emit = (first: [number, string[]]) => {
    const stack = [first];
    while (stack.length) {
      const r = stack.pop()!;
      out.push(r);
      const n = cell(r, numberCol);
      if (n === '' || emitted.has(n)) continue;
      emitted.add(n);
      const children = waiting.get(n);
      if (children) {
        waiting.delete(n);
        for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
      }
    }
  };
  for (const r of rows) {
    const parent = cell(r, parentCol);
    if (parent === '' || !inFile.has(parent) || emitted.has(parent)) emit(r);
    else waiting.set(parent, [...(waiting.get(parent) ?? []), r]);
  }
  const left = [...waiting.values()].flat().sort((a, b) => a[0] - b[0]);
  return [...out, ...left];
}

/** Streams `body` into chunks of import `importId`. Throws CSV_* / IMPORT_TOO_LARGE AppErrors. */
export async function storeUpload(
  db: Executor,
  importId: number,
  body: Readable,
  limits: { chunkRows?: number; maxRows?: number; kind?: ImportKind } = {},
): Promise<UploadResult> {
  const chunkRows = limits.chunkRows ?? CHUNK_ROWS;
  const kind = limits.kind ?? 'customers';
  const maxRows = Math.min(limits.maxRows ?? MAX_ROWS, kind === 'resellers' ? MAX_RESELLER_ROWS : MAX_ROWS);
  /** A reseller file is held whole and ordered parents first before it is stored. */
  const held: [number, string[]][] | null = kind === 'resellers' ? [] : null;
  const sha = crypto.createHash('sha256');
  let bytes = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      if (bytes > MAX_BYTES) return done(importTooLarge(`The file is larger than ${MAX_BYTES} bytes.`));
      sha.update(chunk);
      done(null, chunk);
    },
  });
  const parser = parse({ bom: true, relax_column_count: true, relax_quotes: true, skip_empty_lines: false });
  let headers: string[] | null = null;
  let autoColumns: (string | null)[] = [];
  let passwordCols: number[] = [];
  let sipCols: number[] = [];
  let usernameCols: number[] = [];
  let recordNo = 0;
  let rowCount = 0;
  let seq = 0;
  let buffer: [number, string[]][] = [];

  const flush = async () => {
    if (buffer.length === 0) return;
    await sealPasswords(buffer, passwordCols, usernameCols);
    sealSipSecrets(buffer, sipCols);
    await repo.insertChunk(db, {
      importId,
      seq,
      firstRow: buffer[0]![0],
      rowCount: buffer.length,
      rows: JSON.stringify(buffer),
    });
    seq++;
    buffer = [];
  };

  const readRecords = async (records: AsyncIterable<string[]>) => {
    for await (const record of records) {
      recordNo++;
      const bad = record.findIndex((cell) => !isStorableText(cell));
      if (bad >= 0) throw unstorableCell(recordNo, headers?.[bad] ?? `column ${bad + 1}`);
      if (headers === null) {
        headers = record.map((h) => h.trim());
        if (headers.every((h) => h === '')) throw csvEmpty('The first row must name the columns.');
        if (headers.length > MAX_COLUMNS)
          throw csvMalformed(`The file has ${headers.length} columns; at most ${MAX_COLUMNS} are read.`, 1);
        autoColumns = autoMapHeaders(headers, kind);
        passwordCols = autoColumns.flatMap((c, i) => (sealedColumnKind(kind, c) === 'hash' ? [i] : []));
        sipCols = autoColumns.flatMap((c, i) => (sealedColumnKind(kind, c) === 'encrypt' ? [i] : []));
        usernameCols = ['portal_username', 'account_number'].flatMap((n) => {
          const i = autoColumns.indexOf(n);
          return i >= 0 ? [i] : [];
        });
        continue;
      }
      if (record.every((c) => c === '')) continue; // a blank line: counted in row numbers, not imported
      if (++rowCount > maxRows)
        throw importTooLarge(`The file has more than ${maxRows} rows${held ? ' (a reseller file)' : ''}.`);
      if (held) {
        held.push([recordNo, record]);
        continue;
      }
      buffer.push([recordNo, record]);
      if (buffer.length >= chunkRows) await flush();
    }
  };

  // The request is piped in, not part of the pipeline: on an error it is drained instead of
  // destroyed, so the client still receives the 4xx answer rather than a reset connection.
  body.pipe(meter);
  // An error in a stage destroys the others, and pipeline may then reject with the AbortError of
  // the destroyed iterator instead: keep the first real error, the one that says what is wrong.
  let firstError: unknown = null;
  parser.on('error', (e) => (firstError ??= e));
  meter.on('error', (e) => (firstError ??= e));
  try {
    await pipeline(meter, parser, async (records: AsyncIterable<string[]>) => {
      try {
        await readRecords(records);
      } catch (e) {
        firstError ??= e;
        throw e;
      }
    });
    if (held) {
      const ordered = orderParentsFirst(
        held,
        autoColumns.indexOf('account_number'),
        autoColumns.indexOf('reseller'),
      );
      for (let i = 0; i < ordered.length; i += chunkRows) {
        buffer = ordered.slice(i, i + chunkRows);
        await flush();
      }
    }
    await flush();
  } catch (err) {
    body.unpipe(meter);
    body.resume();
    if (firstError) err = firstError;
    const e = err as { code?: string; message?: string; lines?: number; records?: number };
    if (err instanceof CsvError)
      throw csvMalformed(
        `The file is not valid CSV near line ${e.lines ?? '?'}: ${e.message?.slice(0, 300)}`,
        (e.records ?? 0) + 1,
      );
    throw err;
  }
  if (headers === null) throw csvEmpty('The file is empty.');
  if (rowCount === 0) throw csvEmpty('The file has a header but no rows.');
  return {
    sha256: sha.digest('hex'),
    bytes,
    headers,
    autoColumns,
    hashedColumns: [...passwordCols, ...sipCols].sort((a, b) => a - b),
    rowCount,
    chunkCount: seq,
  };
}

import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CsvError, parse } from 'csv-parse';
import { Kysely, PostgresDialect } from 'kysely';
import type pg from 'pg';
import type { DB } from '../../db/schema.js';
import type { Ctx } from '../../platform/context.js';
import { inTransaction } from '../../platform/db/transaction.js';
import { AppError } from '../../platform/errors.js';
import { recordAudit } from '../audit/index.js';
import { requireManager } from '../../platform/tenancy/index.js';
import { mapHeader, validateDeckRow, type DeckHeader, type DeckRow } from './rate-deck.js';
import { rateDeckInvalid, rateDeckTooLarge, type DeckError } from './rate-groups.errors.js';
import * as repo from './rate-groups.repository.js';
import type { UploadQuery } from './rate-groups.schemas.js';
import { requireGroup } from './require-group.js';

// The rate-deck upload: spool, parse, validate, and load through multi-row INSERTs or COPY.

export const MAX_DECK_BYTES = 256 * 1024 * 1024;
const BATCH = 5000;
const MAX_ERRORS = 1000;

function byteLimit(max: number) {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      if (seen > max) done(rateDeckTooLarge(max));
      else done(null, chunk);
    },
  });
}

/**
 * Remembers the row of each (prefix, effective_from) seen in a deck, to report a repeat with the
 * row it repeats. Keyed by start first: decks usually have one or a few starts.
 */
class SeenKeys {
  private readonly byStart = new Map<string, Map<string, number>>();
  /** The earlier row with the same key, or 0 (and remembers this one). */
  check(row: DeckRow, rowNo: number): number {
    let m = this.byStart.get(row.effectiveFrom);
    if (!m) this.byStart.set(row.effectiveFrom, (m = new Map()));
    const first = m.get(row.prefix);
    if (first !== undefined) return first;
    m.set(row.prefix, rowNo);
    return 0;
  }
}

/** Where validated rows go: multi-row INSERTs (any database) or COPY (PostgreSQL, replace mode). */
interface DeckSink {
  add(row: DeckRow, rowNo: number): Promise<void>;
  /** All rows sent; resolves with the number of rows now in the group from this deck. */
  finish(): Promise<number>;
  /** The deck has errors: stop, and make sure nothing of it is kept. */
  abort(): Promise<void>;
}

/**
 * Batches of 5,000 as one INSERT each, at most one in flight (one connection, no parallel queries):
 * it runs in the database while the next batch is parsed. Rows colliding with rates already in the
 * group (append mode) are skipped by the unique index, then named by row.
 */
function insertSink(ctx: Ctx, groupId: number, addError: (e: DeckError) => void): DeckSink {
  let batch: DeckRow[] = [];
  let rowNos: number[] = [];
  let inflight: Promise<void> | null = null;
  let failure: unknown = null;
  let inserted = 0;
  const send = async (rows: DeckRow[], nos: number[]) => {
    const n = await repo.insertRateBatch(ctx.db, groupId, rows);
    inserted += n;
    if (n === rows.length) return;
    const hits = await repo.findCollisions(ctx.db, groupId, rows);
    rows.forEach((r, i) => {
      if (hits.has(`${r.prefix}|${r.effectiveFrom}`))
        addError({
          row: nos[i],
          column: 'prefix',
          reason: `The group already has a rate for ${r.prefix} with this effective_from.`,
        });
    });
  };
  const flush = async () => {
    if (inflight) await inflight;
    inflight = null;
    if (failure) throw failure;
    if (batch.length === 0) return;
    inflight = send(batch, rowNos).catch((err: unknown) => {
      failure = err;
    });
    batch = [];
    rowNos = [];
  };
  return {
    async add(row, rowNo) {
      batch.push(row);
      rowNos.push(rowNo);
      if (batch.length >= BATCH) await flush();
    },
    async finish() {
      await flush();
      await flush();
      return inserted;
    },
    async abort() {
      batch = [];
      if (inflight) await inflight;
    },
  };
}

/** COPY FROM STDIN on the transaction's own PostgreSQL client, in chunks of 5,000 lines. */
async function copySink(client: pg.PoolClient, groupId: number): Promise<DeckSink> {
  const copy = await repo.startRatesCopy(client);
  let lines: string[] = [];
  return {
    async add(row) {
      lines.push(repo.copyLine(groupId, row));
      if (lines.length >= BATCH) {
        const chunk = lines.join('');
        lines = [];
        await copy.write(chunk);
      }
    },
    async finish() {
      if (lines.length) await copy.write(lines.join(''));
      return copy.end();
    },
    async abort() {
      await copy.fail('The rate deck has errors.');
    },
  };
}

/**
 * A Kysely bound to one checked-out client, so COPY (raw client) and the rest of the upload (Kysely,
 * audit included) share one session and one transaction.
 */
function kyselyOn(client: pg.PoolClient): Kysely<DB> {
  const single = {
    connect: async () => ({ query: client.query.bind(client), release: () => {} }),
    end: async () => {},
  };
  return new Kysely<DB>({ dialect: new PostgresDialect({ pool: single as unknown as pg.Pool }) });
}

export interface UploadDeps {
  /** The PostgreSQL pool, to load replace-mode decks with COPY; null on PGlite (multi-row INSERTs). */
  pgPool?: pg.Pool | null;
}

/**
 * Loads a CSV rate deck into a group: `replace` (default) makes the deck the whole group, `append`
 * adds to it. All or nothing: any error loads nothing and the answer lists up to 1,000 errors with
 * row (header = 1), column and reason.
 *
 * The body is first spooled to a temporary file at network speed, so a slow client never holds a
 * database connection (PGlite has only one). Then, in ONE transaction with the group row locked:
 * the old rates are deleted (replace), the file streams through csv-parse, each row is validated,
 * and valid rows stream into `rates`: with COPY on PostgreSQL in replace mode, else with multi-row
 * INSERTs of 5,000 (one text per column). Readers keep seeing the old deck until the commit, then
 * the new one: never a mix. Once an error is found, loading stops but checking goes on, and the
 * transaction rolls back. Repeated (prefix, effective_from) rows are caught in memory, with the row
 * they repeat; in append mode, collisions with existing rates are reported by row.
 */
export async function uploadRateDeck(
  ctx: Ctx,
  groupId: number,
  body: Readable,
  q: UploadQuery,
  deps: UploadDeps = {},
) {
  requireManager(ctx);
  const started = Date.now();
  const mode = q.mode ?? 'replace';
  const dryRun = q.dryRun ?? false;
  await requireGroup(ctx, groupId);
  const spool = path.join(os.tmpdir(), `tollgate-deck-${crypto.randomUUID()}.csv`);
  const useCopy = !dryRun && mode === 'replace' && deps.pgPool ? deps.pgPool : null;
  let client: pg.PoolClient | null = null;
  try {
    try {
      await pipeline(body, byteLimit(MAX_DECK_BYTES), fs.createWriteStream(spool, { mode: 0o600 }));
    } catch (err) {
      if (err instanceof AppError) body.resume(); // read and drop the rest, so the answer can be sent
      throw err;
    }
    const load = async (tx: Ctx) => {
      const group = await requireGroup(tx, groupId, true);
      const deleted = !dryRun && mode === 'replace' ? await repo.deleteRatesOfGroup(tx.db, groupId) : 0;
      const result = await loadDeck(tx, groupId, fs.createReadStream(spool), {
        load: !dryRun,
        sink: (addError) =>
          client ? copySink(client, groupId) : Promise.resolve(insertSink(tx, groupId, addError)),
      });
      if (result.errorCount > 0) throw rateDeckInvalid(result.errors, result.errorCount, result.truncated);
      if (!dryRun)
        await recordAudit(tx, {
          action: 'rate_group.upload',
          entityType: 'rate_group',
          entityId: groupId,
          accountId: group.owner_id,
          after: { mode, rows: result.rows, inserted: result.inserted, deleted },
        });
      return { mode, dryRun, rows: result.rows, inserted: result.inserted, deleted };
    };
    let out;
    if (dryRun) out = await load(ctx);
    else if (useCopy) {
      client = await useCopy.connect();
      out = await inTransaction({ ...ctx, db: kyselyOn(client) }, load);
    } else out = await inTransaction(ctx, load);
    return { ...out, durationMs: Date.now() - started };
  } finally {
    client?.release();
    await fs.promises.rm(spool, { force: true });
  }
}

/** Parses and validates a deck inside the caller's transaction, sending valid rows to the sink. */
async function loadDeck(
  ctx: Ctx,
  groupId: number,
  input: Readable,
  opts: { load: boolean; sink: (addError: (e: DeckError) => void) => Promise<DeckSink> },
) {
  const now = ctx.now().getTime();
  const errors: DeckError[] = [];
  let errorCount = 0;
  let truncated = false;
  let rows = 0;
  let header: DeckHeader | null = null;
  const seen = new SeenKeys();
  const addError = (e: DeckError) => {
    errorCount++;
    if (errors.length < MAX_ERRORS) errors.push(e);
    else truncated = true;
  };
  const sink = opts.load ? await opts.sink(addError) : null;

  const parser = parse({ bom: true, skip_empty_lines: true, relax_column_count: true });
  input.on('error', (err) => parser.destroy(err));
  input.pipe(parser);
  let rowNo = 0;
  try {
    for await (const fields of parser as AsyncIterable<string[]>) {
      rowNo++;
      if (header === null) {
        const mapped = mapHeader(fields);
        header = mapped.header;
        mapped.errors.forEach(addError);
        if (mapped.errors.length) break;
        continue;
      }
      rows++;
      const v = validateDeckRow(fields, header, rowNo, now);
      if (!v.ok) {
        v.errors.forEach(addError);
      } else {
        const first = seen.check(v.value, rowNo);
        if (first)
          addError({
            row: rowNo,
            column: 'prefix',
            reason: `Duplicate of row ${first}: same prefix ${v.value.prefix} and effective_from.`,
          });
        else if (sink && errorCount === 0) await sink.add(v.value, rowNo);
      }
      if (truncated) break;
    }
  } catch (err) {
    const e = err as { code?: string; lines?: number; message?: string };
    if (err instanceof CsvError) {
      addError({
        row: (e.lines ?? rowNo) || 1,
        column: null,
        reason: `Not valid CSV: ${e.message?.slice(0, 300)}`,
      });
    } else {
      await sink?.abort();
      throw err;
    }
  } finally {
    input.destroy();
  }
  if (header === null)
    addError({ row: 1, column: null, reason: 'The deck is empty: a header row is needed.' });
  else if (rows === 0 && errorCount === 0)
    addError({ row: 2, column: null, reason: 'The deck has no rates.' });
  let inserted = 0;
  if (sink) {
    if (errorCount > 0) await sink.abort();
    else inserted = await sink.finish();
  }
  errors.sort((a, b) => a.row - b.row);
  return { rows, inserted, errors, errorCount, truncated };
}

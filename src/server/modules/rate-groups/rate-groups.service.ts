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
import { AppError, isUniqueViolation, validationError } from '../../platform/errors.js';
import { formatMoney } from '../../platform/money.js';
import { isCurrencyCode } from '../../platform/reference-data.js';
import { recordAudit, recordUpdate } from '../audit/index.js';
import { iso } from '../../platform/http/schemas.js';
import { keysetPage } from '../../platform/cursor-keys.js';
import { requireManager, resolveOwnerId } from '../../platform/tenancy/index.js';
import { RateIndex, compareCandidates, prefixesOf, type RateCandidate } from '../rating/index.js';
import { mapHeader, validateDeckRow, type DeckHeader, type DeckRow } from './rate-deck.js';
import {
  rateAlreadyExists,
  rateDeckInvalid,
  rateDeckTooLarge,
  rateGroupInUse,
  rateGroupNameTaken,
  rateGroupNotFound,
  rateNotFound,
  type DeckError,
} from './rate-groups.errors.js';
import * as repo from './rate-groups.repository.js';
import type {
  CreateRateGroupInput,
  CreateRateInput,
  ListRateGroupsQuery,
  ListRatesQuery,
  PatchRateGroupInput,
  PatchRateInput,
  RateDto,
  RateGroupDto,
  UploadQuery,
} from './rate-groups.schemas.js';

export function toRateGroupDto(r: repo.RateGroupRow): RateGroupDto {
  return {
    id: r.id,
    resellerId: r.owner_id,
    name: r.name,
    description: r.description,
    currency: r.currency,
    status: r.status,
    initialIncrement: r.initial_increment,
    billingIncrement: r.billing_increment,
    rateCount: Number(r.rate_count ?? 0),
    customerCount: Number(r.customer_count ?? 0),
    createdAt: iso(r.created_at)!,
    updatedAt: iso(r.updated_at)!,
  };
}

export function toRateDto(r: repo.RateRow): RateDto {
  return {
    id: r.id,
    rateGroupId: r.rate_group_id,
    prefix: r.prefix,
    destination: r.destination,
    ratePerMin: formatMoney(r.rate_per_min),
    connectFee: formatMoney(r.connect_fee),
    includedSeconds: r.included_seconds,
    initialIncrement: r.initial_increment,
    billingIncrement: r.billing_increment,
    effectiveFrom: iso(r.effective_from)!,
    effectiveTo: iso(r.effective_to),
    createdAt: iso(r.created_at)!,
  };
}

function mapUniqueViolation(err: unknown): never {
  if (isUniqueViolation(err, 'rate_groups_owner_name_key')) throw rateGroupNameTaken();
  if (isUniqueViolation(err, 'rates_group_prefix_from_key')) throw rateAlreadyExists();
  throw err;
}

async function requireGroup(ctx: Ctx, id: number, forUpdate = false) {
  const g = await repo.findRateGroup(ctx.db, ctx.actor, id, { forUpdate });
  if (!g) throw rateGroupNotFound();
  return g;
}

// ---- rate groups ----

/** Creates a rate group owned by the operator or a reseller. */
export async function createRateGroup(ctx: Ctx, input: CreateRateGroupInput): Promise<RateGroupDto> {
  requireManager(ctx);
  const currency = input.currency.toUpperCase();
  if (!isCurrencyCode(currency))
    throw validationError('currency', 'Use an ISO 4217 currency code, such as USD.');
  try {
    return await inTransaction(ctx, async (tx) => {
      const ownerId = await resolveOwnerId(tx, input.resellerId);
      const id = await repo.insertRateGroup(tx.db, {
        ownerId,
        name: input.name.trim(),
        description: input.description ?? null,
        currency,
        status: input.status ?? 'active',
        initialIncrement: input.initialIncrement ?? 1,
        billingIncrement: input.billingIncrement ?? 1,
      });
      const dto = toRateGroupDto((await repo.findRateGroup(tx.db, tx.actor, id))!);
      await recordAudit(tx, {
        action: 'rate_group.create',
        entityType: 'rate_group',
        entityId: id,
        accountId: ownerId,
        after: dto,
      });
      return dto;
    });
  } catch (err) {
    mapUniqueViolation(err);
  }
}

export async function getRateGroup(ctx: Ctx, id: number): Promise<RateGroupDto> {
  requireManager(ctx);
  return toRateGroupDto(await requireGroup(ctx, id));
}

export async function listRateGroups(ctx: Ctx, q: ListRateGroupsQuery) {
  requireManager(ctx);
  const { rows, nextCursor } = await keysetPage(
    q,
    (page) => repo.listRateGroupsPage(ctx.db, ctx.actor, q, page),
    (r) => r.name.toLowerCase(),
  );
  return { data: rows.map(toRateGroupDto), nextCursor };
}

export async function updateRateGroup(
  ctx: Ctx,
  id: number,
  patch: PatchRateGroupInput,
): Promise<RateGroupDto> {
  requireManager(ctx);
  try {
    return await inTransaction(ctx, async (tx) => {
      const row = await requireGroup(tx, id, true);
      const before = toRateGroupDto(row);
      await repo.updateRateGroup(
        tx.db,
        id,
        {
          ...(patch.name !== undefined ? { name: patch.name.trim() } : {}),
          ...(patch.description !== undefined ? { description: patch.description } : {}),
          ...(patch.status !== undefined ? { status: patch.status } : {}),
          ...(patch.initialIncrement !== undefined ? { initial_increment: patch.initialIncrement } : {}),
          ...(patch.billingIncrement !== undefined ? { billing_increment: patch.billingIncrement } : {}),
        },
        tx.now(),
      );
      const after = toRateGroupDto((await repo.findRateGroup(tx.db, tx.actor, id))!);
      await recordUpdate(tx, {
        action: 'rate_group.update',
        entityType: 'rate_group',
        entityId: id,
        accountId: row.owner_id,
        before,
        after,
      });
      return after;
    });
  } catch (err) {
    mapUniqueViolation(err);
  }
}

/** Soft-deletes a rate group no live account uses; its rates stay for history. */
export async function deleteRateGroup(ctx: Ctx, id: number): Promise<void> {
  requireManager(ctx);
  await inTransaction(ctx, async (tx) => {
    const row = await requireGroup(tx, id, true);
    const users = await repo.countAccountsUsingGroup(tx.db, id);
    if (users > 0) throw rateGroupInUse(users);
    await repo.softDeleteRateGroup(tx.db, id, tx.now());
    await recordAudit(tx, {
      action: 'rate_group.delete',
      entityType: 'rate_group',
      entityId: id,
      accountId: row.owner_id,
      before: toRateGroupDto(row),
    });
  });
}

// ---- rates ----

function parseTime(field: string, text: string | undefined | null, fallback: Date): Date {
  if (text === undefined || text === null) return fallback;
  const d = new Date(text);
  if (Number.isNaN(d.getTime())) throw validationError(field, 'Not a valid date-time.');
  return d;
}

export async function listRates(ctx: Ctx, groupId: number, q: ListRatesQuery) {
  requireManager(ctx);
  await requireGroup(ctx, groupId);
  const filter = {
    prefix: q.prefix,
    destination: q.destination,
    at: q.at ? parseTime('at', q.at, ctx.now()) : undefined,
  };
  const { rows, nextCursor } = await keysetPage(
    q,
    (page) => repo.listRatesPage(ctx.db, groupId, filter, page),
    (r) => r.prefix,
  );
  return { data: rows.map(toRateDto), nextCursor };
}

/** Adds one rate; its code and start must be new in the group. */
export async function createRate(ctx: Ctx, groupId: number, input: CreateRateInput): Promise<RateDto> {
  requireManager(ctx);
  const from = parseTime('effectiveFrom', input.effectiveFrom, ctx.now());
  const to = input.effectiveTo ? parseTime('effectiveTo', input.effectiveTo, from) : null;
  if (to && to <= from) throw validationError('effectiveTo', 'Must be after effectiveFrom.');
  try {
    return await inTransaction(ctx, async (tx) => {
      const g = await requireGroup(tx, groupId);
      const id = await repo.insertRate(tx.db, groupId, {
        prefix: input.prefix,
        destination: input.destination ?? '',
        ratePerMin: input.ratePerMin,
        connectFee: input.connectFee ?? '0',
        includedSeconds: input.includedSeconds ?? 0,
        initialIncrement: input.initialIncrement ?? 0,
        billingIncrement: input.billingIncrement ?? 0,
        effectiveFrom: from,
        effectiveTo: to,
      });
      const dto = toRateDto((await repo.findRate(tx.db, tx.actor, id))!);
      await recordAudit(tx, {
        action: 'rate.create',
        entityType: 'rate',
        entityId: id,
        accountId: g.owner_id,
        after: dto,
      });
      return dto;
    });
  } catch (err) {
    mapUniqueViolation(err);
  }
}

export async function getRate(ctx: Ctx, id: number): Promise<RateDto> {
  requireManager(ctx);
  const r = await repo.findRate(ctx.db, ctx.actor, id);
  if (!r) throw rateNotFound();
  return toRateDto(r);
}

export async function updateRate(ctx: Ctx, id: number, patch: PatchRateInput): Promise<RateDto> {
  requireManager(ctx);
  try {
    return await inTransaction(ctx, async (tx) => {
      const row = await repo.findRate(tx.db, tx.actor, id, { forUpdate: true });
      if (!row) throw rateNotFound();
      const from = parseTime('effectiveFrom', patch.effectiveFrom, new Date(row.effective_from));
      const to =
        patch.effectiveTo === undefined
          ? row.effective_to && new Date(row.effective_to)
          : patch.effectiveTo === null
            ? null
            : parseTime('effectiveTo', patch.effectiveTo, from);
      if (to && to <= from) throw validationError('effectiveTo', 'Must be after effectiveFrom.');
      const set: Record<string, unknown> = { effective_from: from, effective_to: to };
      if (patch.destination !== undefined) set.destination = patch.destination;
      if (patch.ratePerMin !== undefined) set.rate_per_min = patch.ratePerMin;
      if (patch.connectFee !== undefined) set.connect_fee = patch.connectFee;
      if (patch.includedSeconds !== undefined) set.included_seconds = patch.includedSeconds;
      if (patch.initialIncrement !== undefined) set.initial_increment = patch.initialIncrement;
      if (patch.billingIncrement !== undefined) set.billing_increment = patch.billingIncrement;
      await repo.updateRate(tx.db, id, set);
      const before = toRateDto(row);
      const after = toRateDto((await repo.findRate(tx.db, tx.actor, id))!);
      await recordUpdate(tx, {
        action: 'rate.update',
        entityType: 'rate',
        entityId: id,
        accountId: null,
        before,
        after,
      });
      return after;
    });
  } catch (err) {
    mapUniqueViolation(err);
  }
}

export async function deleteRate(ctx: Ctx, id: number): Promise<void> {
  requireManager(ctx);
  await inTransaction(ctx, async (tx) => {
    const row = await repo.findRate(tx.db, tx.actor, id, { forUpdate: true });
    if (!row) throw rateNotFound();
    await repo.deleteRate(tx.db, id);
    await recordAudit(tx, {
      action: 'rate.delete',
      entityType: 'rate',
      entityId: id,
      accountId: null,
      before: toRateDto(row),
    });
  });
}

function toCandidate(r: repo.RateRow): RateCandidate & { row: repo.RateRow } {
  return {
    id: r.id,
    prefix: r.prefix,
    isOverride: false,
    effectiveFrom: new Date(r.effective_from).getTime(),
    effectiveTo: r.effective_to === null ? null : new Date(r.effective_to).getTime(),
    ratePerMin: r.rate_per_min,
    connectFee: r.connect_fee,
    row: r,
  };
}

/**
 * "Find the rate for a number": the rows whose code begins it (indexed equality on each prefix),
 * ranked by the pure rule of DOMAIN 4 step 7 at the given time.
 */
export async function lookupRate(ctx: Ctx, groupId: number, number: string, at?: string) {
  requireManager(ctx);
  await requireGroup(ctx, groupId);
  const when = parseTime('at', at, ctx.now());
  const t = when.getTime();
  const rows = await repo.findRatesByPrefixes(ctx.db, groupId, prefixesOf(number));
  const valid = rows
    .map(toCandidate)
    .filter((c) => c.effectiveFrom <= t && (c.effectiveTo === null || t < c.effectiveTo))
    .sort(compareCandidates);
  return {
    number,
    at: when.toISOString(),
    rate: valid.length ? toRateDto(valid[0].row) : null,
    candidates: valid.map((c) => toRateDto(c.row)),
  };
}

/** The in-memory index of a group for the call path (and the benchmark). */
export async function loadRateIndex(ctx: Ctx, groupId: number): Promise<RateIndex> {
  const candidates: RateCandidate[] = [];
  for await (const rows of repo.streamRatesOfGroup(ctx.db, groupId)) {
    for (const r of rows)
      candidates.push({
        id: r.id,
        prefix: r.prefix,
        isOverride: false,
        effectiveFrom: Number(r.from_ms),
        effectiveTo: r.to_ms === null ? null : Number(r.to_ms),
        ratePerMin: r.rate_per_min,
        connectFee: r.connect_fee,
      });
  }
  return new RateIndex(candidates);
}

// ---- rate-deck upload ----

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

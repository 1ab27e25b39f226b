/**
 * The import's background jobs. Each step handles one stored chunk and commits its issues,
 * counters and position with it, so progress is visible through the API and a restart resumes at
 * the first chunk not committed.
 *
 * - dry run: validates every row, writes nothing but its report (run = 'dry').
 * - run, skipInvalid: one transaction per chunk; every valid row imported, every invalid one reported.
 * - run, atomic: a validation pass like the dry run, then every chunk written in ONE transaction;
 *   the first failing row rolls everything back. (A restart during that transaction writes again
 *   from the start: nothing of the rolled-back attempt remains.)
 *
 * Passes that write nothing keep the file's keys (numbers, names, logins, PINs) in this process's
 * memory to catch duplicates between chunks; a restart mid-pass starts that pass over.
 */
import { sql } from 'kysely';
import { systemActor, type Ctx } from '../../platform/context.js';
import { inTransaction } from '../../platform/db/transaction.js';
import type { JobContext, JobHandler } from '../../platform/jobs/index.js';
import { recordAudit } from '../audit/index.js';
import { parseDefaults } from './import-rows.js';
import {
  chunkReport,
  chunksIndependent,
  classifyAnyChunk,
  classifyChunk,
  countOutcomes,
  newFileKeys,
  RowFailedError,
  runChunk,
  writeChunk,
  type AnyOutcome,
  type ChunkPlan,
  type FileKeys,
} from './imports.process.js';
import * as repo from './imports.repository.js';
import { DRY_RUN_JOB, RUN_JOB, actorOf, settingsOf, type DryRunState } from './imports.service.js';

const PREVIEW_ROWS = 20;

function contextFor(row: repo.ImportRow, jc: JobContext): Ctx {
  return { actor: actorOf(row), db: jc.db, now: jc.now, requestId: `customer-import:${row.id}` };
}

function planFor(row: repo.ImportRow): ChunkPlan {
  const settings = settingsOf(row);
  const d = parseDefaults(settings.defaults);
  return { importId: row.id, settings, defaults: { values: d.values, resellerNumber: d.resellerNumber } };
}

function previewOf(outcomes: AnyOutcome[], room: number, defaultReseller: string | null) {
  const out: DryRunState['preview'] = [];
  for (const o of outcomes) {
    if (out.length >= room) break;
    if (o.kind === 'create') {
      const values =
        'input' in o
          ? {
              ...(o.input as object),
              // The reseller by account number, as the file names it: in a dry run over a reseller
              // file the parent may be a row of the file, with no id yet.
              reseller: (o.row as { resellerNumber?: string | null }).resellerNumber ?? defaultReseller,
              hasPassword: (o.row as { passwordHash?: string | null }).passwordHash != null,
            }
          : { ...(o.row as { fields?: object }).fields, username: (o.row as { username?: string }).username };
      out.push({ rowNumber: o.row.rowNumber, action: 'create', values });
    } else if (o.kind === 'update')
      out.push({
        rowNumber: o.row.rowNumber,
        action: 'update',
        values: { ...((o as { patch?: object; set?: object }).patch ?? (o as { set?: object }).set) },
      });
    else if (o.kind === 'unchanged' || o.kind === 'skip')
      out.push({ rowNumber: o.row.rowNumber, action: o.kind, values: {} });
  }
  return out;
}

const load = (jc: JobContext, importId: number) => repo.findImport(jc.db, systemActor, importId);

async function finish(
  tx: Ctx,
  row: repo.ImportRow,
  status: 'done' | 'failed',
  failure?: { code: string; message: string },
) {
  await repo.purgeChunks(tx.db, row.id);
  const after = await repo.findImport(tx.db, systemActor, row.id);
  await recordAudit(tx, {
    action: `customer_import.${status === 'done' ? 'finish' : 'fail'}`,
    entityType: 'customer_import',
    entityId: row.id,
    accountId: row.owner_id,
    after: {
      created: after?.created_count,
      updated: after?.updated_count,
      unchanged: after?.unchanged_count,
      skipped: after?.skipped_count,
      rejected: after?.rejected_count,
      failure: failure ?? null,
    },
  });
}

/** A promise with its settle functions, for the transactions of chunks written at once. */
function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** A chunk written beside earlier ones found it depends on one of them: it rolls back and runs in a later step. */
class ChunkDependsOnPrevious extends Error {}

/**
 * Chunks at once on PostgreSQL (main.ts): enough to keep both the database and this process busy
 * while a chunk waits for the one before it to commit; each takes a pooled connection.
 */
export const IMPORT_CHUNKS_AT_ONCE = 2;

export interface ImportJobOptions {
  /**
   * How many chunks of a customer import one step classifies and writes at once, each in its own
   * transaction on its own connection, when they do not depend on each other (chunksIndependent);
   * each commits only after the one before it. 1 (the default) writes one chunk at a time: PGlite
   * has one connection, where a second transaction would only wait for the first.
   */
  chunksAtOnce?: number;
}

export function importJobHandlers(opts: ImportJobOptions = {}): JobHandler[] {
  /** Keys seen by validation passes running in this process, by import and pass. */
  const passKeys = new Map<string, FileKeys>();

  /** The keys of a validation pass, or null when this process lost them (the pass must restart). */
  const keysFor = (key: string, position: number): FileKeys | null => {
    const known = passKeys.get(key);
    if (known) return known;
    if (position > 0) return null;
    const fresh = newFileKeys();
    passKeys.set(key, fresh);
    return fresh;
  };

  const dryRun: JobHandler = {
    kind: DRY_RUN_JOB,
    async step(jc, payload) {
      const { importId } = payload as { importId: number };
      const row = await load(jc, importId);
      if (!row || row.status !== 'validating') return 'done';
      const dry = row.dry_run as DryRunState;
      const keyName = `${importId}:dry`;
      const keys = keysFor(keyName, dry.nextChunk);
      if (!keys) {
        const fresh: DryRunState = {
          ...dry,
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
        await inTransaction(contextFor(row, jc), async (tx) => {
          await repo.clearRun(tx.db, importId, 'dry');
          await repo.updateImport(
            tx.db,
            importId,
            { dry_run: JSON.stringify(fresh) },
            { dryChunk: dry.nextChunk },
          );
        });
        return 'more';
      }
      const ctx = contextFor(row, jc);
      const plan = planFor(row);
      const outcomes = await classifyAnyChunk(
        ctx,
        plan,
        await repo.readChunk(jc.db, importId, dry.nextChunk),
        keys,
      );
      const c = countOutcomes(outcomes);
      const { issues } = chunkReport(outcomes, row.hashed_columns);
      const last = dry.nextChunk + 1 >= row.chunk_count;
      const next: DryRunState = {
        status: last ? 'done' : 'running',
        nextChunk: dry.nextChunk + 1,
        rowsDone: dry.rowsDone + c.rows,
        created: dry.created + c.created,
        updated: dry.updated + c.updated,
        unchanged: dry.unchanged + c.unchanged,
        skipped: dry.skipped + c.skipped,
        rejected: dry.rejected + c.rejected,
        warnings: dry.warnings + c.warnings,
        preview: [
          ...dry.preview,
          ...previewOf(outcomes, PREVIEW_ROWS - dry.preview.length, plan.defaults.resellerNumber),
        ],
      };
      await inTransaction(ctx, async (tx) => {
        await repo.insertIssues(tx.db, importId, 'dry', issues);
        const ok = await repo.updateImport(
          tx.db,
          importId,
          { dry_run: JSON.stringify(next), ...(last ? { status: 'validated' } : {}) },
          { dryChunk: dry.nextChunk, status: ['validating'] },
        );
        if (!ok) throw new Error('The dry run moved on without this step');
      });
      if (last) passKeys.delete(keyName);
      return last ? 'done' : 'more';
    },
    async onFailed(jc, payload, error) {
      const { importId } = payload as { importId: number };
      passKeys.delete(`${importId}:dry`);
      await repo.updateImport(
        jc.db,
        importId,
        {
          status: 'uploaded',
          failure: JSON.stringify({
            code: 'DRY_RUN_FAILED',
            message: String((error as Error)?.message ?? error),
          }),
        },
        { status: ['validating'] },
      );
    },
  };

  async function atomicValidate(jc: JobContext, row: repo.ImportRow): Promise<'more' | 'done'> {
    const keyName = `${row.id}:atomic`;
    const keys = keysFor(keyName, row.next_chunk);
    const ctx = contextFor(row, jc);
    if (!keys) {
      await inTransaction(ctx, async (tx) => {
        await repo.clearRun(tx.db, row.id, 'real');
        await repo.updateImport(
          tx.db,
          row.id,
          { next_chunk: 0, rows_done: 0, rejected_count: 0, warning_count: 0 },
          { nextChunk: row.next_chunk },
        );
      });
      return 'more';
    }
    const outcomes = await classifyAnyChunk(
      ctx,
      planFor(row),
      await repo.readChunk(jc.db, row.id, row.next_chunk),
      keys,
    );
    const c = countOutcomes(outcomes);
    const { issues, rejects } = chunkReport(outcomes, row.hashed_columns);
    const last = row.next_chunk + 1 >= row.chunk_count;
    const rejected = row.rejected_count + c.rejected;
    await inTransaction(ctx, async (tx) => {
      await repo.insertIssues(tx.db, row.id, 'real', issues);
      await repo.insertRejects(tx.db, row.id, rejects);
      const failure = {
        code: 'IMPORT_HAS_INVALID_ROWS',
        message: `${rejected} rows are invalid; in atomic mode nothing was imported.`,
      };
      const ok = await repo.updateImport(
        tx.db,
        row.id,
        {
          next_chunk: last ? 0 : row.next_chunk + 1,
          rows_done: last ? 0 : row.rows_done + c.rows,
          rejected_count: rejected,
          warning_count: row.warning_count + c.warnings,
          ...(last && rejected > 0
            ? {
                status: 'failed',
                phase: null,
                failure: JSON.stringify(failure),
                finished_at: sql`now()`,
                rows_done: row.row_count,
              }
            : last
              ? { phase: 'write' }
              : {}),
        },
        { nextChunk: row.next_chunk, status: ['running'] },
      );
      if (!ok) throw new Error('The import moved on without this step');
      if (last && rejected > 0) await finish(tx, row, 'failed', failure);
    });
    if (last) passKeys.delete(keyName);
    return last && rejected > 0 ? 'done' : 'more';
  }

  async function atomicWrite(jc: JobContext, row: repo.ImportRow): Promise<'done'> {
    const ctx = contextFor(row, jc);
    const plan = planFor(row);
    try {
      await inTransaction(ctx, async (tx) => {
        const total = { rows: 0, created: 0, updated: 0, unchanged: 0, skipped: 0, warnings: 0 };
        const issues = [];
        for (let seq = 0; seq < row.chunk_count; seq++) {
          const final = await runChunk(tx, plan, await repo.readChunk(tx.db, row.id, seq), true);
          const c = countOutcomes(final);
          for (const k of ['rows', 'created', 'updated', 'unchanged', 'skipped', 'warnings'] as const)
            total[k] += c[k];
          issues.push(...chunkReport(final, row.hashed_columns).issues);
        }
        await repo.insertIssues(tx.db, row.id, 'real', issues);
        await repo.updateImport(tx.db, row.id, {
          status: 'done',
          phase: null,
          rows_done: total.rows,
          created_count: total.created,
          updated_count: total.updated,
          unchanged_count: total.unchanged,
          skipped_count: total.skipped,
          warning_count: total.warnings,
          finished_at: sql`now()`,
        });
        await finish(tx, row, 'done');
      });
    } catch (err) {
      if (!(err instanceof RowFailedError)) throw err;
      const failure = {
        code: 'IMPORT_ROW_FAILED',
        message: `${err.message} In atomic mode nothing was imported.`,
      };
      await inTransaction(ctx, async (tx) => {
        await repo.insertIssues(tx.db, row.id, 'real', [err.issue]);
        const cells =
          err.cells ??
          (await repo.readChunkContaining(tx.db, row.id, err.issue.rowNumber)).find(
            ([n]) => n === err.issue.rowNumber,
          )?.[1];
        if (cells) await repo.insertRejects(tx.db, row.id, [{ rowNumber: err.issue.rowNumber, cells }]);
        await repo.updateImport(tx.db, row.id, {
          status: 'failed',
          phase: null,
          rejected_count: 1,
          rows_done: row.row_count,
          failure: JSON.stringify(failure),
          finished_at: sql`now()`,
        });
        await finish(tx, row, 'failed', failure);
      });
    }
    return 'done';
  }

  const run: JobHandler = {
    kind: RUN_JOB,
    async step(jc, payload) {
      const { importId } = payload as { importId: number };
      let row = await load(jc, importId);
      if (!row || !['queued', 'running'].includes(row.status)) return 'done';
      if (row.status === 'queued') {
        await repo.updateImport(
          jc.db,
          importId,
          { status: 'running', started_at: sql`now()` },
          { status: ['queued'] },
        );
        row = (await load(jc, importId))!;
      }
      const settings = settingsOf(row);
      if (settings.mode === 'atomic')
        return row.phase === 'write' ? atomicWrite(jc, row) : atomicValidate(jc, row);

      const ctx = contextFor(row, jc);
      const plan = planFor(row);
      const seq = row.next_chunk;
      const current = row;
      /** Counters, issues, rejects and position of chunk `at`, in its transaction; the last one finishes. */
      const commitChunk = async (tx: Ctx, at: number, final: AnyOutcome[]) => {
        const c = countOutcomes(final);
        const { issues, rejects } = chunkReport(final, current.hashed_columns);
        await repo.insertIssues(tx.db, importId, 'real', issues);
        await repo.insertRejects(tx.db, importId, rejects);
        const isLast = at + 1 >= current.chunk_count;
        const ok = await repo.updateImport(
          tx.db,
          importId,
          {
            next_chunk: at + 1,
            rows_done: sql`rows_done + ${c.rows}`,
            created_count: sql`created_count + ${c.created}`,
            updated_count: sql`updated_count + ${c.updated}`,
            unchanged_count: sql`unchanged_count + ${c.unchanged}`,
            skipped_count: sql`skipped_count + ${c.skipped}`,
            rejected_count: sql`rejected_count + ${c.rejected}`,
            warning_count: sql`warning_count + ${c.warnings}`,
            ...(isLast ? { status: 'done', finished_at: sql`now()` } : {}),
          },
          { nextChunk: at, status: ['running'] },
        );
        if (!ok) throw new Error('The import moved on without this step');
        if (isLast) await finish(tx, current, 'done');
      };
      const logCommitted = (at: number) =>
        jc.log.info({ importId, chunk: at, chunks: current.chunk_count }, 'customer import: chunk committed');

      let done = seq;
      const atOnce = Math.min(opts.chunksAtOnce ?? 1, row.chunk_count - seq);
      if (atOnce >= 2 && settings.kind === 'customers') {
        // Chunks seq .. seq + atOnce - 1 classify and write in parallel, each in its own
        // transaction; each commits only after the one before it, so the position moves one chunk
        // at a time and a crash leaves the uncommitted ones to run again. A chunk that depends on
        // an earlier one of the step (or follows one that failed) rolls back, with every chunk
        // after it, and runs in the next step, where it sees the earlier rows committed.
        const rowsOf = await Promise.all(
          Array.from({ length: atOnce }, (_, i) => repo.readChunk(jc.db, importId, seq + i)),
        );
        const classified = rowsOf.map(() => deferred<Awaited<ReturnType<typeof classifyChunk>> | null>());
        const committed = rowsOf.map(() => deferred<boolean>());
        const runs = rowsOf.map((rows, i) =>
          inTransaction(ctx, async (tx) => {
            const outcomes = await classifyChunk(tx, plan, rows, null);
            classified[i]!.resolve(outcomes);
            for (let j = 0; j < i; j++) {
              const earlier = await classified[j]!.promise;
              if (!earlier || !chunksIndependent(earlier, outcomes)) throw new ChunkDependsOnPrevious();
            }
            const final = await writeChunk(tx, plan, outcomes, false);
            if (i > 0 && !(await committed[i - 1]!.promise)) throw new ChunkDependsOnPrevious();
            await commitChunk(tx, seq + i, final);
          }).then(
            () => committed[i]!.resolve(true),
            (err: unknown) => {
              classified[i]!.resolve(null);
              committed[i]!.resolve(false);
              throw err;
            },
          ),
        );
        const results = await Promise.allSettled(runs);
        for (const [i, r] of results.entries()) {
          if (r.status === 'fulfilled') {
            logCommitted(seq + i);
            done = seq + i;
            continue;
          }
          if (i === 0 || !(r.reason instanceof ChunkDependsOnPrevious)) throw r.reason;
          break;
        }
      } else {
        const rows = await repo.readChunk(jc.db, importId, seq);
        await inTransaction(ctx, async (tx) => commitChunk(tx, seq, await runChunk(tx, plan, rows, false)));
        logCommitted(seq);
      }
      const last = done + 1 >= row.chunk_count;
      // Chunks 2, 4, 8, 16 ... and the last: the tables doubled since the planner last looked.
      const doubled = (at: number) => at >= 1 && ((at + 1) & at) === 0;
      let grew = false;
      for (let at = seq; at <= done; at++) grew ||= doubled(at);
      if (last) await repo.refreshPlannerStats(jc.db, 'all');
      else if (grew) await repo.refreshPlannerStats(jc.db, 'lookups');
      return last ? 'done' : 'more';
    },
    async onFailed(jc, payload, error) {
      const { importId } = payload as { importId: number };
      passKeys.delete(`${importId}:atomic`);
      await repo.updateImport(
        jc.db,
        importId,
        {
          status: 'failed',
          phase: null,
          failure: JSON.stringify({
            code: 'IMPORT_JOB_FAILED',
            message: String((error as Error)?.message ?? error),
          }),
          finished_at: sql`now()`,
        },
        { status: ['queued', 'running'] },
      );
    },
  };

  return [dryRun, run];
}

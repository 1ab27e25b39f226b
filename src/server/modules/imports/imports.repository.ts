import { sql, type SelectQueryBuilder } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { Actor } from '../../platform/context.js';
import type { Executor } from '../../platform/db/database.js';
import { accountScope, ownedScope } from '../../platform/tenancy/index.js';
import type { RowIssue } from './import-rows.js';

export type ImportStatus = DB['customer_imports']['status']['__select__'];

const IMPORT_COLUMNS = [
  'i.id',
  'i.owner_id',
  'i.actor',
  'i.file_name',
  'i.file_sha256',
  'i.file_bytes',
  'i.headers',
  'i.hashed_columns',
  'i.row_count',
  'i.chunk_count',
  'i.settings',
  'i.status',
  'i.phase',
  'i.dry_run',
  'i.next_chunk',
  'i.rows_done',
  'i.created_count',
  'i.updated_count',
  'i.unchanged_count',
  'i.skipped_count',
  'i.rejected_count',
  'i.warning_count',
  'i.failure',
  'i.created_at',
  'i.started_at',
  'i.finished_at',
] as const;

type ImportQuery = SelectQueryBuilder<DB & { i: DB['customer_imports'] }, 'i', object>;

/** Import scope: an admin sees every import, a reseller those of its own subtree's resellers. */
function scopeImports<Q extends ImportQuery>(q: Q, actor: Actor): Q {
  return q.where(ownedScope(actor, 'i.owner_id')) as Q;
}

/**
 * Whether the import's job was interrupted (its runner died, so the lease ran out, or a new runner
 * took it over after one): the progress then says "resuming".
 */
const resuming = sql<boolean>`EXISTS (
  SELECT 1 FROM jobs j
  WHERE j.kind IN ('customer-import.run', 'customer-import.dry-run') AND j.payload->>'importId' = i.id::text
    AND j.status IN ('queued', 'running') AND (j.attempts > 0 OR j.locked_until < now()))`;

const selectImports = (db: Executor) =>
  db.selectFrom('customer_imports as i').select(IMPORT_COLUMNS).select(resuming.as('resuming'));
export type ImportRow = Awaited<ReturnType<ReturnType<typeof selectImports>['executeTakeFirstOrThrow']>>;

export async function findImport(
  db: Executor,
  actor: Actor,
  id: number,
  opts: { forUpdate?: boolean } = {},
): Promise<ImportRow | undefined> {
  let q = scopeImports(selectImports(db).where('i.id', '=', id), actor);
  if (opts.forUpdate) q = q.forUpdate('i');
  return q.executeTakeFirst();
}

export async function listImports(db: Executor, actor: Actor, beforeId: number | undefined, limit: number) {
  let q = scopeImports(selectImports(db), actor).orderBy('i.id', 'desc').limit(limit);
  if (beforeId) q = q.where('i.id', '<', beforeId);
  return q.execute();
}

/** An earlier import in scope of the very same file (same SHA-256), for a warning at upload. */
export async function findSameFile(db: Executor, actor: Actor, sha256: string, excludeId: number) {
  const r = await scopeImports(db.selectFrom('customer_imports as i').select('i.id'), actor)
    .where('i.file_sha256', '=', sha256)
    .where('i.id', '<>', excludeId)
    .orderBy('i.id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return r?.id ?? null;
}

export async function insertImport(
  db: Executor,
  v: { ownerId: number | null; actor: Actor; fileName: string },
): Promise<number> {
  const r = await db
    .insertInto('customer_imports')
    .values({
      owner_id: v.ownerId,
      actor: JSON.stringify(v.actor),
      file_name: v.fileName,
      file_sha256: '',
      file_bytes: 0,
      headers: [],
      row_count: 0,
      chunk_count: 0,
      status: 'uploading',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

export async function finishUpload(
  db: Executor,
  id: number,
  v: {
    sha256: string;
    bytes: number;
    headers: string[];
    hashedColumns: number[];
    rowCount: number;
    chunkCount: number;
    settings: unknown;
  },
): Promise<void> {
  await db
    .updateTable('customer_imports')
    .set({
      file_sha256: v.sha256,
      file_bytes: v.bytes,
      headers: v.headers,
      hashed_columns: v.hashedColumns,
      row_count: v.rowCount,
      chunk_count: v.chunkCount,
      settings: JSON.stringify(v.settings),
      status: 'uploaded',
      updated_at: sql`now()`,
    })
    .where('id', '=', id)
    .execute();
}

export async function deleteImport(db: Executor, id: number): Promise<void> {
  await db.deleteFrom('customer_imports').where('id', '=', id).execute();
}

export async function insertChunk(
  db: Executor,
  c: { importId: number; seq: number; firstRow: number; rowCount: number; rows: string },
): Promise<void> {
  await db
    .insertInto('customer_import_chunks')
    .values({ import_id: c.importId, seq: c.seq, first_row: c.firstRow, row_count: c.rowCount, rows: c.rows })
    .execute();
}

/** One stored chunk: `[rowNumber, cells][]`. */
export async function readChunk(db: Executor, importId: number, seq: number): Promise<[number, string[]][]> {
  const r = await db
    .selectFrom('customer_import_chunks')
    .select('rows')
    .where('import_id', '=', importId)
    .where('seq', '=', seq)
    .executeTakeFirst();
  if (!r) throw new Error(`Import ${importId} has no chunk ${seq}`);
  return JSON.parse(r.rows) as [number, string[]][];
}

/** The stored chunk holding a given row number. */
export async function readChunkContaining(
  db: Executor,
  importId: number,
  rowNumber: number,
): Promise<[number, string[]][]> {
  const r = await db
    .selectFrom('customer_import_chunks')
    .select('rows')
    .where('import_id', '=', importId)
    .where('first_row', '<=', rowNumber)
    .orderBy('first_row', 'desc')
    .limit(1)
    .executeTakeFirst();
  return r ? (JSON.parse(r.rows) as [number, string[]][]) : [];
}

export async function purgeChunks(db: Executor, importId: number): Promise<void> {
  await db.deleteFrom('customer_import_chunks').where('import_id', '=', importId).execute();
}

export async function updateImport(
  db: Executor,
  id: number,
  set: Record<string, unknown>,
  expect?: { nextChunk?: number; dryChunk?: number; status?: ImportStatus[] },
): Promise<boolean> {
  let q = db
    .updateTable('customer_imports')
    .set({ ...set, updated_at: sql`now()` } as never)
    .where('id', '=', id);
  if (expect?.nextChunk !== undefined) q = q.where('next_chunk', '=', expect.nextChunk);
  if (expect?.status) q = q.where('status', 'in', expect.status);
  if (expect?.dryChunk !== undefined)
    q = q.where(sql<boolean>`(dry_run->>'nextChunk')::int = ${expect.dryChunk}`);
  const r = await q.executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function insertIssues(db: Executor, importId: number, run: 'dry' | 'real', issues: RowIssue[]) {
  if (issues.length === 0) return;
  await sql`
    INSERT INTO customer_import_issues (import_id, run, row_number, severity, column_name, code, message)
    SELECT ${importId}::bigint, ${run}, t.r, t.s, t.c, t.code, t.m
    FROM unnest(${issues.map((i) => i.rowNumber)}::int4[], ${issues.map((i) => i.severity)}::text[],
                ${issues.map((i) => i.column)}::text[], ${issues.map((i) => i.code)}::text[],
                ${issues.map((i) => i.message)}::text[]) AS t(r, s, c, code, m)`.execute(db);
}

export async function insertRejects(
  db: Executor,
  importId: number,
  rows: { rowNumber: number; cells: string[] }[],
) {
  if (rows.length === 0) return;
  await sql`
    INSERT INTO customer_import_rejects (import_id, row_number, cells)
    SELECT ${importId}::bigint, t.r, t.c
    FROM unnest(${rows.map((r) => r.rowNumber)}::int4[], ${rows.map((r) => JSON.stringify(r.cells))}::text[]) AS t(r, c)
    ON CONFLICT DO NOTHING`.execute(db);
}

/** Forgets what a run found so far (a validation pass that starts over). */
export async function clearRun(db: Executor, importId: number, run: 'dry' | 'real'): Promise<void> {
  await db
    .deleteFrom('customer_import_issues')
    .where('import_id', '=', importId)
    .where('run', '=', run)
    .execute();
  if (run === 'real')
    await db.deleteFrom('customer_import_rejects').where('import_id', '=', importId).execute();
}

export async function listIssues(
  db: Executor,
  importId: number,
  run: 'dry' | 'real',
  afterId: number,
  limit: number,
) {
  return db
    .selectFrom('customer_import_issues')
    .select(['id', 'row_number', 'severity', 'column_name', 'code', 'message'])
    .where('import_id', '=', importId)
    .where('run', '=', run)
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit)
    .execute();
}

export async function listRejects(db: Executor, importId: number, afterRow: number, limit: number) {
  return db
    .selectFrom('customer_import_rejects')
    .select(['row_number', 'cells'])
    .where('import_id', '=', importId)
    .where('row_number', '>', afterRow)
    .orderBy('row_number')
    .limit(limit)
    .execute();
}

/** Error texts of the given rejected rows, joined per row (for the reject file). */
export async function errorsOfRows(db: Executor, importId: number, rowNumbers: number[]) {
  if (rowNumbers.length === 0) return [];
  return db
    .selectFrom('customer_import_issues')
    .select(['row_number', 'column_name', 'code', 'message'])
    .where('import_id', '=', importId)
    .where('run', '=', 'real')
    .where('severity', '=', 'error')
    .where('row_number', 'in', rowNumbers)
    .orderBy('id')
    .execute();
}

// ------------------------------------------------------------ lookups for a chunk

export interface ExistingAccount {
  id: number;
  account_number: string;
  is_reseller: boolean;
  is_customer: boolean;
  deleted: boolean;
  in_scope: boolean;
  import_id: number | null;
  import_row: number | null;
  parent_number: string | null;
  parent_id: number | null;
}

/** Accounts (deleted included) holding any of these numbers, with whether the actor may touch them. */
export async function accountsByNumber(
  db: Executor,
  actor: Actor,
  numbers: string[],
): Promise<ExistingAccount[]> {
  if (numbers.length === 0) return [];
  const scope = accountScope(actor);
  const r = await sql<ExistingAccount>`
    SELECT a.id, a.account_number, a.is_reseller, 'customer' = ANY(a.roles) AS is_customer, a.deleted_at IS NOT NULL AS deleted, ${scope} AS in_scope,
           a.import_id, a.import_row,
           (SELECT p.account_number FROM accounts p WHERE p.id = a.parent_id) AS parent_number,
           a.parent_id
    FROM accounts a WHERE a.account_number = ANY(${numbers}::text[])`.execute(db);
  return r.rows.map((x) => ({
    ...x,
    id: Number(x.id),
    import_id: x.import_id === null ? null : Number(x.import_id),
    parent_id: x.parent_id === null ? null : Number(x.parent_id),
  }));
}

/**
 * Rate groups and localization profiles by owner and name (case-insensitive, not deleted): the
 * import resolves names to ids once per chunk. Keys are `${ownerId ?? 0}:${lower(name)}`.
 */
export async function referencesByName(
  db: Executor,
  ownerIds: (number | null)[],
  names: { rateGroups: string[]; localizations: string[] },
): Promise<{ rateGroups: Map<string, number>; localizations: Map<string, number> }> {
  const owners = [...new Set(ownerIds.map((o) => o ?? 0))];
  const lookup = async (table: 'rate_groups' | 'localization_profiles', wanted: string[]) => {
    const out = new Map<string, number>();
    if (wanted.length === 0) return out;
    const lower = [...new Set(wanted.map((n) => n.toLowerCase()))];
    const r = await sql<{ id: number; owner: number; name: string }>`
      SELECT id, coalesce(owner_id, 0) AS owner, lower(name) AS name FROM ${sql.table(table)}
      WHERE deleted_at IS NULL AND coalesce(owner_id, 0) = ANY(${owners}::bigint[])
        AND lower(name) = ANY(${lower}::text[])`.execute(db);
    for (const x of r.rows) out.set(`${Number(x.owner)}:${x.name}`, Number(x.id));
    return out;
  };
  return {
    rateGroups: await lookup('rate_groups', names.rateGroups),
    localizations: await lookup('localization_profiles', names.localizations),
  };
}

/**
 * Row numbers of this import that already created an account (a chunk being run again). One range
 * scan of the (import_id, import_row) index between the chunk's first and last row: nothing to
 * read for a chunk run the first time, instead of one probe per row.
 */
export async function rowsAlreadyImported(
  db: Executor,
  importId: number,
  rowNumbers: number[],
): Promise<Set<number>> {
  if (rowNumbers.length === 0) return new Set();
  let lo = rowNumbers[0]!;
  let hi = lo;
  for (const n of rowNumbers) {
    if (n < lo) lo = n;
    if (n > hi) hi = n;
  }
  const r = await sql<{ import_row: number }>`
    SELECT import_row FROM accounts
    WHERE import_id = ${importId} AND import_row BETWEEN ${lo}::int4 AND ${hi}::int4`.execute(db);
  const wanted = new Set(rowNumbers);
  return new Set(r.rows.map((x) => x.import_row).filter((n) => wanted.has(n)));
}

/** Live resellers the actor may put customers under, by account number (a reseller: itself or its subtree). */
export async function resellersByNumber(db: Executor, actor: Actor, numbers: string[]) {
  if (numbers.length === 0) return new Map<string, { id: number; ancestor_ids: number[] }>();
  const scope = accountScope(actor, { includeSelf: true });
  const r = await sql<{ id: number; account_number: string; ancestor_ids: number[] }>`
    SELECT a.id, a.account_number, a.ancestor_ids FROM accounts a
    WHERE a.is_reseller AND a.deleted_at IS NULL AND a.account_number = ANY(${numbers}::text[]) AND ${scope}`.execute(
    db,
  );
  return new Map(
    r.rows.map((x) => [x.account_number, { id: Number(x.id), ancestor_ids: x.ancestor_ids.map(Number) }]),
  );
}

export async function accountOwnerRef(db: Executor, id: number) {
  const r = await db
    .selectFrom('accounts')
    .select(['id', 'ancestor_ids'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  return { id: r.id, ancestor_ids: r.ancestor_ids.map(Number) };
}

/**
 * Refreshes the planner's statistics of the tables an import grows. After a large load they are
 * stale (or absent when autovacuum lags), and the lookups of the next chunks would be planned
 * for tiny tables.
 *
 * Between chunks only the row counts and the columns the import's own lookups filter on are
 * sampled (0.2 s on a million accounts instead of 1.7 s for the whole table, whose search text
 * and ancestor paths keep a large sample for the grid); the end of the import refreshes all.
 */
export async function refreshPlannerStats(db: Executor, scope: 'lookups' | 'all' = 'all'): Promise<void> {
  if (scope === 'all') {
    await sql`ANALYZE accounts`.execute(db);
    await sql`ANALYZE users`.execute(db);
    return;
  }
  await sql`ANALYZE accounts (account_number, parent_id, name, pin, import_id, import_row, deleted_at)`.execute(
    db,
  );
  await sql`ANALYZE users (login, account_id, deleted_at)`.execute(db);
}

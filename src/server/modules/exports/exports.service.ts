import type { Ctx } from '../../platform/context.js';
import { forbidden } from '../../platform/errors.js';
import { csvLine, quoteCsvCell, textCsvCell } from '../../platform/csv/csv-cells.js';
import { CUSTOMER_EXPORT_COLUMN_NAMES, customerCsvColumn } from './customer-csv-columns.js';
import { unknownExportColumn } from './exports.errors.js';
import type pg from 'pg';
import {
  exportBatch,
  exportShape,
  isExportColumn,
  kyselyArrayRunner,
  poolArrayRunner,
} from './exports.repository.js';
import type { ExportCustomersQuery } from './exports.schemas.js';

/** Rows fetched per keyset query: large enough to amortise the round trip, small in memory. */
const BATCH_ROWS = 5_000;

function parseColumns(spec: string | undefined): string[] {
  if (spec === undefined || spec.trim() === '') return [...CUSTOMER_EXPORT_COLUMN_NAMES];
  const names = spec.split(',').map((s) => s.trim());
  const seen = new Set<string>();
  for (const n of names) {
    if (!isExportColumn(n) || seen.has(n)) throw unknownExportColumn(n);
    seen.add(n);
  }
  return names;
}

/**
 * The customer list as CSV (DOMAIN 3.6), honouring the list's filters and the actor's scope,
 * streamed in keyset batches in id order so memory stays constant whatever the row count. Text
 * cells are formula-guarded; numeric, boolean, list and time cells never are. No secret is
 * written (no password, PIN or SIP secret exists in the catalogue).
 */
export function exportCustomersCsv(
  ctx: Ctx,
  query: ExportCustomersQuery,
  opts: { batchRows?: number; pool?: pg.Pool | null } = {},
): { fileName: string; chunks: AsyncGenerator<string> } {
  if (ctx.actor.kind === 'customer') throw forbidden('Customers cannot export the customer list.');
  const { columns: spec, ...filters } = query;
  const columns = parseColumns(spec);
  const isText = columns.map((c) => customerCsvColumn(c)!.type === 'text');
  const { shape, expressions } = exportShape(columns, (c) => customerCsvColumn(c)!.type);
  const resellerAt = columns.indexOf('reseller');
  const loginAt = columns.indexOf('portal_username');
  const filter = { ...filters, kind: 'customer' as const };
  const batchRows = opts.batchRows ?? BATCH_ROWS;
  const run = opts.pool ? poolArrayRunner(opts.pool) : kyselyArrayRunner(ctx.db);
  const fileName = `Customers_${ctx.now().toISOString().slice(0, 10)}.csv`;

  async function* chunks(): AsyncGenerator<string> {
    yield csvLine(columns);
    let afterId = 0;
    for (;;) {
      const batch = await exportBatch(
        ctx.db,
        run,
        ctx.actor,
        filter,
        expressions,
        { reseller: resellerAt >= 0, login: loginAt >= 0 },
        afterId,
        batchRows,
      );
      const { rows } = batch;
      if (rows.length === 0) return;
      let out = '';
      for (const row of rows) {
        let line = '';
        for (let f = 0; f < shape.fields.length; f++) {
          const field = shape.fields[f]!;
          if (f > 0) line += ',';
          // A joined run of plain cells comes ready from the database.
          if (field.kind === 'joined') {
            line += row[f + 2] as string;
            continue;
          }
          const i = field.column;
          const v =
            i === resellerAt
              ? row[1] === null
                ? null
                : batch.resellerNumbers.get(Number(row[1]))
              : i === loginAt
                ? batch.logins.get(Number(row[0]))
                : (row[f + 2] as string | null);
          if (v !== null && v !== undefined && v !== '') line += isText[i] ? textCsvCell(v) : quoteCsvCell(v);
        }
        out += line + '\r\n';
      }
      yield out;
      afterId = Number(rows[rows.length - 1]![0]);
      if (rows.length < batchRows) return;
    }
  }
  return { fileName, chunks: chunks() };
}

import type { Ctx } from '../../platform/context.js';
import { forbidden } from '../../platform/errors.js';
import { recordAudit } from '../audit/index.js';
import { csvLine, quoteCsvCell, textCsvCell } from '../../platform/csv/csv-cells.js';
import { CUSTOMER_EXPORT_COLUMN_NAMES, customerCsvColumn } from './customer-csv-columns.js';
import { unknownExportColumn } from './exports.errors.js';
import type pg from 'pg';
import {
  exportLookups,
  exportRows,
  exportShape,
  sipDeviceExportRows,
  isExportColumn,
  kyselyArrayRunner,
  poolArrayRunner,
} from './exports.repository.js';
import type { ExportCustomersQuery, ExportSipDevicesQuery } from './exports.schemas.js';
import { SIP_DEVICE_EXPORT_COLUMN_NAMES } from './sip-device-csv-columns.js';
import { requireManager } from '../../platform/tenancy/index.js';

/** Rows fetched per keyset query: large enough to amortise the round trip, small in memory. */
const BATCH_ROWS = 5_000;

function parseColumns(spec: string | undefined, includePins: boolean): string[] {
  const names =
    spec === undefined || spec.trim() === ''
      ? [...CUSTOMER_EXPORT_COLUMN_NAMES]
      : spec.split(',').map((s) => s.trim());
  const seen = new Set<string>();
  for (const n of names) {
    if (!isExportColumn(n) || seen.has(n) || n === 'pin') throw unknownExportColumn(n);
    seen.add(n);
  }
  if (includePins) names.push('pin');
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
  return exportAccountsCsv(ctx, 'customer', query, opts);
}

/**
 * The reseller list in the customer file's format (the same columns; `reseller` is the parent
 * reseller's account number), in id order, so parents come before their children: a reseller is
 * always created after the reseller it hangs under. The reseller import sorts a file in any
 * order the same way before it runs.
 */
export function exportResellersCsv(
  ctx: Ctx,
  query: ExportCustomersQuery,
  opts: { batchRows?: number; pool?: pg.Pool | null } = {},
): { fileName: string; chunks: AsyncGenerator<string> } {
  return exportAccountsCsv(ctx, 'reseller', query, opts);
}

function exportAccountsCsv(
  ctx: Ctx,
  kind: 'customer' | 'reseller',
  query: ExportCustomersQuery,
  opts: { batchRows?: number; pool?: pg.Pool | null } = {},
): { fileName: string; chunks: AsyncGenerator<string> } {
  requireManager(ctx, `Customers cannot export the ${kind} list.`);
  const { columns: spec, includePins = false, ...filters } = query;
  if (includePins && ctx.actor.kind !== 'admin')
    throw forbidden('Only an operator admin may export PINs.', 'PIN_EXPORT_FORBIDDEN');
  const columns = parseColumns(spec, includePins);
  const isText = columns.map((c) => customerCsvColumn(c)!.type === 'text');
  const { shape, expressions } = exportShape(columns, (c) => customerCsvColumn(c)!.type);
  const resellerAt = columns.indexOf('reseller');
  const loginAt = columns.indexOf('portal_username');
  const filter = { ...filters, kind };
  const batchRows = opts.batchRows ?? BATCH_ROWS;
  const run = opts.pool ? poolArrayRunner(opts.pool) : kyselyArrayRunner(ctx.db);
  const fileName = `${kind === 'customer' ? 'Customers' : 'Resellers'}_${ctx.now().toISOString().slice(0, 10)}${includePins ? '_with_PINs' : ''}.csv`;

  const needs = { reseller: resellerAt >= 0, login: loginAt >= 0 };
  const read = (afterId: number) =>
    exportRows(ctx.db, run, ctx.actor, filter, expressions, afterId, batchRows);

  async function* chunks(): AsyncGenerator<string> {
    if (includePins)
      await recordAudit(ctx, {
        action: `${kind}.export_pins`,
        entityType: `${kind}_export`,
        entityId: null,
        accountId: null,
        after: { filters },
      });
    yield csvLine(columns);
    // Pipelined: as soon as a batch's rows arrive, the next batch's query starts (its first id is
    // known) while this batch's lookups run and its lines are written, so the database works on
    // two statements at once instead of waiting for this side. (On PGlite, one connection, they
    // simply queue.)
    let next: Promise<unknown[][]> | null = read(0);
    while (next) {
      const rows: unknown[][] = await next;
      if (rows.length === 0) return;
      next = rows.length < batchRows ? null : read(Number(rows[rows.length - 1]![0]));
      // If the lookups below fail or the client goes away, nobody awaits the read ahead.
      next?.catch(() => undefined);
      const { resellerNumbers, logins } = await exportLookups(ctx.db, rows, needs);
      let out = '';
      for (const row of rows) {
        let line = '';
        for (let f = 0; f < shape.fields.length; f++) {
          const field = shape.fields[f]!;
          if (f > 0) line += ',';
          // A joined run of cells comes escaped and ready from the database.
          if (field.kind === 'joined') {
            line += row[f + 2] as string;
            continue;
          }
          const i = field.column;
          const v =
            i === resellerAt
              ? row[1] === null
                ? null
                : resellerNumbers.get(Number(row[1]))
              : logins.get(Number(row[0]));
          if (v !== null && v !== undefined && v !== '') line += isText[i] ? textCsvCell(v) : quoteCsvCell(v);
        }
        out += line + '\r\n';
      }
      yield out;
    }
  }
  return { fileName, chunks: chunks() };
}

/**
 * The SIP devices of the customers the list filter selects, as CSV (one file per object type: a
 * migration imports resellers, then customers, then this). Every field but the secret, which is
 * never exported: the import gives a device without one a random secret nobody knows, to be
 * reset (and shown once) on the customer's SIP Devices tab.
 */
export function exportSipDevicesCsv(
  ctx: Ctx,
  query: ExportSipDevicesQuery,
  opts: { batchRows?: number } = {},
): { fileName: string; chunks: AsyncGenerator<string> } {
  requireManager(ctx, 'Customers cannot export SIP devices.');
  const filter = { role: 'any' as const, ...query, kind: 'customer' as const };
  const batchRows = opts.batchRows ?? BATCH_ROWS;
  const fileName = `SIP_Devices_${ctx.now().toISOString().slice(0, 10)}.csv`;
  async function* chunks(): AsyncGenerator<string> {
    yield csvLine(SIP_DEVICE_EXPORT_COLUMN_NAMES);
    let after = 0;
    for (;;) {
      const rows = await sipDeviceExportRows(ctx.db, ctx.actor, filter, after, batchRows);
      if (rows.length === 0) return;
      yield rows
        .map((d) =>
          csvLine([
            quoteCsvCell(d.account_number),
            textCsvCell(d.username),
            d.caller_id_name === null ? '' : textCsvCell(d.caller_id_name),
            d.caller_id_number ?? '',
            d.status,
            quoteCsvCell(d.codecs.join(';')),
            String(d.voicemail_enabled),
            d.created_at,
          ]),
        )
        .join('');
      if (rows.length < batchRows) return;
      after = rows[rows.length - 1]!.id;
    }
  }
  return { fileName, chunks: chunks() };
}

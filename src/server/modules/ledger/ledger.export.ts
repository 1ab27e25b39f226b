import { pipeline, Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { Ctx } from '../../platform/context.js';
import type { AccountKind } from '../accounts/index.js';
import { CSV_COLUMNS, toCsvRow } from './ledger.mapper.js';
import * as repo from './ledger.repository.js';
import type { EntryCursor } from './ledger.repository.js';
import { filterOf, readableAccount } from './ledger.rules.js';
import type { EntryFilter } from './ledger.schemas.js';

const EXPORT_PAGE = 1000;

/**
 * The same rows as listEntries, as a streamed CSV (read page by page, never held whole). Scope and
 * filters are checked before the first byte, so a refusal is still a proper 4xx.
 */
export async function exportEntriesCsv(
  ctx: Ctx,
  kind: AccountKind,
  id: number,
  query: EntryFilter,
  opts: { paymentsOnly: boolean },
): Promise<{ filename: string; stream: Readable }> {
  const account = await readableAccount(ctx, kind, id, opts.paymentsOnly ? 'paymentHistory' : 'balance');
  const filter = filterOf(query, opts.paymentsOnly);
  const db = ctx.db;
  async function* rows() {
    let cursor: EntryCursor | null = null;
    do {
      const page = await repo.listEntriesPage(db, account.id, filter, { limit: EXPORT_PAGE, cursor });
      for (const r of page.rows) yield toCsvRow(r);
      cursor = page.next;
    } while (cursor);
  }
  const csv = stringify({ header: true, columns: [...CSV_COLUMNS] });
  const stream = pipeline(Readable.from(rows()), csv, () => {});
  const day = ctx.now().toISOString().slice(0, 10);
  const name = opts.paymentsOnly ? 'refills' : 'ledger';
  return { filename: `${name}_${account.account_number}_${day}.csv`, stream };
}

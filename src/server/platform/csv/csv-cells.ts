/**
 * CSV cell rules shared by every export and import (DOMAIN 3.6): RFC 4180 quoting, and the
 * formula-injection guard for text cells.
 *
 * The guard prepends `'` to a text cell starting with `= + - @`, a tab or a CR, so a spreadsheet
 * shows it as text instead of running it. To stay lossless, a cell that already starts with `'`s
 * followed by one of those characters gets one more `'`, and the importer strips exactly one.
 */

const FORMULA_START = /^'*[=+\-@\t\r]/;
const GUARDED = /^'+[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** Quotes a cell when it holds a comma, a quote or a line break (RFC 4180). */
export function quoteCsvCell(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** A text cell as exported: formula-guarded, then quoted. Numeric cells must not use this. */
export function textCsvCell(value: string): string {
  return quoteCsvCell(FORMULA_START.test(value) ? `'${value}` : value);
}

/** Undoes the export guard on a text cell read back from a file. */
export function stripFormulaGuard(value: string): string {
  return GUARDED.test(value) ? value.slice(1) : value;
}

/** One CSV record with its CRLF terminator; cells must already be quoted. */
export function csvLine(cells: string[]): string {
  return cells.join(',') + '\r\n';
}

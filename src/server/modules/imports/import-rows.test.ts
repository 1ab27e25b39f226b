import { describe, expect, it } from 'vitest';
import { stripFormulaGuard, textCsvCell } from '../../platform/csv/csv-cells.js';
import { autoMapHeaders, CellError, parseCell, readRow } from './import-rows.js';
import { orderParentsFirst } from './imports.upload.js';

describe('import cells (pure)', () => {
  it('maps headers by name whatever the case, spacing or punctuation, once per column', () => {
    expect(
      autoMapHeaders(['ACCOUNT', 'first_name', 'Zip/Postal Code', 'E-mail', 'Mobile', 'account number']),
    ).toEqual(['account_number', 'first_name', 'zip', 'main_email', null, null]);
  });

  it('reads numbers without changing the amount, and refuses grouping or commas', () => {
    expect(parseCell('decimal', ' 0100.500 ')).toBe('100.5');
    expect(parseCell('decimal', '-0.50')).toBe('-0.5');
    expect(parseCell('decimal', '+7')).toBe('7');
    expect(parseCell('int', '42')).toBe(42);
    expect(() => parseCell('decimal', '1,000.00')).toThrow(CellError);
    expect(() => parseCell('int', '4.5')).toThrow(CellError);
  });

  it('reads booleans in the usual spellings and refuses the rest', () => {
    for (const t of ['true', 'TRUE', 'yes', '1', 'y', 'on']) expect(parseCell('bool', t)).toBe(true);
    for (const f of ['false', 'No', '0', 'n', 'off']) expect(parseCell('bool', f)).toBe(false);
    expect(() => parseCell('bool', 'maybe')).toThrow(/not true or false/);
  });

  it('reads times as UTC when they carry no zone, so the server zone never changes them', () => {
    expect(parseCell('time', '2026-12-31')).toBe('2026-12-31T00:00:00.000Z');
    expect(parseCell('time', '2026-12-31 23:59:59')).toBe('2026-12-31T23:59:59.000Z');
    expect(parseCell('time', '2026-12-31T23:59:59+02:00')).toBe('2026-12-31T21:59:59.000Z');
    expect(() => parseCell('time', '31/12/2026')).toThrow(/ISO 8601/);
  });

  it('splits lists on semicolons and drops empty items', () => {
    expect(parseCell('list', 'a@x.test; b@x.test;;')).toEqual(['a@x.test', 'b@x.test']);
  });

  it('undoes exactly the export formula guard, so any text survives the round trip', () => {
    for (const s of ['=1+1', '+33 1', '-x', '@x', '\tx', "'=x", "''@x", "'plain", 'plain', '', 'a,b', 'a"b'])
      expect(stripFormulaGuard(parseCsvCell(textCsvCell(s)))).toBe(s);
  });

  it('rejects a SIP username without its password and non-empty extra cells, and reads only mapped columns', () => {
    const settings = {
      kind: 'customers' as const,
      columns: ['name', null, 'sip_username'],
      defaults: {},
      mode: 'skipInvalid' as const,
      onExisting: 'error' as const,
    };
    const row = readRow(2, ['Bob', 'ignored', 'sip1', 'extra'], settings);
    expect(row.values).toEqual({ name: 'Bob' });
    expect(row.sipUsername).toBe('sip1');
    expect(row.issues.map((i) => [i.column, i.code])).toEqual([
      [null, 'COLUMN_COUNT'],
      ['sip_password', 'SIP_PASSWORD_REQUIRED'],
    ]);
  });

  it('reads a sealed SIP password, and refuses a bad username or an unsealed secret', () => {
    const settings = {
      kind: 'customers' as const,
      columns: ['name', 'sip_username', 'sip_password'],
      defaults: {},
      mode: 'skipInvalid' as const,
      onExisting: 'error' as const,
    };
    const good = readRow(2, ['Bob', 'bob.desk', 'enc:CIPHERTEXT'], settings);
    expect([good.sipUsername, good.sipSecretEnc, good.issues]).toEqual(['bob.desk', 'CIPHERTEXT', []]);
    const bad = readRow(3, ['Eve', 'a b', '!SIP_PASSWORD_INVALID'], settings);
    expect(bad.issues.map((i) => [i.column, i.code])).toEqual([
      ['sip_username', 'SIP_USERNAME_INVALID'],
      ['sip_password', 'SIP_PASSWORD_INVALID'],
    ]);
  });
});

/** The cell as a CSV reader sees it (undoes RFC 4180 quoting of one cell). */
function parseCsvCell(cell: string): string {
  return cell.startsWith('"') ? cell.slice(1, -1).replace(/""/g, '"') : cell;
}

describe('orderParentsFirst (reseller files)', () => {
  const row = (n: number, num: string, parent: string): [number, string[]] => [n, [num, parent]];
  const order = (rows: [number, string[]][]) => orderParentsFirst(rows, 0, 1).map(([n]) => n);

  it('keeps a file already in order as it is', () => {
    expect(order([row(2, 'A', ''), row(3, 'B', 'A'), row(4, 'C', ''), row(5, 'D', 'B')])).toEqual([
      2, 3, 4, 5,
    ]);
  });

  it('puts each row right after its parent, grandchildren included; unknown parents stay in place', () => {
    expect(order([row(2, 'D', 'B'), row(3, 'B', 'A'), row(4, 'X', 'ZZZ'), row(5, 'A', '')])).toEqual([
      4, 5, 3, 2,
    ]);
  });

  it('leaves a cycle at the end, in file order, for the run to reject', () => {
    expect(order([row(2, 'A', 'B'), row(3, 'B', 'A'), row(4, 'C', '')])).toEqual([4, 2, 3]);
  });
});

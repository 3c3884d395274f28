import { parse, type Options } from 'csv-parse/sync';
import { expect } from 'vitest';

const STRICT: Options = { relax_quotes: false, relax_column_count: false, skip_empty_lines: false, bom: false, trim: false };

/**
 * Parses CSV the strict RFC 4180 way (records end at CRLF only, no stray
 * quotes, every record as wide as the header) and again the way Python's csv
 * reader, pandas and Excel split records (at a CR, LF or CRLF outside quotes),
 * and expects both to agree: a line break the writer left unquoted fails here.
 */
export function parseCsvStrictly(csv: string): string[][] {
  expect(csv.endsWith('\r\n')).toBe(true);
  const rfc = parse(csv, { ...STRICT, record_delimiter: '\r\n' }) as string[][];
  const anyBreak = parse(csv, { ...STRICT, record_delimiter: ['\r\n', '\n', '\r'] }) as string[][];
  expect(anyBreak).toEqual(rfc);
  return rfc;
}

/** OWASP's formula characters (and their full-width forms); a CR can only end a line. */
export const FORMULA_START = /^[=+\-@\t\uFF1D\uFF0B\uFF0D\uFF20]/;

/** No line of any cell (split at CR, LF or CRLF) starts with a formula character. */
export function assertNoFormulaLine(rows: string[][]): void {
  const offending = rows.flat().filter((cell) => cell.split(/\r\n|\r|\n/).some((line) => FORMULA_START.test(line)));
  expect(offending).toEqual([]);
}

/**
 * The one CSV format of every export (RFC 4180): fields quoted when they hold a comma, quote or
 * line break, quotes doubled, CRLF line ends, and a UTF-8 byte order mark so Excel reads Kazakh
 * and Russian letters correctly.
 *
 * Formula injection (OWASP "CSV Injection"): learners write these cells, and a spreadsheet runs
 * a cell starting with = + - @ TAB or CR as a formula (`=HYPERLINK(…)`, `=1+1`). Such a text
 * cell gets a leading apostrophe. Numbers are written as numbers (a negative score stays -5).
 */
export type CsvCell = string | number | null | undefined;

export const CSV_BOM = "\uFEFF";
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

export function csvField(value: CsvCell): string {
  if (value === null || value === undefined) return "";
  let s = typeof value === "number" ? (Number.isFinite(value) ? String(value) : "") : value;
  if (typeof value === "string" && FORMULA_START.test(s)) s = `'${s}`;
  return NEEDS_QUOTES.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One record with its CRLF. */
export function csvRow(fields: readonly CsvCell[]): string {
  return `${fields.map(csvField).join(",")}\r\n`;
}

/** A whole small file in memory (BOM included). Large exports stream rows through CsvFileWriter instead. */
export function toCsv(rows: Iterable<readonly CsvCell[]>): string {
  let out = CSV_BOM;
  for (const row of rows) out += csvRow(row);
  return out;
}

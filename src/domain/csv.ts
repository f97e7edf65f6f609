/**
 * CSV for spreadsheets (RFC 4180): fields quoted when they hold a comma, quote or line break,
 * quotes doubled, CRLF line ends, and a UTF-8 byte order mark so Excel reads Kazakh and Russian
 * letters correctly. Text that a spreadsheet would run as a formula (=, +, -, @ first) is
 * prefixed with an apostrophe: learners write these cells.
 */
export function toCsv(rows: readonly (readonly (string | number | null | undefined)[])[]): string {
  return `\uFEFF${rows.map((row) => row.map(csvField).join(",")).join("\r\n")}\r\n`;
}

export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return "";
  let s = String(value);
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CSV_BOM, csvRow, type CsvCell } from "../domain/csv.js";

/** Bytes gathered before one write: big enough to be cheap, small enough to keep memory flat. */
const FLUSH_AT = 256 * 1024;

/**
 * Writes a CSV file row by row (the format of domain/csv.ts), so an export of any size costs a
 * buffer of memory, not the whole file.
 */
export class CsvFileWriter {
  private fd: number | null;
  private buffer = "";
  rows = 0;

  constructor(readonly path: string) {
    this.fd = openSync(path, "w");
    this.buffer = CSV_BOM;
  }

  write(fields: readonly CsvCell[]): void {
    this.buffer += csvRow(fields);
    this.rows++;
    if (this.buffer.length >= FLUSH_AT) this.flush();
  }

  private flush(): void {
    if (this.fd === null) throw new Error(`${this.path}: already closed`);
    if (this.buffer) writeSync(this.fd, this.buffer, null, "utf8");
    this.buffer = "";
  }

  close(): void {
    if (this.fd === null) return;
    this.flush();
    closeSync(this.fd);
    this.fd = null;
  }
}

/** A private temp folder for report files; `remove()` deletes it and whatever is inside. */
export function reportTempDir(): { dir: string; file: (name: string) => string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "mooc-report-"));
  return { dir, file: (name) => join(dir, name), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

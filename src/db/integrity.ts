import type Database from "better-sqlite3";

export interface IntegrityResult {
  ok: boolean;
  /** What SQLite reported, at most a few lines (quick_check can list thousands). */
  problems: string[];
}

/**
 * PRAGMA quick_check: the structure of every page and index entry, without comparing index
 * contents to their tables (integrity_check's slow part). It reads the whole file, so its cost
 * grows with the database; scripts/faults/quickCheckTiming.ts measures it.
 */
export function checkIntegrity(sqlite: Database.Database, maxProblems = 5): IntegrityResult {
  let rows: string[];
  try {
    rows = (sqlite.pragma(`quick_check(${maxProblems})`) as { quick_check: string }[]).map((r) => r.quick_check);
  } catch (err) {
    // SQLITE_CORRUPT / SQLITE_NOTADB raised by the check itself.
    return { ok: false, problems: [err instanceof Error ? err.message : String(err)] };
  }
  const ok = rows.length === 1 && rows[0] === "ok";
  return { ok, problems: ok ? [] : rows.slice(0, maxProblems) };
}

/** One line for the operator: which file, what is wrong, what to do. */
export function corruptionMessage(path: string, problems: string[]): string {
  return (
    `Database error: ${path} is damaged (SQLite quick_check: ${problems.join("; ").replace(/\s+/g, " ").slice(0, 300)}). ` +
    `Stop the bot and restore the file from a backup, or try: sqlite3 ${path} ".recover" | sqlite3 recovered.sqlite`
  );
}

import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
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

/**
 * The same quick_check on a read-only connection of its own in a worker thread, so the bot can
 * poll for updates while it reads the whole file (seconds on a large database). The worker is
 * plain JavaScript (eval'd), so it runs the same from the sources and from dist/.
 */
export function checkIntegrityInBackground(path: string, maxProblems = 5): Promise<IntegrityResult & { notChecked?: string }> {
  const betterSqlite = createRequire(import.meta.url).resolve("better-sqlite3");
  const code = `
    const { parentPort, workerData } = require("node:worker_threads");
    const Database = require(${JSON.stringify(betterSqlite)});
    let db;
    try {
      db = new Database(workerData.path, { readonly: true, fileMustExist: true });
      db.pragma("busy_timeout = 5000");
      parentPort.postMessage({ rows: db.pragma("quick_check(" + workerData.maxProblems + ")").map((r) => r.quick_check) });
    } catch (err) {
      parentPort.postMessage({ error: err && err.message ? err.message : String(err), code: err && err.code });
    } finally {
      if (db) db.close();
    }`;
  return new Promise<IntegrityResult & { notChecked?: string }>((resolve) => {
    const worker = new Worker(code, { eval: true, workerData: { path, maxProblems } });
    let done = false;
    const finish = (result: IntegrityResult & { notChecked?: string }) => {
      if (done) return;
      done = true;
      resolve(result);
      void worker.terminate();
    };
    worker.once("message", (m: { rows?: string[]; error?: string; code?: string }) => {
      // Only damage stops the bot; a check that could not run (e.g. the file is locked) is said once.
      if (m.error !== undefined)
        finish(
          m.code === "SQLITE_CORRUPT" || m.code === "SQLITE_NOTADB"
            ? { ok: false, problems: [m.error] }
            : { ok: true, problems: [], notChecked: m.error },
        );
      else {
        const rows = m.rows ?? [];
        const ok = rows.length === 1 && rows[0] === "ok";
        finish({ ok, problems: ok ? [] : rows.slice(0, maxProblems) });
      }
    });
    worker.once("error", (err) => finish({ ok: true, problems: [], notChecked: err.message }));
    worker.once("exit", (code) => finish({ ok: true, problems: [], notChecked: `the check stopped (exit code ${code})` }));
  });
}

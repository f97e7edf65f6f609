/**
 * SQLite result codes that mean "the storage cannot take a write now" (a full or read-only disk,
 * an I/O error, a lock held too long), as opposed to a bug. The connection stays usable: once
 * space returns the next write succeeds (checked by the fault suite), so the person is asked to
 * try again later rather than told that something is broken.
 */
const STORAGE_CODES = /^SQLITE_(FULL|READONLY|IOERR|BUSY|LOCKED|CANTOPEN|PROTOCOL)/;

/** The SQLite code of an error, looking through wrappers (drizzle's DrizzleQueryError keeps it as `cause`). */
export function sqliteCode(err: unknown): string | null {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && code.startsWith("SQLITE_")) return code;
  }
  return null;
}

export function isStorageError(err: unknown): boolean {
  const code = sqliteCode(err);
  return code !== null && STORAGE_CODES.test(code);
}

import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { drizzle, type BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import type { SQL } from "drizzle-orm";
import { SQLiteSyncDialect } from "drizzle-orm/sqlite-core";
import { migrationsFolder } from "../paths.js";
import { checkIntegrity, corruptionMessage } from "./integrity.js";
import * as schema from "./schema/index.js";

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

/** The database file is damaged or is not a database: the message is one line for the operator. */
export class DatabaseCorruptError extends Error {}

export interface OpenOptions {
  /**
   * Run PRAGMA quick_check before migrating, so a damaged file is refused with a clear line. It
   * reads the whole file (0.5 s to seconds at 100,000 learners), so main.ts does not: it runs
   * checkIntegrityInBackground once it polls for updates.
   */
  checkIntegrity?: boolean;
}

/**
 * Opens (creating if needed) the SQLite database, sets the pragmas we rely on, reads them back,
 * and applies pending migrations. `:memory:` gives a private database for tests.
 */
export function openDatabase(path: string, options: OpenOptions = {}): Db {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const sqlite = new Database(path);
  try {
    // A file that is not a database at all fails on its first read (SQLITE_NOTADB).
    sqlite.pragma("schema_version", { simple: true });
  } catch (err) {
    sqlite.close();
    if (isCorruption(err)) throw new DatabaseCorruptError(corruptionMessage(path, [(err as Error).message]));
    throw err;
  }
  if (options.checkIntegrity) {
    const result = checkIntegrity(sqlite);
    if (!result.ok) {
      sqlite.close();
      throw new DatabaseCorruptError(corruptionMessage(path, result.problems));
    }
  }
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  sqlite.pragma("synchronous = NORMAL");
  const journal = sqlite.pragma("journal_mode", { simple: true });
  const fk = sqlite.pragma("foreign_keys", { simple: true });
  if (fk !== 1) throw new Error("SQLite refused foreign_keys = ON");
  if (path !== ":memory:" && journal !== "wal") throw new Error(`SQLite refused WAL mode (journal_mode=${String(journal)})`);
  const db = drizzle(sqlite, { schema });
  try {
    migrate(db, { migrationsFolder });
  } catch (err) {
    // A damaged page met while migrating: the same clear line as quick_check's.
    if (!isCorruption(err)) throw err;
    sqlite.close();
    throw new DatabaseCorruptError(corruptionMessage(path, [(err as Error).message]));
  }
  return db;
}

/**
 * A second, read-only connection to an existing database file, without migrations: for work
 * that runs in a worker thread (the analysis report) next to the bot's own connection. WAL lets
 * it read while the bot writes; temporary tables still work on it.
 */
export function openReadOnly(path: string): Db {
  const sqlite = new Database(path, { readonly: true, fileMustExist: true });
  sqlite.pragma("busy_timeout = 5000");
  return drizzle(sqlite, { schema });
}

/** The file behind a connection, or null for a private in-memory database (no other connection can open it). */
export function databaseFile(db: Db): string | null {
  const client = db.$client;
  return client.memory || client.name === "" || client.name === ":memory:" ? null : client.name;
}

const statements = new WeakMap<Database.Database, Map<string, Database.Statement>>();

/**
 * A prepared statement for `sql`, prepared once per database connection and reused. Hot paths
 * (every update) use this instead of drizzle's query builder, which builds the SQL string and
 * prepares a new statement on every call (about a third of an update's CPU before this).
 */
export function statement<P extends unknown[] | Record<string, unknown> = unknown[], R = unknown>(
  db: Db,
  sql: string,
): Database.Statement<P, R> {
  const client = db.$client;
  let byText = statements.get(client);
  if (!byText) {
    byText = new Map();
    statements.set(client, byText);
  }
  let stmt = byText.get(sql);
  if (!stmt) {
    stmt = client.prepare(sql);
    byText.set(sql, stmt);
  }
  return stmt as unknown as Database.Statement<P, R>;
}

/**
 * A statement declared once at module level and prepared per connection on first use
 * (`statement()`): `const byId = prepared<[number], Row>("SELECT …")`, then `byId(db).get(id)`.
 */
export function prepared<P extends unknown[] | Record<string, unknown> = unknown[], R = unknown>(
  sql: string,
): (db: Db) => Database.Statement<P, R> {
  return (db) => statement<P, R>(db, sql);
}

const dialect = new SQLiteSyncDialect();

/**
 * Runs a statement built with drizzle's `sql` template through the statement cache: the text is
 * still built per call, but prepared once per shape (drizzle's db.run prepares it every time).
 */
export function runSql(db: Db, query: SQL): Database.RunResult {
  const { sql, params } = dialect.sqlToQuery(query);
  return statement(db, sql).run(...params);
}

type Runner = Database.Transaction<(fn: () => unknown) => unknown>;
const runners = new WeakMap<Database.Database, Runner>();

/**
 * Runs `fn` in a transaction (a savepoint when one is already open): better-sqlite3's
 * `transaction()`, built once per connection. Building it per call (as `db.$client.transaction(fn)`
 * and drizzle's `db.transaction` do) costs more than the reads of a typical update.
 * "immediate" takes the write lock at BEGIN, for read-then-write checks.
 */
export function transaction<T>(db: Db, fn: () => T, mode: "deferred" | "immediate" = "deferred"): T {
  const client = db.$client;
  let run = runners.get(client);
  if (!run) {
    run = client.transaction((f: () => unknown) => f());
    runners.set(client, run);
  }
  return (mode === "immediate" ? run.immediate(fn) : run(fn)) as T;
}

function isCorruption(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return code === "SQLITE_NOTADB" || code === "SQLITE_CORRUPT";
}

export function closeDatabase(db: Db): void {
  if (db.$client.open) db.$client.close();
}

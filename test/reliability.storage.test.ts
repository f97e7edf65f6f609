import { join } from "node:path";
import Database from "better-sqlite3";
import { closeSync, openSync, writeSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { DatabaseCorruptError, openDatabase, closeDatabase } from "../src/db/client.js";
import { checkIntegrity } from "../src/db/integrity.js";
import { getLearner } from "../src/db/learnersRepo.js";
import { isStorageError } from "../src/db/storageErrors.js";
import { TestBot, tempDir } from "./support/harness.js";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

/**
 * A full disk without root: SQLite refuses to grow the file past max_page_count with SQLITE_FULL,
 * the same error a full disk gives. Filler learners (and processed updates) use up the free room
 * of every page the next /start writes to.
 */
function fillDatabase(tb: TestBot): () => void {
  const s = tb.db.$client;
  const pages = Number(s.pragma("page_count", { simple: true }));
  s.pragma(`max_page_count = ${pages + 4}`);
  const fill = (sql: string) => {
    try {
      for (let i = 0; ; i++) s.prepare(sql).run(1_000_000_000 + i);
    } catch (err) {
      expect(isStorageError(err)).toBe(true);
    }
  };
  fill("INSERT INTO learners (id, first_name, language, created_at, updated_at) VALUES (?, 'filler', 'en', 0, 0)");
  fill("INSERT INTO processed_updates (update_id, handled_at) VALUES (?, 0)");
  return () => void s.pragma("max_page_count = 1073741823");
}

/** As @grammyjs/runner does in production: a failed update goes to the bot's error handler. */
async function viaRunner(tb: TestBot, act: () => Promise<unknown>): Promise<void> {
  try {
    await act();
  } catch (err) {
    await tb.bot.errorHandler(err as never);
  }
}

describe("a full disk", () => {
  it("a new learner gets the storage apology in their language, is not greeted as registered, and /start works once space returns", async () => {
    const tb = new TestBot();
    cleanups.push(() => tb.close());
    const freeSpace = fillDatabase(tb);
    const aigerim = tb.user(7001, { lang: "kk", firstName: "Aigerim" });
    await viaRunner(tb, () => aigerim.send("/start"));
    expect(aigerim.lastText()).toContain("сақтау мүмкін болмады");
    expect(aigerim.texts().join("\n")).not.toContain("Сәлеметсіз бе");
    expect(getLearner(tb.db, 7001)).toBeUndefined();

    const ivan = tb.user(7002, { lang: "ru" });
    await viaRunner(tb, () => ivan.send("/start"));
    expect(ivan.lastText()).toContain("не удалось сохранить");

    freeSpace(); // no restart: the same connection takes writes again
    await aigerim.send("/start");
    expect(aigerim.lastText()).toContain("Сәлеметсіз бе, Aigerim!");
    expect(getLearner(tb.db, 7001)).toBeDefined();
  });

  it("a button pressed on a full disk answers with the apology as an alert", async () => {
    const tb = new TestBot();
    cleanups.push(() => tb.close());
    const u = tb.user(7003, { lang: "en" });
    await u.send("/start");
    fillDatabase(tb);
    await viaRunner(tb, () => u.press("lang:ru"));
    const alert = tb.telegram.callbackAnswers().at(-1)?.payload;
    // Either the press needed no write (then no alert), or it got the storage apology, never "internal".
    if (alert?.text) expect(String(alert.text)).not.toContain("something went wrong");
  });
});

describe("PRAGMA quick_check at start", () => {
  it("a damaged file is refused with one line naming it and what to do", () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const path = join(dir, "bot.sqlite");
    const db = openDatabase(path);
    db.$client.exec("CREATE TABLE big (x TEXT); CREATE INDEX big_x ON big (x)");
    const insert = db.$client.prepare("INSERT INTO big VALUES (?)");
    for (let i = 0; i < 2000; i++) insert.run(`row ${i} `.repeat(20));
    db.$client.pragma("wal_checkpoint(TRUNCATE)");
    const pageSize = Number(db.$client.pragma("page_size", { simple: true }));
    const pages = Number(db.$client.pragma("page_count", { simple: true }));
    closeDatabase(db);
    // Scribble over a page in the middle of the file (not the header).
    const fd = openSync(path, "r+");
    writeSync(fd, Buffer.alloc(pageSize, 0x5a), 0, pageSize, pageSize * Math.floor(pages / 2));
    closeSync(fd);

    expect(() => openDatabase(path, { checkIntegrity: true })).toThrow(DatabaseCorruptError);
    try {
      openDatabase(path, { checkIntegrity: true });
    } catch (err) {
      const line = (err as Error).message;
      expect(line.split("\n")).toHaveLength(1);
      expect(line).toContain(`${path} is damaged`);
      expect(line).toContain("restore the file from a backup");
    }
    const raw = new Database(path, { readonly: true });
    expect(checkIntegrity(raw).ok).toBe(false);
    raw.close();
  });

  it("a file that is not a database at all is refused the same way", () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const path = join(dir, "bot.sqlite");
    const fd = openSync(path, "w");
    writeSync(fd, Buffer.from("this is a text file, not SQLite ".repeat(200)));
    closeSync(fd);
    expect(() => openDatabase(path, { checkIntegrity: true })).toThrow(/is damaged/);
  });
});

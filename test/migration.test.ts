import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { drizzle } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import { afterEach, describe, expect, it } from "vitest";
import { closeDatabase, openDatabase } from "../src/db/client.js";
import { migrationsFolder } from "../src/paths.js";

/**
 * An installation of the previous release has a database with only drizzle/0000_init.sql applied,
 * and may hold messages still waiting in the old single `outbox` table and a broadcast being sent.
 * Opening it with this release (openDatabase applies 0001) must carry them over: nothing lost,
 * nothing sent twice.
 */
describe("upgrade from the previous release's database", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  /** A database as the previous release left it: drizzle's migrator run on a folder holding only 0000. */
  function previousReleaseDatabase(): string {
    const dir = mkdtempSync(join(tmpdir(), "mooc-migration-"));
    dirs.push(dir);
    const old = join(dir, "drizzle");
    mkdirSync(join(old, "meta"), { recursive: true });
    copyFileSync(join(migrationsFolder, "0000_init.sql"), join(old, "0000_init.sql"));
    const journal = JSON.parse(readFileSync(join(migrationsFolder, "meta", "_journal.json"), "utf8")) as { entries: { tag: string }[] };
    writeFileSync(
      join(old, "meta", "_journal.json"),
      JSON.stringify({ ...journal, entries: journal.entries.filter((e) => e.tag === "0000_init") }),
    );
    const path = join(dir, "bot.sqlite");
    const sqlite = new Database(path);
    sqlite.pragma("foreign_keys = ON");
    migrate(drizzle(sqlite), { migrationsFolder: old });
    return path;
  }

  it("moves a pending message of the old outbox into outbox_bodies/outbox_items, still pending, and marks a sending broadcast as queued", () => {
    const path = previousReleaseDatabase();
    const t0 = 1_790_000_000_000;
    const payload = JSON.stringify({ text: "📣 Week 2 has started", parse_mode: "HTML" });
    {
      const sqlite = new Database(path);
      expect(sqlite.prepare("SELECT name FROM sqlite_master WHERE name IN ('outbox', 'outbox_items')").all()).toEqual([{ name: "outbox" }]);
      sqlite
        .prepare(
          `INSERT INTO outbox (dedupe_key, kind, batch, chat_id, method, payload, state, attempts, not_before, expires_at, created_at)
           VALUES ('announce:7:4242', 'announcement', 'broadcast:7', 4242, 'sendMessage', ?, 'pending', 2, ?, NULL, ?)`,
        )
        .run(payload, t0 + 60_000, t0);
      sqlite
        .prepare(
          `INSERT INTO outbox (dedupe_key, kind, batch, chat_id, method, payload, state, attempts, not_before, created_at, sent_at, message_id)
           VALUES ('announce:7:4243', 'announcement', 'broadcast:7', 4243, 'sendMessage', ?, 'sent', 1, ?, ?, ?, 99)`,
        )
        .run(payload, t0, t0, t0 + 1000);
      sqlite
        .prepare(
          `INSERT INTO broadcasts (id, author_id, author_lang, course_id, status, versions, created_at, updated_at, confirmed_at, total)
           VALUES (7, 900, 'en', 'intro-programming', 'sending', '{}', ?, ?, ?, 2)`,
        )
        .run(t0 - 5000, t0, t0);
      sqlite
        .prepare(`INSERT INTO broadcasts (id, author_id, author_lang, status, created_at, updated_at) VALUES (8, 900, 'en', 'draft', ?, ?)`)
        .run(t0, t0);
      sqlite.close();
    }

    const db = openDatabase(path);
    try {
      const c = db.$client;
      expect(c.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'outbox'").get()).toBeUndefined();
      const pending = c
        .prepare(
          `SELECT i.chat_id, i.state, i.attempts, i.not_before, i.expires_at, b.kind, b.batch, b.method, b.payload
           FROM outbox_items i JOIN outbox_bodies b ON b.id = i.body_id WHERE i.dedupe_key = 'announce:7:4242'`,
        )
        .get() as Record<string, unknown> | undefined;
      expect(pending).toMatchObject({
        chat_id: 4242,
        state: "pending",
        attempts: 2,
        not_before: t0 + 60_000,
        kind: "announcement",
        batch: "broadcast:7",
        method: "sendMessage",
      });
      expect(JSON.parse(String(pending!.payload))).toEqual(JSON.parse(payload));
      // An old row without an expiry gets one, so it is not retried for ever.
      expect(pending!.expires_at).toBeGreaterThan(t0 + 60_000);
      const sent = c.prepare("SELECT state, message_id FROM outbox_items WHERE dedupe_key = 'announce:7:4243'").get();
      expect(sent).toEqual({ state: "sent", message_id: 99 });

      const broadcasts = c.prepare("SELECT id, status, queued_at FROM broadcasts ORDER BY id").all();
      // The sending broadcast's messages are already in the outbox: it must not be queued again.
      expect(broadcasts).toEqual([
        { id: 7, status: "sending", queued_at: t0 },
        { id: 8, status: "draft", queued_at: null },
      ]);
    } finally {
      closeDatabase(db);
    }

    // Opening again applies nothing more and changes nothing.
    const again = openDatabase(path);
    try {
      expect((again.$client.prepare("SELECT count(*) AS n FROM outbox_items").get() as { n: number }).n).toBe(2);
    } finally {
      closeDatabase(again);
    }
  });
});

import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { closeDatabase, openDatabase } from "../src/db/client.js";
import { courseYaml } from "./support/courses.js";
import { FakeTelegram } from "./support/fakeTelegram.js";
import { TEST_TOKEN, tempDir } from "./support/harness.js";
import { startBotProcess, until } from "./support/process.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setUp() {
  const telegram = new FakeTelegram();
  const server = await telegram.listen();
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup, server.close);
  const courses = join(dir, "courses");
  mkdirSync(courses);
  const env = { BOT_TOKEN: TEST_TOKEN, BOT_API_ROOT: server.url, DATABASE_PATH: join(dir, "bot.sqlite"), COURSES_DIR: courses };
  const start = (extra: Record<string, string> = {}) => {
    const bot = startBotProcess({ ...env, ...extra });
    cleanups.push(() => void bot.child.kill("SIGKILL"));
    return bot;
  };
  return { telegram, dir, courses, start };
}

describe("starting the process", () => {
  it("a token Telegram refuses: one line naming BOT_TOKEN, exit 1", async () => {
    const { telegram, start } = await setUp();
    telegram.failures.push((c) => (c.method === "getMe" ? { error_code: 401, description: "Unauthorized" } : undefined));
    const bot = start();
    expect(await bot.exited).toBe(1);
    // Information lines may come before (database ready, courses loaded); the error is one line.
    const lines = bot.output().trim().split("\n");
    expect(lines.at(-1)).toBe(
      "Configuration error: BOT_TOKEN was refused by the Bot API (401 Unauthorized): copy the token again from @BotFather",
    );
    expect(lines.filter((l) => /error|fatal|^\s+at /i.test(l))).toHaveLength(1);
  });

  it("Telegram unreachable at start: said once, getMe retried until it answers; a failing command menu does not hold up polling; a bad course file does not stop the others", async () => {
    const { telegram, courses, start } = await setUp();
    writeFileSync(join(courses, "good.yaml"), courseYaml({ id: "course-good" }));
    writeFileSync(join(courses, "bomb.yaml"), "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [" + Array(200).fill("*a").join(",") + "]\n");
    let down = true;
    telegram.failures.push((c) => (down && c.method === "getMe" ? { error_code: 502, description: "Bad Gateway" } : undefined));
    telegram.failures.push((c) => (c.method === "setMyCommands" ? { error_code: 500, description: "Internal Server Error" } : undefined));
    const bot = start();
    await until(() => telegram.callsOf("getMe").length >= 2, "getMe to be retried");
    expect(bot.output().match(/cannot reach the Telegram Bot API/g)).toHaveLength(1);
    down = false;
    await until(() => bot.output().includes("polling for updates"), "the bot to start polling", 60_000);
    expect(bot.output()).toMatch(/reached the Telegram Bot API after \d+ s/);
    // Course files are read once the first getUpdates is out (polling never waits for them).
    await until(() => bot.output().includes("course course-good loaded"), "the course files to be read");
    expect(bot.output()).toMatch(/bomb\.yaml: error: the file uses too many YAML aliases/);
    expect(bot.output()).not.toContain("Fatal");
    bot.child.kill("SIGTERM");
    expect(await bot.exited).toBe(0);
  });

  it("a missing COURSES_DIR is one configuration line", async () => {
    const { dir, start } = await setUp();
    const bot = start({ COURSES_DIR: join(dir, "no-such-folder") });
    expect(await bot.exited).toBe(1);
    const out = bot.output().trim();
    expect(out.split("\n")).toHaveLength(1);
    expect(out).toMatch(/^Configuration error: COURSES_DIR ".*no-such-folder" does not exist/);
  });

  it("a database file that is not SQLite: one line naming the file, exit 1", async () => {
    const { dir, start } = await setUp();
    writeFileSync(join(dir, "bot.sqlite"), "not a database ".repeat(500));
    const bot = start();
    expect(await bot.exited).toBe(1);
    const out = bot.output().trim();
    expect(out.split("\n")).toHaveLength(1);
    expect(out).toContain(`${join(dir, "bot.sqlite")} is damaged`);
  });

  it("a damaged page: the bot polls first, the background quick_check then stops it with the clear line, exit 1", async () => {
    const { telegram, dir, start } = await setUp();
    const path = join(dir, "bot.sqlite");
    // A migrated database with a table the start-up never reads, and one of its pages scribbled over.
    const db = openDatabase(path);
    db.$client.exec("CREATE TABLE big (x TEXT); CREATE INDEX big_x ON big (x)");
    const insert = db.$client.prepare("INSERT INTO big VALUES (?)");
    for (let i = 0; i < 2000; i++) insert.run(`row ${i} `.repeat(20));
    db.$client.pragma("wal_checkpoint(TRUNCATE)");
    const pageSize = Number(db.$client.pragma("page_size", { simple: true }));
    const pages = Number(db.$client.pragma("page_count", { simple: true }));
    closeDatabase(db);
    const fd = openSync(path, "r+");
    writeSync(fd, Buffer.alloc(pageSize, 0x5a), 0, pageSize, pageSize * (pages - 3));
    closeSync(fd);

    const bot = start();
    expect(await bot.exited).toBe(1);
    const out = bot.output();
    expect(telegram.callsOf("getMe").length).toBeGreaterThan(0);
    // The check starts only once polling has started: the start never waits for it.
    expect(out.indexOf("polling for updates")).toBeGreaterThan(-1);
    expect(out.indexOf(`${path} is damaged`)).toBeGreaterThan(out.indexOf("polling for updates"));
    expect(out).toContain("restore the file from a backup");
  });
});

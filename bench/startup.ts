/**
 * Start-up of the real process (`node dist/main.js`, built beforehand with `npm run build`) to its
 * first getUpdates against the local fake Bot API, on a database that already holds the courses
 * (a restart), as the median of `--runs` (3) starts: `npx tsx bench/startup.ts [--runs 5]`.
 */
import { spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { loadCoursesFromDir } from "../src/courses/loadCourses.js";
import { closeDatabase, openDatabase } from "../src/db/client.js";
import { FakeTelegram } from "../test/support/fakeTelegram.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

async function once(dbPath: string): Promise<number> {
  let firstPoll: number | null = null;
  const telegram = new FakeTelegram();
  telegram.onArrive = (method) => {
    if (method === "getUpdates" && firstPoll === null) firstPoll = performance.now();
  };
  const server = await telegram.listen();
  const started = performance.now();
  // STARTUP_NODE_ARGS: flags for node, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to see what start-up spends.
  const nodeArgs = process.env.STARTUP_NODE_ARGS?.split(" ").filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...nodeArgs, join(ROOT, "dist", "main.js")], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? "",
      ENV_FILE: "/nonexistent/.env",
      BOT_TOKEN: "123456:BENCH-token-not-a-real-one_abcdefghij",
      BOT_API_ROOT: server.url,
      DATABASE_PATH: dbPath,
      COURSES_DIR: join(ROOT, "courses"),
      LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "inherit", "inherit"],
  });
  const exited = new Promise<void>((r) => child.on("exit", () => r()));
  try {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- set by the fake server meanwhile
    while (firstPoll === null && child.exitCode === null) await new Promise((r) => setTimeout(r, 5));
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- set by the fake server meanwhile
    if (firstPoll === null) throw new Error("the bot exited before polling");
    return (firstPoll as number) - started;
  } finally {
    child.kill("SIGTERM");
    await exited;
    await server.close();
  }
}

const runsAt = process.argv.indexOf("--runs");
const runs = runsAt > 0 ? Number(process.argv[runsAt + 1]) : 3;
const dir = mkdtempSync(join(tmpdir(), "startup-"));
try {
  const seeded = join(dir, "seed.sqlite");
  const db = openDatabase(seeded);
  loadCoursesFromDir(db, join(ROOT, "courses"), { now: Date.now(), defaultTimezone: "Asia/Almaty" });
  db.$client.pragma("wal_checkpoint(TRUNCATE)");
  closeDatabase(db);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const path = join(dir, `run${i}.sqlite`);
    copyFileSync(seeded, path);
    times.push(await once(path));
  }
  const sorted = [...times].sort((a, b) => a - b);
  console.log(
    `start-up to first getUpdates: median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(0)} ms (${times.map((t) => t.toFixed(0)).join(", ")} ms)`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}

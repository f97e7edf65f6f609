/**
 * Scale bench: seeds BENCH_LEARNERS (default 100,000) learners in the demo course in a temp
 * folder, then measures the real process's start-up to its first getUpdates, and, each in its own
 * process on that database, every job and author report: duration, event-loop delay (p99, max)
 * while it runs, peak memory. Goals from issue 13.
 */
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadCoursesFromDir } from "../src/courses/loadCourses.js";
import { closeDatabase, openDatabase } from "../src/db/client.js";
import { getCourse, getModules } from "../src/db/coursesRepo.js";
import { FakeTelegram } from "../test/support/fakeTelegram.js";
import { envNumber, type Figure } from "./figures.js";
import type { TargetResult } from "./scaleTarget.js";
import { seedScale } from "./seed.js";
import { jobTargets, reportTargets, type CourseCalendar } from "./targets.js";

const ROOT = join(import.meta.dirname, "..");
const COURSE = "intro-programming";
const MB = 2 ** 20;

export interface ScaleOptions {
  learners: number;
  /** Seconds before a job or report is stopped and reported as not finished. */
  timeoutSeconds: number;
}

export async function runScaleBench(options: Partial<ScaleOptions> = {}): Promise<Figure[]> {
  const learners = options.learners ?? envNumber("BENCH_LEARNERS", 100_000);
  const timeoutSeconds = options.timeoutSeconds ?? envNumber("BENCH_TARGET_TIMEOUT", 60);
  const only = process.env.BENCH_SCALE_ONLY ? new RegExp(process.env.BENCH_SCALE_ONLY, "i") : null;
  const part = `scale ${learners / 1000}k`;
  const figures: Figure[] = [];
  const dir = mkdtempSync(join(tmpdir(), "mooc-bench-scale-"));
  try {
    const dbPath = join(dir, "scale.sqlite");
    const now = Date.now();
    const db = openDatabase(dbPath);
    loadCoursesFromDir(db, join(ROOT, "courses"), { now, defaultTimezone: "Asia/Almaty" });
    const t0 = performance.now();
    const counts = seedScale(db, { courseId: COURSE, learners, now });
    const seedMs = performance.now() - t0;
    const course = getCourse(db, COURSE)!;
    const cal: CourseCalendar = {
      modules: getModules(db, COURSE).map((m) => ({ opensAt: m.opensAt, closesAt: m.closesAt })),
      startAt: course.startAt,
      endAt: course.endAt,
      now,
    };
    db.$client.pragma("wal_checkpoint(TRUNCATE)");
    closeDatabase(db);
    console.log(
      `  seeded ${counts.learners} learners, ${counts.attempts} attempts, ${counts.answers} answers, ` +
        `${counts.responses} questionnaire responses (${counts.responseAnswers} answers), ${counts.questions} questions in ${(seedMs / 1000).toFixed(1)} s`,
    );
    figures.push({ part, name: "seeding", value: seedMs / 1000, unit: "s" });
    figures.push({ part, name: "database size", value: statSync(dbPath).size / MB, unit: "MB" });

    // Start-up of the real process against a copy (it catches up on the week's announcements).
    const startPath = join(dir, "startup.sqlite");
    copyFileSync(dbPath, startPath);
    const startup = only && !only.test("start-up") ? null : await measureStartup(startPath, timeoutSeconds);
    if (startup)
      figures.push({
        part,
        name: "start-up to first getUpdates",
        value: startup.ms ?? NaN,
        unit: "ms",
        goal: { op: "<=", limit: 1000 },
        error: startup.error,
      });
    rmSync(startPath, { force: true });

    for (const [kind, targets] of [
      ["jobs", jobTargets],
      ["reports", reportTargets],
    ] as const) {
      for (const [i, target] of targets.entries()) {
        if (only && !only.test(target.name)) continue;
        console.log(`  ${target.name} ...`);
        const r = await runTarget(dbPath, kind, i, cal, timeoutSeconds);
        // A report that sent nothing did not run (e.g. the command was not recognised): not a figure.
        const err = "error" in r ? r.error : target.answersInChat && r.messages === 0 ? "the command sent nothing" : undefined;
        const ok = "error" in r || err ? null : r;
        const name = target.name;
        figures.push({
          part,
          name: `${name}: loop delay p99`,
          value: ok?.loopP99Ms ?? NaN,
          unit: "ms",
          goal: { op: "<", limit: 50 },
          error: err,
        });
        figures.push({
          part,
          name: `${name}: loop delay max`,
          value: ok?.loopMaxMs ?? NaN,
          unit: "ms",
          goal: { op: "<", limit: 200 },
          error: err,
        });
        if (kind === "reports") {
          figures.push({ part, name: `${name}: time`, value: ok ? ok.ms / 1000 : NaN, unit: "s", goal: { op: "<", limit: 2 }, error: err });
          figures.push({
            part,
            name: `${name}: memory added (peak RSS - before)`,
            value: ok ? Math.max(0, ok.rssPeakMb - ok.rssBeforeMb) : NaN,
            unit: "MB",
            goal: { op: "<", limit: 250 },
            error: err,
          });
          if (ok) figures.push({ part, name: `${name}: peak RSS of its process`, value: ok.rssPeakMb, unit: "MB" });
          if (ok && target.answersInChat) figures.push({ part, name: `${name}: messages / documents sent`, value: ok.messages, unit: "" });
        } else if (ok) {
          figures.push({ part, name: `${name}: time`, value: ok.ms / 1000, unit: "s" });
        }
      }
    }
    figures.push({ part, name: "database size after the jobs", value: statSync(dbPath).size / MB, unit: "MB" });
    return figures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function runTarget(
  dbPath: string,
  kind: string,
  index: number,
  cal: CourseCalendar,
  timeoutSeconds: number,
): Promise<TargetResult | { error: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ["--expose-gc", "--import", "tsx", join(ROOT, "bench", "scaleTarget.ts"), dbPath, kind, String(index), JSON.stringify(cal), COURSE],
      {
        cwd: ROOT,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += String(d)));
    child.stderr.on("data", (d) => (err += String(d)));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutSeconds * 1000);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      const line = out.trim().split("\n").pop() ?? "";
      if (signal === "SIGKILL") {
        resolve({ error: `not finished in ${timeoutSeconds} s` });
        return;
      }
      try {
        resolve(JSON.parse(line) as TargetResult | { error: string });
      } catch {
        resolve({ error: `exit ${code}: ${(err || out).trim().slice(-300)}` });
      }
    });
  });
}

/** Spawns `node dist/main.js` (built first) against a local fake Bot API; time until it first asks for updates. */
async function measureStartup(dbPath: string, timeoutSeconds: number): Promise<{ ms?: number; error?: string }> {
  if (!existsSync(join(ROOT, "dist", "main.js")) || process.env.BENCH_BUILD !== "0") {
    const build = spawnSync("npm", ["run", "build", "--silent"], { cwd: ROOT, stdio: "inherit" });
    if (build.status !== 0) return { error: "npm run build failed" };
  }
  let firstPoll: number | null = null;
  const telegram = new FakeTelegram();
  // On arrival, not in handle(): the fake holds an empty getUpdates for up to a second first.
  telegram.onArrive = (method) => {
    if (method === "getUpdates" && firstPoll === null) firstPoll = performance.now();
  };
  const server = await telegram.listen();
  const started = performance.now();
  const child = spawn(process.execPath, [join(ROOT, "dist", "main.js")], {
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
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (d) => (out += String(d)));
  child.stderr.on("data", (d) => (out += String(d)));
  const exited = new Promise<void>((r) => child.on("exit", () => r()));
  try {
    const deadline = started + timeoutSeconds * 1000;
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- set by the fake server meanwhile
    while (firstPoll === null && performance.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 10));
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- set by the fake server meanwhile
    if (firstPoll === null)
      return { error: child.exitCode !== null ? `exited: ${out.trim().slice(-200)}` : `no getUpdates in ${timeoutSeconds} s` };
    return { ms: (firstPoll as number) - started };
  } finally {
    child.kill("SIGTERM");
    const killer = setTimeout(() => child.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(killer);
    await server.close();
  }
}

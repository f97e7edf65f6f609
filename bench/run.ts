/**
 * npm run bench — broadcasts the weekly announcement to 10,000 learners through the real outbox
 * sender, over HTTP, against a local fake Bot API that enforces a send rate with 429 + retry_after
 * (like Telegram's flood control). Prints, per run and as medians: achieved rate as a share of
 * the limit, number of 429s, duplicates and losses (both must be zero).
 *
 * Telegram allows about 30 messages/s; 10,000 messages at that rate take 5.5 minutes, so the
 * fake's limit is scaled up (default 500/s) to keep the benchmark short. What is measured —
 * how close the pacing gets to the limit without tripping it — does not depend on the scale.
 *
 * Options (environment): BENCH_LEARNERS=10000 BENCH_LIMIT=500 BENCH_RATE=<limit x 0.95>
 * BENCH_RUNS=3 BENCH_LATENCY_MS=20 (round trip added by the fake server).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { Api } from "grammy";
import { ManualClock } from "../src/clock.js";
import { validateCourseText } from "../src/courses/validate.js";
import { importCourse } from "../src/courses/importCourse.js";
import { closeDatabase, openDatabase } from "../src/db/client.js";
import { getModules } from "../src/db/coursesRepo.js";
import { enrollments, learners, outbox } from "../src/db/schema/index.js";
import { queueAnnouncements } from "../src/jobs/announcements.js";
import { OutboxSender } from "../src/jobs/outbox.js";
import { courseYaml } from "../test/support/courses.js";
import { T0, TEST_TOKEN } from "../test/support/harness.js";

const num = (name: string, fallback: number) => {
  const v = process.env[name];
  const n = v === undefined || v === "" ? fallback : Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number (got ${v})`);
  return n;
};

const LEARNERS = num("BENCH_LEARNERS", 10_000);
const LIMIT = num("BENCH_LIMIT", 500);
const RATE = num("BENCH_RATE", LIMIT * 0.95);
const RUNS = num("BENCH_RUNS", 3);
const LATENCY = Number(process.env.BENCH_LATENCY_MS ?? 20);

interface RunResult {
  seconds: number;
  rate: number;
  share: number;
  floods: number;
  duplicates: number;
  losses: number;
  notSent: number;
}

async function runOnce(run: number, LEARNERS: number): Promise<RunResult> {
  const dir = mkdtempSync(join(tmpdir(), "mooc-bench-"));
  const clock = new ManualClock(T0);
  const db = openDatabase(join(dir, "bench.sqlite"));
  const server = await startServer();
  try {
    const { course } = validateCourseText(courseYaml(), { now: clock.now(), defaultTimezone: "Asia/Almaty" });
    if (!course) throw new Error("bench course is invalid");
    importCourse(db, course, "bench.yaml", clock.now());
    const langs = ["kk", "ru", "en"] as const;
    db.transaction((tx) => {
      for (let i = 0; i < LEARNERS; i++) {
        const id = 100_000 + i;
        tx.insert(learners).values({ id, firstName: `L${i}`, language: langs[i % 3]!, createdAt: T0, updatedAt: T0 }).run();
        tx.insert(enrollments).values({ learnerId: id, courseId: course.id, status: "active", enrolledAt: T0 }).run();
      }
    });
    // The first week begins: the weekly job queues one row per learner.
    clock.set(getModules(db, course.id)[0]!.opensAt);
    const queued = queueAnnouncements(db, clock.now());
    if (queued !== LEARNERS) throw new Error(`queued ${queued}, expected ${LEARNERS}`);

    const api = new Api(TEST_TOKEN, { apiRoot: server.url });
    const sender = new OutboxSender({ api, db, clock, ratePerSecond: RATE, maxInFlight: 200 });
    const started = performance.now();
    // Rows re-queued after a 429 become due `retry_after` later on the (manual) clock: keep it in step.
    for (;;) {
      await sender.drain();
      clock.set(T0 + (performance.now() - started) + getModules(db, course.id)[0]!.opensAt - T0);
      const left = db.$client.prepare("SELECT count(*) AS n FROM outbox WHERE state IN ('pending','sending')").get() as { n: number };
      if (left.n === 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const seconds = (performance.now() - started) / 1000;

    const report = await server.report();
    const byChat = new Map(report.byChat);
    let duplicates = 0;
    for (const n of byChat.values()) duplicates += n - 1;
    let losses = 0;
    for (let i = 0; i < LEARNERS; i++) if (!byChat.has(100_000 + i)) losses++;
    const unsent = db.select().from(outbox).all().filter((r) => r.state !== "sent");
    for (const r of unsent.slice(0, 5)) console.log(`  not sent: learner ${r.chatId}: ${r.state} after ${r.attempts} attempt(s): ${r.error}`);
    const notSent = unsent.length;
    // The rate Telegram saw: deliveries per second between the first and the last one.
    const rate = (report.delivered - 1) / ((report.lastAt - report.firstAt) / 1000);
    const result = { seconds, rate, share: rate / LIMIT, floods: report.floodAnswers, duplicates, losses, notSent };
    console.log(
      `run ${run}: ${report.delivered} delivered in ${seconds.toFixed(2)} s = ${rate.toFixed(0)}/s, ` +
        `${(result.share * 100).toFixed(1)}% of the ${LIMIT}/s limit; 429s: ${result.floods}; ` +
        `duplicates: ${duplicates}; losses: ${losses}; rows not "sent": ${notSent}`,
    );
    return result;
  } finally {
    await server.close();
    closeDatabase(db);
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Report {
  byChat: [number, number][];
  floodAnswers: number;
  delivered: number;
  firstAt: number;
  lastAt: number;
}

async function startServer(): Promise<{ url: string; report: () => Promise<Report>; close: () => Promise<void> }> {
  const worker = new Worker(new URL("./fakeServerWorker.mjs", import.meta.url), {
    workerData: { limit: LIMIT, retryAfter: 1, latencyMs: LATENCY },
  });
  const next = (type: string) =>
    new Promise<any>((resolve, reject) => {
      const onMessage = (m: { type: string }) => {
        if (m.type !== type) return;
        worker.off("message", onMessage);
        resolve(m);
      };
      worker.on("message", onMessage);
      worker.once("error", reject);
    });
  const { url } = (await next("ready")) as { url: string };
  return {
    url,
    report: async () => {
      const p = next("report");
      worker.postMessage({ type: "report" });
      return (await p) as Report;
    },
    close: async () => {
      const p = next("closed");
      worker.postMessage({ type: "close" });
      await p;
      await worker.terminate();
    },
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export interface BroadcastBenchResult {
  learners: number;
  limit: number;
  pace: number;
  runs: RunResult[];
  /** Medians over the runs. */
  median: RunResult;
}

/** The broadcast bench as a function (npm run bench calls it at 10k and 100k). */
export async function runBroadcastBench(options: { learners?: number; runs?: number } = {}): Promise<BroadcastBenchResult> {
  const learners = options.learners ?? LEARNERS;
  const runs = options.runs ?? RUNS;
  console.log(
    `Broadcast benchmark: ${learners} learners, fake Bot API limit ${LIMIT}/s (429, retry_after 1 s), ` +
      `sender paced at ${RATE}/s (${((RATE / LIMIT) * 100).toFixed(0)}% of the limit), ${LATENCY} ms per call, ${runs} runs`,
  );
  const results: RunResult[] = [];
  for (let i = 1; i <= runs; i++) results.push(await runOnce(i, learners));
  const pick = (k: keyof RunResult) => median(results.map((r) => r[k]));
  const med = Object.fromEntries((Object.keys(results[0]!) as (keyof RunResult)[]).map((k) => [k, pick(k)])) as unknown as RunResult;
  return { learners, limit: LIMIT, pace: RATE, runs: results, median: med };
}

async function main(): Promise<void> {
  const { runs: results } = await runBroadcastBench();
  const pick = (k: keyof RunResult) => median(results.map((r) => r[k]));
  console.log(
    `\nmedian: ${pick("rate").toFixed(0)}/s = ${(pick("share") * 100).toFixed(1)}% of the limit ` +
      `(${(pick("share") / (RATE / LIMIT) * 100).toFixed(1)}% of the configured pace); ` +
      `429s: ${pick("floods")}; duplicates: ${pick("duplicates")}; losses: ${pick("losses")}; ${pick("seconds").toFixed(2)} s per run`,
  );
  const bad = results.some((r) => r.duplicates > 0 || r.losses > 0 || r.notSent > 0);
  if (bad) {
    console.error("FAIL: duplicates or losses found");
    process.exit(1);
  }
}

// Run directly (tsx bench/run.ts): the broadcast bench alone, as before the suite.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}

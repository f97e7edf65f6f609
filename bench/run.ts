/**
 * npm run bench — broadcasts the weekly announcement to 10,000 and then 100,000 learners through
 * the real outbox sender, over HTTP, against a local fake Bot API that enforces a send rate with
 * 429 + retry_after (like Telegram's flood control). Prints, per run and as medians: achieved
 * rate as a share of the limit (overall, and the median of per-second rates), number of 429s,
 * duplicates and losses (both must be zero), the time to queue the broadcast and the longest
 * event-loop stall while queueing, and the outbox's database bytes per learner.
 *
 * Telegram allows about 30 messages/s; 100,000 messages at that rate take an hour, so the fake's
 * limit is scaled up (default 500/s) to keep the benchmark short. What is measured — how close
 * the adaptive pace gets to the limit without tripping it — does not depend on the scale. The
 * sender starts at 95% of the limit and may climb to the limit itself (its ceiling, as 30/s is
 * in production).
 *
 * Options (environment): BENCH_SIZES=10000,100000 BENCH_LIMIT=500 BENCH_RATE=<limit x 0.95>
 * BENCH_RUNS=3 (runs of the first size; larger sizes run once) BENCH_LATENCY_MS=20.
 * The perf suite calls runBroadcastBench({ learners }) and gets the figures back.
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
import { closeDatabase, openDatabase, type Db } from "../src/db/client.js";
import { getModules } from "../src/db/coursesRepo.js";
import { outboxMessages } from "../src/db/outboxRepo.js";
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

export interface BroadcastBenchOptions {
  learners: number;
  /** The fake Bot API's limit, messages per second (default 500). */
  limit?: number;
  /** The sender's starting pace (default 95% of the limit); its ceiling is the limit. */
  rate?: number;
  /** Round trip added by the fake server, ms (default 20). */
  latencyMs?: number;
  log?: (line: string) => void;
}

export interface BroadcastBenchResult {
  learners: number;
  limit: number;
  seconds: number;
  /** Deliveries per second between the first and the last one. */
  rate: number;
  /** Median of the per-second delivery counts (whole seconds only). */
  medianRate: number;
  share: number;
  medianShare: number;
  floods: number;
  duplicates: number;
  losses: number;
  notSent: number;
  /** Time to queue every learner's row (set-based, chunked). */
  queueMs: number;
  /** Longest event-loop stall while queueing (the longest gap between two runs of a 1 ms timer). */
  queueMaxStallMs: number;
  /** A second run of the weekly job that finds nothing new (what every minute costs). */
  idleTickMs: number;
  /** Database growth per learner from queueing the broadcast, and after it was sent. */
  bytesPerLearnerQueued: number;
  bytesPerLearnerSent: number;
}

function dbBytes(db: Db): number {
  db.$client.pragma("wal_checkpoint(TRUNCATE)");
  const pages = db.$client.pragma("page_count", { simple: true }) as number;
  const free = db.$client.pragma("freelist_count", { simple: true }) as number;
  const size = db.$client.pragma("page_size", { simple: true }) as number;
  return (pages - free) * size;
}

const median = (xs: number[]) => {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** One broadcast to `learners` learners; returns its figures (throws on nothing). */
export async function runBroadcastBench(o: BroadcastBenchOptions): Promise<BroadcastBenchResult> {
  const LIMIT = o.limit ?? 500;
  const RATE = o.rate ?? LIMIT * 0.95;
  const log = o.log ?? (() => {});
  const dir = mkdtempSync(join(tmpdir(), "mooc-bench-"));
  const clock = new ManualClock(T0);
  const db = openDatabase(join(dir, "bench.sqlite"));
  // The fake Bot API is strict (as Telegram): it writes only to chats it knows, here the seeded learners.
  const server = await startServer(LIMIT, o.latencyMs ?? 20, { from: 100_000, count: o.learners });
  try {
    const { course } = validateCourseText(courseYaml(), { now: clock.now(), defaultTimezone: "Asia/Almaty" });
    if (!course) throw new Error("bench course is invalid");
    importCourse(db, course, "bench.yaml", clock.now());
    const langs = ["kk", "ru", "en"] as const;
    const addLearner = db.$client.prepare("INSERT INTO learners (id, first_name, language, created_at, updated_at) VALUES (?, ?, ?, ?, ?)");
    const addEnrollment = db.$client.prepare(
      "INSERT INTO enrollments (learner_id, course_id, status, enrolled_at) VALUES (?, ?, 'active', ?)",
    );
    db.$client.transaction(() => {
      for (let i = 0; i < o.learners; i++) {
        const id = 100_000 + i;
        addLearner.run(id, `L${i}`, langs[i % 3]!, T0, T0);
        addEnrollment.run(id, course.id, T0);
      }
    })();
    const opensAt = getModules(db, course.id)[0]!.opensAt;
    clock.set(opensAt);

    // The first week begins: the weekly job queues one lean row per learner, in chunks.
    const before = dbBytes(db);
    // The longest the event loop went without running a 1 ms timer: how long a learner's update could wait.
    let lastBeat = performance.now();
    let maxStall = 0;
    const beat = setInterval(() => {
      const now = performance.now();
      maxStall = Math.max(maxStall, now - lastBeat);
      lastBeat = now;
    }, 1);
    let t = performance.now();
    const queued = await queueAnnouncements(db, clock.now());
    const queueMs = performance.now() - t;
    maxStall = Math.max(maxStall, performance.now() - lastBeat);
    clearInterval(beat);
    if (queued !== o.learners) throw new Error(`queued ${queued}, expected ${o.learners}`);
    t = performance.now();
    await queueAnnouncements(db, clock.now() + 60_000);
    const idleTickMs = performance.now() - t;
    const afterQueue = dbBytes(db);

    const api = new Api(TEST_TOKEN, { apiRoot: server.url });
    const sender = new OutboxSender({ api, db, clock, ratePerSecond: RATE, maxRatePerSecond: LIMIT, maxInFlight: 200 });
    const started = performance.now();
    const left = db.$client.prepare("SELECT count(*) AS n FROM outbox_items WHERE state IN ('pending','sending')");
    // Rows re-queued after a 429 become due `retry_after` later on the (manual) clock: keep it in step.
    for (;;) {
      await sender.drain();
      clock.set(opensAt + (performance.now() - started));
      if ((left.get() as { n: number }).n === 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const seconds = (performance.now() - started) / 1000;
    const afterSend = dbBytes(db);

    const report = await server.report();
    const byChat = new Map(report.byChat);
    let duplicates = 0;
    for (const n of byChat.values()) duplicates += n - 1;
    let losses = 0;
    for (let i = 0; i < o.learners; i++) if (!byChat.has(100_000 + i)) losses++;
    const unsent = outboxMessages(db).filter((r) => r.state !== "sent");
    for (const r of unsent.slice(0, 5)) log(`  not sent: learner ${r.chatId}: ${r.state} after ${r.attempts} attempt(s): ${r.error}`);
    // The rate Telegram saw: overall, and the median of whole seconds (the steady pace).
    const rate = (report.delivered - 1) / ((report.lastAt - report.firstAt) / 1000);
    const perSecond: number[] = [];
    for (const at of report.times) {
      const s = Math.floor((at - report.firstAt) / 1000);
      perSecond[s] = (perSecond[s] ?? 0) + 1;
    }
    const whole = perSecond.slice(0, Math.floor((report.lastAt - report.firstAt) / 1000)).map((n: number | undefined) => n ?? 0);
    const medianRate = median(whole);
    // BENCH_TRACE=1: the sends per second as Telegram saw them (where the pace dipped, and why).
    if (process.env.BENCH_TRACE === "1") log(`  per second: ${whole.join(" ")}`);
    return {
      learners: o.learners,
      limit: LIMIT,
      seconds,
      rate,
      medianRate,
      share: rate / LIMIT,
      medianShare: medianRate / LIMIT,
      floods: report.floodAnswers,
      duplicates,
      losses,
      notSent: unsent.length,
      queueMs,
      queueMaxStallMs: maxStall,
      idleTickMs,
      bytesPerLearnerQueued: (afterQueue - before) / o.learners,
      bytesPerLearnerSent: (afterSend - before) / o.learners,
    };
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
  times: number[];
}

async function startServer(
  limit: number,
  latencyMs: number,
  chats: { from: number; count: number },
): Promise<{ url: string; report: () => Promise<Report>; close: () => Promise<void> }> {
  const worker = new Worker(new URL("./fakeServerWorker.mjs", import.meta.url), {
    workerData: { limit, retryAfter: 1, latencyMs, chats },
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

export function describeBroadcast(r: BroadcastBenchResult): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  return (
    `${r.learners} learners: median ${r.medianRate.toFixed(0)}/s = ${pct(r.medianShare)} of the ${r.limit}/s limit ` +
    `(overall ${r.rate.toFixed(0)}/s = ${pct(r.share)}, goal ≥ 95%); 429s: ${r.floods}; duplicates: ${r.duplicates} (goal 0); ` +
    `losses: ${r.losses} (goal 0); rows not "sent": ${r.notSent}; ${r.seconds.toFixed(1)} s. ` +
    `Queueing: ${r.queueMs.toFixed(0)} ms, longest event-loop stall ${r.queueMaxStallMs.toFixed(0)} ms (goal < 200), ` +
    `idle tick ${r.idleTickMs.toFixed(0)} ms; outbox ${r.bytesPerLearnerQueued.toFixed(0)} B/learner queued, ` +
    `${r.bytesPerLearnerSent.toFixed(0)} B/learner sent`
  );
}

async function main(): Promise<void> {
  const sizes = (process.env.BENCH_SIZES ?? "10000,100000").split(",").map((s) => Number(s.trim()));
  const limit = num("BENCH_LIMIT", 500);
  const rate = num("BENCH_RATE", limit * 0.95);
  const runs = num("BENCH_RUNS", 3);
  const latencyMs = Number(process.env.BENCH_LATENCY_MS ?? 20);
  console.log(
    `Broadcast benchmark: fake Bot API limit ${limit}/s (429, retry_after 1 s), sender starts at ${rate}/s ` +
      `(${((rate / limit) * 100).toFixed(0)}% of the limit) and adapts (ceiling: the limit), ${latencyMs} ms per call`,
  );
  let bad = false;
  for (const [i, learners] of sizes.entries()) {
    const results: BroadcastBenchResult[] = [];
    for (let run = 1; run <= (i === 0 ? runs : 1); run++) {
      const r = await runBroadcastBench({ learners, limit, rate, latencyMs, log: console.log });
      console.log(`run ${run}: ${describeBroadcast(r)}`);
      results.push(r);
    }
    if (results.length > 1) {
      const pick = (k: "medianRate" | "medianShare" | "floods" | "duplicates" | "losses") => median(results.map((r) => r[k]));
      console.log(
        `median of ${results.length} runs at ${learners}: ${pick("medianRate").toFixed(0)}/s = ${(pick("medianShare") * 100).toFixed(1)}% ` +
          `of the limit; 429s: ${pick("floods")}; duplicates: ${pick("duplicates")}; losses: ${pick("losses")}`,
      );
    }
    bad ||= results.some((r) => r.duplicates > 0 || r.losses > 0 || r.notSent > 0);
  }
  if (bad) console.error("FAIL: duplicates or losses found");
  // Keep-alive sockets of the HTTP client may outlive the fake server: do not wait for them.
  process.exit(bad ? 1 : 0);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}

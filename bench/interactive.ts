/**
 * Interactive bench: simulated learners browse and take a quiz against the REAL bot (createBot,
 * real SQLite file, the demo courses) and the very same updates are then handed to a BARE grammY
 * bot that answers each with a plain reply. Both run in this process, alternating learner by
 * learner, so machine noise hits both alike. Reported: updates/s, p50/p95 latency of handleUpdate, CPU per update
 * (process.cpuUsage around each handleUpdate) and the ratio real/bare (issue 13: at most 8x).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Bot } from "grammy";
import type { Update } from "grammy/types";
import { ManualClock } from "../src/clock.js";
import { loadConfig } from "../src/config.js";
import { loadCoursesFromDir } from "../src/courses/loadCourses.js";
import { createBot } from "../src/bot/createBot.js";
import { closeDatabase, openDatabase, type Db } from "../src/db/client.js";
import { BOT_INFO } from "../test/support/fakeTelegram.js";
import { envNumber, median, percentile, type Figure } from "./figures.js";
import { LeanBotApi } from "./leanBotApi.js";
import { currentAttemptLength } from "./targets.js";

const TOKEN = "123456:BENCH-token-not-a-real-one_abcdefghij";
/** 2026-09-01 09:00 Almaty: the demo course ("today-3") is running, module 1 open. */
const NOW = Date.UTC(2026, 8, 1, 4, 0);
const COURSE = "intro-programming";
const LANGS = ["kk", "ru", "en"] as const;

interface Sample {
  ms: number;
  cpuUs: number;
  /** "/start", "crs", "qb", "text": what kind of update, for the per-kind breakdown. */
  kind: string;
}

const kindOf = (u: Update): string =>
  u.callback_query
    ? (u.callback_query.data ?? "").split(":")[0]!
    : (u.message?.text ?? "").startsWith("/")
      ? u.message!.text!.split(" ")[0]!
      : "text";

interface Handler {
  handleUpdate(u: Update): Promise<void>;
}

async function measure(bot: Handler, update: Update, samples: Sample[]): Promise<void> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await bot.handleUpdate(update);
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  samples.push({ ms, cpuUs: c.user + c.system, kind: kindOf(update) });
}

/**
 * One learner's visit, driven by what the real bot shows (the buttons of the last message), so
 * it keeps working when callback formats change. Returns the updates it sent, in order.
 */
async function learnerVisit(
  bot: Handler,
  api: LeanBotApi,
  db: Db,
  clock: ManualClock,
  id: number,
  nextUpdateId: () => number,
  samples: Sample[],
): Promise<Update[]> {
  const lang = LANGS[id % 3]!;
  const from = { id, is_bot: false, first_name: `Learner${id}`, language_code: lang };
  const chat = { id, type: "private" as const, first_name: from.first_name };
  const sent: Update[] = [];
  const send = async (update: Omit<Update, "update_id">) => {
    clock.advance(2_000);
    const u = { ...update, update_id: nextUpdateId() };
    sent.push(u);
    await measure(bot, u, samples);
  };
  const text = (t: string) =>
    send({
      message: {
        message_id: 1,
        date: Math.floor(clock.now() / 1000),
        chat,
        from,
        text: t,
        ...(t.startsWith("/") ? { entities: [{ type: "bot_command", offset: 0, length: t.split(" ")[0]!.length }] } : {}),
      },
    });
  const press = (data: string) => {
    const { messageId } = api.lastMessage(id);
    return send({
      callback_query: {
        id: `cb${id}-${data}`,
        from,
        chat_instance: `ci${id}`,
        data,
        message: { message_id: messageId, date: 0, chat, text: "…" },
      },
    });
  };
  const button = (prefix: string, contains = "") => api.lastMessage(id).buttons.find((b) => b.startsWith(prefix) && b.includes(contains));
  const pressIf = async (prefix: string, contains = "") => {
    const b = button(prefix, contains);
    if (b) await press(b);
    return b !== undefined;
  };

  await text("/start");
  await text("/courses");
  await pressIf("crs:", COURSE);
  await pressIf("enr:", COURSE);
  await pressIf("enr!:", COURSE);
  await text("/quiz");
  await pressIf("qz:", COURSE);
  if (await pressIf("qs:")) {
    const n = currentAttemptLength(db, id);
    for (let i = 0; i < n; i++) {
      const buttons = api.lastMessage(id).buttons;
      const picks = buttons.filter((b) => b.startsWith("qb:"));
      const toggles = buttons.filter((b) => b.startsWith("qt:"));
      if (picks.length > 0) await press(picks[(id + i) % picks.length]!);
      else if (toggles.length > 0) {
        await press(toggles[0]!);
        const done = api.lastMessage(id).buttons.find((b) => b.startsWith("qd:"));
        if (done) await press(done);
      } else await text(i % 2 ? "print" : "3,5");
    }
  }
  await text("/progress");
  await text("/mycourses");
  return sent;
}

function bareBot(api: LeanBotApi): Bot {
  const bot = new Bot(TOKEN, { botInfo: BOT_INFO, client: { fetch: api.fetch } });
  bot.on("message", (ctx) => ctx.reply("ok"));
  bot.on("callback_query", async (ctx) => {
    await ctx.answerCallbackQuery();
    await ctx.reply("ok");
  });
  return bot;
}

export interface InteractiveOptions {
  /** Learners per measured round. */
  learners: number;
  rounds: number;
  /** Unmeasured learners first, so both bots are JIT-warm. */
  warmup: number;
}

export interface InteractiveResult {
  figures: Figure[];
  /** Raw per-round numbers, for the README and for profiling runs. */
  rounds: { realCpuUs: number; bareCpuUs: number; updates: number }[];
  /** Mean CPU per update kind (ms), real and bare, with the share of the real bot's CPU: where the time goes. */
  breakdown: { kind: string; count: number; realMs: number; bareMs: number; share: number }[];
}

function kindBreakdown(real: Sample[], bare: Sample[]): InteractiveResult["breakdown"] {
  const total = real.reduce((s, x) => s + x.cpuUs, 0);
  const kinds = [...new Set(real.map((s) => s.kind))];
  const mean = (xs: Sample[]) => xs.reduce((s, x) => s + x.cpuUs, 0) / Math.max(1, xs.length) / 1000;
  return kinds
    .map((kind) => {
      const r = real.filter((s) => s.kind === kind);
      return {
        kind,
        count: r.length,
        realMs: mean(r),
        bareMs: mean(bare.filter((s) => s.kind === kind)),
        share: r.reduce((s, x) => s + x.cpuUs, 0) / total,
      };
    })
    .sort((a, b) => b.share - a.share);
}

export function renderBreakdown(rows: InteractiveResult["breakdown"]): string {
  const lines = rows.map(
    (r) =>
      `  ${r.kind.padEnd(12)} ${String(r.count).padStart(5)} updates  real ${r.realMs.toFixed(2).padStart(6)} ms  bare ${r.bareMs.toFixed(2).padStart(5)} ms  ` +
      `${(r.realMs / r.bareMs).toFixed(0).padStart(4)}x  ${(r.share * 100).toFixed(0).padStart(3)}% of the real bot's CPU`,
  );
  return ["CPU per update by kind (all measured rounds):", ...lines].join("\n");
}

export async function runInteractiveBench(options: Partial<InteractiveOptions> = {}): Promise<InteractiveResult> {
  const learners = options.learners ?? envNumber("BENCH_INTERACTIVE_LEARNERS", 40);
  const rounds = options.rounds ?? envNumber("BENCH_RUNS", 3);
  const warmup = options.warmup ?? 10;
  const dir = mkdtempSync(join(tmpdir(), "mooc-bench-int-"));
  const db = openDatabase(join(dir, "bench.sqlite"));
  const clock = new ManualClock(NOW);
  const errors: string[] = [];
  const origError = console.error;
  console.error = (...args: unknown[]) => void errors.push(args.map(String).join(" "));
  try {
    loadCoursesFromDir(db, join(import.meta.dirname, "..", "courses"), { now: clock.now(), defaultTimezone: "Asia/Almaty" });
    const config = loadConfig({ BOT_TOKEN: TOKEN, BOT_API_ROOT: "http://127.0.0.1:1", ADMIN_IDS: "900" });
    const realApi = new LeanBotApi();
    const bareApi = new LeanBotApi();
    const real = createBot({ db, clock, config }, { botInfo: BOT_INFO, client: { fetch: realApi.fetch } });
    const bare = bareBot(bareApi);
    let updateId = 1;
    const nextUpdateId = () => updateId++;
    let nextLearner = 5_000_000;

    // Each learner's updates go to the real bot, then at once to the bare one: both see the same
    // moment of a shared, noisy machine, which keeps the ratio steadier than two separate runs.
    const round = async (count: number) => {
      const realSamples: Sample[] = [];
      const bareSamples: Sample[] = [];
      let realWall = 0;
      let bareWall = 0;
      let updates = 0;
      for (let i = 0; i < count; i++) {
        const t0 = performance.now();
        const sent = await learnerVisit(real, realApi, db, clock, nextLearner++, nextUpdateId, realSamples);
        realWall += performance.now() - t0;
        const t1 = performance.now();
        for (const u of sent) await measure(bare, u, bareSamples);
        bareWall += performance.now() - t1;
        updates += sent.length;
      }
      return { realSamples, bareSamples, realWall, bareWall, updates };
    };

    await round(warmup);
    const results: Awaited<ReturnType<typeof round>>[] = [];
    for (let r = 0; r < rounds; r++) results.push(await round(learners));

    const per = (samples: Sample[]) => samples.reduce((s, x) => s + x.cpuUs, 0) / samples.length;
    const realCpu = median(results.map((r) => per(r.realSamples)));
    const bareCpu = median(results.map((r) => per(r.bareSamples)));
    const ratio = median(results.map((r) => per(r.realSamples) / per(r.bareSamples)));
    const part = "interactive";
    // Each round's latency percentile, then the median over rounds.
    const latency = (samples: (r: (typeof results)[number]) => Sample[], p: number) =>
      median(
        results.map((r) =>
          percentile(
            samples(r).map((s) => s.ms),
            p,
          ),
        ),
      );
    const figures: Figure[] = [
      { part, name: "updates per round (median)", value: median(results.map((r) => r.updates)), unit: "" },
      { part, name: "real bot: updates/s", value: median(results.map((r) => r.updates / (r.realWall / 1000))), unit: "/s" },
      { part, name: "real bot: latency p50", value: latency((r) => r.realSamples, 50), unit: "ms" },
      { part, name: "real bot: latency p95", value: latency((r) => r.realSamples, 95), unit: "ms" },
      { part, name: "real bot: CPU per update", value: realCpu / 1000, unit: "ms" },
      { part, name: "bare grammY: updates/s", value: median(results.map((r) => r.updates / (r.bareWall / 1000))), unit: "/s" },
      { part, name: "bare grammY: latency p50", value: latency((r) => r.bareSamples, 50), unit: "ms" },
      { part, name: "bare grammY: latency p95", value: latency((r) => r.bareSamples, 95), unit: "ms" },
      { part, name: "bare grammY: CPU per update", value: bareCpu / 1000, unit: "ms" },
      { part, name: "CPU ratio real/bare", value: ratio, unit: "x", goal: { op: "<=", limit: 8 } },
      { part, name: "errors in the real bot", value: errors.length, unit: "", goal: { op: "<=", limit: 0 } },
    ];
    const breakdown = kindBreakdown(
      results.flatMap((r) => r.realSamples),
      results.flatMap((r) => r.bareSamples),
    );
    for (const e of errors.slice(0, 3)) console.log(`  real bot error: ${e.slice(0, 300)}`);
    return {
      figures,
      breakdown,
      rounds: results.map((r) => ({ realCpuUs: per(r.realSamples), bareCpuUs: per(r.bareSamples), updates: r.updates })),
    };
  } finally {
    console.error = origError;
    closeDatabase(db);
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Runs ONE job or report of the scale bench in its own process, so its peak memory is its own:
 *   tsx bench/scaleTarget.ts <db> <jobs|reports> <index> <calendar-json>
 * Prints one JSON line: duration, event-loop delay (p99, max) while it ran, RSS before and peak.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import type { Update } from "grammy/types";
import { createBot } from "../src/bot/createBot.js";
import { ManualClock } from "../src/clock.js";
import { loadConfig } from "../src/config.js";
import { closeDatabase, openDatabase } from "../src/db/client.js";
import { BOT_INFO } from "../test/support/fakeTelegram.js";
import { LeanBotApi } from "./leanBotApi.js";
import { jobTargets, reportTargets, type CourseCalendar, type TargetEnv } from "./targets.js";

export const AUTHOR_ID = 900;
export const ASSISTANTS_CHAT = -1001234;

export interface TargetResult {
  ms: number;
  loopP99Ms: number;
  loopMaxMs: number;
  rssBeforeMb: number;
  rssPeakMb: number;
  /** Bytes of documents sent (reports). */
  uploadedBytes: number;
  messages: number;
}

async function main(): Promise<void> {
  const [dbPath, kind, index, calJson, courseId] = process.argv.slice(2) as [string, string, string, string, string];
  const target = (kind === "jobs" ? jobTargets : reportTargets)[Number(index)]!;
  const cal = JSON.parse(calJson) as CourseCalendar;
  const now = target.at(cal);
  const clock = new ManualClock(now);
  const db = openDatabase(dbPath);
  const dir = mkdtempSync(join(tmpdir(), "mooc-bench-out-"));
  const config = loadConfig({
    BOT_TOKEN: "123456:BENCH-token-not-a-real-one_abcdefghij",
    BOT_API_ROOT: "http://127.0.0.1:1",
    ADMIN_IDS: String(AUTHOR_ID),
    ASSISTANT_CHAT_ID: String(ASSISTANTS_CHAT),
    DIGEST_HOUR: "0",
  });
  const api = new LeanBotApi();
  const bot = createBot({ db, clock, config }, { botInfo: BOT_INFO, client: { fetch: api.fetch } });
  // Update ids already handled (by an earlier target on this database) would be dropped as redeliveries.
  let updateId = (db.$client.prepare("SELECT coalesce(max(update_id), 0) + 1 AS id FROM processed_updates").get() as { id: number }).id;
  const send = (u: Omit<Update, "update_id">) => bot.handleUpdate({ ...u, update_id: updateId++ });
  const author = { id: AUTHOR_ID, is_bot: false, first_name: "Author", language_code: "en" };
  const message = (chat: object, text: string) =>
    send({
      message: {
        message_id: updateId,
        date: Math.floor(now / 1000),
        chat,
        from: author,
        text,
        entities: [{ type: "bot_command", offset: 0, length: text.split(" ")[0]!.length }],
      },
    } as Omit<Update, "update_id">);
  const env: TargetEnv = {
    db,
    bot,
    config,
    courseId,
    authorId: AUTHOR_ID,
    dir,
    send,
    command: (text) => message({ id: AUTHOR_ID, type: "private", first_name: "Author" }, text),
    assistantsCommand: (text) => message({ id: ASSISTANTS_CHAT, type: "supergroup", title: "Assistants" }, text),
  };
  const errors: string[] = [];
  console.error = (...args: unknown[]) => void errors.push(args.map(String).join(" "));
  // The registration of the author happens outside the measurement.
  await env.command("/help");
  await target.warmUp?.(env, now);
  const messagesBefore = api.calls;
  const uploadedBefore = api.uploadedBytes;

  if (global.gc) global.gc();
  const rssBefore = process.memoryUsage().rss;
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  // Let the monitor's timer tick a few times first: a synchronous job then shows up as one long delay.
  await new Promise((r) => setTimeout(r, 50));
  const t0 = performance.now();
  await target.run(env, now);
  const ms = performance.now() - t0;
  await new Promise((r) => setTimeout(r, 30));
  loop.disable();
  const result: TargetResult = {
    ms,
    loopP99Ms: loop.percentile(99) / 1e6,
    loopMaxMs: loop.max / 1e6,
    rssBeforeMb: rssBefore / 2 ** 20,
    rssPeakMb: (process.resourceUsage().maxRSS * 1024) / 2 ** 20,
    uploadedBytes: api.uploadedBytes - uploadedBefore,
    messages: api.calls - messagesBefore,
  };
  closeDatabase(db);
  rmSync(dir, { recursive: true, force: true });
  if (errors.length > 0) {
    process.stdout.write(JSON.stringify({ error: errors[0]!.slice(0, 300) }) + "\n");
    process.exit(1);
  }
  process.stdout.write(JSON.stringify(result) + "\n");
  process.exit(0);
}

void main().catch((err: unknown) => {
  process.stdout.write(JSON.stringify({ error: String(err instanceof Error ? err.message : err).slice(0, 300) }) + "\n");
  process.exit(1);
});

import { run, type RunnerHandle } from "@grammyjs/runner";
import { systemClock } from "./clock.js";
import { ConfigError, loadConfig, loadDotEnv } from "./config.js";
import { describeReports, loadCoursesFromDir } from "./courses/loadCourses.js";
import { closeDatabase, DatabaseCorruptError, openDatabase, type Db } from "./db/client.js";
import { registerCommands } from "./bot/commands.js";
import { connectToTelegram, TokenRejectedError } from "./bot/connect.js";
import { createBot } from "./bot/createBot.js";
import { registerAssistantCommands } from "./bot/features/askAssistants.js";
import { pruneProcessedUpdates } from "./bot/middleware/dedupeUpdates.js";
import { deadlineRemindersJob, weeklyAnnouncementsJob } from "./jobs/announcements.js";
import { BroadcastMonitor, broadcastProgressJob } from "./jobs/broadcastProgress.js";
import { enrollmentNoticesJob } from "./jobs/enrollmentNotices.js";
import { quizAttemptsJob } from "./jobs/quizAttempts.js";
import { OutboxSender } from "./jobs/outbox.js";
import { createOutboxApi } from "./jobs/outboxApi.js";
import { questionnaireJob } from "./jobs/questionnaireJobs.js";
import { questionsDigestJob, questionsRedeliveryJob } from "./jobs/questions.js";
import { Scheduler } from "./jobs/scheduler.js";
import { redact } from "./log.js";

async function main(): Promise<void> {
  loadDotEnv();
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`Configuration error: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }

  const clock = systemClock;
  let db: Db;
  try {
    db = openDatabase(config.databasePath, { checkIntegrity: true });
  } catch (err) {
    if (err instanceof DatabaseCorruptError) console.error(err.message);
    else console.error(`Database error: cannot open ${config.databasePath}: ${redact(err instanceof Error ? err.message : String(err)).split("\n")[0]}`);
    process.exit(1);
  }
  console.log(`[db] ${config.databasePath} ready (integrity checked, WAL, migrations applied)`);

  for (const line of describeReports(loadCoursesFromDir(db, config.coursesDir, { now: clock.now(), defaultTimezone: config.timezone }))) {
    console.log(`[courses] ${line}`);
  }

  let sender: OutboxSender | null = null;
  const bot = createBot({ db, clock, config, kickOutbox: () => sender?.kick() });
  // A signal while Telegram is unreachable at start ends the wait (the full stop is set up below).
  const earlyStop = () => {
    closeDatabase(db);
    console.log("[bot] stopped");
    process.exit(0);
  };
  process.once("SIGINT", earlyStop);
  process.once("SIGTERM", earlyStop);
  try {
    await connectToTelegram(bot, config.botToken, config.botApiRoot, { log: (line) => console.log(line) });
  } catch (err) {
    if (err instanceof TokenRejectedError) {
      console.error(`Configuration error: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
  process.off("SIGINT", earlyStop);
  process.off("SIGTERM", earlyStop);
  console.log(`[bot] @${bot.botInfo.username} starting (API ${config.botApiRoot})`);
  // Command menus are a convenience: set in the background, never holding up the start.
  void registerCommands(bot.api, config.defaultLocale).catch((err) =>
    console.error("[bot] could not register the command menu:", redact(String(err))),
  );
  void registerAssistantCommands(bot.api, config).catch((err) =>
    console.error("[bot] could not register the assistants' command menu:", redact(String(err))),
  );

  // The outbox's own Api (jobs/outboxApi.ts): no auto-retry there, the sender handles 429 itself
  // (pauses all sending for retry_after and re-queues the row); replies keep bot.api's auto-retry.
  sender = new OutboxSender({ api: createOutboxApi(config), db, clock, ratePerSecond: config.broadcastRate });
  sender.start();
  const monitor = new BroadcastMonitor(db, bot.api, clock);
  monitor.start();
  const kick = () => sender?.kick();
  const scheduler = new Scheduler(
    [
      enrollmentNoticesJob(db, kick),
      weeklyAnnouncementsJob(db, kick),
      deadlineRemindersJob(db, kick),
      broadcastProgressJob(monitor),
      quizAttemptsJob(db, kick),
      questionnaireJob(db, kick),
      { name: "prune-processed-updates", run: (now) => pruneProcessedUpdates(db, now) },
      questionsRedeliveryJob(bot.api, db, config),
      questionsDigestJob(db, config, () => sender?.kick()),
    ],
    clock,
  );
  await scheduler.start();

  const runner: RunnerHandle = run(bot, {
    runner: { fetch: { allowed_updates: ["message", "callback_query", "my_chat_member"] } },
  });
  console.log("[bot] polling for updates");

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`[bot] ${signal}: stopping`);
    if (runner.isRunning()) await runner.stop();
    await scheduler.stop();
    await monitor.stop();
    await sender?.stop();
    closeDatabase(db);
    console.log("[bot] stopped");
    process.exit(0);
  };
  process.once("SIGINT", () => void stop("SIGINT"));
  process.once("SIGTERM", () => void stop("SIGTERM"));
}

main().catch((err) => {
  console.error("Fatal:", redact(err instanceof Error ? (err.stack ?? err.message) : String(err)));
  process.exit(1);
});

import { run, type RunnerHandle } from "@grammyjs/runner";
import { systemClock } from "./clock.js";
import { ConfigError, loadConfig, loadDotEnv } from "./config.js";
import { describeReports, loadCoursesFromDir } from "./courses/loadCourses.js";
import { closeDatabase, openDatabase } from "./db/client.js";
import { registerCommands } from "./bot/commands.js";
import { createBot } from "./bot/createBot.js";
import { registerAssistantCommands } from "./bot/features/askAssistants.js";
import { postQuestion } from "./bot/questionRelay.js";
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
  const db = openDatabase(config.databasePath);
  console.log(`[db] ${config.databasePath} ready (WAL, migrations applied)`);

  for (const line of describeReports(loadCoursesFromDir(db, config.coursesDir, { now: clock.now(), defaultTimezone: config.timezone }))) {
    console.log(`[courses] ${line}`);
  }

  let sender: OutboxSender | null = null;
  const bot = createBot({ db, clock, config, kickOutbox: () => sender?.kick() });
  await bot.init();
  console.log(`[bot] @${bot.botInfo.username} starting (API ${config.botApiRoot})`);
  await registerCommands(bot.api, config.defaultLocale).catch((err) =>
    console.error("[bot] could not register the command menu:", redact(String(err))),
  );
  await registerAssistantCommands(bot.api, config).catch((err) =>
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
      questionsRedeliveryJob(db, config, (q, now, options) => postQuestion(bot.api, db, config, q, now, options), kick),
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

import { run, type RunnerHandle } from "@grammyjs/runner";
import { systemClock } from "./clock.js";
import { ConfigError, loadConfig, loadDotEnv } from "./config.js";
import { loadCoursesFromDir } from "./courses/loadCourses.js";
import { describeReports } from "./messages/courseIssues.js";
import { closeDatabase, openDatabase } from "./db/client.js";
import { registerCommands } from "./bot/commands.js";
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
import { logger } from "./log.js";

async function main(): Promise<void> {
  loadDotEnv();
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      // One plain line for the person starting the bot (LOG_LEVEL itself may be what is wrong).
      console.error(`Configuration error: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }

  logger.level = config.logLevel;
  const clock = systemClock;
  const db = openDatabase(config.databasePath);
  logger.info({ component: "db", path: config.databasePath }, "database ready (WAL, migrations applied)");

  const courseLog = logger.child({ component: "courses" });
  for (const line of describeReports(loadCoursesFromDir(db, config.coursesDir, { now: clock.now(), defaultTimezone: config.timezone }))) {
    courseLog.info(line);
  }

  let sender: OutboxSender | null = null;
  const bot = createBot({ db, clock, config, kickOutbox: () => sender?.kick() });
  await bot.init();
  const log = logger.child({ component: "bot" });
  log.info({ username: bot.botInfo.username, apiRoot: config.botApiRoot }, "starting");
  await registerCommands(bot.api, config.defaultLocale).catch((err: unknown) => {
    log.error({ err }, "could not register the command menu");
  });
  await registerAssistantCommands(bot.api, config).catch((err: unknown) => {
    log.error({ err }, "could not register the assistants' command menu");
  });

  // The outbox's own Api (jobs/outboxApi.ts): no auto-retry there, the sender handles 429 itself
  // (pauses all sending for retry_after and re-queues the row); replies keep bot.api's auto-retry.
  sender = new OutboxSender({ api: createOutboxApi(config), db, clock, ratePerSecond: config.broadcastRate });
  sender.start();
  const monitor = new BroadcastMonitor(db, bot.api, clock);
  monitor.start();
  const kick = () => sender.kick();
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
      questionsDigestJob(db, config, kick),
    ],
    clock,
  );
  await scheduler.start();

  const runner: RunnerHandle = run(bot, {
    runner: { fetch: { allowed_updates: ["message", "callback_query", "my_chat_member"] } },
  });
  log.info("polling for updates");

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "stopping");
    if (runner.isRunning()) await runner.stop();
    await scheduler.stop();
    await monitor.stop();
    await sender.stop();
    closeDatabase(db);
    log.info("stopped");
    logger.flush();
    process.exit(0);
  };
  process.once("SIGINT", () => void stop("SIGINT"));
  process.once("SIGTERM", () => void stop("SIGTERM"));
}

main().catch((err: unknown) => {
  logger.fatal({ err }, "could not start");
  logger.flush();
  process.exit(1);
});

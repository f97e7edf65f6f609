import type { RunnerHandle } from "@grammyjs/runner";
import { systemClock } from "./clock.js";
import { ConfigError, loadConfig, loadDotEnv } from "./config.js";
import { loadCoursesFromDir } from "./courses/loadCourses.js";
import { listCourses } from "./db/coursesRepo.js";
import { describeReports } from "./messages/courseIssues.js";
import { closeDatabase, DatabaseCorruptError, openDatabase, type Db } from "./db/client.js";
import { checkIntegrityInBackground, corruptionMessage } from "./db/integrity.js";
import { registerCommands } from "./bot/commands.js";
import { syncAllStaffMenus } from "./bot/staffMenus.js";
import { connectToTelegram, TokenRejectedError } from "./bot/connect.js";
import { createBot } from "./bot/createBot.js";
import { registerAssistantCommands } from "./bot/features/askAssistants.js";
import { startPolling } from "./bot/polling.js";
import { afterFirstPoll, replyTraffic, retryInBackground, watchPolling } from "./bot/apiSetup.js";
import { postQuestion } from "./bot/questionRelay.js";
import { pruneProcessedUpdates } from "./bot/middleware/dedupeUpdates.js";
import { analysisReportsJob } from "./jobs/analysisReports.js";
import { deadlineRemindersJob, weeklyAnnouncementsJob } from "./jobs/announcements.js";
import { BroadcastMonitor, broadcastProgressJob } from "./jobs/broadcastProgress.js";
import { enrollmentNoticesJob } from "./jobs/enrollmentNotices.js";
import { quizAttemptsJob } from "./jobs/quizAttempts.js";
import { certificatesJob } from "./jobs/certificates.js";
import { OutboxSender } from "./jobs/outbox.js";
import { TELEGRAM_MAX_RATE } from "./jobs/pace.js";
import { createOutboxApi } from "./jobs/outboxApi.js";
import { questionnaireJob } from "./jobs/questionnaireJobs.js";
import { questionsDigestJob, questionsRedeliveryJob } from "./jobs/questions.js";
import { Scheduler } from "./jobs/scheduler.js";
import { stopReportWorker } from "./reports/reportThread.js";
import { logger, redact } from "./log.js";

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
  if (config.deprecatedAuthorIds) logger.warn("AUTHOR_IDS is deprecated: its ids are platform admins now; rename it to ADMIN_IDS");
  const clock = systemClock;
  let db: Db;
  try {
    // Migrations before polling (a few ms when none is pending); quick_check after it, below.
    db = openDatabase(config.databasePath);
  } catch (err) {
    // One plain line: what is wrong and what to do (the corrupt-database message says both).
    if (err instanceof DatabaseCorruptError) console.error(err.message);
    else
      console.error(
        `Database error: cannot open ${config.databasePath}: ${redact(err instanceof Error ? err.message : String(err)).split("\n")[0]}`,
      );
    process.exit(1);
  }
  logger.info({ component: "db", path: config.databasePath }, "database ready (WAL, migrations applied)");

  let sender: OutboxSender | null = null;
  const bot = createBot({ db, clock, config, kickOutbox: () => sender?.kick() });
  const log = logger.child({ component: "bot" });
  // A signal while Telegram is unreachable at start ends the wait (the full stop is set up below).
  const earlyStop = () => {
    closeDatabase(db);
    log.info("stopped");
    logger.flush();
    process.exit(0);
  };
  process.once("SIGINT", earlyStop);
  process.once("SIGTERM", earlyStop);
  try {
    // getMe, retried with capped backoff while Telegram cannot be reached (said once, not per try).
    await connectToTelegram(bot, config.botToken, config.botApiRoot, { log: (line) => log.warn(line) });
  } catch (err) {
    if (err instanceof TokenRejectedError) {
      console.error(`Configuration error: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
  process.off("SIGINT", earlyStop);
  process.off("SIGTERM", earlyStop);
  log.info({ username: bot.botInfo.username, apiRoot: config.botApiRoot }, "starting");
  watchPolling(bot.api);

  // The outbox's own Api (jobs/outboxApi.ts): no auto-retry there, the sender handles 429 itself
  // (pauses, slows down, re-queues the row) and yields to replies (bot/apiSetup.ts replyTraffic).
  sender = new OutboxSender({
    api: createOutboxApi(config),
    db,
    clock,
    ratePerSecond: config.broadcastRate,
    maxRatePerSecond: TELEGRAM_MAX_RATE,
    replies: replyTraffic,
  });
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
      // After quizAttempts: attempts closed at a deadline count before certificates are issued.
      certificatesJob({ db, api: bot.api, botUsername: () => bot.botInfo.username }),
      questionnaireJob(db, kick),
      {
        name: "prune-processed-updates",
        run: async (now) => {
          await pruneProcessedUpdates(db, now);
        },
      },
      questionsRedeliveryJob(db, config, (q, now, options) => postQuestion(bot.api, db, config, q, now, options), kick),
      questionsDigestJob(db, config, kick),
      analysisReportsJob({ db, api: bot.api, config }),
    ],
    clock,
  );

  // After the first getUpdates has gone out: the course files (parsing and checking them takes
  // a second or two; until then the bot answers from the courses already in the database), then
  // the first scheduler tick (catch-up after downtime).
  const loadCourses = () => {
    const courseLog = logger.child({ component: "courses" });
    for (const line of describeReports(loadCoursesFromDir(db, config.coursesDir, { now: clock.now(), defaultTimezone: config.timezone }))) {
      courseLog.info(line);
    }
  };
  // The very first start (no course in the database yet) reads the course files before polling:
  // there is nothing to answer with until then. Later starts serve the stored courses meanwhile.
  const coursesLoaded = listCourses(db).length === 0;
  if (coursesLoaded) loadCourses();
  let stopMenus: (() => void) | null = null;
  let stopAssistantMenus: (() => void) | null = null;
  let stopStaffMenus: (() => void) | null = null;
  // Everything else waits until the first getUpdates has gone out, so polling starts within a
  // second whatever is left to do: the integrity check, the course files (parsing and checking
  // them takes a second or two; until then the bot answers from the courses already in the
  // database, see above), the first scheduler tick (catch-up after downtime), the command menus.
  afterFirstPoll(bot.api, () => {
    // PRAGMA quick_check reads the whole file (seconds on a big database): in a worker thread, so
    // learners are answered meanwhile. A damaged file stops the bot with the same clear line.
    void checkIntegrityInBackground(config.databasePath).then((result) => {
      if (result.notChecked) logger.warn({ component: "db" }, `integrity check could not run: ${redact(result.notChecked)}`);
      else if (result.ok) logger.info({ component: "db" }, "integrity checked (quick_check ok)");
      else {
        console.error(corruptionMessage(config.databasePath, result.problems));
        void stop("damaged database", 1);
      }
    });
    if (!coursesLoaded) loadCourses();
    void scheduler.start();
    stopMenus = retryInBackground("command menu", () => registerCommands(bot.api, config.defaultLocale));
    stopAssistantMenus = retryInBackground("assistants' command menu", () => registerAssistantCommands(bot.api, db, config));
    // Authors' and admins' own "/" menus (chat scope), also removing those of people removed while down.
    stopStaffMenus = retryInBackground("staff command menus", () => syncAllStaffMenus(bot.api, db, config, () => clock.now()));
  });
  // getUpdates failures are retried every 2 s for as long as it takes (watchPolling logs the outage).
  const runner: RunnerHandle = startPolling(bot, db, clock, {
    fetch: { allowed_updates: ["message", "callback_query", "my_chat_member"] },
    retryInterval: 2000,
    maxRetryTime: Number.MAX_SAFE_INTEGER,
    silent: true,
  });
  log.info("polling for updates");

  let stopping = false;
  const stop = async (signal: string, exitCode = 0) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "stopping");
    stopMenus?.();
    stopAssistantMenus?.();
    stopStaffMenus?.();
    if (runner.isRunning()) await runner.stop();
    await scheduler.stop();
    await monitor.stop();
    await sender.stop();
    // Before the database closes: the report worker's read-only connection goes with it.
    await stopReportWorker();
    closeDatabase(db);
    log.info("stopped");
    logger.flush();
    process.exit(exitCode);
  };
  process.once("SIGINT", () => void stop("SIGINT"));
  process.once("SIGTERM", () => void stop("SIGTERM"));
}

main().catch((err: unknown) => {
  logger.fatal({ err }, "could not start");
  logger.flush();
  process.exit(1);
});

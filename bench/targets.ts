/**
 * The ONE place where the bench calls into the jobs, reports and tables that other work is
 * rewriting (jobs/, reports/, the announce and quiz features). After a merge, re-point these
 * functions; the rest of the bench stays as it is. Author reports are driven through the bot's
 * own commands, which is the interface least likely to move.
 */
import type { Bot } from "grammy";
import type { Update } from "grammy/types";
import type { BotContext } from "../src/bot/context.js";
import { runExport } from "../src/cli/exportQuestionnaires.js";
import type { Config } from "../src/config.js";
import { statement, type Db } from "../src/db/client.js";
import { startDraft, transition } from "../src/db/announceRepo.js";
import { deadlineRemindersJob, weeklyAnnouncementsJob } from "../src/jobs/announcements.js";
import { questionnaireJob } from "../src/jobs/questionnaireJobs.js";
import { questionsDigestJob } from "../src/jobs/questions.js";
import { announcePreviewButton, announceSendButton } from "../src/messages/callbackData.js";

/** How many questions the learner's latest quiz attempt has (the interactive bench answers them all). */
export function currentAttemptLength(db: Db, learnerId: number): number {
  const row = statement<[number], { n: number }>(
    db,
    "SELECT json_array_length(variant) AS n FROM quiz_attempts WHERE learner_id = ? ORDER BY id DESC LIMIT 1",
  ).get(learnerId);
  return row?.n ?? 0;
}

/** What a target gets: the database, the wired bot (lean fake Bot API) and an author to act as. */
export interface TargetEnv {
  db: Db;
  bot: Bot<BotContext>;
  config: Config;
  courseId: string;
  authorId: number;
  /** A scratch folder (CLI export output). */
  dir: string;
  /** Feeds one update to the bot. */
  send(update: Omit<Update, "update_id">): Promise<void>;
  /** A command from the author in their private chat. */
  command(text: string): Promise<void>;
  /** A command in the assistants' chat. */
  assistantsCommand(text: string): Promise<void>;
}

/** When each job has its biggest piece of work, from the seeded course's calendar. */
export interface CourseCalendar {
  /** opensAt/closesAt of each module, in order. */
  modules: { opensAt: number; closesAt: number }[];
  startAt: number;
  endAt: number;
  /** The instant the bench was started (the course is running then). */
  now: number;
}

export interface Target {
  name: string;
  /** The clock's time while it runs. */
  at(cal: CourseCalendar): number;
  run(env: TargetEnv, now: number): unknown;
  /** A report that answers in the chat: sending nothing means it did not run. */
  answersInChat?: boolean;
  /** Run before the measurement (e.g. the same report once, so the report worker is already running). */
  warmUp?(env: TargetEnv, now: number): Promise<unknown>;
}

const noop = () => {};

/** An /announce draft with its versions in, at the last language step (the preview comes next); its id. */
function draftWithVersions(env: TargetEnv, now: number): number {
  const draft = startDraft(env.db, env.authorId, "en", now);
  const version = (text: string) => ({ method: "sendMessage" as const, payload: { text, parse_mode: "HTML" } });
  const versions = { kk: version("Хабарландыру"), ru: version("Объявление"), en: version("Announcement") };
  transition(env.db, draft.id, "choosing_course", { status: "collecting", courseId: env.courseId, step: 3, versions }, now);
  return draft.id;
}

/** The author presses a button of the bot's message. */
function authorTaps(env: TargetEnv, id: string, data: string): Promise<unknown> {
  return env.send({
    callback_query: {
      id,
      from: { id: env.authorId, is_bot: false, first_name: "Author" },
      chat_instance: "bench",
      data,
      message: { message_id: 1, date: 0, chat: { id: env.authorId, type: "private", first_name: "Author" }, text: "…" },
    },
  });
}

export const jobTargets: Target[] = [
  {
    name: "weekly announcements (module 2 opens)",
    at: (c) => c.modules[1]!.opensAt + 60_000,
    run: ({ db }, now) => weeklyAnnouncementsJob(db, noop).run(now),
  },
  {
    name: "deadline reminders (quiz 1 closes in 12 h)",
    at: (c) => c.modules[0]!.closesAt - 12 * 3_600_000,
    run: ({ db }, now) => deadlineRemindersJob(db, noop).run(now),
  },
  {
    name: "questionnaire offers (course ended)",
    at: (c) => c.endAt + 3_600_000,
    run: ({ db }, now) => questionnaireJob(db, noop).run(now),
  },
  (() => {
    // The author's last two taps: the preview (outside the measurement, as the author sees it
    // before confirming; it also loads what the confirm uses), then «Send» (measured).
    let draftId = 0;
    return {
      name: "/announce to everyone (confirm)",
      at: (c: CourseCalendar) => c.now,
      warmUp: async (env: TargetEnv, now: number) => {
        draftId = draftWithVersions(env, now);
        await authorTaps(env, "bench-preview", announcePreviewButton.encode(draftId));
      },
      run: (env: TargetEnv) => authorTaps(env, "bench-confirm", announceSendButton.encode(draftId)),
    };
  })(),
  {
    name: "/announce preview (the audience counted)",
    at: (c) => c.now,
    // The author's versions are in: the preview counts who gets which (100,000 learners).
    run: (env, now) => authorTaps(env, "bench-preview", announcePreviewButton.encode(draftWithVersions(env, now))),
  },
  {
    name: "questions digest",
    at: (c) => c.now,
    run: ({ db, config }, now) => questionsDigestJob(db, config, noop).run(now),
  },
];

export const reportTargets: Target[] = [
  { name: "/export", answersInChat: true, at: (c) => c.now, run: (env) => env.command(`/export ${env.courseId}`) },
  { name: "/results", answersInChat: true, at: (c) => c.now, run: (env) => env.command(`/results ${env.courseId}`) },
  { name: "/quizstats", answersInChat: true, at: (c) => c.now, run: (env) => env.command(`/quizstats ${env.courseId}`) },
  // A running bot keeps its report worker: from the second report on, no worker start, no module loading.
  {
    name: "/results, worker running",
    answersInChat: true,
    at: (c) => c.now,
    warmUp: (env) => env.command(`/results ${env.courseId}`),
    run: (env) => env.command(`/results ${env.courseId}`),
  },
  {
    name: "/quizstats, worker running",
    answersInChat: true,
    at: (c) => c.now,
    warmUp: (env) => env.command(`/quizstats ${env.courseId}`),
    run: (env) => env.command(`/quizstats ${env.courseId}`),
  },
  { name: "/questions_csv", answersInChat: true, at: (c) => c.now, run: (env) => env.assistantsCommand("/questions_csv") },
  {
    name: "npm run export (CLI)",
    at: (c) => c.now,
    run: async (env) => {
      const code = await runExport([env.courseId, env.dir], env.db.$client.name, () => {});
      if (code !== 0) throw new Error(`export exited with ${code}`);
    },
  },
];

/** The delivery bench (bench/run.ts) as figures: the median of `runs` broadcasts. */
export async function broadcastFigures(learners: number, runs: number): Promise<import("./figures.js").Figure[]> {
  const { runBroadcastBench } = await import("./run.js");
  const results: import("./run.js").BroadcastBenchResult[] = [];
  for (let i = 0; i < runs; i++) results.push(await runBroadcastBench({ learners, log: console.log }));
  type Key =
    "medianShare" | "medianRate" | "floods" | "duplicates" | "losses" | "notSent" | "seconds" | "queueMaxStallMs" | "bytesPerLearnerQueued";
  const median = (k: Key) => {
    const xs = results.map((r) => r[k]).sort((a, b) => a - b);
    const m = Math.floor(xs.length / 2);
    return xs.length % 2 ? xs[m]! : (xs[m - 1]! + xs[m]!) / 2;
  };
  const part = `broadcast ${learners / 1000}k`;
  return [
    { part, name: "rate as a share of the fake limit", value: median("medianShare") * 100, unit: "%", goal: { op: ">=", limit: 95 } },
    { part, name: `rate (limit ${results[0]!.limit}/s)`, value: median("medianRate"), unit: "/s" },
    { part, name: "429 answers", value: median("floods"), unit: "" },
    { part, name: "duplicates", value: median("duplicates"), unit: "", goal: { op: "<=", limit: 0 } },
    { part, name: "losses", value: median("losses"), unit: "", goal: { op: "<=", limit: 0 } },
    { part, name: "rows not sent", value: median("notSent"), unit: "", goal: { op: "<=", limit: 0 } },
    { part, name: "longest event-loop stall while queueing", value: median("queueMaxStallMs"), unit: "ms", goal: { op: "<", limit: 200 } },
    { part, name: "outbox bytes per learner (queued)", value: median("bytesPerLearnerQueued"), unit: "B" },
    { part, name: "time per run", value: median("seconds"), unit: "s" },
  ];
}

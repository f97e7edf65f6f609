/**
 * A kill -9 at every point of a quiz and of a questionnaire: the process dies while it waits on
 * Telegram (the request may have been delivered, its answer never arrives), a new process starts
 * on the same database, Telegram may deliver the interrupted update again, and the learner goes
 * on with whatever is on their screen. Nothing may be lost, stored twice or stored for another
 * question, and the learner is never stuck.
 */
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { join } from "node:path";
import type { Update } from "grammy/types";
import { quizBank } from "../src/db/quizRepo.js";
import { attemptAnswers } from "../src/db/quizAttemptsRepo.js";
import { answersOf, getResponse } from "../src/db/questionnaireRepo.js";
import { quizAttempts } from "../src/db/schema/index.js";
import { effectiveWeights, type QuizQuestion } from "../src/domain/quiz.js";
import { quizChoice, quizDone, quizToggle, surveyDone, surveyMove, surveyToggle, surveyValue } from "../src/messages/callbackData.js";
import { courseYaml } from "./support/courses.js";
import { FakeTelegram } from "./support/fakeTelegram.js";
import { T0, tempDir, TestBot, type TestUser } from "./support/harness.js";
import { QUIZ_ALL_TYPES } from "./support/quizzes.js";
import { QUESTIONNAIRES_YAML } from "./support/questionnaires.js";

interface Screen {
  messageId: number;
  text: string;
  data: string[];
}

/** What the learner sees at the bottom of the chat: the last message sent, with its edits. */
function bottom(telegram: FakeTelegram, chatId: number): Screen | undefined {
  const messages = new Map<number, { text: string; data: string[] }>();
  let last: number | undefined;
  const dataOf = (markup: unknown) =>
    ((markup as { inline_keyboard?: { callback_data?: string }[][] } | undefined)?.inline_keyboard ?? [])
      .flat()
      .map((b) => b.callback_data ?? "");
  for (const c of telegram.calls) {
    if (Number(c.payload.chat_id) !== chatId || c.result === undefined) continue;
    if (c.method === "sendMessage") {
      const id = Number(c.result.message_id);
      messages.set(id, { text: String(c.payload.text), data: dataOf(c.payload.reply_markup) });
      last = id;
    } else if (c.method === "editMessageText") {
      messages.set(Number(c.payload.message_id), { text: String(c.payload.text), data: dataOf(c.payload.reply_markup) });
    } else if (c.method === "editMessageReplyMarkup") {
      const m = messages.get(Number(c.payload.message_id));
      if (m) m.data = dataOf(c.payload.reply_markup);
    }
  }
  return last === undefined ? undefined : { messageId: last, ...messages.get(last)! };
}

/**
 * Runs the learner's actions against bots that are killed at the `crashAt`-th Bot API call of
 * each action: the call reaches Telegram, its answer never comes back. A new bot then starts on
 * the same database; with `redeliver`, Telegram hands it the interrupted update again first.
 */
class CrashingRun {
  readonly telegram = new FakeTelegram();
  bot: TestBot;
  restarts = 0;
  private calls = Number.NEGATIVE_INFINITY;

  constructor(
    readonly dbPath: string,
    readonly yaml: string,
    readonly crashAt: number,
    readonly redeliver: boolean,
  ) {
    this.bot = new TestBot({ now: T0, dbPath, telegram: this.telegram });
    this.bot.loadCourse(yaml);
    this.telegram.failures.push(() => {
      if (++this.calls === this.crashAt) this.telegram.frozen = true;
      return undefined;
    });
  }

  user(id: number): TestUser {
    return this.bot.user(id);
  }

  private crashedLast = false;

  /**
   * Does one action; if the bot died on the way, restarts it (and maybe redelivers the update).
   * An action right after a restart runs to its end, so the learner can get past the point.
   */
  async act(update: Omit<Update, "update_id">, crash: boolean): Promise<void> {
    this.calls = crash && !this.crashedLast ? 0 : Number.NEGATIVE_INFINITY;
    this.crashedLast = false;
    let done = false;
    const id = 900_000 + Math.floor(Math.random() * 1e6) + this.restarts * 1e7;
    void this.bot.handle(update, id).then(() => (done = true));
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- set by the update running meanwhile
    for (let i = 0; i < 2000 && !done && !this.telegram.frozen; i++) await new Promise((r) => setImmediate(r));
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- set by the update running meanwhile
    if (done) return;
    this.crashedLast = true;
    expect(this.telegram.frozen, "the update neither finished nor reached Telegram").toBe(true);
    // kill -9: whatever was committed stays, the rest of the update never runs.
    this.bot.close();
    this.telegram.frozen = false;
    this.restarts++;
    kills++;
    this.bot = new TestBot({ now: T0, dbPath: this.dbPath, telegram: this.telegram });
    if (this.redeliver) await this.bot.handle(update, id);
  }
}

function pressUpdate(u: TestUser, data: string, messageId: number): Omit<Update, "update_id"> {
  return {
    callback_query: {
      id: `cb${Math.floor(Math.random() * 1e9)}`,
      from: u.from,
      chat_instance: `ci${u.id}`,
      data,
      message: { message_id: messageId, date: 0, chat: u.chat, text: "…" },
    },
  };
}

let kills = 0;
let runs = 0;
afterAll(() => {
  // At least 50 kills across the quiz and questionnaire runs, when they all ran.
  console.log(`[crash test] ${kills} kills in ${runs} runs`);
  if (runs === 12) expect(kills).toBeGreaterThanOrEqual(50);
});

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function freshDb(): string {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  return join(dir, "bot.sqlite");
}

// ---------------------------------------------------------------- quiz

const START = "2026-08-31";

function rightAnswer(q: QuizQuestion): string {
  if (q.kind === "text") return Object.values(q.accepted!)[0]![0]!.value;
  return String(q.numbers![0]!.value);
}

/** One step of a learner who answers everything right, looking only at the bottom of the chat. */
async function quizStep(run: CrashingRun, u: TestUser, crash: boolean): Promise<"done" | "acted"> {
  const db = run.bot.db;
  const screen = bottom(run.telegram, u.id);
  if (!screen) throw new Error("nothing on screen");
  if (screen.text.includes("Quiz finished")) return "done";
  const attempt = db
    .select()
    .from(quizAttempts)
    .all()
    .find((a) => a.learnerId === u.id)!;
  const bank = quizBank(db, attempt.quizId);
  const header = /Question (\d+) of (\d+)/.exec(screen.text);
  const answered = screen.text.includes("Your answer");
  if (!header || answered) {
    // Nothing to answer on screen: the learner writes something and waits for the question.
    await run.act(u.message("hello?"), crash);
    return "acted";
  }
  const item = Number(header[1]) - 1;
  const v = attempt.variant[item]!;
  const q = bank[v.q]!;
  let data: string;
  if (q.kind === "text" || q.kind === "number") {
    await run.act(u.message(rightAnswer(q)), crash);
    return "acted";
  } else if (q.kind === "truefalse") {
    data = quizChoice.encode(attempt.id, item, q.answer ? 1 : 0);
  } else if (q.kind === "single") {
    data = quizChoice.encode(attempt.id, item, v.order.indexOf(q.options!.findIndex((o) => o.weight >= 100)));
  } else {
    const w = effectiveWeights(q.options!);
    const want = v.order.reduce((m, bankIndex, shown) => (w[bankIndex]! > 0 ? m | (1 << shown) : m), 0);
    const done = screen.data.map((d) => quizDone.decode(d)).find((d) => d !== null)!;
    const have = done[2];
    if (have === want) data = quizDone.encode(attempt.id, item, have);
    else {
      const n = [...Array(v.order.length).keys()].find((i) => ((have ^ want) & (1 << i)) !== 0)!;
      data = quizToggle.encode(attempt.id, item, n, have);
    }
  }
  expect(screen.data, `the button ${data} is on screen`).toContain(data);
  await run.act(pressUpdate(u, data, screen.messageId), crash);
  return "acted";
}

describe("kill -9 at any point of a quiz", () => {
  it.each([
    [1, false],
    [1, true],
    [2, false],
    [2, true],
    [3, false],
    [3, true],
  ])("crash at the Bot API call %i of every answer (redelivered: %s): nothing lost, misplaced or doubled", async (crashAt, redeliver) => {
    runs++;
    const run = new CrashingRun(freshDb(), courseYaml({ start: START, quizzes: { 0: QUIZ_ALL_TYPES } }), crashAt, redeliver);
    const u = run.user(1);
    await u.send("/start");
    await u.press("enr!:python-101");
    await u.press("qz:python-101:0");
    await u.press(u.buttons().find((b) => b.data.startsWith("qs:"))!.data);
    let steps = 0;
    while ((await quizStep(run, run.user(1), true)) !== "done") {
      if (++steps > 60) throw new Error(`stuck: ${bottom(run.telegram, 1)?.text}`);
    }
    expect(run.restarts).toBeGreaterThanOrEqual(2);
    const attempt = run.bot.db.select().from(quizAttempts).all();
    expect(attempt).toHaveLength(1);
    expect(attempt[0]).toMatchObject({ score: 100, passed: true, endReason: "submitted" });
    const rows = attemptAnswers(run.bot.db, attempt[0]!.id);
    // One answer per question, each the one meant for it.
    expect(rows.map((r) => r.item)).toEqual([0, 1, 2, 3, 4]);
    const bank = quizBank(run.bot.db, attempt[0]!.quizId);
    for (const r of rows) {
      expect(r.correct, `item ${r.item}`).toBe(true);
      const q = bank[r.questionPosition]!;
      if (q.kind === "text" || q.kind === "number") expect(r.answer).toEqual({ kind: "text", text: rightAnswer(q) });
    }
    run.bot.close();
  });
});

// ---------------------------------------------------------------- questionnaire

const WANTED = { motivation: 4, level: "some", devices: ["phone", "tablet"], studied_online: true, hours: 12, goals: null };

/**
 * One step of a learner filling in the pre-course questionnaire from the bottom of the chat: on
 * the first summary they go back once and skip the optional question again, then submit.
 */
async function surveyStep(run: CrashingRun, u: TestUser, crash: boolean, state: { backDone: boolean }): Promise<"done" | "acted"> {
  const screen = bottom(run.telegram, u.id);
  if (!screen) throw new Error("nothing on screen");
  // The thanks, or (when the thanks was lost in a crash) the submitted answers shown on the next tap.
  if (screen.text.includes("Thank you") || screen.text.includes("You submitted the questionnaire")) return "done";
  const moves = screen.data.map((d) => surveyMove.decode(d)).filter((d) => d !== null);
  const values = screen.data.map((d) => surveyValue.decode(d)).filter((d) => d !== null);
  const toggles = screen.data.map((d) => surveyToggle.decode(d)).filter((d) => d !== null);
  const done = screen.data.map((d) => surveyDone.decode(d)).find((d) => d !== null);
  const press = (data: string) => run.act(pressUpdate(u, data, screen.messageId), crash);
  const submit = moves.find((m) => m[2] === "submit");
  if (submit) {
    const back = moves.find((m) => m[2] === "back")!;
    if (!state.backDone) {
      state.backDone = true;
      await press(surveyMove.encode(back[0], back[1], "back"));
    } else await press(surveyMove.encode(submit[0], submit[1], "submit"));
    return "acted";
  }
  const m = /question (\d+) of 6/.exec(screen.text);
  if (!m || screen.text.includes("✅")) {
    await run.act(u.message("hello?"), crash);
    return "acted";
  }
  const position = Number(m[1]) - 1;
  const rid = (moves[0] ?? values[0] ?? toggles[0] ?? done)![0];
  switch (position) {
    case 0:
      await press(surveyValue.encode(rid, 0, WANTED.motivation - 1));
      break;
    case 1:
      await press(surveyValue.encode(rid, 1, 1));
      break;
    case 2: {
      const want = 0b101;
      const have = done![2];
      if (have === want) await press(surveyDone.encode(rid, 2, have));
      else {
        const n = [0, 1, 2].find((i) => ((have ^ want) & (1 << i)) !== 0)!;
        await press(surveyToggle.encode(rid, 2, n, have));
      }
      break;
    }
    case 3:
      await press(surveyValue.encode(rid, 3, 1));
      break;
    case 4:
      await run.act(u.message(String(WANTED.hours)), crash);
      break;
    case 5:
      await press(surveyMove.encode(rid, 5, "skip"));
      break;
  }
  return "acted";
}

describe("kill -9 at any point of a questionnaire", () => {
  it.each([
    [1, false],
    [1, true],
    [2, false],
    [2, true],
    [3, false],
    [3, true],
  ])("crash at the Bot API call %i of every step (redelivered: %s): answers as meant, submitted once", async (crashAt, redeliver) => {
    runs++;
    const run = new CrashingRun(freshDb(), courseYaml({ extra: QUESTIONNAIRES_YAML }), crashAt, redeliver);
    const u = run.user(5);
    await u.send("/start");
    await u.press("enr!:python-101");
    await u.press("qn:python-101:pre");
    const state = { backDone: false };
    let steps = 0;
    while ((await surveyStep(run, run.user(5), true, state)) !== "done") {
      if (++steps > 60) {
        const all = run.telegram.calls
          .filter((c) => Number(c.payload.chat_id) === 5 || c.method === "answerCallbackQuery")
          .map((c) => `${c.method} ${c.payload.text ?? ""} ${JSON.stringify(c.payload.reply_markup ?? "")}`);
        const first = all.findIndex((x) => x.includes("I understand"));
        throw new Error(`stuck: ${all.slice(first - 12, first + 1).join("\n----\n")}`);
      }
    }
    expect(state.backDone).toBe(true);
    expect(run.restarts).toBeGreaterThanOrEqual(2);
    const r = getResponse(run.bot.db, 5, "python-101", "pre")!;
    expect(r.submittedAt).not.toBeNull();
    expect(answersOf(run.bot.db, r.id)).toEqual(WANTED);
    run.bot.close();
  });
});

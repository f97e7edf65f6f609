import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DAY, MINUTE } from "../src/clock.js";
import { quizButton } from "../src/messages/quizViews.js";
import { quizChoice, quizDone, quizToggle } from "../src/messages/callbackData.js";
import { quizAttemptsJob } from "../src/jobs/quizAttempts.js";
import { outboxMessages } from "../src/db/outboxRepo.js";
import { quizBank } from "../src/db/quizRepo.js";
import { attemptAnswers } from "../src/db/quizAttemptsRepo.js";
import { quizAnswers, quizAttempts, type QuizAttempt } from "../src/db/schema/index.js";
import { effectiveWeights } from "../src/domain/quiz.js";
import { translator } from "../src/messages/i18n.js";
import { courseYaml } from "./support/courses.js";
import { T0, tempDir, TestBot, type TestUser } from "./support/harness.js";
import { desc, eq } from "drizzle-orm";
import { readFileSync } from "node:fs";
import { tr } from "./support/quizzes.js";

/** One question of each type. */
const quiz = (extra = "") => `
pass_score: 60
attempts: 2
${extra}
questions:
  - type: single
    text: ${tr("Which prints text?")}
    options:
      - { text: ${tr("print()")}, correct: true }
      - { text: ${tr("input()")} }
      - { text: ${tr("len()")} }
    review: ${tr("Lesson 1.1: print()")}
  - type: multiple
    text: ${tr("Which are numbers?")}
    options:
      - { text: ${tr("int")}, correct: true }
      - { text: ${tr("float")}, correct: true }
      - { text: ${tr("str")} }
  - type: truefalse
    text: ${tr("Python is case-sensitive.")}
    answer: true
  - type: text
    text: ${tr("Name the function that reads a line.")}
    answers: { kk: [input], ru: [input, "input()"], en: [input, "input()"] }
  - type: number
    text: ${tr("What is 7 / 2?")}
    answer: 3.5
    tolerance: 0.01
`;

// python-101 starting 2026-08-31: module 1 is open at T0 (2026-09-01) until 2026-09-14 00:00 Almaty.
const START = "2026-08-31";
const MODULE1_CLOSES = Date.UTC(2026, 8, 13, 19, 0);

let tb: TestBot;
beforeEach(() => {
  tb = new TestBot({ now: T0 });
  tb.loadCourse(courseYaml({ start: START, quizzes: { 0: quiz("feedback: after_each"), 1: quiz("feedback: at_end") } }));
});
afterEach(() => tb.close());

async function enrolled(id: number, lang = "en", bot = tb): Promise<TestUser> {
  const u = bot.user(id, { lang });
  await u.send("/start");
  await u.press("enr!:python-101");
  return u;
}

function latestAttempt(u: TestUser, bot = tb): QuizAttempt {
  return bot.db.select().from(quizAttempts).where(eq(quizAttempts.learnerId, u.id)).orderBy(desc(quizAttempts.id)).get()!;
}

/** Starts (or continues) module k's quiz through the buttons, as a learner would. */
async function openQuiz(u: TestUser, k = 0): Promise<void> {
  await u.press(`qz:python-101:${k}`);
  const start = u.buttons().find((b) => b.data.startsWith("qs:"));
  if (!start) throw new Error(`no start button: ${u.lastText()}`);
  await u.press(start.data);
}

/** Answers item `item` of the attempt, right or wrong, through buttons or text. */
async function answer(u: TestUser, item: number, right: boolean, bot = tb): Promise<void> {
  const attempt = latestAttempt(u, bot);
  const v = attempt.variant[item]!;
  const q = quizBank(bot.db, attempt.quizId)[v.q]!;
  switch (q.kind) {
    case "single": {
      const correct = q.options!.findIndex((o) => o.weight >= 100);
      const bankIndex = right ? correct : (correct + 1) % q.options!.length;
      await u.press(quizChoice.encode(attempt.id, item, v.order.indexOf(bankIndex)));
      return;
    }
    case "multiple": {
      const w = effectiveWeights(q.options!);
      const shown = v.order.map((bankIndex, shownIndex) => ({ bankIndex, shownIndex }));
      const pick = shown.filter((x) => (right ? w[x.bankIndex]! > 0 : w[x.bankIndex]! <= 0));
      // Each keyboard carries the ticks shown on it, as the learner's taps would.
      let mask = 0;
      for (const x of pick) {
        await u.press(quizToggle.encode(attempt.id, item, x.shownIndex, mask));
        mask ^= 1 << x.shownIndex;
      }
      await u.press(quizDone.encode(attempt.id, item, mask));
      return;
    }
    case "truefalse":
      await u.press(quizChoice.encode(attempt.id, item, (right ? q.answer : !q.answer) ? 1 : 0));
      return;
    case "text": {
      const first = Object.values(q.accepted!)[0]![0]!.value;
      // Typed loosely on purpose: case and spaces do not matter.
      await u.send(right ? ` ${first.toUpperCase()} ` : "something else");
      return;
    }
    case "number": {
      const n = q.numbers![0]!.value;
      await u.send(right ? String(n).replace(".", ",") : String(n + 1000));
      return;
    }
  }
}

async function answerAll(u: TestUser, right: boolean | ((item: number) => boolean), bot = tb): Promise<void> {
  const n = latestAttempt(u, bot).variant.length;
  for (let i = 0; i < n; i++) await answer(u, i, typeof right === "function" ? right(i) : right, bot);
}

describe("taking a quiz", () => {
  it("/quiz lists the quizzes of the enrolled course with their deadlines and opens the card", async () => {
    const u = await enrolled(1);
    await u.send("/quiz");
    expect(u.lastText()).toContain("Week 1: Module 1");
    expect(u.lastText()).toContain("Open until September 13, 2026 at 23:59");
    expect(u.lastText()).toContain("Opens on September 7, 2026");
    expect(u.buttons().map((b) => b.data)).toEqual(["qz:python-101:0"]);
    await u.press("qz:python-101:0");
    expect(u.lastText()).toContain("Pass score: 60%");
    expect(u.lastText()).toContain("Attempts: 0 of 2 used");
    expect(u.buttons()[0]).toEqual({ text: "▶️ Start attempt 1", data: "qs:1" });
  });

  it("every question type, options shuffled per learner, scored right, every answer stored as given", async () => {
    const a = await enrolled(1);
    const b = await enrolled(2);
    await openQuiz(a);
    await openQuiz(b);
    const va = latestAttempt(a).variant;
    const vb = latestAttempt(b).variant;
    expect(va).not.toEqual(vb);
    await answerAll(a, true);
    await answerAll(b, true);
    for (const u of [a, b]) {
      expect(u.lastText()).toContain("Quiz finished: 100%");
      expect(u.lastText()).toContain("passed");
      const att = latestAttempt(u);
      expect(att).toMatchObject({ score: 100, passed: true, endReason: "submitted" });
      const rows = attemptAnswers(tb.db, att.id);
      expect(rows).toHaveLength(5);
      expect(rows.every((r) => r.correct && r.score === 1)).toBe(true);
    }
    const texts = attemptAnswers(tb.db, latestAttempt(a).id).map((r) => r.answer);
    expect(texts).toContainEqual({ kind: "text", text: "INPUT" });
    expect(texts).toContainEqual({ kind: "text", text: "3,5" });
  });

  it("shows right or wrong after each answer, and what to review when wrong", async () => {
    const u = await enrolled(1);
    await openQuiz(u);
    const items = latestAttempt(u).variant;
    const singleItem = items.findIndex((v) => v.q === 0);
    await answerAll(u, (i) => i !== singleItem);
    const texts = u.texts().join("\n");
    expect(texts).toContain("❌ Not correct.");
    expect(texts).toContain("📖 Review: Lesson 1.1: print()");
    expect(u.lastText()).toContain("Quiz finished: 80%");
    expect(u.lastText()).toContain("What to review:");
    expect(u.lastText()).toContain(`Question ${singleItem + 1}: 📖 Review: Lesson 1.1: print()`);
    expect(u.lastText()).toContain("You may improve your score: 1 attempt left, until September 13, 2026 at 23:59");
  });

  it("with feedback at_end, answers are only saved until the result", async () => {
    tb.clock.set(T0 + 7 * DAY);
    const u = await enrolled(1, "ru");
    await openQuiz(u, 1);
    await answerAll(u, false);
    const texts = u.texts();
    expect(texts.some((t) => t.includes("Ответ сохранён."))).toBe(true);
    expect(texts.some((t) => t.includes("Неправильно"))).toBe(false);
    expect(u.lastText()).toContain("Тест завершён: 0%");
    expect(u.lastText()).toContain("пока не пройден");
    expect(u.lastText()).toContain("Можно попробовать ещё раз: осталась 1 попытка");
  });

  it("speaks the learner's language in questions and buttons", async () => {
    const u = await enrolled(1, "kk");
    await openQuiz(u);
    expect(u.lastText()).toContain("Сұрақ 1/5");
    expect(u.lastText()).toContain("(kk)");
  });
});

describe("true/false questions", () => {
  it("buttons say True/False (kk Ақиқат/Жалған, ru Верно/Неверно) without ✅/❌, so a right answer never reads «❌ False — ✅ Correct»", async () => {
    const labels = { en: ["True", "False"], ru: ["Верно", "Неверно"], kk: ["Ақиқат", "Жалған"] } as const;
    const verdict = { en: "✅ Correct!", ru: "✅ Правильно!", kk: "✅ Дұрыс!" } as const;
    for (const [i, lang] of (["en", "ru", "kk"] as const).entries()) {
      const u = await enrolled(40 + i, lang);
      await openQuiz(u);
      const items = latestAttempt(u).variant;
      let seen = false;
      for (let item = 0; item < items.length; item++) {
        const attempt = latestAttempt(u);
        if (quizBank(tb.db, attempt.quizId)[attempt.variant[item]!.q]!.kind !== "truefalse") {
          await answer(u, item, true);
          continue;
        }
        expect(u.buttons().map((b) => b.text)).toEqual(expect.arrayContaining([...labels[lang]]));
        for (const b of u.buttons()) expect(b.text).not.toMatch(/[✅❌]/);
        await answer(u, item, true); // the statement is true
        const shown = u.texts().find((t) => t.includes(`<b>${labels[lang][0]}</b>`))!;
        expect(shown).toContain(verdict[lang]);
        expect(shown).not.toContain("❌");
        seen = true;
        break;
      }
      expect(seen).toBe(true);
    }
  });
});

describe("bad input during a quiz", () => {
  it("text where a button is expected gets a clear message and the same question again", async () => {
    const u = await enrolled(1);
    await openQuiz(u);
    const question = u.lastText();
    const buttons = u.buttons();
    await u.send("I think A");
    const texts = u.texts();
    expect(texts[texts.length - 2]).toContain("Please answer this question with the buttons");
    expect(u.lastText()).toBe(question);
    expect(u.buttons()).toEqual(buttons);
    expect(tb.db.select().from(quizAnswers).all()).toHaveLength(0);
  });

  it("a number question refuses text that is not a number and asks again", async () => {
    const u = await enrolled(1);
    await openQuiz(u);
    const items = latestAttempt(u).variant;
    const numberItem = items.findIndex((v) => v.q === 4);
    for (let i = 0; i < numberItem; i++) await answer(u, i, true);
    await u.send("three and a half");
    expect(u.texts().at(-2)).toContain("“three and a half” is not a number");
    expect(u.lastText()).toContain("What is 7 / 2?");
    await u.send("3.5");
    expect(attemptAnswers(tb.db, latestAttempt(u).id).find((a) => a.questionPosition === 4)?.correct).toBe(true);
  });

  it("multiple choice needs a choice before Done, and toggles are shown on the buttons", async () => {
    const u = await enrolled(1);
    await openQuiz(u);
    const att = latestAttempt(u);
    const item = att.variant.findIndex((v) => v.q === 1);
    for (let i = 0; i < item; i++) await answer(u, i, true);
    await u.press(quizDone.encode(att.id, item, 0));
    expect(u.lastAlert()).toBe("Choose at least one answer first, then press “Done”.");
    await u.press(quizToggle.encode(att.id, item, 0, 0));
    const markup = tb.telegram.callsOf("editMessageReplyMarkup").at(-1)!.payload.reply_markup.inline_keyboard.flat();
    expect(markup[0].text).toBe("☑️ A");
    expect(markup[1].text).toBe("⬜ B");
  });

  it("a double tap on an answer counts once", async () => {
    const u = await enrolled(1);
    await openQuiz(u);
    const att = latestAttempt(u);
    await answer(u, 0, true);
    await answer(u, 0, false);
    expect(u.lastAlert()).toContain("already answered");
    const rows = attemptAnswers(tb.db, att.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.correct).toBe(true);
  });

  it("buttons of a finished attempt never count again, and forged ones are refused", async () => {
    const u = await enrolled(1);
    await openQuiz(u);
    const att = latestAttempt(u);
    await answerAll(u, true);
    await u.press(quizChoice.encode(att.id, 0, 0));
    expect(u.lastAlert()).toContain("This attempt is finished");
    await u.press(quizChoice.encode(99999, 0, 0));
    expect(u.lastAlert()).toContain("out of date");
    const other = await enrolled(2);
    await other.press(quizChoice.encode(att.id, 0, 0));
    expect(other.lastAlert()).toContain("out of date");
    expect(attemptAnswers(tb.db, att.id)).toHaveLength(5);
    expect(latestAttempt(u).score).toBe(100);
  });

  it("other commands still work during a quiz, and the quiz waits at its question", async () => {
    const u = await enrolled(1);
    await openQuiz(u);
    await u.send("/progress");
    expect(u.lastText()).toContain("Your progress");
    await u.send("/frobnicate");
    expect(u.lastText()).toContain("I do not know the command /frobnicate");
    await answerAll(u, true);
    expect(u.lastText()).toContain("Quiz finished: 100%");
  });
});

describe("forged and out-of-range buttons", () => {
  it("an option number the question does not have, or another item's button, is refused and nothing is stored", async () => {
    const u = await enrolled(1);
    await openQuiz(u);
    const att = latestAttempt(u);
    await u.press(quizChoice.encode(att.id, 0, 99));
    expect(u.lastAlert()).toContain("does not count again");
    await u.press(quizChoice.encode(att.id, 3, 0));
    expect(u.lastAlert()).toContain("does not count again");
    await u.press(quizToggle.encode(att.id, 4, 1, 0));
    expect(u.lastAlert()).toContain("does not count again");
    expect(attemptAnswers(tb.db, att.id)).toHaveLength(0);
    // The quiz still waits at question 1 and takes a real answer.
    await answer(u, 0, true);
    expect(attemptAnswers(tb.db, att.id)).toHaveLength(1);
  });
});

describe("course files changing under a running quiz", () => {
  it("questions removed from the bank mid-attempt are skipped and count 0; the quiz still finishes", async () => {
    const u = await enrolled(1);
    await openQuiz(u);
    await u.send("/cancel");
    // The author drops the last two questions (text and number) and reloads.
    const shorter = quiz().slice(0, quiz().indexOf("  - type: text"));
    tb.loadCourse(courseYaml({ start: START, quizzes: { 0: shorter, 1: quiz() } }));
    await openQuiz(u);
    const att = latestAttempt(u);
    const kept = att.variant.map((v, i) => ({ v, i })).filter((x) => x.v.q < 3);
    for (const { i } of kept) await answer(u, i, true);
    expect(u.lastText()).toContain("Quiz finished: 60%");
    expect(u.lastText()).toContain("2 questions were not answered");
  });
});

describe("pausing and restarts", () => {
  it("/cancel pauses; the quiz continues later at the same question", async () => {
    const u = await enrolled(1);
    await openQuiz(u);
    await answer(u, 0, true);
    await answer(u, 1, true);
    await u.send("/cancel");
    expect(u.lastText()).toContain("Quiz paused");
    await u.send("/cancel");
    expect(u.lastText()).toContain("nothing to cancel");
    await u.send("/quiz");
    expect(u.lastText()).toContain("Attempt in progress");
    await openQuiz(u);
    expect(u.texts().at(-2)).toContain("2 of 5 questions answered");
    expect(u.lastText()).toContain("Question 3 of 5");
    for (let i = 2; i < 5; i++) await answer(u, i, true);
    expect(u.lastText()).toContain("Quiz finished: 100%");
    expect(latestAttempt(u).attemptNo).toBe(1);
  });

  it("a restart in the middle resumes at the same question (new bot, same database)", async () => {
    const { dir, cleanup } = tempDir();
    const dbPath = `${dir}/bot.sqlite`;
    try {
      const first = new TestBot({ now: T0, dbPath });
      first.loadCourse(courseYaml({ start: START, quizzes: { 0: quiz() } }));
      const u1 = await enrolled(1, "en", first);
      await openQuiz(u1);
      await answer(u1, 0, true, first);
      await answer(u1, 1, true, first);
      expect(u1.lastText()).toContain("Question 3 of 5");
      first.close();

      const second = new TestBot({ now: T0 + 5 * MINUTE, dbPath });
      const u2 = second.user(1);
      await answer(u2, 2, true, second);
      expect(attemptAnswers(second.db, latestAttempt(u2, second).id).map((a) => a.item)).toEqual([0, 1, 2]);
      expect(u2.lastText()).toContain("Question 4 of 5");
      await answer(u2, 3, true, second);
      await answer(u2, 4, true, second);
      expect(u2.lastText()).toContain("Quiz finished: 100%");
      second.close();
    } finally {
      cleanup();
    }
  });

  it("a restart between the toggles of a multiple-choice question keeps the choices made", async () => {
    const { dir, cleanup } = tempDir();
    const dbPath = `${dir}/bot.sqlite`;
    try {
      const first = new TestBot({ now: T0, dbPath });
      first.loadCourse(courseYaml({ start: START, quizzes: { 0: quiz() } }));
      const u1 = await enrolled(1, "en", first);
      await openQuiz(u1);
      const att = latestAttempt(u1, first);
      const item = att.variant.findIndex((v) => v.q === 1);
      for (let i = 0; i < item; i++) await answer(u1, i, true, first);
      const shownCorrect = att.variant[item]!.order.map((b, shown) => ({ b, shown })).filter((x) => x.b < 2);
      await u1.press(quizToggle.encode(att.id, item, shownCorrect[0]!.shown, 0));
      // The ticks are on the keyboard the learner sees, so they survive the restart with it.
      const ticked = first.telegram.callsOf("editMessageReplyMarkup").at(-1)!;
      const afterFirst = 1 << shownCorrect[0]!.shown;
      expect(ticked.payload.reply_markup.inline_keyboard.flat().at(-1).callback_data).toBe(quizDone.encode(att.id, item, afterFirst));
      first.close();

      const second = new TestBot({ now: T0, dbPath });
      const u2 = second.user(1);
      await u2.press(quizToggle.encode(att.id, item, shownCorrect[1]!.shown, afterFirst));
      await u2.press(quizDone.encode(att.id, item, afterFirst | (1 << shownCorrect[1]!.shown)));
      const row = attemptAnswers(second.db, att.id).find((a) => a.item === item)!;
      expect(row).toMatchObject({ correct: true, score: 1 });
      expect(row.answer).toEqual({
        kind: "choice",
        options: [0, 1].sort((a, b) => att.variant[item]!.order.indexOf(a) - att.variant[item]!.order.indexOf(b)),
      });
      second.close();
    } finally {
      cleanup();
    }
  });

  it("an old question button after a pause continues the quiz instead of counting", async () => {
    const u = await enrolled(1);
    await openQuiz(u);
    await u.send("/cancel");
    await u.press(quizChoice.encode(latestAttempt(u).id, 0, 0));
    expect(u.lastAlert()).toBe("Continuing your quiz…");
    expect(attemptAnswers(tb.db, latestAttempt(u).id)).toHaveLength(0);
    expect(u.lastText()).toContain("Question 1 of 5");
    // The old question stays as it was: the intro comes as a new message, not an edit.
    expect(tb.telegram.calls.at(-2)).toMatchObject({ method: "sendMessage" });
  });
});

describe("deadlines, attempts and time limits", () => {
  it("refuses after the deadline with the date it closed", async () => {
    const u = await enrolled(1);
    tb.clock.set(MODULE1_CLOSES);
    await u.press("qz:python-101:0");
    expect(u.lastText()).toContain("Closed on September 13, 2026 at 23:59");
    expect(u.buttons().some((b) => b.data.startsWith("qs:"))).toBe(false);
    await u.press("qs:1");
    expect(u.lastAlert()).toContain("Closed on September 13, 2026 at 23:59: new attempts are not accepted");
    expect(tb.db.select().from(quizAttempts).all()).toHaveLength(0);
  });

  it("one minute before the deadline a new attempt still starts", async () => {
    const u = await enrolled(1);
    tb.clock.set(MODULE1_CLOSES - MINUTE);
    await openQuiz(u);
    expect(u.lastText()).toContain("Question 1 of 5");
  });

  it("an answer after the deadline does not count; the attempt is graded with what was given", async () => {
    const u = await enrolled(1);
    tb.clock.set(MODULE1_CLOSES - 10 * MINUTE);
    await openQuiz(u);
    await answer(u, 0, true);
    tb.clock.set(MODULE1_CLOSES);
    await answer(u, 1, true);
    expect(u.texts().at(-2)).toContain("came too late and does not count");
    expect(u.lastText()).toContain("Quiz finished: 20%");
    expect(u.lastText()).toContain("4 questions were not answered and count 0");
    expect(latestAttempt(u)).toMatchObject({ score: 20, endReason: "deadline", finishedAt: MODULE1_CLOSES });
  });

  it("attempts are limited; each attempt gets its own variant", async () => {
    const u = await enrolled(1);
    await openQuiz(u);
    const first = latestAttempt(u).variant;
    await answerAll(u, false);
    expect(u.lastText()).toContain("Review the material above first");
    await openQuiz(u);
    expect(latestAttempt(u).attemptNo).toBe(2);
    expect(latestAttempt(u).variant).not.toEqual(first);
    await answerAll(u, true);
    expect(u.lastText()).toContain("That was your last attempt");
    await u.press("qz:python-101:0");
    expect(u.lastText()).toContain("All 2 attempts used");
    expect(u.lastText()).toContain("Your score (best attempt): 100%");
    await u.press("qs:1");
    expect(u.lastAlert()).toContain("All 2 attempts used");
    expect(tb.db.select().from(quizAttempts).all()).toHaveLength(2);
  });

  it("a double tap on Start opens one attempt", async () => {
    const u = await enrolled(1);
    await u.press("qs:1");
    await u.press("qs:1");
    expect(tb.db.select().from(quizAttempts).all()).toHaveLength(1);
    expect(u.lastText()).toContain("Question 1 of 5");
  });

  it("a time limit ends the attempt: late answers do not count, the rest is 0", async () => {
    tb.close();
    tb = new TestBot({ now: T0 });
    tb.loadCourse(courseYaml({ start: START, quizzes: { 0: quiz("time_limit_minutes: 10") } }));
    const u = await enrolled(1);
    await openQuiz(u);
    expect(u.texts().at(-2)).toContain("Time limit 10 min");
    await answer(u, 0, true);
    await answer(u, 1, true);
    tb.clock.advance(11 * MINUTE);
    await answer(u, 2, true);
    expect(u.lastText()).toContain("Quiz finished: 40%");
    expect(u.lastText()).toContain("The time limit ended the attempt");
    expect(attemptAnswers(tb.db, latestAttempt(u).id)).toHaveLength(2);
  });

  it("an abandoned attempt past its time is closed when the learner looks at /progress", async () => {
    tb.close();
    tb = new TestBot({ now: T0 });
    tb.loadCourse(courseYaml({ start: START, quizzes: { 0: quiz("time_limit_minutes: 10") } }));
    const u = await enrolled(1);
    await openQuiz(u);
    await answer(u, 0, true);
    await u.send("/cancel");
    tb.clock.advance(HOUR_AND_A_BIT);
    await u.send("/progress");
    expect(latestAttempt(u)).toMatchObject({ score: 20, endReason: "time_up" });
    expect(u.lastText()).toContain("20% ✗ (pass 60%)");
  });

  it("a scheduled job closes an abandoned attempt at its time limit and tells the learner once", async () => {
    tb.close();
    tb = new TestBot({ now: T0 });
    tb.loadCourse(courseYaml({ start: START, quizzes: { 0: quiz("time_limit_minutes: 10") } }));
    const u = await enrolled(1, "ru");
    await openQuiz(u);
    await answer(u, 0, true);
    await answer(u, 1, true);
    const job = quizAttemptsJob(tb.db, () => {});
    await job.run(tb.clock.now() + 9 * MINUTE);
    // (Enrolling in the running course also queued the week's announcement: not this job's.)
    const quizRows = () => outboxMessages(tb.db).filter((r) => r.kind !== "announcement");
    expect(quizRows()).toHaveLength(0);
    await job.run(tb.clock.now() + 10 * MINUTE);
    await job.run(tb.clock.now() + 11 * MINUTE);
    const rows = quizRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ chatId: u.id, dedupeKey: `quiz-ended:${latestAttempt(u).id}` });
    expect(String(rows[0]!.payload.text)).toContain("Результат: <b>40%</b> (проходной балл 60%)");
    expect(String(rows[0]!.payload.text)).toContain("по ограничению времени");
    expect(latestAttempt(u)).toMatchObject({ score: 40, endReason: "time_up", finishedAt: latestAttempt(u).startedAt + 10 * MINUTE });
    // The learner comes back and answers the open question: too late, and the result again.
    tb.clock.advance(20 * MINUTE);
    await answer(u, 2, true);
    expect(u.texts().at(-2)).toContain("слишком поздно");
    expect(u.lastText()).toContain("Тест завершён: 40%");
  });

  it("learners who are not enrolled get a clear message", async () => {
    const u = tb.user(5);
    await u.send("/quiz");
    expect(u.lastText()).toContain("You are not enrolled in any course");
    await u.press("qs:1");
    expect(u.lastAlert()).toContain("Quizzes are for the enrolled learners");
    await u.press("qz:python-101:0");
    expect(u.lastText()).toContain("Quizzes are for the enrolled learners");
  });
});

const HOUR_AND_A_BIT = 61 * MINUTE;

describe("progress", () => {
  it("/progress shows module scores, open quizzes with deadlines, course progress and status", async () => {
    const u = await enrolled(1);
    await openQuiz(u);
    await answerAll(u, true);
    await u.send("/progress");
    const text = u.lastText();
    expect(text).toContain("Course progress: 50%");
    expect(text).toContain("course passed (certificate from 85%)");
    expect(text).toContain("Week 1: Module 1: 100% ✅ (pass 60%)");
    expect(text).toContain("Week 2: Module 2: no result yet");
    expect(text).toContain("Opens on September 7, 2026");

    tb.clock.set(T0 + 7 * DAY);
    await openQuiz(u, 1);
    await answerAll(u, (i) => i < 4);
    await u.send("/progress");
    expect(u.lastText()).toContain("Course progress: 90%");
    expect(u.lastText()).toContain("certificate level reached: the certificate is issued when the course ends");
  });

  it("a skipped quiz counts 0: one module at 70% of two is not completed", async () => {
    const u = await enrolled(1);
    await openQuiz(u);
    await answerAll(u, (i) => i < 3);
    tb.clock.set(T0 + 30 * DAY);
    await u.send("/progress");
    expect(u.lastText()).toContain("Course progress: 30%");
    expect(u.lastText()).toContain("not completed yet (40% needed to pass)");
    expect(u.lastText()).toContain("Closed on September 20, 2026 at 23:59");
  });
});

describe("the quiz button for other features", () => {
  it("opens the module's quiz card, and says so when a module has no quiz", async () => {
    const t = translator("en");
    const button = quizButton(t, "python-101", 0);
    expect(button).toEqual({ text: "📝 Week 1 quiz", callback_data: "qz:python-101:0" });
    const u = await enrolled(1);
    await u.press(button.callback_data);
    expect(u.lastText()).toContain("Pass score: 60%");
    await u.press(quizButton(t, "python-101", 3).callback_data);
    expect(u.lastAlert()).toBe("This module has no quiz.");
    await u.press(quizButton(t, "gone-course", 0).callback_data);
    expect(u.lastAlert()).toContain("no longer available");
  });
});

describe("the demo course", () => {
  it.each(["kk", "ru", "en"])("every module's quiz can be taken in %s, and all of them right gives the certificate", async (lang) => {
    const demo = new TestBot({ now: T0 });
    try {
      demo.loadCourse(readFileSync("courses/intro-programming.yaml", "utf8"), { baseDir: "courses" });
      const u = demo.user(1, { lang });
      await u.send("/start");
      await u.press("enr!:intro-programming");
      await u.send("/quiz");
      // Module 1 is open right after start (the demo course began 3 days ago).
      expect(u.buttons().map((b) => b.data)).toEqual(["qz:intro-programming:0"]);
      const sizes = [10, 11, 12, 10];
      for (let k = 0; k < 4; k++) {
        demo.clock.set(T0 + 7 * k * DAY);
        await u.press(`qz:intro-programming:${k}`);
        await u.press(u.buttons().find((b) => b.data.startsWith("qs:"))!.data);
        const attempt = latestAttempt(u, demo);
        expect(attempt.variant).toHaveLength(sizes[k]!);
        const kinds = new Set(quizBank(demo.db, attempt.quizId).map((q) => q.kind));
        expect([...kinds].sort()).toEqual(["multiple", "number", "single", "text", "truefalse"]);
        await answerAll(u, true, demo);
        expect(latestAttempt(u, demo)).toMatchObject({ score: 100, passed: true });
      }
      await u.send("/progress");
      expect(u.lastText()).toContain("🎓");
    } finally {
      demo.close();
    }
  });
});

describe("quizzes and questionnaires in one chat", () => {
  it("opening the questionnaire leaves the quiz, which continues later at the same question", async () => {
    const demo = new TestBot({ now: T0 });
    try {
      demo.loadCourse(readFileSync("courses/intro-programming.yaml", "utf8"), { baseDir: "courses" });
      const u = demo.user(1);
      await u.send("/start");
      await u.press("enr!:intro-programming");
      await openQuizOf(u, "intro-programming");
      await answer(u, 0, true, demo);
      await u.press("qn:intro-programming:pre");
      expect(u.lastText()).toContain("Have you written programs before?");
      // The questionnaire's buttons go to the questionnaire, not to the quiz.
      await u.press(u.buttons()[0]!.data);
      expect(attemptAnswers(demo.db, latestAttempt(u, demo).id)).toHaveLength(1);
      await openQuizOf(u, "intro-programming");
      expect(u.texts().at(-2)).toContain("1 of 10 questions answered");
      expect(u.lastText()).toContain("Question 2 of 10");
      await answer(u, 1, true, demo);
      expect(attemptAnswers(demo.db, latestAttempt(u, demo).id)).toHaveLength(2);
    } finally {
      demo.close();
    }
  });
});

async function openQuizOf(u: TestUser, course: string): Promise<void> {
  await u.press(`qz:${course}:0`);
  await u.press(u.buttons().find((b) => b.data.startsWith("qs:"))!.data);
}

describe("quiz statistics for authors", () => {
  it("/quizstats shows takers, passes, the hardest questions and flags identical wrong free-text answers", async () => {
    const learners = [await enrolled(101), await enrolled(102), await enrolled(103)];
    for (const u of learners) {
      await openQuiz(u);
      // Everyone gets the text question wrong with the same answer; 103 also misses the single choice.
      const v = latestAttempt(u).variant;
      await answerAll(u, (i) => v[i]!.q !== 3 && !(u.id === 103 && v[i]!.q === 0));
    }
    const author = tb.user(900);
    await author.send("/quizstats python-101");
    const text = author.lastText();
    expect(text).toContain("Quiz statistics: Introduction to Python");
    expect(text).toContain("Took it: 3 · ✅ passed: 3 · average score: 73.3%");
    expect(text).toContain("№4 “Name the function that reads a line.” — 0% right (answers: 3)");
    expect(text).toContain("№1 “Which prints text?” — 67% right (answers: 3)");
    expect(text).toContain(
      "The same wrong answer “something else” to №4 “Name the function that reads a line.” from 3 learners (ids: 101, 102, 103)",
    );

    const learner = learners[0]!;
    await learner.send("/quizstats");
    expect(learner.lastText()).toContain("only for the course authors");
    await author.send("/quizstats nope");
    expect(author.lastText()).toContain("could not find a course called “nope”");
  });
});

describe("Telegram errors inside the quiz conversation", () => {
  it("a 429 from inside the conversation is waited out and the question still arrives", async () => {
    const u = await enrolled(77);
    let throttled = 0;
    tb.telegram.failures.push((c) =>
      c.method === "sendMessage" && throttled++ === 0
        ? { error_code: 429, description: "Too Many Requests: retry after 0", parameters: { retry_after: 0 } }
        : undefined,
    );
    await openQuiz(u);
    expect(throttled).toBeGreaterThan(1);
    expect(latestAttempt(u)).toBeDefined();
    expect(u.buttons().some((b) => b.data.startsWith("qzc:") || b.data.startsWith("qzt:"))).toBe(true);
  });

  it("never sends an empty keyboard row, inside or outside conversations", async () => {
    const u = await enrolled(78);
    await u.send("/courses");
    await openQuiz(u);
    for (const call of tb.telegram.calls) {
      const rows = (call.payload.reply_markup?.inline_keyboard ?? []) as unknown[][];
      expect(
        rows.every((r) => r.length > 0),
        `${call.method}: ${JSON.stringify(rows)}`,
      ).toBe(true);
    }
  });
});

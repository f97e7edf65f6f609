/**
 * Issue 10 item 1 through the real pipeline: attempt review under each `review_after` policy (the
 * deadline edge under `close`), the attempts on the quiz card, buttons of another learner or
 * forged ones, every question type on its review page, long attempts, and the quiz buttons of the
 * weekly announcement and the course card.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { desc, eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DAY, MINUTE } from "../src/clock.js";
import { validateCourseText } from "../src/courses/validate.js";
import { quizBank } from "../src/db/quizRepo.js";
import { quizAttempts, type QuizAttempt } from "../src/db/schema/index.js";
import { effectiveWeights, matchingChoices } from "../src/domain/quiz.js";
import { quizChoice, quizDone, quizMatch, quizToggle, reviewButton, reviewOpenButton } from "../src/messages/callbackData.js";
import { queueAnnouncements } from "../src/jobs/announcements.js";
import { courseYaml } from "./support/courses.js";
import { T0, tempDir, TestBot, type TestUser } from "./support/harness.js";
import { tr } from "./support/quizzes.js";

const quiz = (extra = "") => `
pass_score: 60
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
    feedback: ${tr("int and float are numeric types")}
  - type: truefalse
    text: ${tr("Python is case-sensitive.")}
    answer: true
  - type: text
    text: ${tr("Name the function that reads a line.")}
    answers: { kk: [input], ru: [input], en: [input] }
  - type: number
    text: ${tr("What is 7 / 2?")}
    answer: 3.5
    tolerance: 0.01
`;

// Module 1 (index 0) is open at T0 (2026-09-01) until 2026-09-14 00:00 Almaty.
const START = "2026-08-31";
const MODULE1_CLOSES = Date.UTC(2026, 8, 13, 19, 0);

let tb: TestBot;
beforeEach(() => {
  tb = new TestBot({ now: T0 });
  tb.loadCourse(
    courseYaml({
      start: START,
      quizzes: { 0: quiz(), 1: quiz("attempts: 1\nreview_after: attempt"), 2: quiz("review_after: never\nfeedback: at_end") },
    }),
  );
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

async function openQuiz(u: TestUser, k = 0, courseId = "python-101"): Promise<void> {
  await u.press(`qz:${courseId}:${k}`);
  const start = u.buttons().find((b) => b.data.startsWith("qs:"));
  if (!start) throw new Error(`no start button: ${u.lastText()}`);
  await u.press(start.data);
}

/** Answers item `item` right or wrong, as a learner would (buttons or a typed message). */
async function answer(u: TestUser, item: number, right: boolean, bot = tb): Promise<void> {
  const attempt = latestAttempt(u, bot);
  const v = attempt.variant[item]!;
  const q = quizBank(bot.db, attempt.quizId)[v.q]!;
  switch (q.kind) {
    case "single": {
      const correct = q.options!.findIndex((o) => o.weight >= 100);
      await u.press(quizChoice.encode(attempt.id, item, v.order.indexOf(right ? correct : (correct + 1) % q.options!.length)));
      return;
    }
    case "multiple": {
      const w = q.moodle ? q.options!.map((o) => o.weight) : effectiveWeights(q.options!);
      let mask = 0;
      for (const [shown, bankIndex] of v.order.entries()) {
        if (right ? w[bankIndex]! > 0 : w[bankIndex]! <= 0) {
          await u.press(quizToggle.encode(attempt.id, item, shown, mask));
          mask ^= 1 << shown;
        }
      }
      await u.press(quizDone.encode(attempt.id, item, mask));
      return;
    }
    case "truefalse":
      await u.press(quizChoice.encode(attempt.id, item, (right ? q.answer : !q.answer) ? 1 : 0));
      return;
    case "text":
      await u.send(right ? Object.values(q.accepted!)[0]![0]!.value : "something else");
      return;
    case "number":
      await u.send(right ? String(q.numbers![0]!.value) : "1000");
      return;
    case "matching": {
      const choices = matchingChoices(q);
      for (const [step, pair] of q.pairs!.entries()) {
        const rightIndex = choices.findIndex((c) => JSON.stringify(c) === JSON.stringify(pair.answer));
        // Wrong: the first pair gets the second pair's answer.
        const pick = right || step > 0 ? rightIndex : (rightIndex + 1) % choices.length;
        await u.press(quizMatch.encode(attempt.id, item, step, v.order.indexOf(pick)));
      }
      return;
    }
  }
}

/** Takes a whole attempt; `right(kind)` says which question kinds to get right. */
async function takeQuiz(u: TestUser, k: number, right: (kind: string) => boolean, bot = tb, courseId = "python-101"): Promise<QuizAttempt> {
  await openQuiz(u, k, courseId);
  const attempt = latestAttempt(u, bot);
  const bank = quizBank(bot.db, attempt.quizId);
  for (let i = 0; i < attempt.variant.length; i++) await answer(u, i, right(bank[attempt.variant[i]!.q]!.kind), bot);
  return latestAttempt(u, bot);
}

const buttonData = (u: TestUser) => u.buttons().map((b) => b.data);

describe("review_after: close (the default)", () => {
  it("lists the attempt on the quiz card; before the deadline review says when it opens, after it the answers show", async () => {
    const u = await enrolled(1);
    const a = await takeQuiz(u, 0, (kind) => kind === "single" || kind === "truefalse");
    expect(a.finishedAt).not.toBeNull();
    // The result carries no review button: right answers wait for the deadline.
    expect(buttonData(u)).not.toContain(reviewOpenButton.encode(a.id));

    await u.press("qz:python-101:0");
    const card = u.lastText();
    expect(card).toContain("Your attempts:");
    expect(card).toContain("Attempt 1: 40% · September 1, 2026");
    expect(card).toContain("Review with the right answers opens after the deadline: September 13, 2026 at 23:59.");
    expect(buttonData(u)).toContain(reviewOpenButton.encode(a.id));

    // A minute before the deadline: refused with the date, nothing sent.
    tb.clock.set(MODULE1_CLOSES - MINUTE);
    const before = tb.telegram.calls.length;
    await u.press(reviewOpenButton.encode(a.id));
    expect(u.lastAlert()).toBe("Review with the right answers opens after the quiz's deadline: September 13, 2026 at 23:59.");
    expect(tb.telegram.calls.slice(before).filter((c) => c.method === "sendMessage")).toHaveLength(0);
    // The page buttons are checked the same way (an old summary cannot leak answers early).
    await u.press(reviewButton.encode(a.id, 2));
    expect(u.lastAlert()).toContain("opens after the quiz's deadline");

    // At the deadline it opens: a new message with the summary, keeping the card.
    tb.clock.set(MODULE1_CLOSES);
    await u.press(reviewOpenButton.encode(a.id));
    const summary = u.lastText();
    expect(tb.telegram.calls.at(-1)!.method).toBe("sendMessage");
    expect(summary).toContain("Review of attempt 1");
    expect(summary).toContain("Score: 40% — not passed (pass score 60%)");
    expect(summary).toContain("Fully right: 2 of 5");
    expect(summary).toMatch(/\d\. ✅ Which prints text\?/);
    expect(summary).toMatch(/\d\. ❌ Which are numbers\?/);
    expect(buttonData(u).filter((d) => d.startsWith("qrv:"))).toEqual([1, 2, 3, 4, 5].map((p) => reviewButton.encode(a.id, p)));

    // Each question: the learner's answer, right or not, the right answer, feedback and what to review.
    const bank = quizBank(tb.db, a.quizId);
    const itemOf = (kind: string) => a.variant.findIndex((v) => bank[v.q]!.kind === kind);
    const page = async (kind: string) => {
      await u.press(reviewButton.encode(a.id, itemOf(kind) + 1));
      expect(tb.telegram.calls.at(-1)!.method).toBe("editMessageText");
      return u.lastText();
    };
    const multiple = await page("multiple");
    expect(multiple).toContain("Which are numbers?");
    expect(multiple).toContain("❌ Not right");
    expect(multiple).toMatch(/Right answer: <b>[A-C], [A-C]<\/b>/);
    expect(multiple).toContain("👉 <b>");
    expect(multiple).toContain("<i>int and float are numeric types</i>");
    expect(multiple).toContain("📖 Review the lessons of “Module 1”.");
    const single = await page("single");
    expect(single).toContain("✅ Right");
    expect(single).not.toContain("Right answer:");
    const text = await page("text");
    expect(text).toContain("Your answer: <b>something else</b>");
    expect(text).toContain("Right answer: <b>input</b>");
    const number = await page("number");
    expect(number).toContain("Right answer: <b>3.5 ± 0.01</b>");
    const tf = await page("truefalse");
    expect(tf).toContain("Your answer: <b>“True”</b>");

    // Next / Back / All questions turn pages in place.
    await u.press(reviewButton.encode(a.id, 1));
    expect(buttonData(u)).toEqual([reviewButton.encode(a.id, 0), reviewButton.encode(a.id, 2), "qz:python-101:0"]);
    await u.press(reviewButton.encode(a.id, 5));
    expect(buttonData(u)).toEqual([reviewButton.encode(a.id, 4), reviewButton.encode(a.id, 0), "qz:python-101:0"]);
    await u.press(reviewButton.encode(a.id, 0));
    expect(u.lastText()).toContain("Review of attempt 1");
  });

  it("says when review opens in the learner's language and the course's time zone (ru, kk)", async () => {
    const ru = await enrolled(2, "ru");
    const kk = await enrolled(3, "kk");
    const ra = await takeQuiz(ru, 0, () => true);
    const ka = await takeQuiz(kk, 0, () => false);
    await ru.press(reviewOpenButton.encode(ra.id));
    expect(ru.lastAlert()).toBe("Разбор с правильными ответами откроется после срока сдачи теста: 13 сентября 2026 в 23:59.");
    await kk.press(reviewOpenButton.encode(ka.id));
    expect(kk.lastAlert()).toContain("Дұрыс жауаптары бар талдау тесттің мерзімі біткен соң ашылады: 2026 ж. 13 қыркүйек");
    tb.clock.set(MODULE1_CLOSES + DAY);
    await kk.press(reviewOpenButton.encode(ka.id));
    expect(kk.lastText()).toContain("1-әрекетті талдау");
    expect(kk.lastText()).toContain("Толық дұрыс: 0/5");
    await kk.press(reviewButton.encode(ka.id, 1));
    expect(kk.lastText()).toContain("Дұрыс жауап:");
  });
});

describe("review_after: attempt and never", () => {
  it("attempt: the result offers the review at once", async () => {
    tb.clock.set(T0 + 7 * DAY);
    const u = await enrolled(4);
    const a = await takeQuiz(u, 1, (kind) => kind !== "number");
    expect(u.lastText()).toContain("Quiz finished: 80%");
    expect(buttonData(u)).toEqual([reviewOpenButton.encode(a.id)]);
    await u.press(reviewOpenButton.encode(a.id));
    expect(u.lastText()).toContain("Review of attempt 1");
    expect(u.lastText()).toContain("Score: 80% — passed (pass score 60%)");
  });

  it("never: the card lists scores without review buttons, and a forged review button is refused", async () => {
    const u = await enrolled(5);
    tb.clock.set(T0 + 14 * DAY);
    const a = await takeQuiz(u, 2, () => true);
    expect(buttonData(u)).not.toContain(reviewOpenButton.encode(a.id));
    await u.press("qz:python-101:2");
    expect(u.lastText()).toContain("Attempt 1: 100%");
    expect(u.lastText()).toContain("The answers of this quiz are not shown for review.");
    expect(buttonData(u).some((d) => d.startsWith("qro:"))).toBe(false);
    tb.clock.set(T0 + 60 * DAY); // long after the deadline: still never
    await u.press(reviewOpenButton.encode(a.id));
    expect(u.lastAlert()).toBe("The answers of this quiz are not shown for review.");
  });
});

describe("whose review", () => {
  it("refuses another learner's attempt, an unfinished attempt, unknown and malformed buttons, politely", async () => {
    tb.clock.set(T0 + 7 * DAY);
    const owner = await enrolled(6);
    const other = await enrolled(7, "ru");
    const a = await takeQuiz(owner, 1, () => true);
    const sent = tb.telegram.textsTo(other.id).length;

    await other.press(reviewOpenButton.encode(a.id));
    expect(other.lastAlert()).toBe(
      "Эта кнопка относится к попытке другого слушателя, поэтому здесь ничего не покажет. Ваши попытки — в карточках тестов: /quiz",
    );
    await other.press(reviewButton.encode(a.id, 1));
    expect(other.lastAlert()).toContain("другого слушателя");
    await other.press(reviewOpenButton.encode(999_999));
    expect(other.lastAlert()).toContain("другого слушателя");
    expect(tb.telegram.textsTo(other.id)).toHaveLength(sent);

    await owner.press(reviewButton.encode(a.id, 99));
    expect(owner.lastAlert()).toBe("This button is out of date. Please open the menu again: /courses");
    for (const forged of ["qrv:abc:1", "qrv:1", "qro:-1", "qrv:1:1000"]) {
      await owner.press(forged);
      expect(owner.lastAlert()).toBeTruthy();
    }

    // An attempt still running has nothing to review yet.
    tb.clock.set(T0);
    const third = await enrolled(8);
    await openQuiz(third, 0);
    await third.press(reviewOpenButton.encode(latestAttempt(third).id));
    expect(third.lastAlert()).toBe("This attempt is not finished yet. Finish it first, then you can review it.");
  });
});

describe("every question type and long attempts", () => {
  const BANK = `::Capital:: The capital of Kazakhstan? {=Astana ~Almaty ~Shymkent}

::Numbers:: Which are numbers? {~%50%int ~%50%float ~%-100%str}

::Case:: Python is case-sensitive. {T}

::Read:: The function that reads a line: {=input}

::Half:: 7 / 2 = {#3.5:0.01}

::Match:: Match the countries and capitals. {
=Kazakhstan -> Astana
=Kyrgyzstan -> Bishkek
=Uzbekistan -> Tashkent
}
`;

  it("renders single, multiple, true/false, short answer, numeric and matching questions", async () => {
    const { dir, cleanup } = tempDir();
    try {
      writeFileSync(join(dir, "bank.gift"), BANK);
      tb.loadCourse(
        courseYaml({
          id: "gift-course",
          start: START,
          languages: ["en"],
          quizzes: { 0: "pass_score: 50\nattempts: 1\nreview_after: attempt\ngift: { en: bank.gift }" },
        }),
        { baseDir: dir },
      );
      const u = tb.user(9);
      await u.press("enr!:gift-course");
      const a = await takeQuiz(u, 0, (kind) => kind === "single" || kind === "text", tb, "gift-course");
      await u.press(reviewOpenButton.encode(a.id));
      const pages: string[] = [];
      for (let p = 1; p <= a.variant.length; p++) {
        await u.press(reviewButton.encode(a.id, p));
        pages.push(u.lastText());
      }
      const pageOf = (needle: string) => pages.find((p) => p.includes(needle))!;
      expect(pageOf("capital of Kazakhstan")).toContain("✅ Right");
      expect(pageOf("Which are numbers")).toContain("Right answer:");
      expect(pageOf("case-sensitive")).toContain("Right answer: <b>“True”</b>");
      expect(pageOf("reads a line")).toContain("Your answer: <b>input</b>");
      expect(pageOf("7 / 2")).toContain("Right answer: <b>3.5 ± 0.01</b>");
      const matching = pageOf("Match the countries");
      expect(matching).toContain("❌ Kazakhstan → Bishkek");
      expect(matching).toContain("✅ Kyrgyzstan → Bishkek");
      expect(matching).toContain("🟡 Partly right (67% of the points)");
      expect(matching).toContain("• Kazakhstan → Astana");
    } finally {
      cleanup();
    }
  });

  it("a 45-question attempt: the summary fits one message and pages with Next instead of 45 buttons", async () => {
    const many = Array.from(
      { length: 45 },
      (_, i) =>
        `  - { type: truefalse, text: { en: "Statement number ${i + 1} about Python and its long history of releases" }, answer: ${i % 2 === 0} }`,
    ).join("\n");
    tb.loadCourse(
      courseYaml({
        id: "long-quiz",
        start: START,
        languages: ["en"],
        quizzes: { 0: `pass_score: 50\nattempts: 1\nreview_after: attempt\nquestions:\n${many}` },
      }),
    );
    const u = tb.user(10);
    await u.press("enr!:long-quiz");
    const a = await takeQuiz(u, 0, () => true, tb, "long-quiz");
    await u.press(reviewOpenButton.encode(a.id));
    const summary = u.lastText();
    expect(summary.length).toBeLessThanOrEqual(4096);
    expect(summary).toContain("Fully right: 45 of 45");
    expect(summary).toContain("45. ✅");
    expect(buttonData(u)).toEqual([reviewButton.encode(a.id, 1), "qz:long-quiz:0"]);
    await u.press(reviewButton.encode(a.id, 45));
    expect(u.lastText()).toContain("question 45 of 45");
  });
});

describe("a question as long as Telegram allows", () => {
  it("is reviewed as a plain excerpt that fits one message", async () => {
    const prompt = `${"A very long scenario <with> markup-like text & details. ".repeat(64)}Which one?`;
    const q = `pass_score: 50\nattempts: 1\nreview_after: attempt\nquestions:\n  - type: single\n    text: { en: ${JSON.stringify(prompt)} }\n    options:\n      - { text: { en: "Right" }, correct: true }\n      - { text: { en: "Wrong" } }\n    feedback: { en: ${JSON.stringify("Because. ".repeat(40))} }`;
    tb.loadCourse(courseYaml({ id: "long-text", start: START, languages: ["en"], quizzes: { 0: q } }));
    const u = tb.user(13);
    await u.press("enr!:long-text");
    const a = await takeQuiz(u, 0, () => false, tb, "long-text");
    await u.press(reviewOpenButton.encode(a.id));
    await u.press(reviewButton.encode(a.id, 1));
    const page = u.lastText();
    expect(page.length).toBeLessThanOrEqual(4096);
    expect(page).toContain("A very long scenario &lt;with&gt; markup-like text &amp; details.");
    expect(page).toContain("…");
    expect(page).toContain("Right answer: <b>");
  });
});

describe("direct quiz buttons", () => {
  it("the weekly announcement and the course card open the module's quiz", async () => {
    const u = await enrolled(11);
    await u.press("crs:python-101");
    expect(buttonData(u)[0]).toBe("qz:python-101:0");
    expect(u.buttons()[0]!.text).toBe("📝 Week 1 quiz");

    // A module without a quiz gets no quiz button (module 4 has none).
    const noQuiz = new TestBot({ now: T0 + 21 * DAY });
    try {
      noQuiz.loadCourse(courseYaml({ start: START, quizzes: { 0: quiz() } }));
      const v = noQuiz.user(12);
      await v.press("enr!:python-101");
      await v.press("crs:python-101");
      expect(v.buttons().some((b) => b.data.startsWith("qz:"))).toBe(false);
    } finally {
      noQuiz.close();
    }

    await queueAnnouncements(tb.db, tb.clock.now());
    await tb.sender().drain();
    expect(u.lastText()).toContain("Week 1 of 4: <b>Module 1</b>");
    expect(buttonData(u)).toEqual(["qz:python-101:0", "crn:python-101"]);
    await u.press("qz:python-101:0");
    expect(u.lastText()).toContain("Week 1: Module 1");
  });
});

describe("course file", () => {
  it("validates review_after and warns when right answers would be seen before a retake", () => {
    const bad = validateCourseText(courseYaml({ quizzes: { 0: quiz("review_after: sometimes") } }), {
      now: T0,
      defaultTimezone: "Asia/Almaty",
    });
    expect(bad.course).toBeNull();
    expect(JSON.stringify(bad.issues)).toContain("review_after");
    const warned = validateCourseText(courseYaml({ quizzes: { 0: quiz("review_after: attempt\nattempts: 2") } }), {
      now: T0,
      defaultTimezone: "Asia/Almaty",
    });
    expect(warned.course!.modules[0]!.quiz!.reviewAfter).toBe("attempt");
    expect(warned.issues.map((i) => i.code)).toContain("quiz_review_before_retake");
    const plain = validateCourseText(courseYaml({ quizzes: { 0: quiz() } }), { now: T0, defaultTimezone: "Asia/Almaty" });
    expect(plain.course!.modules[0]!.quiz!.reviewAfter).toBe("close");
  });
});

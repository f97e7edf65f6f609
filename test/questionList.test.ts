import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DAY, HOUR, MINUTE } from "../src/clock.js";
import { openQuestionList } from "../src/db/questionsRepo.js";
import { outboxMessages } from "../src/db/outboxRepo.js";
import { RULES } from "../src/domain/rules.js";
import { questionsDigestJob } from "../src/jobs/questions.js";
import { translator } from "../src/messages/i18n.js";
import { openQuestionLines } from "../src/messages/questionViews.js";
import { T0, type TestBot } from "./support/harness.js";
import { ASSIST, askTestBot } from "./support/askSetup.js";

// At 100,000 learners the open questions can run into thousands: /questions and the daily digest
// list the oldest RULES.questions.listLimit of each kind and count the rest (the CSV has them all),
// instead of dozens of messages.
let tb: TestBot;
beforeEach(() => {
  // Assistants read DEFAULT_LOCALE (en here, so the assertions read easily).
  tb = askTestBot();
});
afterEach(() => tb.close());

/** `n` questions, one a minute from T0; every fourth for the instructor, the sixth answered. */
function seedQuestions(n: number, courseId = "python-101"): void {
  const db = tb.db.$client;
  db.prepare("INSERT OR IGNORE INTO learners (id, first_name, language, created_at, updated_at) VALUES (7, 'Aigerim', 'kk', ?, ?)").run(
    T0,
    T0,
  );
  const insert = db.prepare(
    `INSERT INTO questions (learner_id, course_id, module_position, text, learner_message_id, state, for_instructor, created_at, last_learner_message_at)
     VALUES (7, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  for (let i = 0; i < n; i++) {
    const at = T0 + i * MINUTE;
    insert.run(courseId, i % 3 === 0 ? null : 0, `question ${i + 1}`, 100 + i, i === 5 ? "answered" : "open", i % 4 === 0 ? 1 : 0, at, at);
  }
}

describe("the open questions list", () => {
  it("takes the oldest of each kind up to the limit, counts all, and honours the hour and the courses", () => {
    seedQuestions(23);
    seedQuestions(2, "data-later");
    const list = openQuestionList(tb.db, ["python-101"], T0 + HOUR, 4);
    // 22 open: 6 for the instructor (i = 0, 4, 8, 12, 16, 20), 16 waiting.
    expect([list.waitingTotal, list.instructorTotal]).toEqual([16, 6]);
    expect(list.waiting.map((r) => r.question.text)).toEqual(["question 2", "question 3", "question 4", "question 7"]);
    expect(list.instructor.map((r) => r.question.text)).toEqual(["question 1", "question 5", "question 9", "question 13"]);
    const early = openQuestionList(tb.db, ["python-101"], T0 + 10 * MINUTE, 50);
    expect([early.waitingTotal, early.instructorTotal]).toEqual([6, 3]);
    expect(early.waiting.map((r) => r.question.text)).toEqual([
      "question 2",
      "question 3",
      "question 4",
      "question 7",
      "question 8",
      "question 10",
    ]);
    const both = openQuestionList(tb.db, ["python-101", "data-later"], T0 + HOUR, 50);
    expect([both.waitingTotal, both.instructorTotal]).toEqual([17, 7]);
    expect(openQuestionList(tb.db, [], T0 + HOUR, 50)).toEqual({ waiting: [], instructor: [], waitingTotal: 0, instructorTotal: 0 });
  });

  it("says how many more there are beyond the listed ones, in each language", () => {
    seedQuestions(23);
    const list = openQuestionList(tb.db, ["python-101"], T0 + HOUR, 4);
    const now = T0 + 2 * HOUR;
    const en = openQuestionLines(translator("en"), list, "en", now);
    expect(en[0]).toBe("<b>Open questions: 16</b> (oldest first)");
    expect(en).toContain("… and 12 more. The full list: /questions_csv");
    expect(en).toContain("<b>🎓 For the instructor: 6</b>");
    expect(en).toContain("… and 2 more. The full list: /questions_csv");
    expect(en.filter((l) => l.includes("question "))).toHaveLength(8);
    expect(openQuestionLines(translator("ru"), list, "ru", now)).toContain("… и ещё 12 вопросов. Полный список: /questions_csv");
    expect(openQuestionLines(translator("ru"), list, "ru", now)).toContain("… и ещё 2 вопроса. Полный список: /questions_csv");
    expect(openQuestionLines(translator("kk"), list, "kk", now)).toContain("… және тағы 12 сұрақ. Толық тізім: /questions_csv");
    const all = openQuestionLines(translator("en"), openQuestionList(tb.db, ["python-101"], T0 + HOUR, 50), "en", now);
    expect(all.some((l) => l.includes("more."))).toBe(false);
    expect(openQuestionLines(translator("en"), openQuestionList(tb.db, ["data-later"], T0 + HOUR, 50), "en", now)).toEqual([
      "No open questions. 🎉",
    ]);
  });

  it("/questions and the daily digest stay a few messages with a backlog of hundreds", async () => {
    seedQuestions(400);
    tb.clock.set(T0 + 7 * HOUR);
    const before = tb.telegram.calls.length;
    await tb.groupUser(500, ASSIST).send("/questions");
    const sent = tb.telegram.calls
      .slice(before)
      .filter((c) => c.method === "sendMessage")
      .map((c) => String(c.payload.text));
    expect(sent.length).toBeLessThanOrEqual(3);
    const text = sent.join("\n");
    expect(text).toContain("<b>Open questions: 299</b>");
    expect(text).toContain(`… and ${299 - RULES.questions.listLimit} more. The full list: /questions_csv`);
    expect(text).toContain(`… and ${100 - RULES.questions.listLimit} more. The full list: /questions_csv`);

    // The next day's digest at 09:00 Almaty lists the same capped list with the totals in its header.
    tb.clock.set(T0 + DAY);
    await questionsDigestJob(tb.db, tb.config, () => undefined).run(tb.clock.now());
    const digest = outboxMessages(tb.db).filter((r) => r.kind === "questions-digest");
    expect(digest.length).toBeLessThanOrEqual(3);
    const body = digest.map((r) => (r.payload as { text: string }).text).join("\n");
    expect(body).toContain("Waiting for an answer: 299; for the instructor: 100.");
    expect(body).toContain(`… and ${299 - RULES.questions.listLimit} more.`);
  });
});

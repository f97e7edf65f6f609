import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HOUR, MINUTE } from "../src/clock.js";
import { openQuestions, openQuestionsPage, type QuestionRow } from "../src/db/questionsRepo.js";
import { translator } from "../src/messages/i18n.js";
import { openQuestionLines, openQuestionLinesInSlices } from "../src/messages/questionViews.js";
import { seedAnalysisCourse } from "./support/analysisSeed.js";
import { T0, TestBot } from "./support/harness.js";

// The daily digest formats its list in slices with a yield between them (thousands of open
// questions at 100,000 learners): the slices must add up to exactly the list built at once.
describe("the questions list built in slices", () => {
  let tb: TestBot;
  beforeEach(() => {
    tb = new TestBot({ now: T0 });
    seedAnalysisCourse(tb);
  });
  afterEach(() => tb.close());

  it("lists each open question once, in the same order and sections, whatever the slice", async () => {
    const learners = tb.db.$client.prepare("SELECT id FROM learners ORDER BY id LIMIT 5").all() as { id: number }[];
    const insert = tb.db.$client.prepare(
      `INSERT INTO questions (learner_id, course_id, module_position, text, learner_message_id, state, for_instructor, created_at, last_learner_message_at)
       VALUES (?, 'python-101', ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (let i = 0; i < 23; i++) {
      const at = T0 + i * MINUTE;
      insert.run(
        learners[i % learners.length]!.id,
        i % 3 === 0 ? null : 0,
        `question ${i + 1}`,
        100 + i,
        i === 5 ? "answered" : "open",
        i % 4 === 0 ? 1 : 0,
        at,
        at,
      );
    }
    const rows = openQuestions(tb.db);
    expect(rows).toHaveLength(22);
    // The digest reads them in pages (with yields between): the pages add up to the same list,
    // questions asked at the same moment included, and stop at the digest's hour.
    tb.db.$client.prepare("UPDATE questions SET created_at = ? WHERE id IN (3, 4, 5)").run(T0 + 2 * MINUTE);
    const paged = (before: number) => {
      const out: QuestionRow[] = [];
      for (let after: { createdAt: number; id: number } | null = null; ;) {
        const page = openQuestionsPage(tb.db, before, after, 4);
        out.push(...page);
        if (page.length < 4) return out;
        after = page.at(-1)!.question;
      }
    };
    expect(paged(T0 + HOUR).map((r) => r.question.id)).toEqual(openQuestions(tb.db).map((r) => r.question.id));
    expect(paged(T0 + 10 * MINUTE).map((r) => r.question.id)).toEqual([1, 2, 3, 4, 5, 7, 8, 9, 10]);
    const t = translator("en");
    const now = T0 + 2 * HOUR;
    const whole = openQuestionLines(t, rows, "en", now);
    let pauses = 0;
    const pause = () => {
      pauses++;
      return Promise.resolve();
    };
    for (const slice of [1, 4, 200]) expect(await openQuestionLinesInSlices(t, rows, "en", now, pause, slice)).toEqual(whole);
    expect(pauses).toBeGreaterThan(20);
    for (let i = 0; i < 23; i++) {
      const n = whole.filter((l) => new RegExp(`question ${i + 1}(?!\\d)`).test(l)).length;
      expect(n).toBe(i === 5 ? 0 : 1);
    }
    expect(await openQuestionLinesInSlices(t, [], "en", now, pause)).toEqual([t("assist.list.none")]);
  });
});

/**
 * Regressions found by walking the product as new users (scripts/walk.ts against the real process);
 * each is replayed here through the real pipeline.
 */
import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { answersOf, getResponse } from "../src/db/questionnaireRepo.js";
import { questions } from "../src/db/schema/index.js";
import { courseYaml } from "./support/courses.js";
import { QUESTIONNAIRES_YAML, qa } from "./support/questionnaires.js";
import { T0, TestBot, type TestUser } from "./support/harness.js";

const ASSIST = -1001234567;
let tb: TestBot;

afterEach(() => tb.close());

async function enrolled(id: number, lang: string): Promise<TestUser> {
  const u = tb.user(id, { lang });
  await u.send("/start");
  await u.press("enr!:python-101");
  return u;
}

const questionsOf = (learnerId: number) => tb.db.select().from(questions).where(eq(questions.learnerId, learnerId)).all();

describe("/ask while a questionnaire is open", () => {
  beforeEach(() => {
    tb = new TestBot({ now: T0, config: { ASSISTANT_CHAT_ID: String(ASSIST) } });
    tb.loadCourse(courseYaml({ extra: QUESTIONNAIRES_YAML }));
  });

  it("sends the question to the assistants instead of taking it as the questionnaire's answer", async () => {
    for (const [id, lang, paused] of [
      [1, "kk", "Үзіліс"],
      [2, "ru", "Пауза"],
      [3, "en", "Paused"],
    ] as const) {
      const u = await enrolled(id, lang);
      await u.press("qn:python-101:pre");
      await u.send("/ask");
      await u.press("ask:m:python-101:g");
      expect(u.texts().slice(-2).join("\n")).toContain(paused);
      await u.send("How do I install Python on Windows?");
      expect(questionsOf(id).map((q) => q.text)).toEqual(["How do I install Python on Windows?"]);
      expect(u.lastText()).toMatch(/[#№]\d+/);
      const rid = getResponse(tb.db, id, "python-101", "pre")!.id;
      expect(answersOf(tb.db, rid).motivation ?? null).toBeNull();
      // The questionnaire resumes where it was, from /mycourses' button or an old one.
      await u.press("qn:python-101:pre");
      await u.send("4");
      expect(answersOf(tb.db, rid).motivation).toBe(4);
    }
  });

  it("forgets a /ask waiting for its text once a questionnaire is opened", async () => {
    const u = await enrolled(1, "en");
    await u.send("/ask");
    await u.press("ask:m:python-101:g");
    await u.press("qn:python-101:pre");
    const rid = getResponse(tb.db, 1, "python-101", "pre")!.id;
    await u.press(qa(u, rid, 0, "v", 3));
    await u.send("/cancel");
    await u.send("thanks, that is all");
    expect(questionsOf(1)).toEqual([]);
  });
});

describe("/announce while the author's own questionnaire is open", () => {
  beforeEach(() => {
    tb = new TestBot({ now: T0, config: { ASSISTANT_CHAT_ID: String(ASSIST) } });
    tb.loadCourse(courseYaml({ extra: QUESTIONNAIRES_YAML }));
  });

  it("takes the announcement text as the announcement, not as an answer", async () => {
    const author = await enrolled(900, "en");
    await author.press("qn:python-101:pre");
    await author.send("/announce");
    await author.press("an:c:1:python-101");
    expect(author.texts().join("\n")).toContain("Paused");
    await author.send("Dear learners, the quiz opens tomorrow.");
    expect(author.texts().join("\n")).toContain("✅ Saved the");
    const rid = getResponse(tb.db, 900, "python-101", "pre")!.id;
    expect(answersOf(tb.db, rid).motivation ?? null).toBeNull();
  });
});

describe("enrolling in a course that is already running", () => {
  beforeEach(() => {
    tb = new TestBot({ now: T0, config: { ASSISTANT_CHAT_ID: String(ASSIST) } });
    // Started the day before T0: running, enrollment and the pre-course questionnaire still open.
    tb.loadCourse(courseYaml({ start: "2026-08-31", extra: QUESTIONNAIRES_YAML }));
  });

  it("does not say the course will start, in any language", async () => {
    const expected = {
      kk: ["Курс өтіп жатыр (басталған күні — 2026 ж. 31 тамыз)", "курсы басталды (басталған күні — 2026 ж. 31 тамыз)"],
      ru: ["Курс уже идёт (начался 31 августа 2026)", "Курс «Введение в Python» начался 31 августа 2026."],
      en: ["The course is running (it started on August 31, 2026)", "“Introduction to Python” started on August 31, 2026."],
    };
    for (const [i, lang] of (["kk", "ru", "en"] as const).entries()) {
      const u = await enrolled(10 + i, lang);
      await tb.sender().drain();
      const texts = u.texts().join("\n");
      for (const e of expected[lang]) expect(texts).toContain(e);
      expect(texts).not.toMatch(/начнётся|starts on|басталмас бұрын/);
    }
  });
});

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { attemptAnswers } from "../src/db/quizRepo.js";
import { quizAnswers, quizAttempts } from "../src/db/schema/index.js";
import { courseYaml } from "./support/courses.js";
import { T0, TestBot, type TestUser } from "./support/harness.js";

const tr = (s: string) => `{ kk: ${JSON.stringify(`${s} (kk)`)}, ru: ${JSON.stringify(`${s} (ru)`)}, en: ${JSON.stringify(s)} }`;

export const QUIZ = `
pass_score: 60
attempts: 2
feedback: after_each
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

let tb: TestBot;
beforeEach(() => {
  tb = new TestBot({ now: T0 });
  tb.loadCourse(courseYaml({ start: "2026-08-31", quizzes: { 0: QUIZ } }));
});
afterEach(() => tb.close());

async function enrolled(id: number, lang = "en"): Promise<TestUser> {
  const u = tb.user(id, { lang });
  await u.send("/start");
  await u.press("enr!:python-101");
  return u;
}

describe("quiz flow", () => {
  it("smoke", async () => {
    const u = await enrolled(1);
    await u.send("/quiz");
    console.log(u.lastText(), u.buttons());
    await u.press(u.buttons()[0]!.data);
    console.log(u.lastText(), u.buttons());
    await u.press(u.buttons()[0]!.data);
    console.log(u.texts().slice(-3), u.buttons());
    await u.press(u.buttons()[0]!.data);
    console.log(u.texts().slice(-2), u.buttons());
    await u.send("hello");
    console.log(u.texts().slice(-2), u.buttons());
  });
});

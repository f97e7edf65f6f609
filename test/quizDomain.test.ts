import { describe, expect, it } from "vitest";
import {
  attemptEndsAt,
  attemptPercent,
  buildVariant,
  courseProgress,
  effectiveWeights,
  gradeAnswer,
  moduleScore,
  normaliseText,
  parseNumberAnswer,
  progressStatus,
  quizAvailability,
  variantSeed,
  type QuizQuestion,
} from "../src/domain/quiz.js";

const en = (s: string) => ({ en: s });
const single: QuizQuestion = {
  kind: "single",
  prompt: en("Which prints?"),
  options: [
    { text: en("print"), weight: 100 },
    { text: en("input"), weight: 0, feedback: en("input reads") },
    { text: en("len"), weight: 0 },
  ],
};
const multiple: QuizQuestion = {
  kind: "multiple",
  prompt: en("Numbers?"),
  options: [
    { text: en("int"), weight: 100 },
    { text: en("float"), weight: 100 },
    { text: en("str"), weight: 0 },
    { text: en("list"), weight: 0 },
  ],
};

describe("grading one answer", () => {
  it("single choice: the correct option scores 1, others 0 with their feedback", () => {
    expect(gradeAnswer(single, { kind: "choice", options: [0] })).toMatchObject({ score: 1, correct: true });
    expect(gradeAnswer(single, { kind: "choice", options: [1] })).toMatchObject({ score: 0, correct: false, feedback: en("input reads") });
    // Malformed answers are worth nothing rather than an error.
    expect(gradeAnswer(single, { kind: "choice", options: [0, 1] }).score).toBe(0);
    expect(gradeAnswer(single, { kind: "choice", options: [9] }).score).toBe(0);
    expect(gradeAnswer(single, { kind: "text", text: "print" }).score).toBe(0);
  });

  it("multiple choice: exact set is right, partial gets partial credit, ticking everything earns nothing", () => {
    expect(gradeAnswer(multiple, { kind: "choice", options: [1, 0] })).toMatchObject({ score: 1, correct: true });
    expect(gradeAnswer(multiple, { kind: "choice", options: [0] })).toMatchObject({ score: 0.5, correct: false });
    expect(gradeAnswer(multiple, { kind: "choice", options: [0, 2] })).toMatchObject({ score: 0, correct: false });
    expect(gradeAnswer(multiple, { kind: "choice", options: [0, 1, 2, 3] })).toMatchObject({ score: 0, correct: false });
    expect(gradeAnswer(multiple, { kind: "choice", options: [0, 1, 2] }).correct).toBe(false);
  });

  it("multiple choice with GIFT weights uses them as written", () => {
    const q: QuizQuestion = {
      kind: "multiple",
      prompt: en("?"),
      options: [
        { text: en("a"), weight: 50 },
        { text: en("b"), weight: 50 },
        { text: en("c"), weight: -100 },
      ],
    };
    expect(effectiveWeights(q.options!)).toEqual([50, 50, -100]);
    expect(gradeAnswer(q, { kind: "choice", options: [0, 1] }).score).toBe(1);
    expect(gradeAnswer(q, { kind: "choice", options: [1] }).score).toBe(0.5);
    expect(gradeAnswer(q, { kind: "choice", options: [0, 1, 2] }).score).toBe(0);
  });

  it("true/false", () => {
    const q: QuizQuestion = { kind: "truefalse", prompt: en("?"), answer: false };
    expect(gradeAnswer(q, { kind: "truefalse", value: false }).correct).toBe(true);
    expect(gradeAnswer(q, { kind: "truefalse", value: true }).score).toBe(0);
  });

  it("short text: normalised comparison against every accepted answer in every language", () => {
    const q: QuizQuestion = {
      kind: "text",
      prompt: en("?"),
      accepted: {
        en: [{ value: "Variable", weight: 100 }],
        ru: [
          { value: "переменная", weight: 100 },
          { value: "перем", weight: 50 },
        ],
      },
    };
    expect(gradeAnswer(q, { kind: "text", text: "  variable. " }).correct).toBe(true);
    expect(gradeAnswer(q, { kind: "text", text: "ПЕРЕМЕННАЯ" }).correct).toBe(true);
    expect(gradeAnswer(q, { kind: "text", text: "перем" }).score).toBe(0.5);
    expect(gradeAnswer(q, { kind: "text", text: "constant" }).score).toBe(0);
    expect(normaliseText("«Ёлка»  зелёная!")).toBe("елка зеленая");
  });

  it("number: tolerance, comma decimals, and text that is not a number", () => {
    const q: QuizQuestion = { kind: "number", prompt: en("?"), numbers: [{ value: 3.5, tolerance: 0.1, weight: 100 }] };
    expect(gradeAnswer(q, { kind: "text", text: "3,5" }).correct).toBe(true);
    expect(gradeAnswer(q, { kind: "text", text: "3.6" }).correct).toBe(true);
    expect(gradeAnswer(q, { kind: "text", text: "3.61" }).correct).toBe(false);
    expect(gradeAnswer(q, { kind: "text", text: "three" }).score).toBe(0);
    expect(parseNumberAnswer("1 000")).toBe(1000);
    expect(parseNumberAnswer("-2")).toBe(-2);
    expect(parseNumberAnswer("1e3")).toBe(1000);
    expect(parseNumberAnswer("12abc")).toBeNull();
    const exact: QuizQuestion = { kind: "number", prompt: en("?"), numbers: [{ value: 0.3, tolerance: 0, weight: 100 }] };
    expect(gradeAnswer(exact, { kind: "text", text: String(0.1 + 0.2) }).correct).toBe(true);
  });
});

describe("per-learner variants", () => {
  const bank = Array.from({ length: 12 }, (_, i): QuizQuestion =>
    i % 2 === 0 ? { ...single, prompt: en(`q${i}`) } : { ...multiple, prompt: en(`q${i}`) },
  );

  it("are deterministic for the same learner and attempt, and differ between learners and attempts", () => {
    const a1 = buildVariant(bank, null, variantSeed(1, "c/0", 1));
    expect(buildVariant(bank, null, variantSeed(1, "c/0", 1))).toEqual(a1);
    expect(buildVariant(bank, null, variantSeed(2, "c/0", 1))).not.toEqual(a1);
    expect(buildVariant(bank, null, variantSeed(1, "c/0", 2))).not.toEqual(a1);
    // Every question once, every option once.
    expect(a1.map((x) => x.q).sort((a, b) => a - b)).toEqual(bank.map((_, i) => i));
    for (const item of a1) expect([...item.order].sort()).toEqual(bank[item.q]!.options!.map((_, i) => i));
  });

  it("pick a random subset of N questions without repeats", () => {
    const v = buildVariant(bank, 5, "seed");
    expect(v).toHaveLength(5);
    expect(new Set(v.map((x) => x.q)).size).toBe(5);
    expect(buildVariant(bank, 50, "seed")).toHaveLength(12);
  });

  it("keep fixed-order questions in the written order and give non-choice questions no order", () => {
    const v = buildVariant([{ ...single, fixedOrder: true }, { kind: "number" }], null, "x");
    expect(v.find((x) => x.q === 0)!.order).toEqual([0, 1, 2]);
    expect(v.find((x) => x.q === 1)!.order).toEqual([]);
  });

  it("shuffled options still grade by the bank's option, so every learner's right answer scores", () => {
    for (let learner = 1; learner <= 20; learner++) {
      const [item] = buildVariant([single], null, variantSeed(learner, "c/0", 1));
      const shownCorrect = item!.order.indexOf(0);
      const chosenBankOption = item!.order[shownCorrect]!;
      expect(gradeAnswer(single, { kind: "choice", options: [chosenBankOption] }).correct).toBe(true);
    }
    const orders = new Set(Array.from({ length: 20 }, (_, l) => buildVariant([single], null, variantSeed(l, "c/0", 1))[0]!.order.join()));
    expect(orders.size).toBeGreaterThan(1);
  });
});

describe("attempt, module and course scores", () => {
  it("unanswered questions count 0: skipping never reaches 100%", () => {
    expect(attemptPercent(10, [1, 1, 1, 1, 1])).toBe(50);
    expect(attemptPercent(10, Array(10).fill(1))).toBe(100);
    expect(attemptPercent(3, [1, 0.5])).toBe(50);
    expect(attemptPercent(0, [])).toBe(0);
    // Rounded down to a tenth: never shown (or graded) above what was earned.
    expect(attemptPercent(3, [1])).toBe(33.3);
    expect(attemptPercent(3, [1, 1])).toBe(66.6);
    expect(attemptPercent(100, Array(29).fill(1))).toBe(29);
  });

  it("module score is the best or the last finished attempt", () => {
    expect(moduleScore([40, 90, 70])).toBe(90);
    expect(moduleScore([40, 90, 70], "last")).toBe(70);
    expect(moduleScore([])).toBeNull();
  });

  it("course progress is the share of all graded work; a quiz never taken counts 0", () => {
    expect(courseProgress([100, 100, null, null])).toBe(50);
    expect(courseProgress([80, 90, 85, 85])).toBe(85);
    expect(courseProgress([])).toBe(0);
    expect(courseProgress([39.9, 40, 40])).toBe(39.9);
    expect(progressStatus(courseProgress([39.9, 40, 40]))).toBe("not_completed");
  });

  it.each([
    [0, "not_completed"],
    [39.9, "not_completed"],
    [40, "passed"],
    [84.9, "passed"],
    [85, "certificate"],
    [100, "certificate"],
  ] as const)("progress %s%% is %s", (percent, status) => {
    expect(progressStatus(percent)).toBe(status);
  });
});

describe("availability", () => {
  const base = { opensAt: 1000, closesAt: 2000, attemptsAllowed: 2, attemptsStarted: 0, hasOpenAttempt: false };
  it("opens at the module start and closes exactly at the deadline", () => {
    expect(quizAvailability(base, 999)).toEqual({ state: "not_open", opensAt: 1000 });
    expect(quizAvailability(base, 1000)).toEqual({ state: "open", attemptsLeft: 2 });
    expect(quizAvailability(base, 1999)).toEqual({ state: "open", attemptsLeft: 2 });
    expect(quizAvailability(base, 2000)).toEqual({ state: "closed", closedAt: 2000 });
  });
  it("counts attempts and lets an open attempt continue", () => {
    expect(quizAvailability({ ...base, attemptsStarted: 1 }, 1500)).toEqual({ state: "open", attemptsLeft: 1 });
    expect(quizAvailability({ ...base, attemptsStarted: 2 }, 1500)).toEqual({ state: "no_attempts_left", used: 2 });
    expect(quizAvailability({ ...base, attemptsStarted: 2, hasOpenAttempt: true }, 1500)).toEqual({ state: "in_progress" });
    expect(quizAvailability({ ...base, hasOpenAttempt: true }, 2000).state).toBe("closed");
  });
  it("an attempt ends at its time limit or the deadline, whichever is first", () => {
    expect(attemptEndsAt(1000, 10, 10_000_000)).toBe(1000 + 600_000);
    expect(attemptEndsAt(1000, 10, 5000)).toBe(5000);
    expect(attemptEndsAt(1000, null, 5000)).toBe(5000);
  });
});

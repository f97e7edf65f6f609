/** Authors' reports on small data whose figures are worked out by hand. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { csvField, csvRow, toCsv } from "../src/domain/csv.js";
import { countedNumericStats, summarizeCounted } from "../src/domain/questionnaireStats.js";
import { summarizeQuestion, type AnswerValue, type Question } from "../src/domain/questionnaire.js";
import { courseItemAnalysis } from "../src/db/courseAnalysis.js";
import { identicalWrongAnswers, quizQuestionTallies, quizTotals } from "../src/db/reportsRepo.js";
import { CsvFileWriter } from "../src/reports/csvFile.js";
import { courseYaml } from "./support/courses.js";
import { answerPre, QUESTIONNAIRES_YAML } from "./support/questionnaires.js";
import { T0, tempDir, TestBot, type TestUser } from "./support/harness.js";

const tr = (s: string) => `{ kk: ${JSON.stringify(s)}, ru: ${JSON.stringify(s)}, en: ${JSON.stringify(s)} }`;
const QUIZ = `
pass_score: 60
attempts: 3
questions:
  - type: truefalse
    text: ${tr("Python is case-sensitive.")}
    answer: true
  - type: text
    text: ${tr("Name the function that reads a line.")}
    answers: { kk: [input], ru: [input], en: [input] }
`;

let tb: TestBot;
beforeEach(() => {
  tb = new TestBot({ now: T0 });
  tb.loadCourse(courseYaml({ start: "2026-08-31", quizzes: { 0: QUIZ }, extra: QUESTIONNAIRES_YAML }));
});
afterEach(() => {
  const refused = tb.telegram.refused.map((c) => `${c.method}: ${c.error?.description}`);
  tb.close();
  expect(refused).toEqual([]);
});

const quizId = () => (tb.db.$client.prepare("SELECT id FROM quizzes WHERE course_id = 'python-101'").get() as { id: number }).id;

/** Writes attempts straight into the database: [learner, attempt no, score or null (unfinished), answers]. */
function seedAttempts(rows: [number, number, number | null, { position: number; text?: string; correct: boolean }[]][]): void {
  const c = tb.db.$client;
  const q = quizId();
  for (const [learner] of rows) {
    c.prepare("INSERT OR IGNORE INTO learners (id, first_name, language, created_at, updated_at) VALUES (?, 'L', 'en', 0, 0)").run(learner);
  }
  for (const [learner, no, score, answers] of rows) {
    const { lastInsertRowid } = c
      .prepare(
        "INSERT INTO quiz_attempts (learner_id, quiz_id, attempt_no, variant, started_at, ends_at, finished_at, score) VALUES (?, ?, ?, '[]', 0, 1, ?, ?)",
      )
      .run(learner, q, no, score === null ? null : 1, score);
    answers.forEach((a, item) =>
      c
        .prepare(
          "INSERT INTO quiz_answers (attempt_id, item, question_position, answer, correct, score, answered_at) VALUES (?, ?, ?, ?, ?, ?, 0)",
        )
        .run(
          lastInsertRowid,
          item,
          a.position,
          JSON.stringify(a.text === undefined ? { kind: "tf", value: true } : { kind: "text", text: a.text }),
          a.correct ? 1 : 0,
          a.correct ? 1 : 0,
        ),
    );
  }
}

describe("/quizstats figures from SQL", () => {
  beforeEach(() =>
    seedAttempts([
      [
        1,
        1,
        40,
        [
          { position: 0, correct: false },
          { position: 1, text: "Input ", correct: true },
        ],
      ],
      [1, 2, 80, [{ position: 0, correct: true }]],
      [
        2,
        1,
        80,
        [
          { position: 0, correct: true },
          { position: 1, text: "ВВОД", correct: false },
        ],
      ],
      [2, 2, 50, [{ position: 1, text: "«ввод»", correct: false }]],
      [
        3,
        1,
        null,
        [
          { position: 1, text: "Ввод", correct: false },
          { position: 0, correct: false },
        ],
      ],
      [4, 1, 20, [{ position: 1, text: "read", correct: false }]],
    ]),
  );

  it("takers, passes and the average follow the quiz's score policy", () => {
    // Best: 1 → 80, 2 → 80, 4 → 20; learner 3 never finished. Passed (≥ 60): 2; mean 60.
    expect(quizTotals(tb.db, quizId(), "best", 60)).toEqual({ learners: 4, passed: 2, average: 60 });
    // Last: 1 → 80, 2 → 50, 4 → 20. Passed: 1; mean 50.
    expect(quizTotals(tb.db, quizId(), "last", 60)).toEqual({ learners: 4, passed: 1, average: 50 });
    expect(quizTotals(tb.db, quizId() + 99, "best", 60)).toEqual({ learners: 0, passed: 0, average: null });
  });

  it("answers and right answers per question; identical wrong texts grouped across case and quotes", async () => {
    expect(quizQuestionTallies(tb.db, quizId()).sort((a, b) => a.position - b.position)).toEqual([
      { position: 0, answers: 4, right: 2 },
      { position: 1, answers: 5, right: 1 },
    ]);
    // "ВВОД", "«ввод»" and "Ввод" are one answer once normalised (SQLite's lower() knows only ASCII).
    const groups = identicalWrongAnswers(tb.db, quizId());
    expect(groups).toHaveLength(1);
    expect(groups[0]).toMatchObject({ position: 1, learnerIds: [2, 3] });
    // /quizstats takes both from the item-analysis pass over every attempt (the unfinished one too): the same figures.
    const scanned = (await courseItemAnalysis(tb.db, "python-101")).find((q) => q.quiz.id === quizId())!;
    expect(scanned.tallies).toEqual(quizQuestionTallies(tb.db, quizId()).sort((a, b) => a.position - b.position));
    expect(scanned.identical).toEqual(groups);
  });

  it("/quizstats shows them in one message", async () => {
    const author = tb.user(900);
    await author.send("/quizstats python-101");
    expect(tb.telegram.callsOf("sendMessage")).toHaveLength(1);
    const text = author.lastText();
    expect(text).toContain("Took it: 4 · ✅ passed: 2 · average score: 60%");
    expect(text).toContain("№2 “Name the function that reads a line.” — 20% right (answers: 5)");
    expect(text).toContain("№1 “Python is case-sensitive.” — 50% right (answers: 4)");
    expect(text).toMatch(/The same wrong answer “.*” to №2 .* from 2 learners \(ids: 2, 3\)/);
  });
});

describe("a report too long for one message", () => {
  it("/quizstats becomes one .txt document, not a stream of messages", async () => {
    // 150 pairs of learners, each pair with its own identical wrong answer: 150 flagged lines.
    const rows: Parameters<typeof seedAttempts>[0] = [];
    for (let i = 0; i < 150; i++) {
      for (const learner of [1000 + 2 * i, 1001 + 2 * i])
        rows.push([learner, 1, 0, [{ position: 1, text: `wrong answer number ${i}`, correct: false }]]);
    }
    seedAttempts(rows);
    const author = tb.user(900);
    await author.send("/quizstats python-101");
    expect(tb.telegram.callsOf("sendMessage")).toHaveLength(0);
    const docs = tb.telegram.callsOf("sendDocument");
    expect(docs).toHaveLength(1);
    const file = docs[0]!.payload["document:file"] as { filename: string; content: string };
    expect(file.filename).toBe("python-101-quiz-statistics.txt");
    expect(file.content).toContain("Quiz statistics: Introduction to Python");
    expect(file.content).toContain("The same wrong answer “wrong answer number 149”");
    expect(file.content).not.toMatch(/<\/?b>|&lt;|&amp;/);
    expect(docs[0]!.payload.caption).toContain("too long for one message");
  });
});

describe("questionnaire summaries from counted answers", () => {
  it("median, mean, min and max from values with counts", () => {
    expect(
      countedNumericStats([
        { value: 10, count: 1 },
        { value: 1, count: 2 },
        { value: 3, count: 1 },
      ]),
    ).toEqual({ count: 4, mean: 3.75, median: 2, min: 1, max: 10 });
    expect(countedNumericStats([{ value: 2, count: 3 }])).toEqual({ count: 3, mean: 2, median: 2, min: 2, max: 2 });
    expect(countedNumericStats([])).toBeNull();
  });

  it("equal to summarising every answer one by one", () => {
    const rating: Question = { id: "r", type: "rating", min: 1, max: 5, required: false, text: { en: "r" } };
    const multiple: Question = {
      id: "m",
      type: "multiple",
      required: true,
      text: { en: "m" },
      options: [
        { id: "a", text: { en: "a" } },
        { id: "b", text: { en: "b" } },
        { id: "c", text: { en: "c" } },
      ],
    };
    const answers: Record<string, AnswerValue[]> = {
      r: [1, 5, 5, 3, null, 4, 5, 2, 2, 9 /* no longer valid */],
      m: [["a"], ["a", "b"], ["c"], ["a", "b"], ["b", "c"], ["zz"]],
    };
    for (const q of [rating, multiple]) {
      const counted = new Map<string, { value: AnswerValue; count: number }>();
      for (const v of answers[q.id]!) {
        const key = JSON.stringify(v);
        counted.set(key, { value: v, count: (counted.get(key)?.count ?? 0) + 1 });
      }
      const { textCount: _, ...fromCounts } = summarizeCounted(q, [...counted.values()]);
      expect(fromCounts).toEqual(summarizeQuestion(q, answers[q.id]!));
    }
  });
});

describe("CSV: one writer with the formula guard", () => {
  it("quotes per RFC 4180 and disarms cells a spreadsheet would run", () => {
    expect(csvField("=1+1")).toBe("'=1+1");
    expect(csvField('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    for (const start of ["+", "-", "@", "\t", "\r"]) expect(csvField(`${start}x`).replace(/^"/, "")).toMatch(/^'/);
    expect(csvField(-5)).toBe("-5"); // a number stays a number
    expect(csvField("a=b")).toBe("a=b");
    expect(csvRow(["a", 1, null, undefined, "x,y"])).toBe('a,1,,,"x,y"\r\n');
    expect(toCsv([["h"], ["=x"]])).toBe("\uFEFFh\r\n'=x\r\n");
  });

  it("writes a file row by row with the same bytes as the in-memory form", () => {
    const { dir, cleanup } = tempDir();
    try {
      const rows = Array.from({ length: 20_000 }, (_, i) => [i, `Қазақ ${i}`, i % 7 === 0 ? "=SUM(A1)" : "text, with comma"]);
      const w = new CsvFileWriter(`${dir}/x.csv`);
      for (const r of rows) w.write(r);
      w.close();
      expect(readFileSync(`${dir}/x.csv`, "utf8")).toBe(toCsv(rows));
      expect(w.rows).toBe(20_000);
    } finally {
      cleanup();
    }
  });

  it("/export writes a learner's formula as text", async () => {
    const u: TestUser = tb.user(5, { lang: "en" });
    await u.send("/start");
    await u.press("enr!:python-101");
    await answerPre(tb, u, {
      motivation: "4",
      level: 0,
      devices: [0],
      studiedOnline: false,
      hours: "3",
      goals: '=HYPERLINK("http://evil.example","click")',
    });
    const author = tb.user(900);
    await author.send("/export python-101");
    const file = tb.telegram.callsOf("sendDocument")[0]!.payload["document:file"] as { content: string };
    expect(file.content).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")"`);
  });
});

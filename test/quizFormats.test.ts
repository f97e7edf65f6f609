import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseAiken, parseGift } from "../src/courses/banks.js";
import { renderIssue } from "../src/messages/courseIssues.js";
import { validateCourseText } from "../src/courses/validate.js";
import { translator } from "../src/messages/i18n.js";
import { courseYaml } from "./support/courses.js";
import { tempDir, T0 } from "./support/harness.js";

describe("Aiken", () => {
  it("reads domain.md's template exactly as written", () => {
    const { questions, issues } = parseAiken(`The text of the question?
A. Answer
B. Answer
C. Answer
D. Answer
E. Answer
ANSWER: D
`);
    expect(issues).toEqual([]);
    expect(questions).toHaveLength(1);
    expect(questions[0]).toMatchObject({ kind: "single", prompt: "The text of the question?", line: 1 });
    expect(questions[0]!.options!.map((o) => o.weight)).toEqual([0, 0, 0, 100, 0]);
  });

  it("reads several questions separated by blank lines, with A) options and CRLF", () => {
    const text = "Q1?\r\nA) one\r\nB) two\r\nANSWER: B\r\n\r\n\r\nQ2?\nA. x\nB. y\nC. z\nANSWER: a\n";
    const { questions, issues } = parseAiken(text);
    expect(issues).toEqual([]);
    expect(questions.map((q) => q.line)).toEqual([1, 7]);
    expect(questions[1]!.options![0]!.weight).toBe(100);
  });

  it("reports malformed questions with their line numbers and keeps the good ones", () => {
    const text = [
      "Good?",
      "A. yes",
      "B. no",
      "ANSWER: A",
      "", // 1-5
      "No answer line?",
      "A. a",
      "B. b",
      "", // 6-9
      "Unknown letter?",
      "A. a",
      "B. b",
      "ANSWER: C",
      "", // 10-14
      "Out of order?",
      "A. a",
      "C. c",
      "ANSWER: A",
      "", // 15-19
      "Stray text?",
      "A. a",
      "B. b",
      "ANSWER: A",
      "Next question without a blank line", // 20-24
      "",
      "One option?",
      "A. only",
      "ANSWER: A", // 25-28
    ].join("\n");
    const { questions, issues } = parseAiken(text);
    // Moodle reads a question that follows an ANSWER line without a blank line: a warning, not an error.
    expect(questions.map((q) => q.prompt)).toEqual(["Good?", "Stray text?"]);
    expect(issues.map((i) => [i.code, i.line, i.level ?? "error"])).toEqual([
      ["aiken_no_answer", 6, "error"],
      ["aiken_answer_unknown", 13, "error"],
      ["aiken_option_order", 17, "error"],
      ["aiken_no_blank_line", 24, "warning"],
      ["aiken_no_answer", 24, "error"],
      ["aiken_few_options", 26, "error"],
    ]);
  });
});

describe("GIFT", () => {
  it("reads every supported type with comments, titles, weights and feedback", () => {
    const text = `// a comment line
$CATEGORY: week1

::Q1:: Which function prints? {=print() #Right ~input() #It reads ~len()}

Python is case-sensitive. {T}

The earth is flat. {FALSE#It is not.####Review the geography lesson}

Which are numbers? {~%50%int ~%50%float ~%-100%str}

Name the function that reads a line. {=input =input() =%50%read}

What is 7 / 2? {#3.5:0.01}

Pick a number from 1 to 5. {#1..5}

What is pi? {#=3.1416:0.0001 =%50%3.14:0.01}

The keyword \\{def\\} starts a function \\= true. {T}
`;
    const { questions, issues } = parseGift(text);
    expect(issues).toEqual([]);
    expect(questions.map((q) => q.kind)).toEqual([
      "single",
      "truefalse",
      "truefalse",
      "multiple",
      "text",
      "number",
      "number",
      "number",
      "truefalse",
    ]);
    const [q1, tf, flat, multi, short, num, range, pi, escaped] = questions;
    expect(q1).toMatchObject({ prompt: "Which function prints?", line: 4 });
    expect(q1!.options).toEqual([
      { text: "print()", weight: 100, feedback: "Right" },
      { text: "input()", weight: 0, feedback: "It reads" },
      { text: "len()", weight: 0, feedback: undefined },
    ]);
    expect(tf!.answer).toBe(true);
    // Moodle: {F#wrong#right}: the first feedback is for the wrong choice (True here).
    expect(flat).toMatchObject({ answer: false, trueFeedback: "It is not.", review: "Review the geography lesson" });
    expect(multi!.options!.map((o) => o.weight)).toEqual([50, 50, -100]);
    expect(short!.accepted!.map((a) => [a.value, a.weight])).toEqual([
      ["input", 100],
      ["input()", 100],
      ["read", 50],
    ]);
    expect(num!.numbers).toMatchObject([{ value: 3.5, tolerance: 0.01, weight: 100 }]);
    expect(range!.numbers![0]).toMatchObject({ value: 3, tolerance: 2 });
    expect(pi!.numbers!.map((n) => n.weight)).toEqual([100, 50]);
    expect(escaped!.prompt).toBe("The keyword {def} starts a function = true.");
  });

  it("turns text after the answers into a fill-in-the-blank prompt", () => {
    const { questions } = parseGift("The function {=print} shows text.");
    expect(questions[0]!.prompt).toBe("The function _____ shows text.");
  });

  it("reports malformed questions with line numbers", () => {
    const text = [
      "Unclosed {=a ~b",
      "", // 1
      "Matching {=a -> 1 =b -> 2}",
      "", // 3
      "Essay {}",
      "", // 5
      "Weights {~%30%a ~%30%b ~c}",
      "", // 7
      "Bad number {#abc}",
      "", // 9
      "Bad weight {~%x%a =b}",
      "", // 11
      "No correct {~a ~b}",
      "", // 13
      "Fine {=ok ~no}", // 15
    ].join("\n");
    const { questions, issues } = parseGift(text);
    // Matching pairs are a question now; an essay is skipped with a warning; "~a ~b" is Moodle's
    // multiple-answer question whose weights add up to 0%.
    expect(questions.map((q) => q.line)).toEqual([3, 15]);
    expect(issues.map((i) => [i.code, i.line])).toEqual([
      ["gift_unclosed", 1],
      ["gift_essay_skipped", 5],
      ["gift_weights_sum", 7],
      ["gift_bad_number", 9],
      ["gift_bad_weight", 11],
      ["gift_weights_sum", 13],
    ]);
  });
});

describe("quizzes in course files", () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(() => cleanup());

  const check = (yaml: string) => validateCourseText(yaml, { now: T0, defaultTimezone: "Asia/Almaty", baseDir: dir });
  const aikenQuestion = (n: number, lang: string) => `${lang} question ${n}?\nA. one\nB. two\nC. three\nANSWER: B\n`;
  const write = (name: string, text: string) => writeFileSync(join(dir, name), text);

  it("loads an Aiken bank (a file per language) and a GIFT bank with inline questions", () => {
    for (const l of ["kk", "ru", "en"]) write(`w1.${l}.txt`, Array.from({ length: 6 }, (_, i) => aikenQuestion(i + 1, l)).join("\n"));
    for (const l of ["kk", "ru", "en"]) write(`w1.${l}.gift`, `// ${l}\n${l} true? {T}\n\n${l} number? {#2:0.5}\n`);
    const quiz = `pass_score: 50
pick: 5
feedback: at_end
aiken: { kk: w1.kk.txt, ru: w1.ru.txt, en: w1.en.txt }
gift: { kk: w1.kk.gift, ru: w1.ru.gift, en: w1.en.gift }
questions:
  - type: truefalse
    text: { kk: "Дұрыс па?", ru: "Верно?", en: "True?" }
    answer: false`;
    const { course, issues } = check(courseYaml({ quizzes: { 0: quiz } }));
    expect(issues.filter((i) => i.level === "error")).toEqual([]);
    const q = course!.modules[0]!.quiz!;
    expect(q.questions).toHaveLength(9);
    expect(q.questions.map((x) => x.kind)).toEqual(["truefalse", ...Array(6).fill("single"), "truefalse", "number"]);
    expect(q.questions[1]!.prompt).toEqual({ kk: "kk question 1?", ru: "ru question 1?", en: "en question 1?" });
    expect(q).toMatchObject({ passScore: 50, pick: 5, feedback: "at_end", attempts: 3, scorePolicy: "best" });
    // Warnings of domain.md: a small bank, and fewer than 100 test items per course.
    expect(issues.filter((i) => i.level === "warning").map((i) => [i.code, i.params.count])).toEqual([
      ["quiz_bank_small", 9],
      ["quiz_course_items", 9],
    ]);
  });

  it("reports a malformed bank file with its own file name and line, and refuses the course", () => {
    write("bad.en.txt", "Fine?\nA. a\nB. b\nANSWER: A\n\nBroken?\nA. a\nB. b\nANSWER: Z\n");
    const { course, issues } = check(courseYaml({ languages: ["en"], quizzes: { 1: "pass_score: 60\naiken: { en: bad.en.txt }" } }));
    expect(course).toBeNull();
    const issue = issues.find((i) => i.code === "aiken_answer_unknown")!;
    expect(issue).toMatchObject({ line: 9, path: ["modules", 1, "quiz", "aiken", "en"] });
    expect(renderIssue(translator("en"), "courses/x.yaml", issue)).toMatch(
      /bad\.en\.txt:9 modules\[1\]\.quiz\.aiken\.en: error: ANSWER: Z is not one of the options \(A, B\)/,
    );
  });

  it("a broken bank reports only its own errors, not follow-up counts of a half-read bank", () => {
    write("b.en.gift", "One {=a ~b}\n\nTwo {#four}\n");
    const { issues } = check(courseYaml({ languages: ["en"], quizzes: { 0: "pass_score: 60\ngift: { en: b.en.gift }" } }));
    expect(issues.map((i) => [i.level, i.code, i.line])).toEqual([["error", "gift_bad_number", 3]]);
  });

  it("requires the language versions of a bank to agree question by question", () => {
    write("a.en.gift", "One {=a ~b}\n\nTwo {T}\n");
    write("a.ru.gift", "Один {~a =b}\n\nДва {T}\n");
    const { issues } = check(
      courseYaml({ languages: ["en", "ru"], quizzes: { 0: "pass_score: 60\ngift: { en: a.en.gift, ru: a.ru.gift }" } }),
    );
    expect(issues.find((i) => i.code === "quiz_languages_differ")).toMatchObject({
      line: 1,
      params: { number: 1, what: "correct options" },
    });

    write("a.ru.gift", "Один {=a ~b}\n");
    const count = check(courseYaml({ languages: ["en", "ru"], quizzes: { 0: "pass_score: 60\ngift: { en: a.en.gift, ru: a.ru.gift }" } }));
    expect(count.issues.find((i) => i.code === "quiz_languages_count")).toBeDefined();
  });

  it("reports missing files, files outside the course folder, a missing language and a bad pick", () => {
    write("only.en.txt", "Q?\nA. a\nB. b\nANSWER: A\n");
    const quiz = "pass_score: 60\npick: 3\naiken: { en: only.en.txt, ru: nope.txt, kk: ../../etc/passwd }";
    const { issues } = check(courseYaml({ quizzes: { 0: quiz } }));
    const codes = issues.filter((i) => i.level === "error").map((i) => i.code);
    expect(codes).toEqual(expect.arrayContaining(["quiz_file_missing", "quiz_file_outside"]));
    const noBase = validateCourseText(courseYaml({ languages: ["en"], quizzes: { 0: "pass_score: 60\naiken: { en: only.en.txt }" } }), {
      now: T0,
      defaultTimezone: "Asia/Almaty",
    });
    expect(noBase.issues.map((i) => i.code)).toContain("quiz_file_no_base");
    const pick = check(courseYaml({ languages: ["en"], quizzes: { 0: "pass_score: 60\npick: 3\naiken: { en: only.en.txt }" } }));
    expect(pick.issues.find((i) => i.code === "quiz_pick_exceeds_bank")).toMatchObject({ params: { pick: 3, count: 1 } });
  });

  it("checks inline questions: correct options, translations, unknown types and keys, with the YAML line", () => {
    const quiz = `pass_score: 60
questions:
  - type: single
    text: { en: "Two right?" }
    options:
      - { text: { en: a }, correct: true }
      - { text: { en: b }, correct: true }
  - type: multiple
    text: { en: "All right?" }
    options:
      - { text: { en: a }, correct: true }
      - { text: { en: b }, correct: true }`;
    const { issues } = check(courseYaml({ languages: ["en"], quizzes: { 0: quiz } }));
    expect(issues.filter((i) => i.level === "error").map((i) => i.code)).toEqual(["quiz_single_correct", "quiz_multiple_all_correct"]);
    expect(issues[0]!.line).toBeGreaterThan(10);

    const bad = check(
      courseYaml({ languages: ["en"], quizzes: { 0: "pass_score: 60\nquestions:\n  - type: essay\n    text: { en: x }" } }),
    );
    expect(bad.issues[0]).toMatchObject({ code: "schema_quiz_type", path: ["modules", 0, "quiz", "questions", 0, "type"] });
    const missing = check(
      courseYaml({
        languages: ["en", "ru"],
        quizzes: { 0: "pass_score: 60\nquestions:\n  - type: number\n    text: { en: x }\n    answer: 2" },
      }),
    );
    expect(missing.issues).toContainEqual(expect.objectContaining({ code: "missing_translation", params: { language: "ru" } }));
  });

  it("a course without quizzes gets no quiz warnings", () => {
    expect(check(courseYaml()).issues).toEqual([]);
  });

  it("a change in a bank file changes the course's hash, so /reload re-imports it", () => {
    write("h.en.txt", "Q?\nA. a\nB. b\nANSWER: A\n");
    const yaml = courseYaml({ languages: ["en"], quizzes: { 0: "pass_score: 60\naiken: { en: h.en.txt }" } });
    const first = check(yaml).course!.sourceHash;
    write("h.en.txt", "Q?\nA. a\nB. b\nANSWER: B\n");
    expect(check(yaml).course!.sourceHash).not.toBe(first);
  });
});

import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { validateCourseText } from "../src/courses/validate.js";
import { renderIssue } from "../src/messages/courseIssues.js";
import { translator } from "../src/messages/i18n.js";
import { normaliseQuestionnaires } from "../src/courses/questionnaire.js";
import { comparableQuestions } from "../src/domain/questionnaire.js";
import { courseYaml } from "./support/courses.js";
import { QUESTIONNAIRES_YAML } from "./support/questionnaires.js";
import { T0 } from "./support/harness.js";

const validate = (extra: string) => validateCourseText(courseYaml({ extra }), { now: T0, defaultTimezone: "Asia/Almaty" });
const errors = (extra: string) => validate(extra).issues.filter((i) => i.level === "error");

const yesNo = (id: string, text = `{ kk: "С", ru: "В", en: "Q" }`) => `    - id: ${id}\n      type: yes_no\n      text: ${text}\n`;

describe("questionnaire validation", () => {
  it("accepts every question type and stores defaults", () => {
    const { course, issues } = validate(QUESTIONNAIRES_YAML);
    expect(issues.filter((i) => i.level === "error")).toEqual([]);
    expect(course?.file.questionnaires?.pre).toHaveLength(6);
  });

  it("refuses more than 15 questions, saying how many", () => {
    const extra = "questionnaires:\n  pre:\n" + Array.from({ length: 16 }, (_, i) => yesNo(`q${i}`)).join("");
    const errs = errors(extra);
    expect(errs.map((e) => e.code)).toEqual(["questionnaire_over_limit"]);
    expect(errs[0]!.params).toMatchObject({ count: 16, max: 15, kind: "pre" });
    expect(renderIssue(translator("en"), "c.yaml", errs[0]!)).toContain("has 16 questions; the regulations allow at most 15");
    expect(renderIssue(translator("kk"), "c.yaml", errs[0]!)).toContain("сұрақтар саны — 16");
  });

  it("15 questions are fine", () => {
    const extra = "questionnaires:\n  post:\n" + Array.from({ length: 15 }, (_, i) => yesNo(`q${i}`)).join("");
    expect(errors(extra)).toEqual([]);
  });

  it("refuses an empty questionnaire", () => {
    expect(errors("questionnaires:\n  post: []\n").map((e) => e.code)).toEqual(["questionnaire_empty"]);
  });

  it("refuses duplicate question ids and duplicate option ids", () => {
    const extra = `questionnaires:
  pre:
${yesNo("same")}${yesNo("same")}    - id: pick
      type: single
      text: { kk: "С", ru: "В", en: "Q" }
      options:
        - { id: a, text: { kk: "А", ru: "А", en: "A" } }
        - { id: a, text: { kk: "Б", ru: "Б", en: "B" } }
`;
    const errs = errors(extra);
    expect(errs.map((e) => e.code).sort()).toEqual(["questionnaire_duplicate_id", "questionnaire_duplicate_option"]);
    expect(errs.find((e) => e.code === "questionnaire_duplicate_id")!.path).toEqual(["questionnaires", "pre", 1, "id"]);
  });

  it("refuses a question or an option missing a course language", () => {
    const extra = `questionnaires:
  pre:
${yesNo("q1", `{ kk: "С", en: "Q" }`)}    - id: pick
      type: single
      text: { kk: "С", ru: "В", en: "Q" }
      options:
        - { id: a, text: { kk: "А", ru: "А", en: "A" } }
        - { id: b, text: { kk: "Б", ru: "Б" } }
`;
    const errs = errors(extra);
    expect(errs.map((e) => [e.code, e.params.language, e.path.join(".")])).toEqual([
      ["missing_translation", "ru", "questionnaires.pre.0.text"],
      ["missing_translation", "en", "questionnaires.pre.1.options.1.text"],
    ]);
  });

  it("refuses a bad rating scale, a bad number range, an unknown type and a too long text limit", () => {
    const extra = `questionnaires:
  pre:
    - { id: r, type: rating, min: 5, max: 1, text: { kk: "С", ru: "В", en: "Q" } }
    - { id: n, type: number, min: 10, max: 1, text: { kk: "С", ru: "В", en: "Q" } }
    - { id: t, type: text, max_length: 5000, text: { kk: "С", ru: "В", en: "Q" } }
`;
    expect(errors(extra).map((e) => e.code)).toEqual([
      "questionnaire_rating_range",
      "questionnaire_number_range",
      "questionnaire_text_length",
    ]);
    const bad = errors(`questionnaires:\n  pre:\n    - { id: x, type: slider, text: { kk: "С", ru: "В", en: "Q" } }\n`);
    expect(bad[0]!.code).toBe("schema_questionnaire_type");
  });

  it("the demo course has real pre and post questionnaires: 8-12 questions, every type, kk/ru/en", () => {
    const { course, issues } = validateCourseText(readFileSync("courses/intro-programming.yaml", "utf8"), {
      now: T0,
      defaultTimezone: "Asia/Almaty",
      baseDir: "courses",
    });
    expect(issues.filter((i) => i.level !== "warning" || i.code.startsWith("questionnaire"))).toEqual([]);
    const qs = normaliseQuestionnaires(course!.file.questionnaires);
    for (const questions of [qs.pre!, qs.post!]) {
      expect(questions.length).toBeGreaterThanOrEqual(8);
      expect(questions.length).toBeLessThanOrEqual(12);
      expect(new Set(questions.map((q) => q.type))).toEqual(new Set(["rating", "single", "multiple", "yes_no", "text", "number"]));
      for (const q of questions) expect(Object.keys(q.text).sort()).toEqual(["en", "kk", "ru"]);
    }
    expect(comparableQuestions(qs.pre!, qs.post!).map(([a]) => a.id)).toEqual(["confidence", "interest", "hours"]);
  });
});

describe("questionnaire warnings", () => {
  it("warns when an option is too long for a button, and still loads", () => {
    const long = "ә".repeat(70);
    const { course, issues } = validate(`questionnaires:
  pre:
    - id: pick
      type: single
      text: { kk: "С", ru: "В", en: "Q" }
      options:
        - { id: a, text: { kk: "${long}", ru: "А", en: "A" } }
        - { id: b, text: { kk: "Б", ru: "Б", en: "B" } }
`);
    expect(course).not.toBeNull();
    expect(issues.map((i) => [i.level, i.code, i.params.length])).toEqual([["warning", "questionnaire_option_long", 70]]);
  });
});

import { describe, expect, it } from "vitest";
import { validateCourseText, type CourseIssue } from "../src/courses/validate.js";
import { renderIssue } from "../src/messages/courseIssues.js";
import { translator } from "../src/messages/i18n.js";
import { announcement, courseYaml } from "./support/courses.js";

const NOW = Date.UTC(2026, 8, 1, 4, 0);
const check = (yaml: string) => validateCourseText(yaml, { now: NOW, defaultTimezone: "Asia/Almaty" });
const codes = (issues: CourseIssue[], level: "error" | "warning") => issues.filter((i) => i.level === level).map((i) => i.code);

describe("course file validation", () => {
  it("accepts a well-formed course with no issues", () => {
    const { course, issues } = check(courseYaml());
    expect(issues).toEqual([]);
    expect(course?.modules).toHaveLength(4);
    expect(course?.dateAnchor).toBeNull();
  });

  it("reports a YAML syntax error with its line", () => {
    const { course, issues } = check("id: x\ntitle: [unclosed\n");
    expect(course).toBeNull();
    expect(issues[0]).toMatchObject({ level: "error", code: "yaml_syntax" });
    expect(issues[0]!.line).toBeGreaterThan(0);
  });

  it("reports a misspelt or missing key with its field", () => {
    const { issues } = check(courseYaml().replace("hours_per_week:", "hours_per_wek:"));
    expect(issues[0]).toMatchObject({ code: "schema_unknown_keys", path: [], params: { keys: "hours_per_wek" } });
  });

  it("schema errors become issue codes, rendered in the author's language with file:line field kept as is", () => {
    const yaml = courseYaml().replace("hours_per_week:", "hours_per_wek:").replace("hours: 4", "hours: many");
    const { issues } = check(yaml);
    expect(issues.map((i) => i.code).sort()).toEqual(["schema_expected_number", "schema_unknown_keys"]);
    const quiz = issues.find((i) => i.code === "schema_expected_number")!;
    const lines = (lang: "kk" | "ru" | "en") => issues.map((i) => renderIssue(translator(lang), "courses/x.yaml", i));
    expect(lines("en")).toContain(`courses/x.yaml:${quiz.line} modules[0].hours: error: must be a number`);
    expect(lines("ru")).toContain(`courses/x.yaml:${quiz.line} modules[0].hours: ошибка: должно быть числом`);
    expect(lines("kk")).toContain(`courses/x.yaml:${quiz.line} modules[0].hours: қате: сан болуы керек`);
    expect(lines("kk").join("\n")).toContain("бұл бөлімде мұндай өріс жоқ: hours_per_wek");
    // No English sentence from the schema library reaches a Kazakh or Russian reader.
    for (const l of [...lines("kk"), ...lines("ru")]) expect(l).not.toMatch(/Invalid|expected|Unrecognized|must be/);
  });

  it("a missing field, a wrong type, a value out of range and a bad option, each in words", () => {
    const cases: [string, string, string][] = [
      [courseYaml().replace(/^id: .*$/m, ""), "schema_required", "this field is required"],
      [courseYaml().replace(/^languages: .*$/m, "languages: [kk, de]"), "schema_language", "the language must be one of kk, ru, en"],
      [courseYaml({ quizzes: { 0: "pass_score: 120" } }), "schema_max", "must be at most 100"],
      [courseYaml({ quizzes: { 0: "pass_score: 60\nattempts: 1.5" } }), "schema_integer", "must be a whole number"],
    ];
    for (const [yaml, code, text] of cases) {
      const issue = check(yaml).issues.find((i) => i.code.startsWith("schema"));
      expect(issue?.code, yaml.slice(0, 80)).toBe(code);
      expect(renderIssue(translator("en"), "f.yaml", issue!)).toContain(text);
    }
  });

  it("requires an id usable in links", () => {
    expect(codes(check(courseYaml({ id: "Python 101" })).issues, "error")).toContain("id_format");
  });

  it("requires every text in every course language", () => {
    const yaml = courseYaml().replace(/title: \{ kk: "Python тіліне кіріспе", /, "title: { ");
    const { issues } = check(yaml);
    expect(issues).toContainEqual(expect.objectContaining({ code: "missing_translation", path: ["title"], params: { language: "kk" } }));
  });

  it("validates the weekly announcement length (400-600) per language, with the count found", () => {
    const short = announcement("ru", 1).slice(0, 372);
    const yaml = courseYaml().replace(JSON.stringify(announcement("ru", 2)), JSON.stringify(short));
    const { course, issues } = check(yaml);
    expect(course).toBeNull();
    const issue = issues.find((i) => i.code === "announcement_length")!;
    expect(issue.path).toEqual(["modules", 1, "announcement", "ru"]);
    expect(issue.params).toMatchObject({ length: 372, min: 400, max: 600 });
    expect(renderIssue(translator("en"), "c.yaml", issue)).toBe(
      `c.yaml:${issue.line} modules[1].announcement.ru: error: the weekly announcement (ru) has 372 characters; it must have 400 to 600`,
    );
  });

  it("counts characters, not UTF-16 units or bytes (Kazakh text)", () => {
    const kk = announcement("kk", 1);
    expect([...kk].length).toBeGreaterThanOrEqual(400);
    expect(Buffer.byteLength(kk)).toBeGreaterThan(600);
    expect(check(courseYaml()).issues).toEqual([]);
  });

  it("warns outside 4..6 modules and still loads", () => {
    const three = check(courseYaml({ modules: 3 }));
    expect(codes(three.issues, "warning")).toEqual(["module_count"]);
    expect(three.course).not.toBeNull();
    expect(codes(check(courseYaml({ modules: 7 })).issues, "warning")).toContain("module_count");
    expect(check(courseYaml({ modules: 6 })).issues).toEqual([]);
  });

  it("warns when the course exceeds 30 academic hours", () => {
    const { issues } = check(courseYaml({ modules: 6 }).replace(/hours: 4/g, "hours: 6"));
    expect(issues).toContainEqual(expect.objectContaining({ level: "warning", code: "course_hours", params: { value: 36, max: 30 } }));
  });

  it("refuses a module open longer than 14 days", () => {
    const yaml = courseYaml().replace("    hours: 4\n", "    hours: 4\n    deadline_days: 21\n");
    expect(codes(check(yaml).issues, "error")).toEqual(["module_open_too_long"]);
  });

  it("refuses an unknown time zone and an invalid date", () => {
    expect(codes(check(courseYaml().replace("Asia/Almaty", "Mars/Olympus")).issues, "error")).toContain("timezone_invalid");
    expect(codes(check(courseYaml({ start: "2026-02-30" })).issues, "error")).toContain("date_invalid");
  });

  it("refuses an enrollment window that closes before it opens", () => {
    const yaml = courseYaml({ extra: "enrollment: { opens: 2026-09-10, closes: 2026-09-01 }" });
    expect(codes(check(yaml).issues, "error")).toContain("enrollment_order");
  });

  it("marks files dated relative to today so the start can be pinned", () => {
    const { course } = check(courseYaml({ start: "today-3" }));
    expect(course?.dateAnchor).toBe(NOW);
  });
});

import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import type * as Yaml from "yaml";
import type { Locale } from "../domain/locale.js";
import { buildCalendar, type CourseCalendar } from "../domain/calendar.js";
import type { Translated } from "../domain/course.js";
import { RULES } from "../domain/rules.js";
import { isIanaTimeZone, parseCourseDate } from "../domain/time.js";
import { courseFileSchema, type CourseFile } from "./format.js";
import type { QuizDefinition } from "../domain/quiz.js";
import { type CourseIssue, type IssuePath } from "./issues.js";
import { checkQuizzes } from "./quizValidate.js";
import { checkQuestionnaires } from "./questionnaire.js";
import { schemaIssue } from "./schemaIssues.js";

export type { CourseIssue, IssuePath } from "./issues.js";
export { pathToString } from "./issues.js";

export interface CourseModuleDefinition {
  position: number;
  title: Translated;
  announcement: Translated;
  hours?: number;
  lessons?: number;
  opensAt: number;
  closesAt: number;
  /** The module's graded quiz, if it has one. */
  quiz?: QuizDefinition;
}

export interface CourseDefinition {
  id: string;
  languages: Locale[];
  title: Translated;
  description: Translated;
  timezone: string;
  hoursPerWeek?: number;
  lessonsPerWeek?: number;
  calendar: CourseCalendar;
  modules: CourseModuleDefinition[];
  /** Set when the file dates the course relative to "today". */
  dateAnchor: number | null;
  file: CourseFile;
  sourceHash: string;
}

export interface ValidateOptions {
  now: number;
  defaultTimezone: string;
  /** For files dated relative to "today": the instant "today" meant when the course was first imported. */
  dateAnchor?: number | null;
  /** Folder of the course file: quiz banks (Aiken, GIFT) are read relative to it. */
  baseDir?: string;
  /** How to name a quiz bank file in issues (default: its path). */
  displayPath?: (file: string) => string;
}

export interface ValidationResult {
  course: CourseDefinition | null;
  issues: CourseIssue[];
}

const ID_RE = /^[a-z0-9][a-z0-9-]{1,39}$/;

let yamlModule: typeof Yaml | null = null;
/**
 * yaml, loaded on the first course file rather than at start-up (about 0.2 s): a restart polls
 * for updates before it reads the course files (main.ts).
 */
function yaml(): typeof Yaml {
  yamlModule ??= createRequire(import.meta.url)("yaml") as typeof Yaml;
  return yamlModule;
}

/** Parses and checks a course file's text against the format and the rules of domain.md. */
export function validateCourseText(text: string, options: ValidateOptions): ValidationResult {
  const { LineCounter, parseDocument, isNode } = yaml();
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const issues: CourseIssue[] = [];
  const lineOf = (path: IssuePath): number | undefined => {
    for (let n = path.length; n >= 0; n--) {
      const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
      if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
    }
    return undefined;
  };
  const add = (level: CourseIssue["level"], code: string, path: IssuePath, params: CourseIssue["params"] = {}) =>
    issues.push({ level, code, path, line: lineOf(path), params });

  if (doc.errors.length > 0) {
    for (const e of doc.errors) {
      issues.push({ level: "error", code: "yaml_syntax", path: [], line: lineCounter.linePos(e.pos[0]).line, params: { message: e.message.split("\n")[0] ?? "" } });
    }
    return { course: null, issues };
  }

  const input = normaliseDates(doc.toJS());
  const parsed = courseFileSchema.safeParse(input);
  if (!parsed.success) {
    for (const i of parsed.error.issues) {
      const { code, params } = schemaIssue(i, input);
      add("error", code, i.path.filter((p): p is string | number => typeof p !== "symbol"), params);
    }
    return { course: null, issues };
  }
  const file = parsed.data;
  const course = checkRules(file, options, add);
  const quizzes = checkQuizzes(file, { languages: [...new Set(file.languages)], baseDir: options.baseDir, displayPath: options.displayPath });
  for (const i of quizzes.issues) issues.push(i.file ? i : { ...i, line: lineOf(i.path) });
  const hasErrors = issues.some((i) => i.level === "error");
  const hash = createHash("sha256").update(text);
  for (const bank of quizzes.filesRead) hash.update("\0").update(bank);
  return {
    course:
      hasErrors || !course
        ? null
        : {
            ...course,
            modules: course.modules.map((m) => (quizzes.quizzes[m.position] ? { ...m, quiz: quizzes.quizzes[m.position] } : m)),
            sourceHash: hash.digest("hex"),
          },
    issues,
  };
}

type Add = (level: CourseIssue["level"], code: string, path: IssuePath, params?: CourseIssue["params"]) => void;

function checkRules(file: CourseFile, options: ValidateOptions, add: Add): Omit<CourseDefinition, "sourceHash"> | null {
  if (!ID_RE.test(file.id)) add("error", "id_format", ["id"], { value: file.id });

  const languages = [...new Set(file.languages)];
  if (languages.length !== file.languages.length) add("error", "languages_duplicate", ["languages"], { value: file.languages.join(", ") });

  const requireLanguages = (t: Translated, path: IssuePath) => {
    for (const l of languages) if (!t[l]) add("error", "missing_translation", [...path], { language: l });
    for (const l of Object.keys(t)) if (!languages.includes(l as Locale)) add("warning", "extra_translation", [...path, l], { language: l });
  };
  requireLanguages(file.title, ["title"]);
  requireLanguages(file.description, ["description"]);

  const timezone = file.timezone ?? options.defaultTimezone;
  let tzOk = true;
  if (!isIanaTimeZone(timezone)) {
    add("error", "timezone_invalid", ["timezone"], { value: timezone });
    tzOk = false;
  }

  let relative = false;
  const anchor = options.dateAnchor ?? options.now;
  const date = (value: unknown, path: IssuePath): number | null => {
    if (!tzOk) return null;
    const d = parseCourseDate(String(value), timezone, anchor);
    if (!d) {
      add("error", "date_invalid", path, { value: String(value) });
      return null;
    }
    relative ||= d.relative;
    return d.ms;
  };
  const startAt = date(file.start, ["start"]);
  const opensOverride = file.enrollment?.opens !== undefined ? date(file.enrollment.opens, ["enrollment", "opens"]) : undefined;
  const closesOverride = file.enrollment?.closes !== undefined ? date(file.enrollment.closes, ["enrollment", "closes"]) : undefined;

  const { min: minModules, max: maxModules } = RULES.modulesPerCourse;
  if (file.modules.length < minModules || file.modules.length > maxModules) {
    add("warning", "module_count", ["modules"], { count: file.modules.length, min: minModules, max: maxModules });
  }

  const { min: minLen, max: maxLen } = RULES.announcementLength;
  file.modules.forEach((m, k) => {
    requireLanguages(m.title, ["modules", k, "title"]);
    requireLanguages(m.announcement, ["modules", k, "announcement"]);
    for (const [lang, text] of Object.entries(m.announcement)) {
      const length = [...text].length;
      if (length < minLen || length > maxLen) {
        add("error", "announcement_length", ["modules", k, "announcement", lang], { length, min: minLen, max: maxLen, language: lang });
      }
    }
    if (m.deadline_days !== undefined && m.deadline_days > RULES.maxModuleOpenDays) {
      add("error", "module_open_too_long", ["modules", k, "deadline_days"], { value: m.deadline_days, max: RULES.maxModuleOpenDays });
    }
  });

  checkQuestionnaires(file.questionnaires, add, requireLanguages);

  const totalHours = file.modules.reduce((sum, m) => sum + (m.hours ?? file.hours_per_week ?? 0), 0);
  if (totalHours > RULES.maxCourseHours) {
    add("warning", "course_hours", ["modules"], { value: totalHours, max: RULES.maxCourseHours });
  }

  if (startAt === null || opensOverride === null || closesOverride === null) return null;
  const calendar = buildCalendar({
    startAt,
    timezone,
    moduleOpenDays: file.modules.map((m) => Math.min(m.deadline_days ?? RULES.maxModuleOpenDays, RULES.maxModuleOpenDays)),
    enrollOpensAt: opensOverride,
    enrollClosesAt: closesOverride,
  });
  if (calendar.enrollOpensAt >= calendar.enrollClosesAt) {
    add("error", "enrollment_order", ["enrollment"], {});
  }
  return {
    id: file.id,
    languages,
    title: file.title,
    description: file.description,
    timezone,
    hoursPerWeek: file.hours_per_week,
    lessonsPerWeek: file.lessons_per_week,
    calendar,
    modules: file.modules.map((m, position) => ({
      position,
      title: m.title,
      announcement: m.announcement,
      hours: m.hours,
      lessons: m.lessons,
      opensAt: calendar.modules[position]!.opensAt,
      closesAt: calendar.modules[position]!.closesAt,
    })),
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- set inside the date() callback
    dateAnchor: relative ? anchor : null,
    file,
  };
}

/** YAML 1.1 parsers turn bare dates into Date objects; the format wants the text the author wrote. */
function normaliseDates(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (Array.isArray(value)) return value.map(normaliseDates);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normaliseDates(v)]));
  }
  return value;
}

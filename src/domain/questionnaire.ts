/**
 * Pre- and post-course questionnaires: the question model, when they are open, how a typed answer
 * is read, and the statistics authors see. Pure: no I/O.
 */
import type { Translated } from "./course.js";
import { RULES } from "./rules.js";
import { addLocalDays } from "./time.js";

export const QUESTIONNAIRE_KINDS = ["pre", "post"] as const;
export type QuestionnaireKind = (typeof QUESTIONNAIRE_KINDS)[number];

export function isQuestionnaireKind(v: unknown): v is QuestionnaireKind {
  return v === "pre" || v === "post";
}

interface QuestionBase {
  id: string;
  text: Translated;
  required: boolean;
}

export interface ChoiceOption {
  id: string;
  text: Translated;
}

export type Question =
  | (QuestionBase & { type: "rating"; min: number; max: number; minLabel?: Translated; maxLabel?: Translated })
  | (QuestionBase & { type: "single" | "multiple"; options: ChoiceOption[] })
  | (QuestionBase & { type: "yes_no" })
  | (QuestionBase & { type: "text"; maxLength: number })
  | (QuestionBase & { type: "number"; min?: number; max?: number; integer: boolean });

export type QuestionType = Question["type"];

/**
 * An answer as stored: rating and number -> number, single -> option id, multiple -> option ids,
 * yes_no -> boolean, text -> string; null = the learner skipped an optional question.
 */
export type AnswerValue = number | string | string[] | boolean | null;

export interface Questionnaires {
  pre?: Question[];
  post?: Question[];
}

// ---------------------------------------------------------------- when

export interface CourseDates {
  startAt: number;
  endAt: number;
  timezone: string;
}

export interface Window {
  /** Open on [opensAt, closesAt). */
  opensAt: number;
  closesAt: number;
}

/**
 * The pre-course questionnaire is open from enrollment (any time before the start) until the end
 * of the first week, so that learners who enroll in the first days still state their expectations.
 */
export function questionnaireWindow(kind: QuestionnaireKind, c: CourseDates): Window {
  if (kind === "pre") {
    return { opensAt: Number.NEGATIVE_INFINITY, closesAt: addLocalDays(c.startAt, RULES.preQuestionnaireOpenDaysAfterStart, c.timezone) };
  }
  return { opensAt: c.endAt, closesAt: addLocalDays(c.endAt, RULES.analysisDaysAfterEnd, c.timezone) };
}

export function isQuestionnaireOpen(kind: QuestionnaireKind, c: CourseDates, now: number): boolean {
  const w = questionnaireWindow(kind, c);
  return now >= w.opensAt && now < w.closesAt;
}

/** The one reminder: two days before the start (pre), three days after the end (post). */
export function reminderAt(kind: QuestionnaireKind, c: CourseDates): number {
  return kind === "pre"
    ? addLocalDays(c.startAt, -RULES.preQuestionnaireReminderDaysBeforeStart, c.timezone)
    : addLocalDays(c.endAt, RULES.postQuestionnaireReminderDaysAfterEnd, c.timezone);
}

// ---------------------------------------------------------------- typed answers

export type InputError =
  | { code: "use_buttons" }
  | { code: "send_text" }
  | { code: "not_a_number" }
  | { code: "not_integer" }
  | { code: "too_small"; min: number }
  | { code: "too_big"; max: number }
  | { code: "out_of_range"; min: number; max: number }
  | { code: "too_long"; length: number; max: number }
  | { code: "empty" };

export type InputResult = { ok: true; value: AnswerValue } | { ok: false; error: InputError };

/** "3,5", " 42 ", "-1" -> a number; anything else -> null. */
export function parseNumber(text: string): number | null {
  const s = text.trim().replace(/\s+/g, "").replace(",", ".");
  if (!/^[-+]?(\d+(\.\d*)?|\.\d+)$/.test(s)) return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}

/** Reads a typed message as the answer to `q`: free text, a number, or a rating typed as a digit. */
export function parseTextAnswer(q: Question, text: string): InputResult {
  switch (q.type) {
    case "text": {
      const value = text.trim();
      if (!value) return { ok: false, error: { code: "empty" } };
      const length = [...value].length;
      if (length > q.maxLength) return { ok: false, error: { code: "too_long", length, max: q.maxLength } };
      return { ok: true, value };
    }
    case "number": {
      const n = parseNumber(text);
      if (n === null) return { ok: false, error: { code: "not_a_number" } };
      if (q.integer && !Number.isInteger(n)) return { ok: false, error: { code: "not_integer" } };
      if (q.min !== undefined && q.max !== undefined && (n < q.min || n > q.max)) {
        return { ok: false, error: { code: "out_of_range", min: q.min, max: q.max } };
      }
      if (q.min !== undefined && n < q.min) return { ok: false, error: { code: "too_small", min: q.min } };
      if (q.max !== undefined && n > q.max) return { ok: false, error: { code: "too_big", max: q.max } };
      return { ok: true, value: n };
    }
    case "rating": {
      const n = parseNumber(text);
      if (n === null || !Number.isInteger(n) || n < q.min || n > q.max) {
        return { ok: false, error: { code: "out_of_range", min: q.min, max: q.max } };
      }
      return { ok: true, value: n };
    }
    default:
      return { ok: false, error: { code: "use_buttons" } };
  }
}

/** Whether a stored value is a valid answer to the question as it is defined now (files may change). */
export function isValidAnswer(q: Question, v: AnswerValue): boolean {
  if (v === null) return !q.required;
  switch (q.type) {
    case "rating":
      return typeof v === "number" && Number.isInteger(v) && v >= q.min && v <= q.max;
    case "single":
      return typeof v === "string" && q.options.some((o) => o.id === v);
    case "multiple":
      return Array.isArray(v) && v.length > 0 && v.every((id) => q.options.some((o) => o.id === id));
    case "yes_no":
      return typeof v === "boolean";
    case "text":
      return typeof v === "string" && v.length > 0 && [...v].length <= q.maxLength;
    case "number":
      return (
        typeof v === "number" &&
        (!q.integer || Number.isInteger(v)) &&
        (q.min === undefined || v >= q.min) &&
        (q.max === undefined || v <= q.max)
      );
  }
}

// ---------------------------------------------------------------- statistics

export interface NumericStats {
  count: number;
  mean: number;
  median: number;
  min: number;
  max: number;
}

export function numericStats(values: readonly number[]): NumericStats | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return {
    count: sorted.length,
    mean: sorted.reduce((s, v) => s + v, 0) / sorted.length,
    median,
    min: sorted[0]!,
    max: sorted[sorted.length - 1]!,
  };
}

export interface QuestionSummary {
  question: Question;
  /** Learners who answered (not skipped). */
  answered: number;
  skipped: number;
  /** For rating, single, multiple, yes_no: count per key (rating value, option id, "yes"/"no"), in display order. */
  distribution: { key: string; count: number }[];
  numeric: NumericStats | null;
  texts: string[];
}

/** Summarises the answers (of submitted responses) to one question. */
export function summarizeQuestion(q: Question, answers: readonly AnswerValue[]): QuestionSummary {
  const given = answers.filter((a) => a !== null && isValidAnswer(q, a));
  const summary: QuestionSummary = {
    question: q,
    answered: given.length,
    skipped: answers.filter((a) => a === null).length,
    distribution: [],
    numeric: null,
    texts: [],
  };
  const count = (keys: string[], pick: (a: AnswerValue) => string[]) => {
    const counts = new Map(keys.map((k) => [k, 0]));
    for (const a of given) for (const k of pick(a)) counts.set(k, (counts.get(k) ?? 0) + 1);
    summary.distribution = [...counts].map(([key, n]) => ({ key, count: n }));
  };
  switch (q.type) {
    case "rating":
      count(
        Array.from({ length: q.max - q.min + 1 }, (_, i) => String(q.min + i)),
        (a) => [String(a)],
      );
      summary.numeric = numericStats(given as number[]);
      break;
    case "single":
      count(
        q.options.map((o) => o.id),
        (a) => [a as string],
      );
      break;
    case "multiple":
      count(
        q.options.map((o) => o.id),
        (a) => a as string[],
      );
      break;
    case "yes_no":
      count(["yes", "no"], (a) => [a ? "yes" : "no"]);
      break;
    case "number":
      summary.numeric = numericStats(given as number[]);
      break;
    case "text":
      summary.texts = given as string[];
      break;
  }
  return summary;
}

/** Questions whose id is in both questionnaires with a comparable type. */
export function comparableQuestions(pre: readonly Question[], post: readonly Question[]): [Question, Question][] {
  const pairs: [Question, Question][] = [];
  for (const a of pre) {
    const b = post.find((q) => q.id === a.id);
    if (!b) continue;
    const numeric = (t: QuestionType) => t === "rating" || t === "number";
    if (a.type === b.type || (numeric(a.type) && numeric(b.type))) pairs.push([a, b]);
  }
  return pairs;
}

import { readFileSync } from "node:fs";
import { isAbsolute, join, normalize, relative } from "node:path";
import type { Locale } from "../domain/locale.js";
import type { Translated } from "../domain/course.js";
import { hasFullCredit, type AcceptedText, type QuizDefinition, type QuizQuestion } from "../domain/quiz.js";
import { RULES } from "../domain/rules.js";
import type { CourseFile, InlineQuestion, QuizFile } from "./format.js";
import { parseAiken, parseGift, type ParsedBank, type ParsedQuestion } from "./quizText.js";

export type { QuizDefinition } from "../domain/quiz.js";

export interface QuizIssue {
  level: "error" | "warning";
  code: string;
  path: (string | number)[];
  /** The question file the issue is in (omitted: the course file). */
  file?: string;
  line?: number;
  params: Record<string, string | number>;
}

export interface QuizCheckOptions {
  languages: Locale[];
  /** Folder of the course file: bank files are read relative to it. Without it, files cannot be used. */
  baseDir?: string;
  /** How to show a bank file's name in messages (default: as written in the course file). */
  displayPath?: (file: string) => string;
}

export interface QuizCheckResult {
  /** By module position; undefined where the module has no quiz or its quiz has errors. */
  quizzes: (QuizDefinition | undefined)[];
  issues: QuizIssue[];
  /** The text of every bank file read, so the course's hash changes when a bank changes. */
  filesRead: string[];
}

/**
 * Checks every module's quiz: inline questions, Aiken and GIFT files (one per language, matched
 * question by question), pass score and pick against the bank, and the warnings of domain.md.
 */
export function checkQuizzes(file: CourseFile, options: QuizCheckOptions): QuizCheckResult {
  const issues: QuizIssue[] = [];
  const filesRead: string[] = [];
  const quizzes = file.modules.map((m, k) => {
    if (!m.quiz) return undefined;
    const before = issues.filter((i) => i.level === "error").length;
    const quiz = checkQuiz(m.quiz, ["modules", k, "quiz"], options, issues, filesRead);
    return issues.filter((i) => i.level === "error").length > before ? undefined : quiz;
  });
  const declared = file.modules.filter((m) => m.quiz).length;
  // Counting is only meaningful once every bank was read without errors.
  if (declared > 0 && !issues.some((i) => i.level === "error")) {
    const total = quizzes.reduce((s, q) => s + (q?.questions.length ?? 0), 0);
    if (total < RULES.minTestItemsPerCourse) {
      issues.push({ level: "warning", code: "quiz_course_items", path: ["modules"], params: { count: total, min: RULES.minTestItemsPerCourse } });
    }
  }
  return { quizzes, issues, filesRead };
}

function checkQuiz(
  quiz: QuizFile,
  path: (string | number)[],
  options: QuizCheckOptions,
  issues: QuizIssue[],
  filesRead: string[],
): QuizDefinition {
  const { languages } = options;
  const err = (code: string, p: (string | number)[], params: QuizIssue["params"] = {}, extra: Partial<QuizIssue> = {}) =>
    issues.push({ level: "error", code, path: p, params, ...extra });
  const requireLanguages = (t: Translated | undefined, p: (string | number)[]) => {
    if (!t) return;
    for (const l of languages) if (!t[l]) err("missing_translation", p, { language: l });
  };

  const questions: QuizQuestion[] = [];
  (quiz.questions ?? []).forEach((q, i) => {
    const qp = [...path, "questions", i];
    questions.push(inlineQuestion(q, qp, languages, err, requireLanguages));
  });
  if (quiz.aiken) questions.push(...fileBank("aiken", quiz.aiken, [...path, "aiken"], options, issues, filesRead));
  if (quiz.gift) questions.push(...fileBank("gift", quiz.gift, [...path, "gift"], options, issues, filesRead));
  requireLanguages(quiz.review, [...path, "review"]);

  // A bank with errors already said what is wrong; counts of a half-read bank would only confuse.
  const bankErrors = issues.some((i) => i.level === "error" && pathStartsWith(i.path, path));
  if (bankErrors) return { passScore: quiz.pass_score, attempts: quiz.attempts, timeLimitMinutes: null, pick: null, feedback: quiz.feedback, scorePolicy: quiz.score, questions };
  if (questions.length === 0) err("quiz_empty", path);
  if (quiz.pick !== undefined && quiz.pick > questions.length && questions.length > 0) {
    err("quiz_pick_exceeds_bank", [...path, "pick"], { pick: quiz.pick, count: questions.length });
  }
  if (questions.length > 0 && questions.length <= RULES.minPracticeQuestionsExclusive) {
    issues.push({ level: "warning", code: "quiz_bank_small", path, params: { count: questions.length, min: RULES.minPracticeQuestionsExclusive + 1 } });
  }
  return {
    passScore: quiz.pass_score,
    attempts: quiz.attempts,
    timeLimitMinutes: quiz.time_limit_minutes ?? null,
    pick: quiz.pick ?? null,
    feedback: quiz.feedback,
    scorePolicy: quiz.score,
    questions: questions.map((q) => (q.review || !quiz.review ? q : { ...q, review: quiz.review })),
  };
}

type Err = (code: string, p: (string | number)[], params?: QuizIssue["params"]) => void;

function inlineQuestion(
  q: InlineQuestion,
  qp: (string | number)[],
  languages: Locale[],
  err: Err,
  requireLanguages: (t: Translated | undefined, p: (string | number)[]) => void,
): QuizQuestion {
  requireLanguages(q.text, [...qp, "text"]);
  requireLanguages(q.feedback, [...qp, "feedback"]);
  requireLanguages(q.review, [...qp, "review"]);
  const base = { prompt: q.text, feedback: q.feedback, review: q.review };
  switch (q.type) {
    case "single":
    case "multiple": {
      q.options.forEach((o, j) => requireLanguages(o.text, [...qp, "options", j, "text"]));
      const correct = q.options.filter((o) => o.correct).length;
      if (q.type === "single" && correct !== 1) err("quiz_single_correct", [...qp, "options"], { count: correct });
      if (q.type === "multiple" && correct < 1) err("quiz_multiple_correct", [...qp, "options"]);
      if (q.type === "multiple" && correct === q.options.length) err("quiz_multiple_all_correct", [...qp, "options"]);
      return {
        ...base,
        kind: q.type,
        options: q.options.map((o) => ({ text: o.text, weight: o.correct ? 100 : 0, feedback: o.feedback })),
        fixedOrder: q.fixed_order,
      };
    }
    case "truefalse":
      return { ...base, kind: "truefalse", answer: q.answer };
    case "text": {
      for (const l of languages) if (!q.answers[l]?.length) err("missing_translation", [...qp, "answers"], { language: l });
      const accepted: Partial<Record<Locale, AcceptedText[]>> = {};
      for (const [l, list] of Object.entries(q.answers)) accepted[l as Locale] = list.map((value) => ({ value, weight: 100 }));
      return { ...base, kind: "text", accepted };
    }
    case "number":
      return { ...base, kind: "number", numbers: [{ value: q.answer, tolerance: q.tolerance ?? 0, weight: 100 }] };
  }
}

/** Reads one bank (a file per language), parses it, and merges the languages question by question. */
function fileBank(
  format: "aiken" | "gift",
  files: Partial<Record<Locale, string>>,
  path: (string | number)[],
  options: QuizCheckOptions,
  issues: QuizIssue[],
  filesRead: string[],
): QuizQuestion[] {
  const { languages, baseDir } = options;
  const show = (f: string) => options.displayPath?.(f) ?? f;
  const parsed = new Map<Locale, { file: string; bank: ParsedBank }>();
  for (const l of languages) {
    if (!files[l]) issues.push({ level: "error", code: "missing_translation", path, params: { language: l } });
  }
  for (const [lang, rel] of Object.entries(files) as [Locale, string][]) {
    if (!languages.includes(lang)) {
      issues.push({ level: "warning", code: "extra_translation", path: [...path, lang], params: { language: lang } });
      continue;
    }
    if (baseDir === undefined) {
      issues.push({ level: "error", code: "quiz_file_no_base", path: [...path, lang], params: { value: rel } });
      continue;
    }
    const full = normalize(join(baseDir, rel));
    if (isAbsolute(rel) || relative(baseDir, full).startsWith("..")) {
      issues.push({ level: "error", code: "quiz_file_outside", path: [...path, lang], params: { value: rel } });
      continue;
    }
    let text: string;
    try {
      text = readFileSync(full, "utf8");
    } catch {
      issues.push({ level: "error", code: "quiz_file_missing", path: [...path, lang], params: { value: rel } });
      continue;
    }
    filesRead.push(text);
    const bank = format === "aiken" ? parseAiken(text) : parseGift(text);
    for (const i of bank.issues) {
      issues.push({ level: "error", code: i.code, path: [...path, lang], file: show(full), line: i.line, params: i.params });
    }
    if (bank.questions.length === 0 && bank.issues.length === 0) {
      issues.push({ level: "error", code: "quiz_file_empty", path: [...path, lang], file: show(full), params: {} });
    }
    parsed.set(lang, { file: show(full), bank });
  }
  if (parsed.size === 0 || issues.some((i) => i.level === "error" && pathStartsWith(i.path, path))) return [];

  // Languages must describe the same questions: same count, type, options and answers, in order.
  const [first, ...others] = [...parsed.entries()];
  const [refLang, ref] = first!;
  for (const [lang, other] of others) {
    if (other.bank.questions.length !== ref.bank.questions.length) {
      issues.push({
        level: "error",
        code: "quiz_languages_count",
        path: [...path, lang],
        file: other.file,
        params: { language: lang, count: other.bank.questions.length, other: refLang, otherCount: ref.bank.questions.length },
      });
      return [];
    }
    ref.bank.questions.forEach((rq, i) => {
      const oq = other.bank.questions[i]!;
      const mismatch = sameShape(rq, oq);
      if (mismatch) {
        issues.push({
          level: "error",
          code: "quiz_languages_differ",
          path: [...path, lang],
          file: other.file,
          line: oq.line,
          params: { number: i + 1, what: mismatch, other: refLang, otherLine: rq.line },
        });
      }
    });
  }
  if (issues.some((i) => i.level === "error" && pathStartsWith(i.path, path))) return [];

  return ref.bank.questions.map((rq, i) => {
    const version = (l: Locale) => parsed.get(l)!.bank.questions[i]!;
    const langs = [...parsed.keys()];
    const tr = (pick: (q: ParsedQuestion) => string | undefined): Translated | undefined => {
      const out: Translated = {};
      for (const l of langs) {
        const v = pick(version(l));
        if (v) out[l] = v;
      }
      return Object.keys(out).length ? out : undefined;
    };
    const q: QuizQuestion = { kind: rq.kind, prompt: tr((x) => x.prompt)!, feedback: tr((x) => x.feedback), review: tr((x) => x.review) };
    if (rq.options) {
      q.options = rq.options.map((o, j) => ({
        text: tr((x) => x.options![j]!.text)!,
        weight: o.weight,
        feedback: tr((x) => x.options![j]!.feedback),
      }));
    }
    if (rq.answer !== undefined) q.answer = rq.answer;
    if (rq.numbers) q.numbers = rq.numbers;
    if (rq.accepted) {
      q.accepted = {};
      for (const l of langs) q.accepted[l] = version(l).accepted;
    }
    if (!hasFullCredit(q)) {
      issues.push({ level: "error", code: "gift_no_correct", path, file: parsed.get(refLang)!.file, line: rq.line, params: {} });
    }
    return q;
  });
}

function pathStartsWith(p: (string | number)[], prefix: (string | number)[]): boolean {
  return prefix.every((x, i) => p[i] === x);
}

/** Why two language versions of a question disagree, or null when they agree. */
function sameShape(a: ParsedQuestion, b: ParsedQuestion): string | null {
  if (a.kind !== b.kind) return `type ${a.kind} / ${b.kind}`;
  if ((a.options?.length ?? 0) !== (b.options?.length ?? 0)) return `options ${a.options?.length ?? 0} / ${b.options?.length ?? 0}`;
  if (a.options?.some((o, j) => o.weight !== b.options![j]!.weight)) return "correct options";
  if (a.answer !== b.answer) return "true/false answer";
  if (JSON.stringify(a.numbers?.map((n) => [n.value, n.tolerance, n.weight])) !== JSON.stringify(b.numbers?.map((n) => [n.value, n.tolerance, n.weight]))) {
    return "numeric answer";
  }
  return null;
}

import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { isAbsolute, join, normalize, relative } from "node:path";
import type { Locale } from "../domain/locale.js";
import type { Translated } from "../domain/course.js";
import { hasFullCredit, type AcceptedText, type QuizDefinition, type QuizQuestion } from "../domain/quiz.js";
import { RULES } from "../domain/rules.js";
import type { CourseFile, InlineQuestion, QuizFile } from "./format.js";
import { escapeHtml } from "../domain/text.js";
import { telegramLimitProblems } from "./bankLimits.js";
import { decodeBankFile } from "./encoding.js";
import { parseAiken } from "./aiken.js";
import { parseGift } from "./gift.js";
import { parseMoodleXml } from "./moodleXml.js";
import { mapTexts, type ParsedBank, type ParsedQuestion } from "./quizText.js";

import type { BankImage } from "../domain/quiz.js";
export type { BankImage, QuizDefinition } from "../domain/quiz.js";

export interface QuizIssue {
  level: "error" | "warning" | "note";
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
    const question = inlineQuestion(q, qp, languages, err, requireLanguages);
    // The same Telegram limits as bank questions; the YAML line comes from the path.
    for (const l of languages) for (const p of telegramLimitProblems(question, l)) err(p.code, qp, p.params);
    questions.push(question);
  });
  let skipped = 0;
  const images: BankImage[] = [];
  for (const format of ["aiken", "gift", "moodle_xml"] as const) {
    const files = quiz[format];
    if (!files) continue;
    const bank = fileBank(format, files, [...path, format], options, issues, filesRead, quiz.import === "valid-only");
    questions.push(...bank.questions);
    images.push(...bank.images);
    skipped += bank.skipped;
  }
  requireLanguages(quiz.review, [...path, "review"]);

  // A bank with errors already said what is wrong; counts of a half-read bank would only confuse.
  const bankErrors = issues.some((i) => i.level === "error" && pathStartsWith(i.path, path));
  if (bankErrors) return { passScore: quiz.pass_score, attempts: quiz.attempts, timeLimitMinutes: null, pick: null, feedback: quiz.feedback, scorePolicy: quiz.score, reviewAfter: quiz.review_after, questions, skipped, images };
  if (questions.length === 0) err("quiz_empty", path);
  if (quiz.pick !== undefined && quiz.pick > questions.length && questions.length > 0) {
    err("quiz_pick_exceeds_bank", [...path, "pick"], { pick: quiz.pick, count: questions.length });
  }
  // Right answers shown after each attempt travel to the next one: Moodle's "immediately after the attempt" with retakes.
  if (quiz.review_after === "attempt" && quiz.attempts > 1) {
    issues.push({ level: "warning", code: "quiz_review_before_retake", path: [...path, "review_after"], params: { attempts: quiz.attempts } });
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
    reviewAfter: quiz.review_after,
    skipped,
    images,
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

export type BankFormat = "aiken" | "gift" | "moodle_xml";

/** Bank files larger than this are refused before parsing (a Moodle XML export with photos fits easily). */
export const MAX_BANK_BYTES = 30 * 1024 * 1024;

/** Issues of a whole file (not of one question): they refuse the bank whatever the import mode. */
const FILE_LEVEL = new Set(["xml_syntax", "xml_doctype", "xml_not_moodle"]);

interface BankResult {
  questions: QuizQuestion[];
  images: BankImage[];
  /** Questions left out: unsupported types (essay…) always, broken ones under import: valid-only. */
  skipped: number;
}

/** A photo of a question, by content hash, to store in question_images. */
function readBankText(full: string, rel: string, path: (string | number)[], show: (f: string) => string, issues: QuizIssue[]): string | null {
  let bytes: Buffer;
  try {
    if (statSync(full).size > MAX_BANK_BYTES) {
      issues.push({ level: "error", code: "bank_too_big", path, file: show(full), params: { max: MAX_BANK_BYTES / 1024 / 1024 } });
      return null;
    }
    bytes = readFileSync(full);
  } catch {
    issues.push({ level: "error", code: "quiz_file_missing", path, params: { value: rel } });
    return null;
  }
  const decoded = decodeBankFile(bytes);
  if (!decoded.ok) {
    issues.push({ level: "error", code: "bank_encoding", path, file: show(full), params: { encoding: decoded.encoding } });
    return null;
  }
  if (!decoded.encoding.startsWith("UTF-8")) {
    issues.push({ level: "note", code: "bank_decoded", path, file: show(full), params: { encoding: decoded.encoding } });
  }
  return decoded.text;
}

const PARSERS: Record<BankFormat, (text: string) => ParsedBank> = { aiken: parseAiken, gift: parseGift, moodle_xml: parseMoodleXml };

/** Reads one bank (a file per language), parses it, and merges the languages question by question. */
function fileBank(
  format: BankFormat,
  files: Partial<Record<Locale, string>>,
  path: (string | number)[],
  options: QuizCheckOptions,
  issues: QuizIssue[],
  filesRead: string[],
  validOnly: boolean,
): BankResult {
  const empty: BankResult = { questions: [], images: [], skipped: 0 };
  const { languages, baseDir } = options;
  const show = (f: string) => options.displayPath?.(f) ?? f;
  const parsed = new Map<Locale, { file: string; bank: ParsedBank }>();
  for (const l of languages) {
    if (!files[l]) issues.push({ level: "error", code: "missing_translation", path, params: { language: l } });
  }
  /** Lines of broken questions per file, for the summary of a valid-only import. */
  const brokenLines = new Map<string, number[]>();
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
    const text = readBankText(full, rel, [...path, lang], show, issues);
    if (text === null) continue;
    filesRead.push(text);
    const bank = PARSERS[format](text);
    for (const i of bank.issues) {
      const level = i.level ?? "error";
      // Under valid-only, a broken question is reported and skipped instead of refusing the course.
      const skippable = level === "error" && validOnly && !FILE_LEVEL.has(i.code);
      issues.push({ level: skippable ? "warning" : level, code: i.code, path: [...path, lang], file: show(full), line: i.line, params: i.params });
      if (skippable) brokenLines.set(show(full), [...(brokenLines.get(show(full)) ?? []), i.line]);
    }
    if (bank.slots.length === 0 && !bank.issues.some((i) => (i.level ?? "error") === "error")) {
      issues.push({ level: "error", code: "quiz_file_empty", path: [...path, lang], file: show(full), params: {} });
    }
    parsed.set(lang, { file: show(full), bank });
  }
  const hasErrors = () => issues.some((i) => i.level === "error" && pathStartsWith(i.path, path));
  if (parsed.size === 0 || hasErrors()) return empty;

  // Languages must describe the same questions: same count, type, options and answers, in order.
  const [first, ...others] = [...parsed.entries()];
  const [refLang, ref] = first!;
  for (const [lang, other] of others) {
    if (other.bank.slots.length !== ref.bank.slots.length) {
      issues.push({
        level: "error",
        code: "quiz_languages_count",
        path: [...path, lang],
        file: other.file,
        params: { language: lang, count: other.bank.slots.length, other: refLang, otherCount: ref.bank.slots.length },
      });
      return empty;
    }
  }
  const langs = [...parsed.keys()];
  const questions: QuizQuestion[] = [];
  const images = new Map<string, BankImage>();
  let skipped = 0;
  const questionError = (code: string, lang: Locale, line: number, params: QuizIssue["params"]) => {
    const file = parsed.get(lang)!.file;
    issues.push({ level: validOnly ? "warning" : "error", code, path: [...path, lang], file, line, params });
    if (validOnly) brokenLines.set(file, [...(brokenLines.get(file) ?? []), line]);
  };
  ref.bank.slots.forEach((refSlot, i) => {
    const versions = langs.map((l) => parsed.get(l)!.bank.slots[i]!);
    const kinds = new Set(versions.map((v) => ("question" in v ? "question" : v.skipped)));
    if (kinds.has("description") && kinds.size === 1) return;
    if (!versions.every((v) => "question" in v)) {
      // Skipped in one language: skipped in all (its own issue says why). A mix of a question
      // and a description means the files are not the same bank.
      if (kinds.has("question") && kinds.size > 1 && !kinds.has("broken")) {
        const odd = langs.find((_, k) => !("question" in versions[k]!))!;
        questionError("quiz_languages_differ", odd, versions[langs.indexOf(odd)]!.line, { number: i + 1, what: "type", other: refLang, otherLine: refSlot.line });
      }
      skipped++;
      return;
    }
    const version = (l: Locale) => (parsed.get(l)!.bank.slots[i] as { question: ParsedQuestion }).question;
    const rq = version(refLang);
    for (const l of langs.slice(1)) {
      const mismatch = sameShape(rq, version(l));
      if (mismatch) {
        questionError("quiz_languages_differ", l, version(l).line, { number: i + 1, what: mismatch, other: refLang, otherLine: rq.line });
        skipped++;
        return;
      }
    }
    const q = mergeLanguages(langs, version);
    const problems: { code: string; params: QuizIssue["params"]; lang: Locale }[] = langs.flatMap((l) => telegramLimitProblems(q, l).map((p) => ({ ...p, lang: l })));
    if (!hasFullCredit(q)) problems.push({ code: "gift_no_correct", params: {}, lang: refLang });
    if (problems.length > 0) {
      for (const p of problems) questionError(p.code, p.lang, version(p.lang).line, p.params);
      skipped++;
      return;
    }
    const withImage = langs.map(version).find((v) => v.image);
    if (withImage?.image) {
      const bytes = Buffer.from(withImage.image.base64, "base64");
      const sha256 = createHash("sha256").update(bytes).digest("hex");
      images.set(sha256, { sha256, mime: withImage.image.mime, name: withImage.image.name, bytes });
      q.image = { sha256, mime: withImage.image.mime, name: withImage.image.name };
    }
    questions.push(q);
  });
  for (const [file, lines] of brokenLines) {
    issues.push({ level: "warning", code: "bank_skipped_summary", path, file, params: { count: lines.length, lines: [...new Set(lines)].sort((a, b) => a - b).join(", ") } });
  }
  return { questions, images: [...images.values()], skipped };
}

/** One question from its language versions (which sameShape found to agree). */
export function mergeLanguages(langs: Locale[], version: (l: Locale) => ParsedQuestion): QuizQuestion {
  const html = langs.some((l) => version(l).html);
  // A question is HTML in every language as soon as one version needs markup.
  const v = (l: Locale) => (html && !version(l).html ? mapTexts(version(l), escapeHtml) : version(l));
  const rq = v(langs[0]!);
  const tr = (pick: (q: ParsedQuestion) => string | undefined): Translated | undefined => {
    const out: Translated = {};
    for (const l of langs) {
      const x = pick(v(l));
      if (x) out[l] = x;
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
    for (const l of langs) q.accepted[l] = v(l).accepted;
  }
  if (rq.pairs) q.pairs = rq.pairs.map((_, j) => ({ stem: tr((x) => x.pairs![j]!.stem)!, answer: tr((x) => x.pairs![j]!.answer)! }));
  if (rq.distractors) q.distractors = rq.distractors.map((_, j) => tr((x) => x.distractors![j])!);
  const trueFeedback = tr((x) => x.trueFeedback);
  const falseFeedback = tr((x) => x.falseFeedback);
  if (trueFeedback) q.trueFeedback = trueFeedback;
  if (falseFeedback) q.falseFeedback = falseFeedback;
  if (rq.moodle) q.moodle = true;
  if (html) q.html = true;
  if (rq.fixedOrder) q.fixedOrder = true;
  if (rq.tags) q.tags = rq.tags;
  if (q.feedback === undefined) delete q.feedback;
    if (q.review === undefined) delete q.review;
  return q;
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
  if ((a.pairs?.length ?? 0) !== (b.pairs?.length ?? 0) || (a.distractors?.length ?? 0) !== (b.distractors?.length ?? 0)) return "matching pairs";
  if (JSON.stringify(a.numbers?.map((n) => [n.value, n.tolerance, n.weight])) !== JSON.stringify(b.numbers?.map((n) => [n.value, n.tolerance, n.weight]))) {
    return "numeric answer";
  }
  return null;
}

import type { Locale } from "./locale.js";
import type { Translated } from "./course.js";
import { RULES } from "./rules.js";
import type { ReviewAfter } from "./quizReview.js";

/**
 * Quizzes: the question model, grading of one answer and of an attempt, per-learner variants,
 * and the course progress schedule of domain.md. Pure: no I/O, no clock, no Math.random.
 */

export type QuestionKind = "single" | "multiple" | "truefalse" | "text" | "number" | "matching";

export interface ChoiceOption {
  text: Translated;
  /** Credit in percent for choosing this option: 100 = fully correct, 0 = wrong, negative = penalty. */
  weight: number;
  /** Shown after the answer when this option was chosen (GIFT `#feedback`). */
  feedback?: Translated;
}

export interface AcceptedText {
  value: string;
  weight: number;
  feedback?: string;
}

export interface AcceptedNumber {
  value: number;
  tolerance: number;
  weight: number;
  feedback?: string;
  /** Moodle's `*` answer (GIFT `~#feedback`): matches any number not matched by an earlier answer. */
  any?: boolean;
}

/** One pair of a matching question: the left-hand stem and its right-hand answer. */
export interface MatchPair {
  stem: Translated;
  answer: Translated;
}

/** An image of the question (Moodle `@@PLUGINFILE@@`), stored by content hash in question_images. */
export interface QuestionImage {
  sha256: string;
  mime: string;
  name: string;
}

export interface QuizQuestion {
  kind: QuestionKind;
  prompt: Translated;
  /** single, multiple */
  options?: ChoiceOption[];
  /** truefalse */
  answer?: boolean;
  /** text: accepted answers per language (any language's answers are accepted). */
  accepted?: Partial<Record<Locale, AcceptedText[]>>;
  /** number */
  numbers?: AcceptedNumber[];
  /** Feedback shown when the answer is not fully right (GIFT general feedback, or the author's note). */
  feedback?: Translated;
  /** Which lesson or material to revisit when the answer is wrong. */
  review?: Translated;
  /** Keep the options in the written order (e.g. "all of the above"). */
  fixedOrder?: boolean;
  /** matching: the pairs, in the bank's order (one chat step per pair). */
  pairs?: MatchPair[];
  /** matching: extra right-hand answers that match no stem (Moodle XML subquestions without text). */
  distractors?: Translated[];
  /** truefalse: feedback for choosing True / False (Moodle's feedbacktrue / feedbackfalse). */
  trueFeedback?: Translated;
  falseFeedback?: Translated;
  /**
   * Set by the bank importers (Aiken, GIFT, Moodle XML): Moodle's semantics. Short answers: the
   * first answer that matches wins and `*` is a wildcard (`\*` a literal star); numbers: the first
   * answer within tolerance wins; multiple choice: the chosen options' weights are summed as
   * written and clamped to 0..100%. Unset (inline YAML, banks stored before): the bot's own rules.
   */
  moodle?: boolean;
  /** Every text of the question (prompt, options, feedback, review, stems) is Telegram HTML, sanitised at import. */
  html?: boolean;
  /** Sent as a photo before the question. */
  image?: QuestionImage;
  /** Moodle categories and tags, e.g. "Week 1/Loops". */
  tags?: string[];
}

/** What a learner gave: option indexes (in the bank's order), true/false, or the typed text. */
export type GivenAnswer =
  | { kind: "choice"; options: number[] }
  | { kind: "truefalse"; value: boolean }
  | { kind: "text"; text: string }
  /** matching: per pair (bank order), the index in matchingChoices(q) chosen, or -1 when not answered. */
  | { kind: "matching"; choices: number[] };

export interface Grade {
  /** 0..1 */
  score: number;
  correct: boolean;
  /** Feedback attached to what was chosen or typed, if the author wrote one. */
  feedback?: Translated;
}

/** Lowercase, NFKC, no surrounding or repeated spaces, no trailing punctuation, ё = е, quotes dropped. */
export function normaliseText(s: string): string {
  return s
    .normalize("NFKC")
    .toLocaleLowerCase()
    .replace(/ё/g, "е")
    .replace(/[«»"“”„'‘’`]/g, "")
    .replace(/\s+/g, " ")
    .trim()
    .replace(/[.!?;:,]+$/u, "")
    .trim();
}

/** A typed number: "3.5", "3,5", " -2 ", "1 000" (spaces as thousand separators). null if not a number. */
export function parseNumberAnswer(s: string): number | null {
  const t = s
    .trim()
    .replace(/[\s\u00a0\u202f]/g, "")
    .replace(",", ".");
  if (!/^[+-−]?(\d+(?:\.\d*)?|\.\d+)(e[+-]?\d+)?$/i.test(t)) return null;
  const n = Number(t.replace("−", "-"));
  return Number.isFinite(n) ? n : null;
}

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

/** Numeric answers come from one bank file; their feedback is in that file's language. */
const sameInEveryLanguage = (text: string): Translated => ({ kk: text, ru: text, en: text });

/** Grades one answer. A malformed answer (wrong shape for the question) is worth 0, never an error. */
export function gradeAnswer(q: QuizQuestion, given: GivenAnswer): Grade {
  switch (q.kind) {
    case "single": {
      if (given.kind !== "choice" || given.options.length !== 1) return { score: 0, correct: false };
      const opt = q.options?.[given.options[0]!];
      if (!opt) return { score: 0, correct: false };
      const score = clamp01(opt.weight / 100);
      return { score, correct: score >= 1, feedback: opt.feedback };
    }
    case "multiple": {
      if (given.kind !== "choice") return { score: 0, correct: false };
      const chosen = [...new Set(given.options)].filter((i) => q.options?.[i] !== undefined);
      if (q.moodle) return gradeMoodleMultiple(q, chosen);
      const weights = effectiveWeights(q.options ?? []);
      const total = chosen.reduce((s, i) => s + weights[i]!, 0);
      const score = clamp01(total / 100);
      // Fully right only when exactly the credited options were chosen.
      const credited = weights.map((w, i) => (w > 0 ? i : -1)).filter((i) => i >= 0);
      const exact = chosen.length === credited.length && credited.every((i) => chosen.includes(i));
      const feedback = chosen.length === 1 ? q.options![chosen[0]!]!.feedback : undefined;
      return { score: exact ? 1 : Math.min(score, 0.99), correct: exact, feedback };
    }
    case "truefalse": {
      if (given.kind !== "truefalse") return { score: 0, correct: false };
      const ok = given.value === q.answer;
      return { score: ok ? 1 : 0, correct: ok, feedback: given.value ? q.trueFeedback : q.falseFeedback };
    }
    case "text": {
      if (given.kind !== "text") return { score: 0, correct: false };
      const typed = normaliseText(given.text);
      let best: { a: AcceptedText; lang: Locale } | undefined;
      for (const [lang, list] of Object.entries(q.accepted ?? {}) as [Locale, AcceptedText[] | undefined][]) {
        for (const a of list ?? []) {
          const matches = q.moodle ? matchesWildcard(a.value, typed) : normaliseText(a.value) === typed;
          if (matches && (!best || a.weight > best.a.weight)) best = { a, lang };
          // Moodle: the first answer that matches is the one that counts.
          if (matches && q.moodle) break;
        }
      }
      const score = clamp01((best?.a.weight ?? 0) / 100);
      // The feedback is in the language of the answer that matched (shown as is in any language).
      return { score, correct: score >= 1, feedback: best?.a.feedback ? { [best.lang]: best.a.feedback } : undefined };
    }
    case "number": {
      if (given.kind !== "text") return { score: 0, correct: false };
      const n = parseNumberAnswer(given.text);
      if (n === null) return { score: 0, correct: false };
      let best: AcceptedNumber | undefined;
      for (const a of q.numbers ?? []) {
        // A small epsilon so 0.1 + 0.2 style decimals still match "0.3 with tolerance 0".
        const matches = a.any === true || Math.abs(n - a.value) <= a.tolerance + 1e-9;
        if (matches && (!best || a.weight > best.weight)) best = a;
        if (matches && q.moodle) break;
      }
      const score = clamp01((best?.weight ?? 0) / 100);
      return { score, correct: score >= 1, feedback: best?.feedback ? sameInEveryLanguage(best.feedback) : undefined };
    }
    case "matching": {
      const pairs = q.pairs ?? [];
      if (given.kind !== "matching" || pairs.length === 0) return { score: 0, correct: false };
      const choices = matchingChoices(q);
      // Moodle scores a matching question per pair: right pairs / all pairs.
      const right = pairs.filter((p, k) => {
        const c = choices[given.choices[k] ?? -1];
        return c !== undefined && sameTranslated(c, p.answer);
      }).length;
      const score = right / pairs.length;
      return { score, correct: right === pairs.length };
    }
  }
}

/** Moodle multiple-answer scoring: the weights of the chosen options summed, clamped to 0..100%. */
function gradeMoodleMultiple(q: QuizQuestion, chosen: number[]): Grade {
  const total = chosen.reduce((s, i) => s + q.options![i]!.weight, 0);
  // Moodle's grades are rounded (3 x 33.33333% = 99.99999%); it counts above 0.999999 as fully right.
  const raw = clamp01(total / 100);
  const score = raw > 0.999999 ? 1 : raw;
  const feedbacks = chosen.map((i) => q.options![i]!.feedback).filter((f): f is Translated => f !== undefined);
  return { score, correct: score === 1, feedback: joinTranslated(feedbacks) };
}

function joinTranslated(list: Translated[]): Translated | undefined {
  if (list.length === 0) return undefined;
  if (list.length === 1) return list[0];
  const out: Translated = {};
  for (const t of list) for (const [l, v] of Object.entries(t) as [Locale, string][]) out[l] = out[l] ? `${out[l]}\n${v}` : v;
  return out;
}

const sameTranslated = (a: Translated, b: Translated) =>
  JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());

/**
 * The right-hand answers of a matching question in their canonical order: each pair's answer
 * (identical answers once, as Moodle shows them), then the distractors. Variants shuffle this list;
 * a matching answer gives, per pair, an index into it.
 */
export function matchingChoices(q: Pick<QuizQuestion, "pairs" | "distractors">): Translated[] {
  const out: Translated[] = [];
  for (const t of [...(q.pairs ?? []).map((p) => p.answer), ...(q.distractors ?? [])]) {
    if (!out.some((x) => sameTranslated(x, t))) out.push(t);
  }
  return out;
}

const WILDCARD = "\u0000";
const LITERAL_STAR = "\u0001";

/**
 * Moodle's short-answer comparison with `*` matching any run of characters (`\*` is a star),
 * after the bot's normalisation of both sides. Linear in the typed text: the pattern's literal
 * pieces are found left to right with indexOf, no regular expression built from author text.
 */
export function matchesWildcard(pattern: string, typedNormalised: string): boolean {
  const marked = pattern.replace(/\\\*/g, LITERAL_STAR).replace(/\*/g, WILDCARD);
  const pieces = normaliseText(marked)
    .split(WILDCARD)
    .map((p) => p.split(LITERAL_STAR).join("*"));
  if (pieces.length === 1) return pieces[0] === typedNormalised;
  const first = pieces[0]!;
  const last = pieces[pieces.length - 1]!;
  if (!typedNormalised.startsWith(first)) return false;
  let at = first.length;
  for (const mid of pieces.slice(1, -1)) {
    const found = typedNormalised.indexOf(mid, at);
    if (found < 0) return false;
    at = found + mid.length;
  }
  return typedNormalised.length - at >= last.length && typedNormalised.endsWith(last);
}

/**
 * Weights used for multiple choice. Options written without weights (YAML, or GIFT `=`) share
 * 100% among the correct ones, and each wrong option costs as much as a correct one gives,
 * so ticking everything never earns credit.
 */
export function effectiveWeights(options: readonly ChoiceOption[]): number[] {
  const positives = options.filter((o) => o.weight > 0).length;
  const explicit = options.some((o) => o.weight > 0 && o.weight < 100) || options.some((o) => o.weight < 0);
  if (explicit || positives === 0) return options.map((o) => o.weight);
  const share = 100 / positives;
  return options.map((o) => (o.weight > 0 ? share : -share));
}

/** True if the question as written has a fully correct answer (checked on import). */
export function hasFullCredit(q: QuizQuestion): boolean {
  switch (q.kind) {
    case "single":
      return (q.options ?? []).some((o) => o.weight >= 100);
    case "multiple": {
      const w = effectiveWeights(q.options ?? []);
      return w.filter((x) => x > 0).reduce((a, b) => a + b, 0) >= 99.5;
    }
    case "truefalse":
      return q.answer !== undefined;
    case "text":
      return Object.values(q.accepted ?? {}).some((l) => l.some((a) => a.weight >= 100));
    case "number":
      return (q.numbers ?? []).some((a) => a.weight >= 100);
    case "matching":
      return (q.pairs ?? []).length >= 2;
  }
}

// ---------------------------------------------------------------- variants

/** FNV-1a, 32 bit: a stable seed from text. */
export function hashSeed(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: a small deterministic PRNG returning floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** One question of an attempt: which bank question, and the order its options are shown in. */
export interface VariantItem {
  /** Position of the question in the quiz bank. */
  q: number;
  /** Option indexes (bank order) in display order; matching: indexes of matchingChoices(); empty otherwise. */
  order: number[];
}

/**
 * The learner's own variant of a quiz for one attempt: a random subset of `pick` questions
 * (all when pick is unset) in random order, each with its options shuffled. Deterministic in
 * (learner, quiz, attempt), so the same attempt always shows the same variant.
 */
export function buildVariant(
  bank: readonly Pick<QuizQuestion, "kind" | "options" | "fixedOrder" | "pairs" | "distractors">[],
  pick: number | null | undefined,
  seedText: string,
): VariantItem[] {
  const random = seededRandom(hashSeed(seedText));
  const count = pick && pick > 0 ? Math.min(pick, bank.length) : bank.length;
  const chosen = shuffled(
    bank.map((_, i) => i),
    random,
  ).slice(0, count);
  return chosen.map((q) => {
    const question = bank[q]!;
    // matching: the order the right-hand answers are offered in (the same for every pair).
    if (question.kind === "matching")
      return {
        q,
        order: shuffled(
          matchingChoices(question).map((_, i) => i),
          random,
        ),
      };
    const n = question.options?.length ?? 0;
    const natural = Array.from({ length: n }, (_, i) => i);
    const isChoice = question.kind === "single" || question.kind === "multiple";
    return { q, order: isChoice && !question.fixedOrder ? shuffled(natural, random) : isChoice ? natural : [] };
  });
}

export function variantSeed(learnerId: number, quizKey: string, attemptNo: number): string {
  return `${learnerId}|${quizKey}|${attemptNo}`;
}

// ---------------------------------------------------------------- attempts and progress

/**
 * Attempt score in percent: the sum of the answered questions' scores over ALL questions of the
 * variant. An unanswered question counts 0, so skipping can never reach 100%.
 */
export function attemptPercent(questionCount: number, scores: readonly number[]): number {
  if (questionCount <= 0) return 0;
  const sum = scores.reduce((s, x) => s + clamp01(x), 0);
  return floorTenth((sum / questionCount) * 100);
}

/**
 * Percentages are kept to a tenth, rounded DOWN, so what a learner is shown is what the rules
 * are applied to, and 39.96% never shows as "40%" (the epsilon absorbs float noise like 28.999…).
 */
export function floorTenth(percent: number): number {
  return Math.floor(percent * 10 + 1e-6) / 10;
}

export type ScorePolicy = "best" | "last";

/** The module's score from its finished attempts (in order): the best, or the last one. */
export function moduleScore(finishedPercents: readonly number[], policy: ScorePolicy = "best"): number | null {
  if (finishedPercents.length === 0) return null;
  return policy === "last" ? finishedPercents[finishedPercents.length - 1]! : Math.max(...finishedPercents);
}

/**
 * Course progress: the share of all graded work, i.e. the average of every graded quiz's module
 * score, where a quiz never finished counts 0.
 */
export function courseProgress(moduleScores: readonly (number | null)[]): number {
  if (moduleScores.length === 0) return 0;
  const sum = moduleScores.reduce<number>((s, x) => s + (x ?? 0), 0);
  return floorTenth(sum / moduleScores.length);
}

export type ProgressStatus = "not_completed" | "passed" | "certificate";

/** domain.md's progress schedule: under 40% not completed, 40 to under 85 passed, 85+ certificate. */
export function progressStatus(percent: number): ProgressStatus {
  if (percent >= RULES.progress.certificate) return "certificate";
  if (percent >= RULES.progress.passed) return "passed";
  return "not_completed";
}

export type QuizAvailability =
  | { state: "not_open"; opensAt: number }
  | { state: "closed"; closedAt: number }
  | { state: "no_attempts_left"; used: number }
  | { state: "in_progress" }
  | { state: "open"; attemptsLeft: number };

export interface AvailabilityInput {
  opensAt: number;
  closesAt: number;
  attemptsAllowed: number;
  attemptsStarted: number;
  hasOpenAttempt: boolean;
}

/** Whether a learner may start (or continue) a quiz now. The deadline wins over everything. */
export function quizAvailability(a: AvailabilityInput, now: number): QuizAvailability {
  if (now < a.opensAt) return { state: "not_open", opensAt: a.opensAt };
  if (now >= a.closesAt) return { state: "closed", closedAt: a.closesAt };
  if (a.hasOpenAttempt) return { state: "in_progress" };
  if (a.attemptsStarted >= a.attemptsAllowed) return { state: "no_attempts_left", used: a.attemptsStarted };
  return { state: "open", attemptsLeft: a.attemptsAllowed - a.attemptsStarted };
}

/** The instant an attempt stops accepting answers: its time limit or the quiz deadline, whichever first. */
export function attemptEndsAt(startedAt: number, timeLimitMinutes: number | null | undefined, closesAt: number): number {
  return timeLimitMinutes ? Math.min(startedAt + timeLimitMinutes * 60_000, closesAt) : closesAt;
}

/** A module's quiz as the bot runs it (validated from a course file, stored by the db layer). */
/** A photo of a question (Moodle XML @@PLUGINFILE@@), stored once by its hash. */
export interface BankImage {
  sha256: string;
  mime: string;
  name: string;
  bytes: Buffer;
}

/** A module's quiz as the bot runs it. */
export interface QuizDefinition {
  passScore: number;
  attempts: number;
  timeLimitMinutes: number | null;
  pick: number | null;
  feedback: "after_each" | "at_end";
  scorePolicy: ScorePolicy;
  /** When a learner may review an attempt with the right answers. */
  reviewAfter: ReviewAfter;
  questions: QuizQuestion[];
  /** Questions of the bank files left out (unsupported types; broken ones under import: valid-only). */
  skipped: number;
  /** Photos of the questions (Moodle XML @@PLUGINFILE@@), by sha256. */
  images: BankImage[];
}

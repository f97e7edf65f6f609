import type { AcceptedNumber, AcceptedText, QuestionKind } from "../domain/quiz.js";
import { telegramHtmlToPlain } from "../domain/questionText.js";

/**
 * What the bank parsers (aiken.ts, gift.ts, moodleXml.ts) give back. Each file holds one
 * language's version of a bank; the questions of the language files are matched by position
 * (quizValidate.ts checks that they agree). Every question of a file is a slot, so a question
 * skipped (unsupported or broken) in one language is skipped in all of them.
 */

/** One question in one language, with the line it starts on. */
export interface ParsedQuestion {
  line: number;
  kind: QuestionKind;
  prompt: string;
  options?: { text: string; weight: number; feedback?: string }[];
  answer?: boolean;
  accepted?: AcceptedText[];
  numbers?: AcceptedNumber[];
  feedback?: string;
  /** GIFT general feedback (`####...`): what to review when the answer is wrong. */
  review?: string;
  /** truefalse: feedback for choosing True / False. */
  trueFeedback?: string;
  falseFeedback?: string;
  /** matching */
  pairs?: { stem: string; answer: string }[];
  distractors?: string[];
  /** The texts (not the accepted short answers) are Telegram HTML; otherwise plain text. */
  html?: boolean;
  /** Moodle semantics (every question read from a bank file). */
  moodle?: boolean;
  image?: { name: string; mime: string; base64: string };
  tags?: string[];
  fixedOrder?: boolean;
}

export interface TextIssue {
  line: number;
  /** Key under `validation.` */
  code: string;
  params: Record<string, string | number>;
  /** error (default): the question is broken; warning/note: said, and the import goes on. */
  level?: "error" | "warning" | "note";
}

/** One question block of a file: read, or skipped (why is in the issues). */
export type Slot =
  | { line: number; question: ParsedQuestion }
  | { line: number; skipped: "broken" | "unsupported" | "description" };

export interface ParsedBank {
  /** The questions read, in order (the slots that hold a question). */
  questions: ParsedQuestion[];
  slots: Slot[];
  issues: TextIssue[];
}

export function bankFromSlots(slots: Slot[], issues: TextIssue[]): ParsedBank {
  return { slots, issues, questions: slots.flatMap((s) => ("question" in s ? [s.question] : [])) };
}

/**
 * Texts arrive from the parsers as Telegram HTML. A question whose texts need no markup is kept
 * as plain text (so banks without formatting stay exactly as the bot stored them before).
 */
export function settleTexts(q: ParsedQuestion): ParsedQuestion {
  const texts = allTexts(q);
  const needsHtml = texts.some((t) => t !== escapeForCheck(telegramHtmlToPlain(t)));
  if (needsHtml) return { ...q, html: true };
  return mapTexts(q, telegramHtmlToPlain);
}

const escapeForCheck = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

function allTexts(q: ParsedQuestion): string[] {
  const out: string[] = [];
  mapTexts(q, (t) => {
    out.push(t);
    return t;
  });
  return out;
}

/** The same question with every shown text (not the accepted answers) passed through `f`. */
export function mapTexts(q: ParsedQuestion, f: (t: string) => string): ParsedQuestion {
  const o = (t: string | undefined) => (t === undefined ? undefined : f(t));
  return {
    ...q,
    prompt: f(q.prompt),
    feedback: o(q.feedback),
    review: o(q.review),
    trueFeedback: o(q.trueFeedback),
    falseFeedback: o(q.falseFeedback),
    options: q.options?.map((x) => ({ ...x, text: f(x.text), feedback: o(x.feedback) })),
    pairs: q.pairs?.map((p) => ({ stem: f(p.stem), answer: f(p.answer) })),
    distractors: q.distractors?.map(f),
    numbers: q.numbers?.map((n) => ({ ...n, feedback: o(n.feedback) })),
    accepted: q.accepted?.map((a) => ({ ...a, feedback: o(a.feedback) })),
  };
}

/** Moodle's category path as a tag: "$course$/top/Week 1/Loops" -> "Week 1/Loops". */
export function categoryTag(path: string): string | undefined {
  const parts = path
    .trim()
    .split("/")
    .map((p) => p.trim())
    .filter((p) => p !== "" && !/^\$[a-z0-9]+\$$/i.test(p));
  if (parts[0]?.toLowerCase() === "top") parts.shift();
  return parts.length ? parts.join("/") : undefined;
}

/**
 * Moodle accepts only these grades for an answer (question/engine/lib: the grade options), and an
 * import with any other one fails ("invalid grade"). In percent.
 */
export const MOODLE_GRADES = [
  100, 90, 83.33333, 80, 75, 70, 66.66667, 60, 50, 40, 33.33333, 30, 25, 20, 16.66667, 14.28571, 12.5, 11.11111, 10, 5, 0,
];

/** The Moodle grade a written percent stands for (within Moodle's 0.001% fuzz), or null. */
export function moodleGrade(percent: number): number | null {
  const abs = Math.abs(percent);
  const match = MOODLE_GRADES.find((g) => Math.abs(g - abs) < 0.001);
  return match === undefined ? null : percent < 0 ? -match : match;
}


export interface Block {
  line: number;
  lines: string[];
}

/**
 * Splits a text into blocks separated by blank lines, keeping each block's first line number.
 * Lines end in LF, CRLF or a lone CR (old Mac editors; Moodle's Aiken reader accepts it too).
 */
export function blocks(text: string, skip: (line: string) => boolean = () => false): Block[] {
  const out: Block[] = [];
  let current: Block | null = null;
  text
    .replace(/^\uFEFF/, "")
    .split(/\r\n|\r|\n/)
    .forEach((raw, i) => {
      const line = raw.trimEnd();
      if (skip(line)) return;
      if (line.trim() === "") {
        current = null;
        return;
      }
      if (!current) {
        current = { line: i + 1, lines: [] };
        out.push(current);
      }
      current.lines.push(line);
    });
  return out;
}


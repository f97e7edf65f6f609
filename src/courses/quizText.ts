import type { AcceptedNumber, AcceptedText, QuestionKind } from "../domain/quiz.js";
import { truncate } from "../domain/text.js";

/**
 * Parsers for the two plain-text question formats authors use: Aiken (domain.md's template,
 * as Moodle reads it) and Moodle GIFT. Each file holds one language's version of a bank; the
 * questions of the language files are matched by position (validate.ts checks that they agree).
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
}

export interface TextIssue {
  line: number;
  /** Key under `validation.` */
  code: string;
  params: Record<string, string | number>;
}

export interface ParsedBank {
  questions: ParsedQuestion[];
  issues: TextIssue[];
}

interface Block {
  line: number;
  lines: string[];
}

/** Splits a text into blocks separated by blank lines, keeping each block's first line number. */
function blocks(text: string, skip: (line: string) => boolean = () => false): Block[] {
  const out: Block[] = [];
  let current: Block | null = null;
  text
    .replace(/^\uFEFF/, "")
    .split(/\r?\n/)
    .forEach((raw, i) => {
      const line = raw.replace(/\s+$/, "");
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

// ---------------------------------------------------------------- Aiken

const AIKEN_OPTION = /^\s*([A-Z])\s*[.)]\s+(.*\S)\s*$/;
const AIKEN_ANSWER = /^\s*ANSWER\s*:\s*(.*?)\s*$/i;

/**
 * Aiken: the question text, then options "A. text" (or "A) text") in alphabetical order, then
 * "ANSWER: X". Questions are separated by blank lines. One correct answer per question.
 */
export function parseAiken(text: string): ParsedBank {
  const questions: ParsedQuestion[] = [];
  const issues: TextIssue[] = [];
  for (const b of blocks(text)) {
    const promptLines: string[] = [];
    const options: { letter: string; text: string; line: number }[] = [];
    let answer: { letter: string; line: number } | null = null;
    let broken = false;
    b.lines.forEach((l, k) => {
      const lineNo = b.line + k;
      if (broken) return;
      const a = AIKEN_ANSWER.exec(l);
      if (a) {
        if (answer) {
          issues.push({ line: lineNo, code: "aiken_two_answers", params: {} });
          broken = true;
          return;
        }
        answer = { letter: a[1]!.toUpperCase(), line: lineNo };
        return;
      }
      if (answer) {
        issues.push({ line: lineNo, code: "aiken_after_answer", params: { text: truncate(l.trim(), 60) } });
        broken = true;
        return;
      }
      const o = AIKEN_OPTION.exec(l);
      if (o && (options.length > 0 || promptLines.length > 0)) {
        const expected = String.fromCharCode(65 + options.length);
        if (o[1] !== expected) {
          issues.push({ line: lineNo, code: "aiken_option_order", params: { found: o[1]!, expected } });
          broken = true;
          return;
        }
        options.push({ letter: o[1], text: o[2]!, line: lineNo });
        return;
      }
      if (options.length > 0) {
        issues.push({ line: lineNo, code: "aiken_bad_line", params: { text: truncate(l.trim(), 60) } });
        broken = true;
        return;
      }
      promptLines.push(l.trim());
    });
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- set inside the callback above
    if (broken) continue;
    const ans = answer as { letter: string; line: number } | null;
    if (promptLines.length === 0) {
      issues.push({ line: b.line, code: "aiken_no_question", params: {} });
      continue;
    }
    if (options.length < 2) {
      issues.push({ line: b.line, code: "aiken_few_options", params: { count: options.length } });
      continue;
    }
    if (!ans) {
      issues.push({ line: b.line, code: "aiken_no_answer", params: {} });
      continue;
    }
    const correct = options.findIndex((o) => o.letter === ans.letter);
    if (!/^[A-Z]$/.test(ans.letter) || correct < 0) {
      issues.push({
        line: ans.line,
        code: "aiken_answer_unknown",
        params: { value: ans.letter, letters: options.map((o) => o.letter).join(", ") },
      });
      continue;
    }
    questions.push({
      line: b.line,
      kind: "single",
      prompt: promptLines.join("\n"),
      options: options.map((o, i) => ({ text: o.text, weight: i === correct ? 100 : 0 })),
    });
  }
  return { questions, issues };
}

// ---------------------------------------------------------------- GIFT

function unescapeGift(s: string): string {
  return s.replace(/\\([~=#{}:\\n])/g, (_, c: string) => (c === "n" ? "\n" : c)).trim();
}

/** Index of the first unescaped `ch` at or after `from`, or -1. */
function findUnescaped(s: string, ch: string, from = 0): number {
  for (let i = from; i < s.length; i++) {
    if (s[i] === "\\") {
      i++;
      continue;
    }
    if (s[i] === ch) return i;
  }
  return -1;
}

/** Splits on unescaped separators (any char of `chars`), keeping the separator at the start of each part. */
function splitUnescaped(s: string, chars: string): string[] {
  const parts: string[] = [];
  let start = -1;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === "\\") {
      i++;
      continue;
    }
    if (chars.includes(s[i]!)) {
      if (start >= 0) parts.push(s.slice(start, i));
      start = i;
    } else if (start < 0 && s[i]!.trim() !== "") {
      // Text before the first separator: kept as a part of its own so the caller can reject it.
      start = i;
    }
  }
  if (start >= 0) parts.push(s.slice(start));
  return parts;
}

/** "text#feedback" -> [text, feedback] */
function splitFeedback(s: string): [string, string | undefined] {
  const i = findUnescaped(s, "#");
  return i < 0 ? [s, undefined] : [s.slice(0, i), unescapeGift(s.slice(i + 1)) || undefined];
}

/** "%50%text" -> [50, "text"]; no prefix -> [fallback, text]. null when the percent is malformed. */
function splitWeight(s: string, fallback: number): [number, string] | null {
  const m = /^\s*%(-?\d+(?:\.\d+)?)%/.exec(s);
  if (!m) {
    if (/^\s*%/.test(s)) return null;
    return [fallback, s];
  }
  return [Number(m[1]), s.slice(m[0].length)];
}

/**
 * Moodle GIFT, for the question types of domain.md:
 *   single choice    `{=right ~wrong ~wrong}`
 *   multiple choice  `{~%50%a ~%50%b ~%-100%c}` (or several `=` among `~`)
 *   true/false       `{T}` `{F}` `{TRUE}` `{FALSE}` (optional `#wrong feedback#right feedback`)
 *   short answer     `{=answer =other answer =%50%partly}` (only `=` answers)
 *   numeric          `{#5:0.5}` `{#1..5}` `{#=5:0 =%50%5:2}`
 * with `::title::`, `// comments`, `#feedback` per answer and `####general feedback`, which
 * becomes the question's review hint (shown when the answer is wrong).
 */
export function parseGift(text: string): ParsedBank {
  const questions: ParsedQuestion[] = [];
  const issues: TextIssue[] = [];
  // `$CATEGORY:` lines are Moodle bank metadata; comments are whole lines starting with //.
  for (const b of blocks(text, (l) => /^\s*\/\//.test(l) || /^\s*\$CATEGORY:/i.test(l))) {
    const q = parseGiftQuestion(b.lines.join("\n"), b.line, issues);
    if (q) questions.push(q);
  }
  return { questions, issues };
}

function parseGiftQuestion(raw: string, line: number, issues: TextIssue[]): ParsedQuestion | null {
  const fail = (code: string, params: TextIssue["params"] = {}) => {
    issues.push({ line, code, params });
    return null;
  };
  let s = raw.trim();
  // ::title::
  if (s.startsWith("::")) {
    const end = s.indexOf("::", 2);
    if (end < 0) return fail("gift_title");
    s = s.slice(end + 2).trim();
  }
  s = s.replace(/^\[(html|moodle|plain|markdown)\]/i, "");
  const open = findUnescaped(s, "{");
  if (open < 0) return fail("gift_no_answers");
  const close = findUnescaped(s, "}", open + 1);
  if (close < 0) return fail("gift_unclosed");
  if (findUnescaped(s, "{", close + 1) >= 0) return fail("gift_two_blocks");
  const before = unescapeGift(s.slice(0, open));
  const after = unescapeGift(s.slice(close + 1));
  const prompt = after ? `${before} _____ ${after}` : before;
  if (!prompt) return fail("gift_no_question");
  let body = s.slice(open + 1, close).trim();

  // General feedback: "####text" at the end of the answer block.
  let general: string | undefined;
  const gi = body.indexOf("####");
  if (gi >= 0) {
    general = unescapeGift(body.slice(gi + 4)) || undefined;
    body = body.slice(0, gi).trim();
  }
  if (body === "") return fail("gift_unsupported", { type: "essay" });
  if (body.includes("->")) return fail("gift_unsupported", { type: "matching" });

  // True / false
  const tf = /^(T|F|TRUE|FALSE)\b\s*(.*)$/is.exec(body);
  if (tf && !/^[=~#]/.test(body)) {
    const rest = tf[2]!.trim();
    if (rest && !rest.startsWith("#")) return fail("gift_bad_truefalse", { text: truncate(body, 40) });
    const fbs = rest ? rest.split(/(?<!\\)#/).slice(1).map(unescapeGift) : [];
    // Moodle: first feedback is shown for a wrong answer, second for a right one.
    return { line, kind: "truefalse", prompt, answer: tf[1]!.toUpperCase().startsWith("T"), feedback: fbs[0] || undefined, review: general };
  }

  // Numeric
  if (body.startsWith("#")) {
    const numbers: AcceptedNumber[] = [];
    const inner = body.slice(1).trim();
    const parts = inner.startsWith("=") ? splitUnescaped(inner, "=") : [inner];
    for (const part of parts) {
      const p = part.startsWith("=") ? part.slice(1) : part;
      const w = splitWeight(p, 100);
      if (!w) return fail("gift_bad_weight", { text: truncate(p.trim(), 40) });
      const [weight, rest] = w;
      const [value, feedback] = splitFeedback(rest);
      const n = parseGiftNumber(value.trim());
      if (!n) return fail("gift_bad_number", { text: truncate(value.trim(), 40) });
      numbers.push({ ...n, weight, feedback });
    }
    if (numbers.length === 0) return fail("gift_bad_number", { text: "" });
    if (!numbers.some((n) => n.weight >= 100)) return fail("gift_no_correct");
    return { line, kind: "number", prompt, numbers, review: general };
  }

  // Choices and short answers
  const parts = splitUnescaped(body, "=~");
  const answers: { correct: boolean; weight: number; text: string; feedback?: string }[] = [];
  for (const part of parts) {
    const mark = part[0];
    if (mark !== "=" && mark !== "~") return fail("gift_bad_answer", { text: truncate(part.trim(), 40) });
    const w = splitWeight(part.slice(1), mark === "=" ? 100 : 0);
    if (!w) return fail("gift_bad_weight", { text: truncate(part.trim(), 40) });
    const [weight, rest] = w;
    const [t, feedback] = splitFeedback(rest);
    const text = unescapeGift(t);
    if (!text) return fail("gift_empty_answer");
    answers.push({ correct: mark === "=", weight, text, feedback });
  }
  if (answers.length === 0) return fail("gift_no_answers");
  const hasWrongMarks = answers.some((a) => !a.correct);
  if (!hasWrongMarks) {
    // Only "=" answers: a short answer question.
    if (!answers.some((a) => a.weight >= 100)) return fail("gift_no_correct");
    return {
      line,
      kind: "text",
      prompt,
      accepted: answers.map((a) => ({ value: a.text, weight: a.weight, feedback: a.feedback })),
      review: general,
    };
  }
  if (answers.length < 2) return fail("gift_few_options");
  const options = answers.map((a) => ({ text: a.text, weight: a.weight, feedback: a.feedback }));
  const fullyCorrect = answers.filter((a) => a.weight >= 100).length;
  const partial = answers.filter((a) => a.weight > 0 && a.weight < 100).length;
  let kind: QuestionKind;
  if (fullyCorrect === 1 && partial === 0) kind = "single";
  else if (fullyCorrect === 0 && partial > 0) {
    kind = "multiple";
    const sum = answers.filter((a) => a.weight > 0).reduce((s, a) => s + a.weight, 0);
    if (Math.abs(sum - 100) > 1) return fail("gift_weights_sum", { sum });
  } else if (fullyCorrect > 1 && partial === 0) kind = "multiple";
  else if (fullyCorrect === 0) return fail("gift_no_correct");
  else return fail("gift_mixed_weights");
  return { line, kind, prompt, options, review: general };
}

/** "5:0.5" (value and tolerance), "1..5" (range) or "5". */
function parseGiftNumber(s: string): { value: number; tolerance: number } | null {
  const num = (x: string) => (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(x.trim()) ? Number(x.trim()) : null);
  const range = /^(.+?)\.\.(.+)$/.exec(s);
  if (range) {
    const a = num(range[1]!);
    const b = num(range[2]!);
    if (a === null || b === null || b < a) return null;
    return { value: (a + b) / 2, tolerance: (b - a) / 2 };
  }
  const colon = s.indexOf(":");
  if (colon >= 0) {
    const v = num(s.slice(0, colon));
    const t = num(s.slice(colon + 1));
    if (v === null || t === null || t < 0) return null;
    return { value: v, tolerance: t };
  }
  const v = num(s);
  return v === null ? null : { value: v, tolerance: 0 };
}


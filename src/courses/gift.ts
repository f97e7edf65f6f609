import type { AcceptedNumber } from "../domain/quiz.js";
import { toTelegramHtml, type TextFormat } from "../domain/questionText.js";
import { bankFromSlots, blocks, categoryTag, moodleGrade, settleTexts, type ParsedBank, type ParsedQuestion, type Slot, type TextIssue } from "./quizText.js";
import { truncate } from "../domain/text.js";

/**
 * Moodle GIFT, read the way Moodle's own importer (question/format/gift/format.php) reads it:
 *   - escapes `\\ \: \# \= \{ \} \~ \n` are set aside first, then the text is cut at the first
 *     `{` and the first `}`; text after the block makes a fill-in-the-blank prompt (`_____`);
 *   - the type: no braces = description (skipped with a note), `{}` = essay (skipped with a
 *     warning), `{#…}` numerical, any `~` multiple choice, `=` with `->` matching, `T`/`F`/
 *     `TRUE`/`FALSE` true/false, otherwise short answer;
 *   - multiple choice is single-answer when any answer starts with `=` (several `=` answers are
 *     each fully right), multiple-answer otherwise (weights summed, 0..100%);
 *   - `%n%` weights must be one of Moodle's grades; `####` starts the general feedback;
 *   - `[html]`, `[markdown]`, `[plain]`, `[moodle]` choose the format of the question text, which
 *     is the default for its answers and feedback (each may have its own marker).
 */

// Private-use placeholders for escaped characters, as Moodle's escapedchar_pre does.
const ESCAPES: [string, string][] = [
  ["\\:", "\uE03A"],
  ["\\#", "\uE023"],
  ["\\=", "\uE03D"],
  ["\\{", "\uE07B"],
  ["\\}", "\uE07D"],
  ["\\~", "\uE07E"],
  ["\\n", "\uE00A"],
];
const BACKSLASH = "\uE05C";

function escapedPre(s: string): string {
  let out = s.split("\\\\").join(BACKSLASH);
  for (const [from, to] of ESCAPES) out = out.split(from).join(to);
  return out.split(BACKSLASH).join("\\");
}

function escapedPost(s: string): string {
  let out = s;
  for (const [from, to] of ESCAPES) out = out.split(to).join(from === "\\n" ? "\n" : from[1]!);
  return out;
}

const FORMATS: Record<string, TextFormat> = { html: "html", moodle: "moodle", plain: "plain", markdown: "markdown" };

/** Moodle's parse_text_with_format: an optional [format] marker, escapes restored, as Telegram HTML. */
function textWithFormat(raw: string, fallback: TextFormat): { html: string; format: TextFormat; plain: string } {
  let text = raw.trim();
  let format = fallback;
  if (text.startsWith("[")) {
    const end = text.indexOf("]");
    const named = end > 0 ? FORMATS[text.slice(1, end)] : undefined;
    if (named) {
      format = named;
      text = text.slice(end + 1);
    }
  }
  const plain = escapedPost(text).trim();
  return { html: toTelegramHtml(plain, format), format, plain };
}

/** Moodle's commentparser: "answer#feedback" split at the first #. */
function comment(raw: string, fallback: TextFormat): [ReturnType<typeof textWithFormat>, string | undefined] {
  const hash = raw.indexOf("#");
  const answer = textWithFormat(hash < 0 ? raw : raw.slice(0, hash), fallback);
  const fb = hash < 0 ? undefined : textWithFormat(raw.slice(hash + 1), fallback).html;
  return [answer, fb || undefined];
}

/** Moodle's answer weight: `%50%`, `%-33.33333%` at the start. */
function weightPrefix(s: string): { percent: number; rest: string } | null {
  if (!s.startsWith("%")) return null;
  const end = s.indexOf("%", 1);
  if (end < 0) return null;
  const body = s.slice(1, end);
  if (!/^-*\d{1,3}(\.\d*)?$/.test(body)) return null;
  const negative = body.startsWith("-");
  const value = Number(body.replace(/^-+/, ""));
  return { percent: negative ? -value : value, rest: s.slice(end + 1) };
}

export function parseGift(text: string): ParsedBank {
  const slots: Slot[] = [];
  const issues: TextIssue[] = [];
  let category: string | undefined;
  for (const b of blocks(text, (l) => l.trimStart().startsWith("//"))) {
    const first = b.lines[0]!.trim();
    if (first.startsWith("$CATEGORY:")) {
      if (b.lines.length > 1) {
        // Moodle would read the whole block, question included, as the category's name.
        issues.push({ line: b.line, code: "gift_category_blank_line", params: {} });
        slots.push({ line: b.line, skipped: "broken" });
        continue;
      }
      category = categoryTag(first.slice("$CATEGORY:".length));
      continue;
    }
    const before = issues.length;
    const q = parseGiftQuestion(b.lines.join("\n"), b.line, issues);
    if (typeof q === "string") slots.push({ line: b.line, skipped: q });
    else if (q) slots.push({ line: b.line, question: settleTexts(category ? { ...q, tags: [category] } : q) });
    else slots.push({ line: b.line, skipped: issues.length > before && issues.slice(before).every((i) => i.level === "note") ? "description" : "broken" });
  }
  return bankFromSlots(slots, issues);
}

type Outcome = ParsedQuestion | "unsupported" | "description" | null;

function parseGiftQuestion(raw: string, line: number, issues: TextIssue[]): Outcome {
  const fail = (code: string, params: TextIssue["params"] = {}): null => {
    issues.push({ line, code, params });
    return null;
  };
  /** An answer's "%50%" prefix read as Moodle does: its grade and the rest, or null once the failure is noted. */
  const weighted = (part: string, otherwise: number): { weight: number; rest: string } | null => {
    const w = weightPrefix(part);
    if (w) {
      const g = moodleGrade(w.percent);
      return g === null ? fail("gift_weight_not_moodle", { value: w.percent }) : { weight: g, rest: w.rest };
    }
    if (part.startsWith("%")) return fail("gift_bad_weight", { text: truncate(escapedPost(part), 40) });
    return { weight: otherwise, rest: part };
  };
  let s = escapedPre(raw.trim());
  let name = "";
  if (s.startsWith("::")) {
    const end = s.indexOf("::", 2);
    if (end < 0) return fail("gift_title");
    name = escapedPost(s.slice(2, end)).trim();
    s = s.slice(end + 2).trim();
  }
  const open = s.indexOf("{");
  const close = s.indexOf("}");
  const label = () => name || truncate(escapedPost(s), 40);
  if (open < 0 && close < 0) {
    issues.push({ line, code: "gift_description_skipped", params: { name: label() }, level: "note" });
    return "description";
  }
  if (open < 0 || close < 0 || close < open) return fail("gift_unclosed");
  if (s.includes("{", close)) return fail("gift_two_blocks");
  let answerText = s.slice(open + 1, close).trim();
  const questionRaw = s.endsWith("}") ? s.slice(0, open) + s.slice(close + 1) : `${s.slice(0, open)}_____${s.slice(close + 1)}`;

  let generalRaw: string | undefined;
  const gf = answerText.lastIndexOf("####");
  if (gf >= 0) {
    generalRaw = answerText.slice(gf + 4);
    answerText = answerText.slice(0, gf).trim();
  }
  const qt = textWithFormat(questionRaw, "moodle");
  if (!qt.plain) return fail("gift_no_question");
  const fmt = qt.format;
  const general = generalRaw === undefined ? undefined : textWithFormat(generalRaw, fmt).html || undefined;
  const base = { line, prompt: qt.html, review: general, moodle: true as const };

  if (answerText === "") {
    issues.push({ line, code: "gift_essay_skipped", params: { name: label() }, level: "warning" });
    return "unsupported";
  }

  if (answerText.startsWith("#")) return numerical(answerText.slice(1), fmt, base, fail);

  if (answerText.includes("~")) {
    const single = answerText.includes("=");
    const parts = answerText.split("=").join("~=").split("~");
    if (parts[0]!.trim() === "") parts.shift();
    if (parts.length < 2) return fail("gift_few_options");
    const options: NonNullable<ParsedQuestion["options"]> = [];
    for (const rawPart of parts) {
      let part = rawPart.trim();
      let weight = 0;
      if (part.startsWith("=")) {
        weight = 100;
        part = part.slice(1);
        if (weightPrefix(part.trimStart())) {
          issues.push({ line, code: "gift_weight_after_equals", params: { text: truncate(escapedPost(part).trim(), 40) }, level: "warning" });
        }
      } else {
        const w = weighted(part, 0);
        if (!w) return null;
        ({ weight, rest: part } = w);
      }
      const [t, feedback] = comment(part, fmt);
      if (!t.plain) return fail("gift_empty_answer");
      options.push({ text: t.html, weight, feedback });
    }
    if (single) {
      if (!options.some((o) => o.weight >= 100)) return fail("gift_no_correct");
      return { ...base, kind: "single", options };
    }
    const sum = options.filter((o) => o.weight > 0).reduce((a, o) => a + o.weight, 0);
    // Moodle refuses a multiple-answer question whose positive grades do not add up to 100%.
    if (Math.abs(sum - 100) > 0.01) return fail("gift_weights_sum", { sum: Math.round(sum * 1000) / 1000 });
    return { ...base, kind: "multiple", options };
  }

  if (answerText.includes("=") && answerText.includes("->")) {
    const parts = answerText.split("=");
    if (parts[0]!.trim() === "") parts.shift();
    if (parts.length < 2) return fail("gift_few_pairs");
    const pairs: { stem: string; answer: string }[] = [];
    const distractors: string[] = [];
    for (const p of parts) {
      const arrow = p.indexOf("->");
      if (arrow < 0) return fail("gift_matching_format", { text: truncate(escapedPost(p).trim(), 40) });
      const stem = textWithFormat(p.slice(0, arrow), fmt);
      const answer = escapedPost(p.slice(arrow + 2)).trim();
      if (!answer) return fail("gift_empty_answer");
      if (stem.plain) pairs.push({ stem: stem.html, answer: toTelegramHtml(answer, "plain") });
      else distractors.push(toTelegramHtml(answer, "plain"));
    }
    if (pairs.length < 2) return fail("gift_few_pairs");
    return { ...base, kind: "matching", pairs, distractors: distractors.length ? distractors : undefined };
  }

  const hash = answerText.indexOf("#");
  const tfWord = (hash > 0 ? answerText.slice(0, hash) : answerText).trim();
  if (["T", "TRUE", "F", "FALSE"].includes(tfWord)) {
    const bits = answerText.split("#");
    const wrong = bits[1] !== undefined ? textWithFormat(bits[1], fmt).html || undefined : undefined;
    const right = bits[2] !== undefined ? textWithFormat(bits.slice(2).join("#"), fmt).html || undefined : undefined;
    const answer = tfWord.startsWith("T");
    return { ...base, kind: "truefalse", answer, trueFeedback: answer ? right : wrong, falseFeedback: answer ? wrong : right };
  }

  // Short answer: Moodle splits at every "=" (text before the first one is an answer too).
  const parts = answerText.split("=");
  if (parts[0]!.trim() === "") parts.shift();
  const accepted: NonNullable<ParsedQuestion["accepted"]> = [];
  for (const rawPart of parts) {
    const w = weighted(rawPart.trim(), 100);
    if (!w) return null;
    const { weight, rest: part } = w;
    const [t, feedback] = comment(part, fmt);
    if (!t.plain) return fail("gift_empty_answer");
    accepted.push({ value: t.plain, weight, feedback });
  }
  if (!accepted.some((a) => a.weight >= 100)) return fail("gift_no_correct");
  return { ...base, kind: "text", accepted };
}

function numerical(body: string, fmt: TextFormat, base: Omit<ParsedQuestion, "kind">, fail: (code: string, params?: TextIssue["params"]) => null): ParsedQuestion | null {
  let text = body;
  let wrongFeedback: string | undefined;
  const tilde = text.indexOf("~");
  if (tilde >= 0) {
    wrongFeedback = text.slice(tilde);
    text = text.slice(0, tilde);
  }
  const parts = text.split("=");
  if (parts[0]!.trim() === "") parts.shift();
  if (parts.length === 0) return fail("gift_bad_number", { text: "" });
  const numbers: AcceptedNumber[] = [];
  for (const rawPart of parts) {
    let part = rawPart.trim();
    let weight = 100;
    const w = weightPrefix(part);
    if (w) {
      const g = moodleGrade(w.percent);
      if (g === null) return fail("gift_weight_not_moodle", { value: w.percent });
      weight = g;
      part = w.rest;
    }
    const [t, feedback] = comment(part, fmt);
    const n = giftNumber(t.plain);
    if (!n) return fail("gift_bad_number", { text: truncate(t.plain, 40) });
    numbers.push({ ...n, weight, feedback });
  }
  if (wrongFeedback !== undefined) {
    const hash = wrongFeedback.indexOf("#");
    const fb = hash < 0 ? undefined : textWithFormat(wrongFeedback.slice(hash + 1), fmt).html || undefined;
    numbers.push({ value: 0, tolerance: 0, weight: 0, feedback: fb, any: true });
  }
  if (!numbers.some((n) => n.weight >= 100)) return fail("gift_no_correct");
  return { ...base, kind: "number", numbers };
}

const NUMBER = /^[+-]?(\d+(?:\.\d*)?|\.\d+)(e[+-]?\d+)?$/i;
const num = (x: string) => (NUMBER.test(x.trim()) ? Number(x.trim()) : null);

/** "5:0.5" (value and tolerance), "1..5" (range) or "5", as Moodle's GIFT reader splits them. */
export function giftNumber(s: string): { value: number; tolerance: number } | null {
  const dots = s.indexOf("..");
  if (dots > 0) {
    const a = num(s.slice(0, dots));
    const b = num(s.slice(dots + 2));
    if (a === null || b === null || b < a) return null;
    return { value: (a + b) / 2, tolerance: (b - a) / 2 };
  }
  const colon = s.indexOf(":");
  if (colon > 0) {
    const v = num(s.slice(0, colon));
    const t = num(s.slice(colon + 1));
    if (v === null || t === null || t < 0) return null;
    return { value: v, tolerance: t };
  }
  const v = num(s);
  return v === null ? null : { value: v, tolerance: 0 };
}

import type { Locale } from "../domain/locale.js";
import { effectiveWeights, type QuizQuestion } from "../domain/quiz.js";
import { telegramHtmlToPlain } from "../domain/questionText.js";

/**
 * A bank as Moodle GIFT, written so that Moodle and this bot read it back as the same questions
 * (test/bankRoundTrip.test.ts): Moodle's escapes (`\\ \# \= \~ \{ \} \:` and `\n` for a line
 * break), `=` only for the right answers of a single-choice question, `~%w%` weights otherwise,
 * `{TRUE#wrong#right}` feedback, `####` general feedback (the review hint), `$CATEGORY:` for tags.
 * Formatted questions are written `[html]`; plain ones without a marker unless their text would
 * mean something else in Moodle's default format (markup characters, runs of spaces), then `[plain]`.
 * What GIFT cannot carry is reported, not silently dropped: photos, and a fixed option order.
 */
export interface GiftExport {
  text: string;
  /** 1-based positions of questions that lost something GIFT cannot express, and what. */
  losses: { number: number; what: string }[];
}

/** Moodle's repchar: the GIFT control characters escaped, line breaks as \n. */
export function giftEscape(s: string): string {
  let out = "";
  for (const ch of s) {
    if (ch === "\r") continue;
    if (ch === "\n") out += "\\n";
    else if ("\\#=~{}:".includes(ch)) out += `\\${ch}`;
    else out += ch;
  }
  return out;
}

/** Would Moodle's default [moodle] format show this plain text differently? */
const needsPlainMarker = (s: string) => /[<&]|\s\s|^\s|\n\s|\t|^\[/.test(s);

const pct = (w: number) => String(Math.round(w * 100000) / 100000);

export function questionsToGift(questions: readonly QuizQuestion[], lang: Locale): GiftExport {
  const out: string[] = [];
  const losses: GiftExport["losses"] = [];
  let category: string | undefined;
  questions.forEach((q, i) => {
    const tag = q.tags?.[0];
    if (tag !== category && tag !== undefined) {
      out.push(`$CATEGORY: ${tag}`, "");
      category = tag;
    }
    if (q.image) losses.push({ number: i + 1, what: "photo" });
    if (q.fixedOrder && (q.kind === "single" || q.kind === "multiple")) losses.push({ number: i + 1, what: "fixed option order" });
    if (q.feedback) losses.push({ number: i + 1, what: "feedback for a wrong answer (GIFT has no place for it)" });
    out.push(questionToGift(q, lang), "");
  });
  return { text: out.join("\n"), losses };
}

function questionToGift(q: QuizQuestion, lang: Locale): string {
  const pick = (t: Partial<Record<Locale, string>> | undefined) => (t ? (t[lang] ?? Object.values(t).find(Boolean) ?? "") : "");
  const all = [pick(q.prompt), ...(q.options ?? []).map((o) => pick(o.text)), ...(q.pairs ?? []).flatMap((p) => [pick(p.stem), pick(p.answer)])];
  const marker = q.html ? "[html]" : all.some(needsPlainMarker) ? "[plain]" : "";
  // In [html], a line break is <br>: a bare newline would be just a space.
  const text = (s: string) => giftEscape(q.html ? s.split("\n").join("<br>") : s);
  const fb = (t: Partial<Record<Locale, string>> | undefined) => (pick(t) ? `#${text(pick(t))}` : "");
  const general = q.review && pick(q.review) ? `\n  ####${text(pick(q.review))}` : "";
  const head = `${marker}${text(pick(q.prompt))}`;
  switch (q.kind) {
    case "single":
    case "multiple": {
      const weights = q.kind === "multiple" && !q.moodle ? effectiveWeights(q.options ?? []) : (q.options ?? []).map((o) => o.weight);
      const lines = (q.options ?? []).map((o, j) => {
        const w = weights[j]!;
        const mark = q.kind === "single" && w >= 100 ? "=" : w === 0 ? "~" : `~%${pct(w)}%`;
        return `  ${mark}${text(pick(o.text))}${fb(o.feedback)}`;
      });
      return `${head} {\n${lines.join("\n")}${general}\n}`;
    }
    case "truefalse": {
      const right = q.answer ? q.trueFeedback : q.falseFeedback;
      const wrong = q.answer ? q.falseFeedback : q.trueFeedback;
      const feedback = pick(wrong) || pick(right) ? `#${pick(wrong) ? text(pick(wrong)) : ""}${pick(right) ? `#${text(pick(right))}` : ""}` : "";
      return `${head} {${q.answer ? "TRUE" : "FALSE"}${feedback}${general.trim() ? general.trim() : ""}}`;
    }
    case "text": {
      const accepted = q.accepted?.[lang] ?? Object.values(q.accepted ?? {}).find((l) => l.length > 0) ?? [];
      const lines = accepted.map((a) => `  =%${pct(a.weight)}%${giftEscape(a.value)}${a.feedback ? `#${text(a.feedback)}` : ""}`);
      return `${head} {\n${lines.join("\n")}${general}\n}`;
    }
    case "number": {
      const numbers = q.numbers ?? [];
      const lines = numbers.filter((n) => !n.any).map((n) => `  =%${pct(n.weight)}%${n.value}:${n.tolerance}${n.feedback ? `#${text(n.feedback)}` : ""}`);
      const any = numbers.find((n) => n.any);
      if (any) lines.push(`  ~#${any.feedback ? text(any.feedback) : ""}`);
      return `${head} {#\n${lines.join("\n")}${general}\n}`;
    }
    case "matching": {
      // Moodle reads the right-hand side of a pair as plain text.
      const plain = (s: string) => giftEscape(q.html ? telegramHtmlToPlain(s) : s);
      const lines = (q.pairs ?? []).map((p) => `  =${text(pick(p.stem))} -> ${plain(pick(p.answer))}`);
      for (const d of q.distractors ?? []) lines.push(`  = -> ${plain(pick(d))}`);
      return `${head} {\n${lines.join("\n")}${general}\n}`;
    }
  }
}

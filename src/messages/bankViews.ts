import { InlineKeyboard } from "grammy";
import type { Locale } from "../domain/locale.js";
import { pickText, type Translated } from "../domain/course.js";
import { matchingChoices, type QuizQuestion } from "../domain/quiz.js";
import type { T } from "./i18n.js";
import { questionHtml } from "../domain/questionText.js";

/**
 * Pure renderings of the question kinds the bank importers added (matching questions, formatted
 * texts, the photo of a question, the note about skipped questions). The quiz conversation calls
 * them; it owns the callback data, so buttons are built through the `encode` it passes in.
 */

const LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const letterOf = (i: number) => LETTERS[i] ?? String(i + 1);

/** Buttons per keyboard row (Telegram allows 8; 4 keep letters large enough to tap). */
const PER_ROW = 4;

function tx(t: Translated | undefined, lang: Locale, languages: readonly string[]): string {
  return t ? pickText(t, lang, languages) : "";
}

/** One of a question's texts, ready for a parse_mode HTML message. */
export function questionTextHtml(
  q: Pick<QuizQuestion, "html">,
  text: Translated | undefined,
  lang: Locale,
  languages: readonly string[],
): string {
  return questionHtml(tx(text, lang, languages), q.html);
}

export interface MatchingStepView {
  /** The pair asked now (bank order), 0-based. */
  step: number;
  /** The variant's order of the right-hand answers: indexes of matchingChoices(question). */
  order: readonly number[];
  /** Shown above the step, e.g. the conversation's "Question 3 of 10" line. */
  header?: string;
}

/**
 * Matching question, step k: the question text, the left-hand item k, and the right-hand answers
 * lettered in the learner's shuffled order, with one button per letter. `encode(shown)` gives the
 * callback data of the button for the answer shown at position `shown`; the conversation maps it
 * back with `order[shown]` and records it as `choices[step]` of the matching answer.
 */
export function renderMatchingStep(
  t: T,
  lang: Locale,
  languages: readonly string[],
  q: QuizQuestion,
  v: MatchingStepView,
  encode: (shown: number) => string,
): { text: string; keyboard: InlineKeyboard } {
  const pairs = q.pairs ?? [];
  const choices = matchingChoices(q);
  const lines: string[] = [];
  if (v.header) lines.push(v.header, "");
  lines.push(questionTextHtml(q, q.prompt, lang, languages), "");
  lines.push(t("quiz.matching_step", { number: v.step + 1, total: pairs.length }));
  const stem = questionTextHtml(q, pairs[v.step]?.stem, lang, languages);
  // Telegram refuses code/pre inside bold, so a formatted stem is shown as written.
  lines.push(q.html ? `➡️ ${stem}` : `➡️ <b>${stem}</b>`, "");
  v.order.forEach((c, shown) => lines.push(`<b>${letterOf(shown)}.</b> ${questionTextHtml(q, choices[c], lang, languages)}`));
  lines.push("", `<i>${t("quiz.hint_matching")}</i>`);
  const kb = new InlineKeyboard();
  v.order.forEach((_, shown) => {
    if (shown > 0 && shown % PER_ROW === 0) kb.row();
    kb.text(letterOf(shown), encode(shown));
  });
  return { text: lines.join("\n"), keyboard: kb };
}

/** What the learner matched, for the feedback after the last step: "item → answer ✅/❌" lines ("•" without marks). */
export function describeMatching(
  lang: Locale,
  languages: readonly string[],
  q: QuizQuestion,
  chosen: readonly number[],
  marks = true,
): string {
  const choices = matchingChoices(q);
  return (q.pairs ?? [])
    .map((p, k) => {
      const c = choices[chosen[k] ?? -1];
      const right = c !== undefined && JSON.stringify(c) === JSON.stringify(p.answer);
      const answer = c ? questionTextHtml(q, c, lang, languages) : "—";
      return `${marks ? (right ? "✅" : "❌") : "•"} ${questionTextHtml(q, p.stem, lang, languages)} → ${answer}`;
    })
    .join("\n");
}

/**
 * The photo of a question (Moodle `@@PLUGINFILE@@`), sent just before the question's text as its
 * own message (no caption, so the question's text keeps its 4,096-character room). The bytes are
 * in the question_images table by sha256 (db/questionImagesRepo.ts).
 */
export function questionPhoto(q: QuizQuestion): { sha256: string; filename: string } | null {
  return q.image ? { sha256: q.image.sha256, filename: q.image.name } : null;
}

/** Under the quiz card when the author imported only the valid questions of a bank. */
export function skippedQuestionsLine(t: T, skipped: number): string | null {
  return skipped > 0 ? t("quiz.card.skipped", { count: skipped }) : null;
}

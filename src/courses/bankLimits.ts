import type { Locale } from "../domain/locale.js";
import { matchingChoices, type QuizQuestion } from "../domain/quiz.js";
import { CALLBACK_DATA_MAX_BYTES } from "../domain/text.js";
import { telegramHtmlToPlain } from "../domain/questionText.js";

/**
 * Telegram's limits, checked on import so a question that could not be sent is refused with its
 * line instead of failing in front of a learner:
 *   - a message's text: 4,096 characters (as the learner sees them, markup not counted);
 *   - an inline keyboard: at most 100 buttons;
 *   - callback data: at most 64 bytes.
 * The question's message also carries the conversation's header and hint lines, so a margin is
 * kept for them; the feedback message carries the verdict and the review line.
 */
export const TELEGRAM_TEXT_MAX = 4096;
export const TELEGRAM_KEYBOARD_MAX_BUTTONS = 100;
/** Room left for "Question 3 of 10 · time left until …", the hint line and the verdict lines. */
export const CHROME_ALLOWANCE = 400;
/**
 * The longest callback data a question's buttons can need: the longest answer button the quiz
 * encodes (messages/callbackData.ts: a matching pair's `qzm:<attempt>:<item>:<pair>:<n>`), with
 * the largest attempt id and item.
 */
export const worstCallbackData = (buttons: number) => `qzm:${Number.MAX_SAFE_INTEGER}:999:99:${Math.max(0, buttons - 1)}`;

export interface LimitProblem {
  code: "limit_text" | "limit_keyboard" | "limit_callback";
  params: Record<string, string | number>;
}

const visible = (text: string | undefined, html: boolean | undefined) => (text ? [...(html ? telegramHtmlToPlain(text) : text)].length : 0);

/** What in this question, in this language, would break a Telegram limit (empty when it fits). */
export function telegramLimitProblems(q: QuizQuestion, lang: Locale): LimitProblem[] {
  const problems: LimitProblem[] = [];
  const v = (t: Record<string, string | undefined> | undefined) => visible(t?.[lang], q.html);
  const prompt = v(q.prompt);
  let message = prompt;
  let buttons = 0;
  const optionLine = 4; // "A. " and the line break
  switch (q.kind) {
    case "single":
    case "multiple":
      message += (q.options ?? []).reduce((s, o) => s + optionLine + v(o.text), 0);
      buttons = (q.options?.length ?? 0) + (q.kind === "multiple" ? 1 : 0);
      break;
    case "truefalse":
      buttons = 2;
      break;
    case "matching": {
      const choices = matchingChoices(q);
      const longestStem = Math.max(0, ...(q.pairs ?? []).map((p) => v(p.stem)));
      message += longestStem + choices.reduce((s, c) => s + optionLine + v(c), 0);
      buttons = choices.length;
      // After the last pair every pair comes back as "✅ stem → answer" with the feedback.
      const longestChoice = Math.max(0, ...choices.map((c) => v(c)));
      const summary = (q.pairs ?? []).reduce((s, p) => s + v(p.stem) + longestChoice + 6, 0) + v(q.feedback) + v(q.review);
      if (summary + CHROME_ALLOWANCE > TELEGRAM_TEXT_MAX) {
        problems.push({ code: "limit_text", params: { length: summary, max: TELEGRAM_TEXT_MAX - CHROME_ALLOWANCE, language: lang } });
      }
      break;
    }
    default:
      break;
  }
  const total = message + CHROME_ALLOWANCE;
  if (total > TELEGRAM_TEXT_MAX) problems.push({ code: "limit_text", params: { length: message, max: TELEGRAM_TEXT_MAX - CHROME_ALLOWANCE, language: lang } });
  const feedbacks = [
    ...(q.options ?? []).map((o) => v(o.feedback)),
    ...(q.numbers ?? []).map((n) => visible(n.feedback, q.html)),
    ...Object.values(q.accepted ?? {}).flatMap((l) => l.map((a) => visible(a.feedback, q.html))),
    v(q.trueFeedback),
    v(q.falseFeedback),
  ];
  const feedback = Math.max(0, ...feedbacks) + v(q.feedback) + v(q.review);
  if (feedback + CHROME_ALLOWANCE > TELEGRAM_TEXT_MAX) {
    problems.push({ code: "limit_text", params: { length: feedback, max: TELEGRAM_TEXT_MAX - CHROME_ALLOWANCE, language: lang } });
  }
  if (buttons > TELEGRAM_KEYBOARD_MAX_BUTTONS) problems.push({ code: "limit_keyboard", params: { count: buttons, max: TELEGRAM_KEYBOARD_MAX_BUTTONS } });
  const data = worstCallbackData(buttons);
  if (Buffer.byteLength(data) > CALLBACK_DATA_MAX_BYTES) problems.push({ code: "limit_callback", params: { bytes: Buffer.byteLength(data), max: CALLBACK_DATA_MAX_BYTES } });
  return problems;
}

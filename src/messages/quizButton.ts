import { InlineKeyboard } from "grammy";
import type { InlineKeyboardButton } from "grammy/types";
import type { T } from "./i18n.js";

/**
 * The button that opens a module's quiz, for other features (under a weekly announcement, on the
 * course card, under a review). The quiz feature answers it with the quiz card (or a clear message
 * when there is no quiz); its data is QUIZ_CARD_RE's (quizViews.ts).
 */
export function quizButton(t: T, courseId: string, modulePosition: number): InlineKeyboardButton.CallbackButton {
  return InlineKeyboard.text(t("quiz.button", { week: modulePosition + 1 }), `qz:${courseId}:${modulePosition}`);
}

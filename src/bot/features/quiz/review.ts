/** Attempt review (issue 10 item 1): a learner's own finished attempts, when the quiz's review_after allows. */
import { Composer } from "grammy";
import { reviewAccess } from "../../../domain/quizReview.js";
import { quizBank, quizById } from "../../../db/quizRepo.js";
import { attemptAnswers, closeOverdueAttempts, getAttempt } from "../../../db/quizAttemptsRepo.js";
import { reviewButton, reviewOpenButton } from "../../../messages/callbackData.js";
import { renderReviewItem, renderReviewSummary, reviewRefusal } from "../../../messages/quizReviewViews.js";
import type { BotContext } from "../../context.js";
import { answerCallback, buttonValues, HTML, show } from "../../ui.js";

export const quizReview = new Composer<BotContext>();
const pm = quizReview.chatType("private");

pm.callbackQuery(reviewOpenButton.filter, async (ctx) => {
  const values = await buttonValues(ctx, reviewOpenButton);
  if (values) await showReview(ctx, values[0], 0, false);
});

pm.callbackQuery(reviewButton.filter, async (ctx) => {
  const values = await buttonValues(ctx, reviewButton);
  if (values) await showReview(ctx, values[0], values[1], true);
});

/**
 * Checks everything against the database, never the button: the attempt must be the presser's own
 * (a button forwarded from another learner, or forged data, reads nothing), finished, and the
 * quiz's review policy must allow it now.
 */
async function showReview(ctx: BotContext, attemptId: number, page: number, edit: boolean): Promise<void> {
  const { db, clock } = ctx.deps;
  const now = clock.now();
  const learnerId = ctx.from!.id;
  closeOverdueAttempts(db, now, learnerId);
  const attempt = getAttempt(db, attemptId);
  if (!attempt || attempt.learnerId !== learnerId) {
    await answerCallback(ctx, ctx.t("quizReview.not_yours"), true);
    return;
  }
  const quiz = quizById(db, attempt.quizId);
  if (!quiz) {
    await answerCallback(ctx, ctx.t("quizReview.gone"), true);
    return;
  }
  const refusal = reviewRefusal(
    ctx.t,
    ctx.lang,
    reviewAccess(quiz.quiz.reviewAfter, attempt, quiz.module.closesAt, now),
    quiz.course.timezone,
  );
  if (refusal) {
    await answerCallback(ctx, refusal, true);
    return;
  }
  if (page > attempt.variant.length) {
    await answerCallback(ctx, ctx.t("errors.stale_button"), true);
    return;
  }
  await answerCallback(ctx);
  const data = {
    quiz,
    attempt,
    bank: quizBank(db, quiz.quiz.id),
    answers: new Map(attemptAnswers(db, attempt.id).map((a) => [a.item, a])),
  };
  const view = page === 0 ? renderReviewSummary(ctx.t, ctx.lang, data) : renderReviewItem(ctx.t, ctx.lang, data, page - 1);
  if (edit) await show(ctx, view.text, view.keyboard);
  else await ctx.reply(view.text, { ...HTML, reply_markup: view.keyboard, link_preview_options: { is_disabled: true } });
}

/**
 * Showing where a quiz attempt stands: the intro, the current question, the result. Everything is
 * read from the database at the moment it is shown, so after a restart at any point the learner
 * gets the step the database holds; what was shown is recorded (quiz_attempts.shown_item).
 */
import { GrammyError, InlineKeyboard, InputFile } from "grammy";
import { reviewAccess } from "../../../domain/quizReview.js";
import { quizById } from "../../../db/quizRepo.js";
import { reviewOpenButton } from "../../../messages/callbackData.js";
import { certificateAfterAttempt } from "../certificates.js";
import { pickText } from "../../../domain/course.js";
import {
  answerCorrectness,
  answeredItems,
  attemptState,
  bankQuestion,
  currentItem,
  markShown,
  matchingSoFar,
  settleAttempt,
  type AttemptState,
  type CurrentItem,
} from "../../../db/quizStepRepo.js";
import { closeDialog } from "../../../db/dialogsRepo.js";
import { questionImage, rememberImageFileId } from "../../../db/questionImagesRepo.js";
import { questionPhoto } from "../../../messages/bankViews.js";
import { formatDateTime, formatDeadline } from "../../../messages/format.js";
import { renderQuestion, renderResult, reviewLine, type QuestionView } from "../../../messages/quizViews.js";
import type { BotContext } from "../../context.js";
import { flowEnded, stepShown } from "../../liveKeyboard.js";
import { HTML } from "../../ui.js";

export function moduleTitleOf(ctx: BotContext, a: AttemptState): string {
  return pickText(a.moduleTitle, ctx.lang, a.languages);
}

export function questionView(a: AttemptState, cur: CurrentItem): QuestionView {
  return {
    attemptId: a.id,
    item: cur.item,
    total: a.variant.length,
    question: cur.question,
    variant: a.variant[cur.item]!,
    endsAt: a.timeLimitMinutes !== null ? a.endsAt : null,
    timezone: a.timezone,
    languages: a.languages,
    matchingStep: cur.question.kind === "matching" ? matchingSoFar(a, cur.item).length : undefined,
  };
}

/** Sends a question (optionally after a line such as "use the buttons") and records it as shown. */
export async function sendQuestion(ctx: BotContext, a: AttemptState, cur: CurrentItem, before?: string): Promise<void> {
  if (before) await ctx.reply(before, HTML);
  await sendQuestionPhoto(ctx, cur);
  const { text, keyboard } = renderQuestion(ctx.t, ctx.lang, questionView(a, cur));
  const sent = await ctx.reply(text, { ...HTML, reply_markup: keyboard });
  // This copy is the live one: an earlier copy (before an invalid input) or question loses its buttons.
  // `a` is as showStep read it (updates of a chat run one at a time): the same question shown
  // again after an invalid input has nothing to record.
  const record = a.shownItem === cur.item ? undefined : () => markShown(ctx.deps.db, a.id, cur.item);
  await stepShown(ctx, `quiz:${a.id}`, keyboard ? sent.message_id : null, record);
}

/**
 * The photo of a question, just before its text (no caption: the text keeps its own message). The
 * first time its bytes are uploaded and the file_id Telegram returns is kept for every later send;
 * a file_id Telegram no longer knows is replaced by a new upload. Not part of the answer state:
 * a restart before the question's text sends both again.
 */
async function sendQuestionPhoto(ctx: BotContext, cur: CurrentItem): Promise<void> {
  const photo = questionPhoto(cur.question);
  const img = photo ? questionImage(ctx.deps.db, photo.sha256) : undefined;
  if (!photo || !img) return;
  if (img.fileId) {
    try {
      await ctx.replyWithPhoto(img.fileId);
      return;
    } catch (err) {
      if (!(err instanceof GrammyError && err.error_code === 400)) throw err;
    }
  }
  const sent = await ctx.replyWithPhoto(new InputFile(img.bytes, photo.filename));
  const fileId = sent.photo.at(-1)?.file_id;
  if (fileId) rememberImageFileId(ctx.deps.db, photo.sha256, fileId);
}

/** The intro of an attempt: its number, rules and deadline, or how far it got when resumed. */
export function introText(ctx: BotContext, a: AttemptState, resumed: boolean, answered: number): string {
  const intro = resumed
    ? ctx.t("quiz.resumed", { answered, total: a.variant.length })
    : ctx.t("quiz.started", {
        number: a.attemptNo,
        allowed: a.attemptsAllowed,
        total: a.variant.length,
        pass: a.passScore,
        deadline: formatDeadline(a.closesAt, ctx.lang, a.timezone),
      });
  const limit =
    a.timeLimitMinutes !== null
      ? `\n${ctx.t("quiz.time_limit_until", { minutes: a.timeLimitMinutes, time: formatDateTime(a.endsAt, ctx.lang, a.timezone) })}`
      : "";
  const name = ctx.t("quiz.module_name", { week: a.modulePosition + 1, title: moduleTitleOf(ctx, a) });
  return `📝 ${name}\n\n${intro}${limit}\n\n${ctx.t("quiz.cancel_hint")}`;
}

/** The result of a finished attempt, with what to review; the quiz dialog closes. */
export async function sendResult(ctx: BotContext, a: AttemptState): Promise<void> {
  const { db } = ctx.deps;
  const correct = answerCorrectness(db, a.id);
  const title = moduleTitleOf(ctx, a);
  const toReview = a.variant
    .map((v, i) => ({ v, i }))
    .filter(({ i }) => correct.get(i) !== true)
    .map(({ v, i }) => {
      const q = bankQuestion(db, a, v.q);
      return {
        number: i + 1,
        review: q ? reviewLine(ctx.t, ctx.lang, a.languages, q, title) : ctx.t("quiz.review_module", { title }),
      };
    });
  const text = renderResult(ctx.t, ctx.lang, {
    score: a.score ?? 0,
    passScore: a.passScore,
    passed: a.passed ?? false,
    attemptNo: a.attemptNo,
    attemptsAllowed: a.attemptsAllowed,
    endReason: a.endReason ?? "submitted",
    closesAt: a.closesAt,
    answered: correct.size,
    total: a.variant.length,
    timezone: a.timezone,
    toReview,
    moduleTitle: title,
  });
  await ctx.reply(text, { ...HTML, reply_markup: reviewNowButton(ctx, a) });
  markShown(db, a.id, a.variant.length);
  closeDialog(db, a.learnerId, "quiz", a.id);
  await flowEnded(ctx, `quiz:${a.id}`);
  // Courses that certify at once: this attempt may have taken the learner to the threshold.
  await certificateAfterAttempt(ctx, a.courseId);
}

/** "Review this attempt" under the result, when the quiz lets learners review right after an attempt. */
function reviewNowButton(ctx: BotContext, a: AttemptState): InlineKeyboard | undefined {
  const quiz = quizById(ctx.deps.db, a.quizId);
  if (!quiz || reviewAccess(quiz.quiz.reviewAfter, a, quiz.module.closesAt, ctx.deps.clock.now()).state !== "open") return undefined;
  return new InlineKeyboard().text(ctx.t("quizReview.result_button"), reviewOpenButton.encode(a.id));
}

/**
 * Shows the step the attempt is at: the current question, or the result when nothing is left or
 * its time is over (finishing it then). `before`: a line sent first when a question follows.
 * `known`: the attempt (and its answered items) as the caller read it just now, with nothing
 * written or awaited since, so it is not read again.
 */
export async function showStep(
  ctx: BotContext,
  attemptId: number,
  before?: string,
  known?: { a: AttemptState; answered: Set<number> | null },
): Promise<void> {
  const { db, clock } = ctx.deps;
  let a = known?.a ?? attemptState(db, attemptId);
  if (!a) {
    await ctx.reply(ctx.t("quiz.no_quiz"), HTML);
    return;
  }
  const now = clock.now();
  const overdue = now >= a.endsAt || now >= a.closesAt;
  const cur = a.finishedAt === null && !overdue ? currentItem(db, a, known?.answered ?? answeredItems(db, a.id)) : null;
  if (cur) {
    await sendQuestion(ctx, a, cur, before);
    return;
  }
  // Nothing left to answer, or its time is over: finish it (once) and show the result.
  if (a.finishedAt === null) {
    settleAttempt(db, attemptId, now);
    a = attemptState(db, attemptId)!;
  }
  if (a.endReason !== "submitted" && a.shownItem !== a.variant.length) await ctx.reply(ctx.t("quiz.answer_too_late"), HTML);
  await sendResult(ctx, a);
}

/** Edits the message a button belongs to; a message too old to edit, or unchanged, is left as it is. */
export async function editQuietly(edit: () => Promise<unknown>): Promise<void> {
  try {
    await edit();
  } catch (err) {
    if (!(err instanceof GrammyError && err.error_code === 400)) throw err;
  }
}

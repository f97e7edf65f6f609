import { shorten, truncate } from "../../../domain/text.js";
/**
 * Answering a quiz, without conversation state: each button names its attempt and item, a typed
 * answer goes to the attempt open in the chat (open_dialogs) and to the question last shown there.
 * Every answer is checked and stored in one transaction (db/quizStepRepo.ts); then the next step
 * is read back from the database and shown. A crash at any point leaves nothing to replay: the
 * next tap or message is judged against what the database holds.
 */
import { Composer } from "grammy";
import { parseNumberAnswer, type GivenAnswer, type QuizQuestion } from "../../../domain/quiz.js";
import { openDialog, setOpenDialog } from "../../../db/dialogsRepo.js";
import {
  answeredItems,
  answerMatchingStep,
  answerQuestion,
  attemptState,
  bankQuestion,
  currentItem,
  matchingSoFar,
  type AnswerOutcome,
  type AttemptState,
} from "../../../db/quizStepRepo.js";
import { maskFits, maskIndexes, quizChoice, quizDone, quizMatch, quizToggle } from "../../../messages/callbackData.js";
import { answerFeedback, describeGiven, LEGACY_ANSWER_RE, letter, matchingSummary, renderQuestion } from "../../../messages/quizViews.js";
import type { BotContext } from "../../context.js";
import { keyboardRemoved } from "../../liveKeyboard.js";
import { answerCallback, HTML } from "../../ui.js";
import { editQuietly, introText, moduleTitleOf, questionView, sendResult, showStep } from "./steps.js";

export const quizAnswers = new Composer<BotContext>();
const pm = quizAnswers.chatType("private");

/** An attempt a button may act on; otherwise the learner is told why (and shown where they are). */
async function buttonAttempt(ctx: BotContext, attemptId: number): Promise<AttemptState | null> {
  const { db } = ctx.deps;
  const a = attemptState(db, attemptId);
  if (!a || a.learnerId !== ctx.from!.id) {
    await answerCallback(ctx, ctx.t("errors.stale_button"), true);
    return null;
  }
  if (a.finishedAt !== null) {
    if (a.shownItem === a.variant.length) await answerCallback(ctx, ctx.t("quiz.attempt_finished"), true);
    else {
      // Finished while the learner was away (or before its result could be sent): show it now.
      await answerCallback(ctx);
      await showStep(ctx, a.id);
    }
    return null;
  }
  const open = openDialog(db, a.learnerId);
  if (open?.kind !== "quiz" || open.refId !== a.id) {
    // Paused with /cancel, or left for a questionnaire: the button resumes the quiz, it does not count.
    await resume(ctx, a);
    return null;
  }
  return a;
}

async function resume(ctx: BotContext, a: AttemptState): Promise<void> {
  const { db, clock } = ctx.deps;
  await answerCallback(ctx, ctx.t("quiz.resuming"));
  setOpenDialog(db, a.learnerId, "quiz", a.id, clock.now());
  await ctx.reply(introText(ctx, a, true, answeredItems(db, a.id).size), HTML);
  await showStep(ctx, a.id);
}

/**
 * A button that cannot count (an answered item, another item, a bad option): an alert, and the
 * current question again when the learner may not have it on screen (a crash before it was sent).
 */
async function refuseButton(ctx: BotContext, a: AttemptState, key = "quiz.old_button"): Promise<void> {
  await answerCallback(ctx, ctx.t(key), true);
  const fresh = attemptState(ctx.deps.db, a.id);
  if (!fresh) return;
  const cur = fresh.finishedAt === null ? currentItem(ctx.deps.db, fresh, answeredItems(ctx.deps.db, fresh.id)) : null;
  if (fresh.shownItem !== (cur ? cur.item : fresh.variant.length)) await showStep(ctx, a.id);
}

/** The question of an item if it may be answered with this kind of button now. */
function itemQuestion(ctx: BotContext, a: AttemptState, item: number, kinds: QuizQuestion["kind"][]): QuizQuestion | null {
  const v = a.variant[item];
  const q = v ? bankQuestion(ctx.deps.db, a, v.q) : undefined;
  return q && kinds.includes(q.kind) ? q : null;
}

function isOverdue(ctx: BotContext, a: AttemptState): boolean {
  const now = ctx.deps.clock.now();
  return now >= a.endsAt || now >= a.closesAt;
}

pm.callbackQuery(quizChoice.filter, async (ctx) => {
  const data = quizChoice.decode(ctx.callbackQuery.data);
  if (!data) return answerCallback(ctx, ctx.t("errors.stale_button"), true);
  const [attemptId, item, n] = data;
  const a = await buttonAttempt(ctx, attemptId);
  if (!a) return;
  const q = itemQuestion(ctx, a, item, ["single", "truefalse"]);
  const v = a.variant[item];
  if (!q || !v || (q.kind === "truefalse" ? n > 1 : n >= v.order.length)) return refuseButton(ctx, a);
  const given: GivenAnswer = q.kind === "truefalse" ? { kind: "truefalse", value: n === 1 } : { kind: "choice", options: [v.order[n]!] };
  await submit(ctx, a, item, given, q.kind === "truefalse" ? null : [n]);
});

pm.callbackQuery(quizToggle.filter, async (ctx) => {
  const data = quizToggle.decode(ctx.callbackQuery.data);
  if (!data) return answerCallback(ctx, ctx.t("errors.stale_button"), true);
  const [attemptId, item, n, mask] = data;
  const a = await buttonAttempt(ctx, attemptId);
  if (!a) return;
  const q = itemQuestion(ctx, a, item, ["multiple"]);
  const count = a.variant[item]?.order.length ?? 0;
  const cur = currentItem(ctx.deps.db, a, answeredItems(ctx.deps.db, a.id));
  if (!q || cur?.item !== item || n >= count || !maskFits(mask, count)) return refuseButton(ctx, a);
  if (isOverdue(ctx, a)) {
    await answerCallback(ctx);
    return showStep(ctx, a.id);
  }
  // The ticks live on the keyboard itself: nothing is stored until "Done".
  await answerCallback(ctx);
  const { keyboard } = renderQuestion(ctx.t, ctx.lang, questionView(a, cur), mask ^ (1 << n));
  await editQuietly(() => ctx.editMessageReplyMarkup({ reply_markup: keyboard }));
});

pm.callbackQuery(quizDone.filter, async (ctx) => {
  const data = quizDone.decode(ctx.callbackQuery.data);
  if (!data) return answerCallback(ctx, ctx.t("errors.stale_button"), true);
  const [attemptId, item, mask] = data;
  const a = await buttonAttempt(ctx, attemptId);
  if (!a) return;
  const q = itemQuestion(ctx, a, item, ["multiple"]);
  const v = a.variant[item];
  if (!q || !v || !maskFits(mask, v.order.length)) return refuseButton(ctx, a);
  if (mask === 0) return answerCallback(ctx, ctx.t("quiz.choose_first"), true);
  const shown = maskIndexes(mask, v.order.length);
  await submit(ctx, a, item, { kind: "choice", options: shown.map((i) => v.order[i]!) }, shown);
});

/**
 * One pair of a matching question. The pairs so far are stored on the attempt with each press (a
 * restart resumes at the next pair); the last pair stores the question's answer, graded once.
 */
pm.callbackQuery(quizMatch.filter, async (ctx) => {
  const data = quizMatch.decode(ctx.callbackQuery.data);
  if (!data) return answerCallback(ctx, ctx.t("errors.stale_button"), true);
  const [attemptId, item, step, n] = data;
  const a = await buttonAttempt(ctx, attemptId);
  if (!a) return;
  const q = itemQuestion(ctx, a, item, ["matching"]);
  const v = a.variant[item];
  if (!q || !v || n >= v.order.length) return refuseButton(ctx, a);
  const { db, clock } = ctx.deps;
  const choice = v.order[n]!;
  const outcome = answerMatchingStep(db, { attemptId: a.id, learnerId: a.learnerId, item, step, choice, now: clock.now() });
  switch (outcome.status) {
    case "forged":
      return answerCallback(ctx, ctx.t("errors.stale_button"), true);
    case "finished":
    case "closed":
      await answerCallback(ctx);
      return showStep(ctx, a.id);
    case "duplicate":
    case "not_current":
    case "not_shown":
      return refuseButton(ctx, a);
    case "stale_step":
      // A pair answered before: the pair the learner is on comes again, in case it never arrived.
      await answerCallback(ctx, ctx.t("quiz.old_button"), true);
      return showStep(ctx, a.id);
    case "step_recorded":
    case "recorded":
      break;
  }
  // The pair stays readable with the letter chosen; its buttons go away.
  const { text } = renderQuestion(ctx.t, ctx.lang, questionView(a, { item, question: q }));
  const yours = ctx.t("quiz.your_answer", { answer: letter(n) });
  if (outcome.status === "step_recorded") {
    await answerCallback(ctx);
    await editQuietly(() => ctx.editMessageText(`${text}\n\n${yours}`, HTML));
    keyboardRemoved(ctx);
    return showStep(ctx, a.id);
  }
  const chosen = [...matchingSoFar(a, item), choice];
  const summary = matchingSummary(ctx.t, ctx.lang, a.languages, q, chosen, a.feedback === "after_each");
  await showRecorded(ctx, a, outcome, `${text}\n\n${yours}`, summary);
});

// Buttons of earlier versions carry no state to check an answer against: they resume the quiz.
pm.callbackQuery(LEGACY_ANSWER_RE, async (ctx) => {
  const a = await buttonAttempt(ctx, Number(ctx.match[1]));
  if (a) await refuseButton(ctx, a);
});

/** A typed message while this attempt is open in the chat (called by the dialogs router). */
export async function quizText(ctx: BotContext, attemptId: number, next: () => Promise<void>): Promise<void> {
  const { db } = ctx.deps;
  const a = attemptState(db, attemptId);
  const text = ctx.message?.text;
  if (!a || a.learnerId !== ctx.from!.id || (a.finishedAt !== null && a.shownItem === a.variant.length)) return next();
  // Other commands work as usual; the quiz waits at its question meanwhile.
  if (text?.startsWith("/")) return next();
  const answered = a.finishedAt === null && !isOverdue(ctx, a) ? answeredItems(db, a.id) : null;
  const cur = answered ? currentItem(db, a, answered) : null;
  // Nothing is written before these steps are shown: showStep takes the attempt as read here.
  const known = { a, answered };
  if (!cur) return showStep(ctx, a.id, undefined, known);
  if (a.shownItem !== cur.item) {
    // The last answer was stored but its next question never reached the chat (a crash): this text
    // was meant for a question the learner has not seen, so it is not taken; the question comes now.
    return showStep(ctx, a.id, ctx.t("quiz.next_question_first"), known);
  }
  const kind = cur.question.kind;
  if (kind !== "text" && kind !== "number") return showStep(ctx, a.id, ctx.t("quiz.use_buttons"), known);
  const typed = text?.trim() ?? "";
  if (!typed) return showStep(ctx, a.id, ctx.t("quiz.send_text"), known);
  if (kind === "number" && parseNumberAnswer(typed) === null) {
    return showStep(ctx, a.id, ctx.t("quiz.not_a_number", { text: shorten(typed, 50) }), known);
  }
  await submit(ctx, a, cur.item, { kind: "text", text: truncate(typed, 500) }, null);
}

/** Stores an answer and shows what follows: feedback, then the next question or the result. */
async function submit(ctx: BotContext, a: AttemptState, item: number, given: GivenAnswer, shown: number[] | null): Promise<void> {
  const { db, clock } = ctx.deps;
  const messageId = ctx.callbackQuery ? null : (ctx.message?.message_id ?? null);
  const outcome: AnswerOutcome = answerQuestion(db, { attemptId: a.id, learnerId: a.learnerId, item, given, messageId, now: clock.now() });
  switch (outcome.status) {
    case "forged":
      return answerCallback(ctx, ctx.t("errors.stale_button"), true);
    case "finished":
    case "closed":
      if (ctx.callbackQuery) await answerCallback(ctx);
      return showStep(ctx, a.id);
    case "duplicate":
    case "not_current":
      if (ctx.callbackQuery) return refuseButton(ctx, a);
      // A redelivered message that already answered: show the step only if it may not be on screen.
      return refuseText(ctx, a);
    case "not_shown":
      return showStep(ctx, a.id, ctx.t("quiz.next_question_first"));
    case "recorded":
      break;
  }
  const q = outcome.question;
  const yours = ctx.t("quiz.your_answer", {
    answer: describeGiven(ctx.t, q, shown, given.kind === "text" ? given.text : null, given.kind === "truefalse" ? given.value : null),
    interpolation: { escapeValue: false },
  });
  if (ctx.callbackQuery) {
    const { text } = renderQuestion(ctx.t, ctx.lang, questionView(a, { item, question: q }));
    await showRecorded(ctx, a, outcome, `${text}\n\n${yours}`);
  } else {
    await showRecorded(ctx, a, outcome, yours);
  }
}

/**
 * After a stored answer: its feedback (under the answered question when it came by a button, the
 * question's buttons gone), then the next question or the result. `summary`: a matching question's
 * pairs, sent with the feedback as a message of its own (all pairs do not fit under the last one).
 */
async function showRecorded(
  ctx: BotContext,
  a: AttemptState,
  outcome: Extract<AnswerOutcome, { status: "recorded" }>,
  answered: string,
  summary?: string,
): Promise<void> {
  const q = outcome.question;
  const feedback =
    a.feedback === "after_each"
      ? answerFeedback(ctx.t, ctx.lang, a.languages, q, outcome.grade, moduleTitleOf(ctx, a))
      : ctx.t("quiz.answer_saved");
  if (ctx.callbackQuery) {
    await answerCallback(ctx);
    keyboardRemoved(ctx);
    if (summary) {
      await editQuietly(() => ctx.editMessageText(answered, HTML));
      await ctx.reply(`${summary}\n\n${feedback}`, HTML);
    } else {
      await editQuietly(() => ctx.editMessageText(`${answered}\n${feedback}`, HTML));
    }
  } else {
    await ctx.reply(`${answered}\n${feedback}`, HTML);
  }
  // The attempt is read again only for the result (showStep reads it itself).
  if (outcome.finished) await sendResult(ctx, attemptState(ctx.deps.db, a.id)!);
  else await showStep(ctx, a.id);
}

async function refuseText(ctx: BotContext, a: AttemptState): Promise<void> {
  const fresh = attemptState(ctx.deps.db, a.id);
  if (!fresh) return;
  const cur = fresh.finishedAt === null ? currentItem(ctx.deps.db, fresh, answeredItems(ctx.deps.db, fresh.id)) : null;
  if (fresh.shownItem !== (cur ? cur.item : fresh.variant.length)) await showStep(ctx, a.id);
}

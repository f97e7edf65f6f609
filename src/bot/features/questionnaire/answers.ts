/**
 * Answering a questionnaire, without conversation state: each button names the response and the
 * position it answers; a typed answer goes to the response open in the chat (open_dialogs), at the
 * stored position, once that question was shown. Every change is checked and written in one
 * transaction (db/questionnaireStepRepo.ts), then the step is read back and shown. A crash at any
 * point leaves nothing to replay: the next tap or message is judged against the database.
 */
import { Composer } from "grammy";
import { parseTextAnswer, type AnswerValue } from "../../../domain/questionnaire.js";
import { closeDialog, openDialog, setOpenDialog } from "../../../db/dialogsRepo.js";
import { changeResponse, responseState, type Change, type ResponseState } from "../../../db/questionnaireStepRepo.js";
import { isQuestionnaireOpen } from "../../../domain/questionnaire.js";
import { maskFits, maskIndexes, surveyDone, surveyMove, surveyToggle, surveyValue } from "../../../messages/callbackData.js";
import { escapeHtml } from "../../../messages/i18n.js";
import {
  answerText,
  inputErrorText,
  LEGACY_ANSWER_DATA_RE,
  questionKeyboard,
  questionText,
  sessionTitle,
  shorten,
} from "../../../messages/questionnaireViews.js";
import type { BotContext } from "../../context.js";
import { flowEnded, keyboardRemoved } from "../../liveKeyboard.js";
import { answerCallback, HTML } from "../../ui.js";
import { sendClosed, sendSubmitted, sessionOf, showSurveyStep } from "./steps.js";
import { editQuietly } from "../quiz/steps.js";

export const questionnaireAnswers = new Composer<BotContext>();
const pm = questionnaireAnswers.chatType("private");

/**
 * The response a button at `position` may act on, or null after telling the learner why: another
 * learner's or unknown (alert), submitted (the answers), closed (the date), paused or left for a
 * quiz (resumed, the press does not count), or another position than the learner's (alert, and the
 * current step again if it may not be on screen).
 */
async function buttonResponse(ctx: BotContext, responseId: number, position: number | null): Promise<ResponseState | null> {
  const { db, clock } = ctx.deps;
  const r = responseState(db, responseId);
  if (!r || r.learnerId !== ctx.from!.id) {
    await answerCallback(ctx, ctx.t("errors.stale_button"), true);
    return null;
  }
  if (r.submittedAt !== null) {
    await answerCallback(ctx);
    await sendSubmitted(ctx, r);
    return null;
  }
  if (!isQuestionnaireOpen(r.kind, r, clock.now())) {
    await answerCallback(ctx);
    await sendClosed(ctx, r);
    return null;
  }
  const open = openDialog(db, r.learnerId);
  if (open?.kind !== "questionnaire" || open.refId !== r.id) {
    await answerCallback(ctx);
    setOpenDialog(db, r.learnerId, "questionnaire", r.id, clock.now());
    await showSurveyStep(ctx, r, ctx.t("survey.resuming"));
    return null;
  }
  if (position === null || position !== r.position) {
    await refuseMoved(ctx, r);
    return null;
  }
  return r;
}

async function refuseMoved(ctx: BotContext, r: ResponseState): Promise<void> {
  await answerCallback(ctx, ctx.t("survey.stale_button"), true);
  if (r.shownPosition !== r.position) await showSurveyStep(ctx, r);
}

/** An action that does not fit the question on screen (a forged or mismatched button). */
async function refuseAction(ctx: BotContext): Promise<void> {
  await answerCallback(ctx);
  await ctx.reply(ctx.t("survey.stale_button"), HTML);
}

pm.callbackQuery(surveyValue.filter, async (ctx) => {
  const data = surveyValue.decode(ctx.callbackQuery.data);
  if (!data) return answerCallback(ctx, ctx.t("errors.stale_button"), true);
  const [rid, position, n] = data;
  const r = await buttonResponse(ctx, rid, position);
  if (!r) return;
  const q = r.questions[position];
  let value: AnswerValue | undefined;
  if (q?.type === "rating" && n <= q.max - q.min) value = q.min + n;
  else if (q?.type === "single" && q.options[n]) value = q.options[n].id;
  else if (q?.type === "yes_no" && n <= 1) value = n === 1;
  if (value === undefined) return refuseAction(ctx);
  await apply(ctx, r, { kind: "answer", value, messageId: null });
});

pm.callbackQuery(surveyToggle.filter, async (ctx) => {
  const data = surveyToggle.decode(ctx.callbackQuery.data);
  if (!data) return answerCallback(ctx, ctx.t("errors.stale_button"), true);
  const [rid, position, n, mask] = data;
  const r = await buttonResponse(ctx, rid, position);
  if (!r) return;
  const q = r.questions[position];
  if (q?.type !== "multiple" || n >= q.options.length || !maskFits(mask, q.options.length)) return refuseAction(ctx);
  // The ticks live on the keyboard itself: nothing is stored until "Done".
  await answerCallback(ctx);
  const keyboard = questionKeyboard(ctx.t, sessionOf(r), position, ctx.lang, mask ^ (1 << n));
  await editQuietly(() => ctx.editMessageReplyMarkup({ reply_markup: keyboard }));
});

pm.callbackQuery(surveyDone.filter, async (ctx) => {
  const data = surveyDone.decode(ctx.callbackQuery.data);
  if (!data) return answerCallback(ctx, ctx.t("errors.stale_button"), true);
  const [rid, position, mask] = data;
  const r = await buttonResponse(ctx, rid, position);
  if (!r) return;
  const q = r.questions[position];
  if (q?.type !== "multiple" || !maskFits(mask, q.options.length)) return refuseAction(ctx);
  const ids = maskIndexes(mask, q.options.length).map((i) => q.options[i]!.id);
  if (ids.length === 0 && q.required) {
    await answerCallback(ctx);
    await ctx.reply(ctx.t("survey.error.nothing_ticked"), HTML);
    return;
  }
  await apply(ctx, r, { kind: "answer", value: ids.length > 0 ? ids : null, messageId: null });
});

pm.callbackQuery(surveyMove.filter, async (ctx) => {
  const data = surveyMove.decode(ctx.callbackQuery.data);
  if (!data) return answerCallback(ctx, ctx.t("errors.stale_button"), true);
  const [rid, position, action] = data;
  const r = await buttonResponse(ctx, rid, position);
  if (!r) return;
  const total = r.questions.length;
  const q = r.questions[position];
  let change: Change | null = null;
  if (action === "back" && position > 0) change = { kind: "move", to: position - 1 };
  else if (action === "skip" && q && !q.required) change = { kind: "answer", value: null, messageId: null };
  else if (action === "keep" && q && r.answers[q.id] !== undefined) change = { kind: "move", to: position + 1 };
  else if (action === "submit" && position >= total) change = { kind: "submit" };
  if (!change) return refuseAction(ctx);
  await apply(ctx, r, change);
});

// Buttons of earlier versions name their response: they resume the questionnaire, they do not count.
pm.callbackQuery(LEGACY_ANSWER_DATA_RE, async (ctx) => {
  const r = await buttonResponse(ctx, Number(ctx.match[1]), null);
  if (r) await showSurveyStep(ctx, r);
});

/** A typed message while this response is open in the chat (called by the dialogs router). */
export async function questionnaireText(ctx: BotContext, responseId: number, next: () => Promise<void>): Promise<void> {
  const { db, clock } = ctx.deps;
  const r = responseState(db, responseId);
  const text = ctx.message?.text;
  if (!r || r.learnerId !== ctx.from!.id) return next();
  // Submitted, yet still open here: the thanks was lost in a crash, so the learner gets the answers now.
  if (r.submittedAt !== null) return sendSubmitted(ctx, r);
  // Other commands are handled as usual; the questionnaire waits at its question meanwhile.
  if (text?.startsWith("/")) return next();
  if (!isQuestionnaireOpen(r.kind, r, clock.now())) return sendClosed(ctx, r);
  const q = r.questions[r.position];
  if (!q) return showSurveyStep(ctx, r, ctx.t("survey.error.use_buttons"));
  if (r.shownPosition !== r.position) {
    // The last answer was stored but the next question never reached the chat (a crash): this text
    // was meant for a question the learner has not seen, so it is not taken; the question comes now.
    return showSurveyStep(ctx, r, ctx.t("survey.next_question_first"));
  }
  if (text === undefined) {
    const code = q.type === "text" || q.type === "number" ? "send_text" : "use_buttons";
    return showSurveyStep(ctx, r, inputErrorText(ctx.t, { code }));
  }
  const parsed = parseTextAnswer(q, text);
  if (!parsed.ok) return showSurveyStep(ctx, r, inputErrorText(ctx.t, parsed.error));
  await apply(ctx, r, { kind: "answer", value: parsed.value, messageId: ctx.message!.message_id });
}

/** Writes a change and shows what follows. */
async function apply(ctx: BotContext, r: ResponseState, change: Change): Promise<void> {
  const { db, clock } = ctx.deps;
  const outcome = changeResponse(db, { responseId: r.id, learnerId: r.learnerId, position: r.position, change, now: clock.now() });
  if (!outcome.ok) {
    const state = outcome.state;
    if (!state) return answerCallback(ctx, ctx.t("errors.stale_button"), true);
    switch (outcome.refusal) {
      case "forged":
        return answerCallback(ctx, ctx.t("errors.stale_button"), true);
      case "submitted":
        if (ctx.callbackQuery) await answerCallback(ctx);
        if (ctx.callbackQuery) return sendSubmitted(ctx, state);
        return ctx
          .reply(ctx.t("survey.already_submitted", { title: sessionTitle(sessionOf(state), ctx.lang) }), HTML)
          .then(() => undefined);
      case "closed":
        if (ctx.callbackQuery) await answerCallback(ctx);
        return sendClosed(ctx, state);
      case "moved":
        if (ctx.callbackQuery) return refuseMoved(ctx, state);
        return showSurveyStep(ctx, state);
      case "duplicate":
        // A redelivered message that already answered: show the step only if it may not be on screen.
        if (state.shownPosition !== state.position) await showSurveyStep(ctx, state);
        return;
      case "not_shown":
        return showSurveyStep(ctx, state, ctx.t("survey.next_question_first"));
      case "missing":
        if (ctx.callbackQuery) await answerCallback(ctx);
        return showSurveyStep(ctx, state, ctx.t("survey.missing_required"));
    }
  }
  const after = outcome.state;
  if (ctx.callbackQuery) await answerCallback(ctx);
  if (change.kind === "submit") {
    // The summary's buttons have done their job.
    if (ctx.callbackQuery?.message) {
      await editQuietly(() => ctx.editMessageReplyMarkup());
      keyboardRemoved(ctx);
    }
    await ctx.reply(ctx.t(`survey.thanks_${after.kind}`, { title: sessionTitle(sessionOf(after), ctx.lang) }), HTML);
    closeDialog(db, after.learnerId, "questionnaire", after.id);
    await flowEnded(ctx, `questionnaire:${after.id}`);
    return;
  }
  if (change.kind === "answer" && ctx.callbackQuery?.message) {
    // Show the choice under the question and take its buttons away.
    const q = r.questions[r.position]!;
    const shown = change.value === null ? ctx.t("survey.skipped") : answerText(ctx.t, q, change.value, ctx.lang, r.languages);
    const text = `${questionText(ctx.t, sessionOf(r), r.position, ctx.lang, false)}\n\n✅ ${escapeHtml(shorten(shown, 500))}`;
    await editQuietly(() => ctx.editMessageText(text, HTML));
    keyboardRemoved(ctx);
  }
  await showSurveyStep(ctx, after);
}

/**
 * Showing where a questionnaire response stands: the question at its position (with the answer
 * given so far), the summary, or the answers once submitted. Read from the database each time;
 * what was shown is recorded (questionnaire_responses.shown_position).
 */
import { markSurveyShown, responseClosesAt, type ResponseState } from "../../../db/questionnaireStepRepo.js";
import { closeDialog } from "../../../db/dialogsRepo.js";
import { formatDate, formatDateTime } from "../../../messages/format.js";
import {
  answerLines,
  questionKeyboard,
  questionText,
  selectionMask,
  sessionTitle,
  summaryKeyboard,
  type QuestionnaireSession,
} from "../../../messages/questionnaireViews.js";
import type { BotContext } from "../../context.js";
import { flowEnded, stepShown } from "../../liveKeyboard.js";
import { chunkLines, HTML } from "../../ui.js";

export function sessionOf(r: ResponseState): QuestionnaireSession {
  return { ...r, responseId: r.id };
}

/** Sends the current question or the summary (after an optional line) and records it as shown. */
export async function showSurveyStep(ctx: BotContext, r: ResponseState, before?: string): Promise<void> {
  const s = sessionOf(r);
  const position = r.position;
  if (before) await ctx.reply(before, HTML);
  if (position >= r.questions.length) {
    const chunks = chunkLines([
      ctx.t("survey.summary_header"),
      "",
      ...answerLines(ctx.t, s, ctx.lang),
      "",
      ctx.t("survey.summary_confirm"),
    ]);
    let live: number | null = null;
    for (const [i, chunk] of chunks.entries()) {
      const last = i === chunks.length - 1;
      const sent = await ctx.reply(chunk, { ...HTML, reply_markup: last ? summaryKeyboard(ctx.t, s, position) : undefined });
      if (last) live = sent.message_id;
    }
    await stepShown(ctx, `questionnaire:${r.id}`, live, () => markSurveyShown(ctx.deps.db, r.id, position));
  } else {
    const q = r.questions[position]!;
    const given = r.answers[q.id];
    const mask = q.type === "multiple" && Array.isArray(given) ? selectionMask(q, given) : 0;
    const keyboard = questionKeyboard(ctx.t, s, position, ctx.lang, mask);
    const sent = await ctx.reply(questionText(ctx.t, s, position, ctx.lang), { ...HTML, reply_markup: keyboard });
    // This copy is the live one: an earlier copy (before an invalid input) or item loses its buttons.
    const live = keyboard.inline_keyboard.flat().length > 0 ? sent.message_id : null;
    await stepShown(ctx, `questionnaire:${r.id}`, live, () => markSurveyShown(ctx.deps.db, r.id, position));
  }
}

/** A submitted questionnaire: when, and the answers. */
export async function sendSubmitted(ctx: BotContext, r: ResponseState): Promise<void> {
  const s = sessionOf(r);
  const header = ctx.t("survey.submitted_header", {
    title: sessionTitle(sessionOf(r), ctx.lang),
    date: formatDateTime(r.submittedAt ?? 0, ctx.lang, r.timezone),
  });
  for (const chunk of chunkLines([header, "", ...answerLines(ctx.t, s, ctx.lang, 1000)])) await ctx.reply(chunk, HTML);
  closeDialog(ctx.deps.db, r.learnerId, "questionnaire", r.id);
  await flowEnded(ctx, `questionnaire:${r.id}`);
}

/** The questionnaire has closed: nothing more is accepted, and the learner is told since when. */
export async function sendClosed(ctx: BotContext, r: ResponseState): Promise<void> {
  await ctx.reply(
    ctx.t("survey.closed_for_answers", {
      title: sessionTitle(sessionOf(r), ctx.lang),
      closes: formatDate(responseClosesAt(r) - 1, ctx.lang, r.timezone),
    }),
    HTML,
  );
  closeDialog(ctx.deps.db, r.learnerId, "questionnaire", r.id);
  await flowEnded(ctx, `questionnaire:${r.id}`);
}

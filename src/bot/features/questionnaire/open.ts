/** Opening a questionnaire from an offer, a reminder or /mycourses: start, resume, or show the answers. */
import { Composer } from "grammy";
import { getCourse, isEnrolled } from "../../../db/coursesRepo.js";
import { setOpenDialog } from "../../../db/dialogsRepo.js";
import { getQuestions, getResponse, startResponse } from "../../../db/questionnaireRepo.js";
import { responseState } from "../../../db/questionnaireStepRepo.js";
import type { Course } from "../../../db/schema/index.js";
import { isQuestionnaireKind, isQuestionnaireOpen, questionnaireWindow, type QuestionnaireKind } from "../../../domain/questionnaire.js";
import { courseTitle } from "../../../messages/courseViews.js";
import { formatDate } from "../../../messages/format.js";
import type { BotContext } from "../../context.js";
import { answerCallback, HTML } from "../../ui.js";
import { sendSubmitted, showSurveyStep } from "./steps.js";
import { deleteDraft } from "../../../db/questionsRepo.js";

export const questionnaireOpening = new Composer<BotContext>();
const pm = questionnaireOpening.chatType("private");

/** Opens a questionnaire: shows the answers if submitted, else starts or resumes it at its stored position. */
export async function openQuestionnaire(ctx: BotContext, course: Course, kind: QuestionnaireKind): Promise<void> {
  const { db, clock } = ctx.deps;
  const now = clock.now();
  const learnerId = ctx.from!.id;
  const questions = getQuestions(db, course.id, kind);
  if (!questions) {
    await answerCallback(ctx, ctx.t("survey.none"), true);
    return;
  }
  if (!isEnrolled(db, learnerId, course.id)) {
    await answerCallback(ctx, ctx.t("survey.not_enrolled"), true);
    return;
  }
  const existing = getResponse(db, learnerId, course.id, kind);
  if (!existing?.submittedAt && !isQuestionnaireOpen(kind, course, now)) {
    const w = questionnaireWindow(kind, course);
    const key = now < w.opensAt ? "survey.not_open_yet" : "survey.closed";
    await answerCallback(ctx);
    await ctx.reply(
      ctx.t(key, {
        title: courseTitle(course, ctx.lang),
        opens: Number.isFinite(w.opensAt) ? formatDate(w.opensAt, ctx.lang, course.timezone) : "",
        closes: formatDate(w.closesAt - 1, ctx.lang, course.timezone),
      }),
      HTML,
    );
    return;
  }
  await answerCallback(ctx);
  const response = existing ?? startResponse(db, learnerId, course.id, kind, now);
  const r = responseState(db, response.id)!;
  if (r.submittedAt !== null) {
    await sendSubmitted(ctx, r);
    return;
  }
  // One dialog at a time: a quiz left open in this chat is paused (it resumes from the database).
  setOpenDialog(db, learnerId, "questionnaire", r.id, now);
  // A /ask left waiting for its text would otherwise take the first message typed after it.
  deleteDraft(db, learnerId);
  if (response.position > 0) {
    await showSurveyStep(ctx, r, ctx.t("survey.resuming"));
    return;
  }
  const w = questionnaireWindow(kind, course);
  const intro = ctx.t(`survey.intro_${kind}`, {
    title: courseTitle(course, ctx.lang),
    questions: ctx.t("survey.questions_count", { count: questions.length }),
    closes: formatDate(w.closesAt - 1, ctx.lang, course.timezone),
  });
  await showSurveyStep(ctx, r, intro);
}

/** `qn:<course>:<pre|post>` from an offer, a reminder or /mycourses. */
pm.callbackQuery(/^qn:([\w-]+):(\w+)$/, async (ctx) => {
  const kind = ctx.match[2];
  const course = getCourse(ctx.deps.db, ctx.match[1]!);
  if (!course) {
    await answerCallback(ctx, ctx.t("errors.course_gone"), true);
    return;
  }
  if (!isQuestionnaireKind(kind)) {
    await answerCallback(ctx, ctx.t("errors.stale_button"), true);
    return;
  }
  await openQuestionnaire(ctx, course, kind);
});

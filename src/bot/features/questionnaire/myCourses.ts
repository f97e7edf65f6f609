/** The questionnaires' part of /mycourses: a line and a button per open (or answered) questionnaire. */
import { getResponse, questionCount } from "../../../db/questionnaireRepo.js";
import type { Course } from "../../../db/schema/index.js";
import { isQuestionnaireOpen, questionnaireWindow } from "../../../domain/questionnaire.js";
import { courseTitle } from "../../../messages/courseViews.js";
import { formatDate } from "../../../messages/format.js";
import { openQuestionnaireData } from "../../../messages/questionnaireOffers.js";
import { shorten } from "../../../messages/questionnaireViews.js";
import type { BotContext } from "../../context.js";

export function myCoursesQuestionnaires(
  ctx: BotContext,
  course: Course,
  now: number,
): { lines: string[]; buttons: { text: string; data: string }[] } {
  const out = { lines: [] as string[], buttons: [] as { text: string; data: string }[] };
  for (const kind of ["pre", "post"] as const) {
    if (!isQuestionnaireOpen(kind, course, now) || questionCount(ctx.deps.db, course, kind) === undefined) continue;
    const r = getResponse(ctx.deps.db, ctx.from!.id, course.id, kind);
    const w = questionnaireWindow(kind, course);
    const closes = formatDate(w.closesAt - 1, ctx.lang, course.timezone);
    const state = r?.submittedAt ? "done" : r ? "started" : "new";
    out.lines.push(ctx.t(`survey.mycourses.${kind}_${state}`, { closes }));
    out.buttons.push({
      text: shorten(`${ctx.t(`survey.mycourses.button_${kind}${state === "done" ? "_done" : ""}`)} · ${courseTitle(course, ctx.lang)}`, 60),
      data: openQuestionnaireData(course.id, kind),
    });
  }
  return out;
}

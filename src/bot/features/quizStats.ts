/** /quizstats [course-id]: for authors, how each quiz went, hardest questions, identical wrong answers. */
import { Composer } from "grammy";
import { courseItemAnalysis } from "../../db/courseAnalysis.js";
import { getCourse, listCourses } from "../../db/coursesRepo.js";
import type { Course } from "../../db/schema/index.js";
import { shorten } from "../../domain/text.js";
import { courseTitle } from "../../messages/courseViews.js";
import { quizStatsReport } from "../../messages/quizStatsViews.js";
import { flaggedQuestionLines } from "../../messages/reportViews.js";
import { allowedIn, coursesWithRole, requireAuthor } from "../auth.js";
import type { BotContext } from "../context.js";
import { sendReport } from "../reportDelivery.js";
import { HTML } from "../ui.js";

export const quizStatsFeature = new Composer<BotContext>();

quizStatsFeature.chatType("private").command("quizstats", requireAuthor, async (ctx) => {
  const { db } = ctx.deps;
  const id = ctx.match.trim().toLowerCase();
  if (id && !(await allowedIn(ctx, id))) return;
  // Without an id: every course the person authors (never another team's).
  const mine = new Set(coursesWithRole(ctx));
  const selected = id ? [getCourse(db, id)].filter((c): c is Course => c !== undefined) : listCourses(db).filter((c) => mine.has(c.id));
  if (id && selected.length === 0) {
    await ctx.reply(ctx.t("start.unknown_course", { id: shorten(id, 64) }), HTML);
    return;
  }
  // Questions to look at first (too easy, too hard, negative discrimination), under each course's header.
  const flagged = new Map<string, string[]>();
  for (const course of selected)
    flagged.set(course.id, flaggedQuestionLines(ctx.t, ctx.lang, course, await courseItemAnalysis(db, course.id)));
  await sendReport(ctx, quizStatsReport(db, ctx.t, ctx.lang, selected, flagged), {
    filename: `${selected.length === 1 ? selected[0]!.id : "courses"}-quiz-statistics.txt`,
    title: selected.length === 1 ? courseTitle(selected[0]!, ctx.lang) : ctx.t("quiz.stats.all_courses"),
  });
});

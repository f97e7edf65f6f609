/** /quizstats [course-id]: for authors, how each quiz went, hardest questions, identical wrong answers. */
import { Composer, InlineKeyboard } from "grammy";
import { courseItemAnalysis } from "../../db/courseAnalysis.js";
import { getCourse, listCourses } from "../../db/coursesRepo.js";
import type { Course } from "../../db/schema/index.js";
import { shorten } from "../../domain/text.js";
import { quizStatsCourse } from "../../messages/callbackData.js";
import { courseTitle } from "../../messages/courseViews.js";
import { quizStatsReport } from "../../messages/quizStatsViews.js";
import { flaggedQuestionLines } from "../../messages/reportViews.js";
import { requireAuthor } from "../auth.js";
import type { BotContext } from "../context.js";
import { sendReport } from "../reportDelivery.js";
import { answerCallback, buttonValues, HTML } from "../ui.js";

export const quizStatsFeature = new Composer<BotContext>();
const pm = quizStatsFeature.chatType("private");

pm.command("quizstats", requireAuthor, async (ctx) => {
  const id = ctx.match.trim().toLowerCase();
  if (!id) return chooseCourse(ctx);
  const course = getCourse(ctx.deps.db, id);
  if (!course) {
    await ctx.reply(ctx.t("start.unknown_course", { id: shorten(id, 64) }), HTML);
    return;
  }
  await sendQuizStats(ctx, course);
});

pm.callbackQuery(quizStatsCourse.filter, requireAuthor, async (ctx) => {
  const values = await buttonValues(ctx, quizStatsCourse);
  if (!values) return;
  const course = getCourse(ctx.deps.db, values[0]);
  if (!course) return answerCallback(ctx, ctx.t("errors.course_gone"), true);
  await answerCallback(ctx);
  await sendQuizStats(ctx, course);
});

/** Without a course id: a button per course, as /results offers (one course's report at a time). */
async function chooseCourse(ctx: BotContext): Promise<void> {
  const courses = listCourses(ctx.deps.db);
  if (courses.length === 0) {
    await ctx.reply(ctx.t("quiz.stats.none"), HTML);
    return;
  }
  const kb = new InlineKeyboard();
  for (const course of courses) kb.text(shorten(courseTitle(course, ctx.lang), 60), quizStatsCourse.encode(course.id)).row();
  await ctx.reply(ctx.t("author_tools.quizstats_usage"), { ...HTML, reply_markup: kb });
}

async function sendQuizStats(ctx: BotContext, course: Course): Promise<void> {
  const { db } = ctx.deps;
  // Questions to look at first (too easy, too hard, negative discrimination), under the course's header.
  const flagged = new Map([[course.id, flaggedQuestionLines(ctx.t, ctx.lang, course, await courseItemAnalysis(db, course.id))]]);
  await sendReport(ctx, quizStatsReport(db, ctx.t, ctx.lang, [course], flagged), {
    filename: `${course.id}-quiz-statistics.txt`,
    title: courseTitle(course, ctx.lang),
  });
}

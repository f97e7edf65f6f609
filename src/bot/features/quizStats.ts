/** /quizstats [course-id]: for authors, how each quiz went, hardest questions, identical wrong answers. */
import { Composer } from "grammy";
import { getCourse } from "../../db/coursesRepo.js";
import type { Course } from "../../db/schema/index.js";
import { shorten } from "../../domain/text.js";
import { quizStatsCourse } from "../../messages/callbackData.js";
import { courseTitle } from "../../messages/courseViews.js";
import { quizStatsReportLines } from "../../reports/reportThread.js";
import { allowedIn, coursesWithRole, requireAuthor } from "../auth.js";
import type { BotContext } from "../context.js";
import { pickCourse } from "../coursePicker.js";
import { sendReport } from "../reportDelivery.js";
import { answerCallback, buttonValues, HTML } from "../ui.js";

export const quizStatsFeature = new Composer<BotContext>();
const pm = quizStatsFeature.chatType("private");

pm.command("quizstats", requireAuthor, async (ctx) => {
  const id = ctx.match.trim().toLowerCase();
  if (!id) return chooseCourse(ctx);
  if (!(await allowedIn(ctx, id))) return;
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
  // Old buttons and forged data too: the course on the button is checked, not only "an author somewhere".
  if (!(await allowedIn(ctx, values[0]))) return;
  const course = getCourse(ctx.deps.db, values[0]);
  if (!course) return answerCallback(ctx, ctx.t("errors.course_gone"), true);
  await answerCallback(ctx);
  await sendQuizStats(ctx, course);
});

/** Without a course id: a button per course the person authors, as /results offers (one course at a time). */
async function chooseCourse(ctx: BotContext): Promise<void> {
  await pickCourse(ctx, coursesWithRole(ctx), quizStatsCourse, "author_tools.quizstats_usage", "quiz.stats.none");
}

async function sendQuizStats(ctx: BotContext, course: Course): Promise<void> {
  // Flagged questions first under the course's header; computed off the bot's thread (reports/reportThread.ts).
  await sendReport(ctx, await quizStatsReportLines(ctx.deps.db, [course], ctx.lang), {
    filename: `${course.id}-quiz-statistics.txt`,
    title: courseTitle(course, ctx.lang),
  });
}

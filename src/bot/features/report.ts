/** /report [course-id]: the authors' analysis report, with charts as albums and a PDF (issue 11). */
import { Composer, InlineKeyboard } from "grammy";
import { hasAnalysisData } from "../../db/analysisRepo.js";
import { courseAuthors } from "../../db/staffRepo.js";
import { getCourse, listCourses } from "../../db/coursesRepo.js";
import { reportCourse } from "../../messages/callbackData.js";
import { courseTitle } from "../../messages/courseViews.js";
import { deliverReport, teamNames } from "../../reports/courseReport.js";
import { buildCourseReport } from "../../reports/reportThread.js";
import { allowedIn, coursesWithRole, requireAuthor } from "../auth.js";
import type { BotContext } from "../context.js";
import { answerCallback, HTML } from "../ui.js";
import { shorten } from "../../domain/text.js";

export const reportFeature = new Composer<BotContext>();
const pm = reportFeature.chatType("private");

async function chooseCourse(ctx: BotContext): Promise<void> {
  const mine = new Set(coursesWithRole(ctx));
  const courses = listCourses(ctx.deps.db).filter((c) => mine.has(c.id));
  if (courses.length === 0) {
    await ctx.reply(ctx.t("report.no_courses"), HTML);
    return;
  }
  const kb = new InlineKeyboard();
  for (const c of courses) kb.text(shorten(courseTitle(c, ctx.lang), 60), reportCourse.encode(c.id)).row();
  await ctx.reply(ctx.t("report.usage"), { ...HTML, reply_markup: kb });
}

async function sendReport(ctx: BotContext, id: string): Promise<void> {
  if (!(await allowedIn(ctx, id))) return;
  const course = getCourse(ctx.deps.db, id);
  if (!course) {
    await ctx.reply(ctx.t("report.unknown_course", { id: shorten(id, 64) }), HTML);
    return;
  }
  const { db, clock, config } = ctx.deps;
  if (!hasAnalysisData(db, course.id)) {
    await ctx.reply(ctx.t("report.empty", { title: courseTitle(course, ctx.lang) }), HTML);
    return;
  }
  // Charts and the PDF take a few seconds for a big course: say so first.
  await ctx.reply(ctx.t("report.preparing", { title: courseTitle(course, ctx.lang) }), HTML);
  await ctx.replyWithChatAction("upload_photo").catch(() => undefined);
  const team = teamNames(db, courseAuthors(db, config, course.id));
  const report = await buildCourseReport(db, course, ctx.lang, clock.now(), team);
  await deliverReport(ctx.api, ctx.chat!.id, report);
}

pm.command("report", requireAuthor, async (ctx) => {
  const id = ctx.match.trim().toLowerCase();
  if (!id) await chooseCourse(ctx);
  else await sendReport(ctx, id);
});

pm.callbackQuery(reportCourse.filter, requireAuthor, async (ctx) => {
  const decoded = reportCourse.decode(ctx.callbackQuery.data);
  if (decoded && !(await allowedIn(ctx, decoded[0]))) return;
  await answerCallback(ctx);
  if (!decoded) return;
  await sendReport(ctx, decoded[0]);
});

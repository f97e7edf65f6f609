/** /quizstats [course-id]: for authors, how each quiz went, hardest questions, identical wrong answers. */
import { Composer } from "grammy";
import { getCourse, listCourses } from "../../db/coursesRepo.js";
import type { Course } from "../../db/schema/index.js";
import { shorten } from "../../domain/text.js";
import { courseTitle } from "../../messages/courseViews.js";
import { quizStatsReportLines } from "../../reports/reportThread.js";
import { requireAuthor } from "../auth.js";
import type { BotContext } from "../context.js";
import { sendReport } from "../reportDelivery.js";
import { HTML } from "../ui.js";

export const quizStatsFeature = new Composer<BotContext>();

quizStatsFeature.chatType("private").command("quizstats", requireAuthor, async (ctx) => {
  const { db } = ctx.deps;
  const id = ctx.match.trim().toLowerCase();
  const selected = id ? [getCourse(db, id)].filter((c): c is Course => c !== undefined) : listCourses(db);
  if (id && selected.length === 0) {
    await ctx.reply(ctx.t("start.unknown_course", { id: shorten(id, 64) }), HTML);
    return;
  }
  // Flagged questions first under each course's header; computed off the bot's thread (reports/reportThread.ts).
  await sendReport(ctx, await quizStatsReportLines(db, selected, ctx.lang), {
    filename: `${selected.length === 1 ? selected[0]!.id : "courses"}-quiz-statistics.txt`,
    title: selected.length === 1 ? courseTitle(selected[0]!, ctx.lang) : ctx.t("quiz.stats.all_courses"),
  });
});

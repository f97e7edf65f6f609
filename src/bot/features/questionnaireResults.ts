/** Authors' view of the questionnaires: /results (counts, distributions, before/after) and /export (CSV). */
import { Composer, InlineKeyboard, InputFile } from "grammy";
import { getCourse } from "../../db/coursesRepo.js";
import { courseQuestionnaires, coursesWithQuestionnaires } from "../../db/questionnaireRepo.js";
import type { Course } from "../../db/schema/index.js";
import { shorten } from "../../domain/text.js";
import { courseTitle } from "../../messages/courseViews.js";
import { reportTempDir } from "../../reports/csvFile.js";
import { exportCourseQuestionnaires } from "../../reports/questionnaireExport.js";
import { resultsReportLines } from "../../reports/reportThread.js";
import { allowedIn, coursesWithRole, requireAuthor } from "../auth.js";
import type { BotContext } from "../context.js";
import { sendReport } from "../reportDelivery.js";
import { exportButton, resultsButton } from "../../messages/callbackData.js";
import { answerCallback, buttonValues, HTML } from "../ui.js";

export const questionnaireResultsFeature = new Composer<BotContext>();
const pm = questionnaireResultsFeature.chatType("private");

async function chooseCourse(ctx: BotContext, usageKey: string, button: typeof resultsButton): Promise<void> {
  const seen = new Set<string>();
  const mine = new Set(coursesWithRole(ctx));
  const kb = new InlineKeyboard();
  for (const { course } of coursesWithQuestionnaires(ctx.deps.db)) {
    if (seen.has(course.id) || !mine.has(course.id)) continue;
    seen.add(course.id);
    kb.text(shorten(courseTitle(course, ctx.lang), 60), button.encode(course.id)).row();
  }
  if (seen.size === 0) {
    await ctx.reply(ctx.t("survey.results.no_courses"), HTML);
    return;
  }
  await ctx.reply(ctx.t(usageKey), { ...HTML, reply_markup: kb });
}

function courseWithQuestionnaires(ctx: BotContext, id: string): Course | null {
  const course = getCourse(ctx.deps.db, id);
  if (!course) return null;
  const qs = courseQuestionnaires(ctx.deps.db, id);
  return qs.pre || qs.post ? course : null;
}

async function sendResults(ctx: BotContext, id: string): Promise<void> {
  if (!(await allowedIn(ctx, id))) return;
  const course = courseWithQuestionnaires(ctx, id);
  if (!course) {
    await ctx.reply(ctx.t("survey.results.unknown_course", { id: shorten(id, 64) }), HTML);
    return;
  }
  // Aggregated off the bot's thread when the database is a file (reports/reportThread.ts).
  await sendReport(ctx, await resultsReportLines(ctx.deps.db, course, ctx.lang), {
    filename: `${course.id}-questionnaire-results.txt`,
    title: courseTitle(course, ctx.lang),
  });
}

async function sendExport(ctx: BotContext, id: string): Promise<void> {
  if (!(await allowedIn(ctx, id))) return;
  const course = courseWithQuestionnaires(ctx, id);
  if (!course) {
    await ctx.reply(ctx.t("survey.results.unknown_course", { id: shorten(id, 64) }), HTML);
    return;
  }
  const tmp = reportTempDir();
  try {
    const files = await exportCourseQuestionnaires(ctx.deps.db, course.id, tmp.dir, ctx.deps.config.defaultLocale);
    if (files.length === 0) {
      await ctx.reply(ctx.t("survey.results.export_nothing", { title: courseTitle(course, ctx.lang) }), HTML);
      return;
    }
    for (const f of files) {
      await ctx.replyWithDocument(new InputFile(f.path, f.filename), {
        caption: ctx.t("survey.results.export_caption", {
          title: courseTitle(course, ctx.lang),
          kind: ctx.t(`survey.results.kind_${f.kind}`),
          learners: ctx.t("survey.learners_count", { count: f.rows }),
        }),
        parse_mode: "HTML",
      });
    }
  } finally {
    tmp.remove();
  }
}

pm.command("results", requireAuthor, async (ctx) => {
  const id = ctx.match.trim().toLowerCase();
  if (!id) await chooseCourse(ctx, "survey.results.usage", resultsButton);
  else await sendResults(ctx, id);
});

pm.command("export", requireAuthor, async (ctx) => {
  const id = ctx.match.trim().toLowerCase();
  if (!id) await chooseCourse(ctx, "survey.results.export_usage", exportButton);
  else await sendExport(ctx, id);
});

pm.callbackQuery(resultsButton.filter, requireAuthor, async (ctx) => {
  const values = await buttonValues(ctx, resultsButton);
  if (!values || !(await allowedIn(ctx, values[0]))) return;
  await answerCallback(ctx);
  await sendResults(ctx, values[0]);
});

pm.callbackQuery(exportButton.filter, requireAuthor, async (ctx) => {
  const values = await buttonValues(ctx, exportButton);
  if (!values || !(await allowedIn(ctx, values[0]))) return;
  await answerCallback(ctx);
  await sendExport(ctx, values[0]);
});

/** /gradebook [course]: every enrolled learner's scores as a CSV file, for the course's authors (issue 10 item 3). */
import { Composer, InlineKeyboard, InputFile } from "grammy";
import { enrollmentCounts } from "../../db/analysisRepo.js";
import { getCourse } from "../../db/coursesRepo.js";
import { shorten } from "../../domain/text.js";
import { gradebookCourse } from "../../messages/callbackData.js";
import { courseTitle } from "../../messages/courseViews.js";
import { escapeHtml } from "../../messages/i18n.js";
import { reportTempDir } from "../../reports/csvFile.js";
import { gradebookFilename, writeGradebook } from "../../reports/gradebook.js";
import { allowedIn, coursesWithRole, requireAuthor } from "../auth.js";
import type { BotContext } from "../context.js";
import { answerCallback, buttonValues, HTML } from "../ui.js";

export const gradebookFeature = new Composer<BotContext>();
const pm = gradebookFeature.chatType("private");

async function sendGradebook(ctx: BotContext, id: string): Promise<void> {
  const { db } = ctx.deps;
  const course = getCourse(db, id);
  if (!course) {
    await ctx.reply(ctx.t("gradebook.unknown_course", { id: escapeHtml(shorten(id, 64)) }), HTML);
    return;
  }
  if (!(await allowedIn(ctx, course.id))) return;
  const title = escapeHtml(courseTitle(course, ctx.lang));
  if (enrollmentCounts(db, course.id).enrolled === 0) {
    await ctx.reply(ctx.t("gradebook.empty", { title }), HTML);
    return;
  }
  await ctx.replyWithChatAction("upload_document").catch(() => undefined);
  const tmp = reportTempDir();
  try {
    const filename = gradebookFilename(course);
    const rows = await writeGradebook(db, course, ctx.lang, tmp.file(filename));
    await ctx.replyWithDocument(new InputFile(tmp.file(filename), filename), {
      caption: ctx.t("gradebook.caption", { title, count: rows }),
      parse_mode: "HTML",
    });
  } finally {
    tmp.remove();
  }
}

pm.command("gradebook", requireAuthor, async (ctx) => {
  const id = ctx.match.trim().toLowerCase();
  if (id) {
    await sendGradebook(ctx, id);
    return;
  }
  const kb = new InlineKeyboard();
  let any = false;
  for (const cid of coursesWithRole(ctx)) {
    const course = getCourse(ctx.deps.db, cid);
    if (!course) continue;
    kb.text(shorten(courseTitle(course, ctx.lang), 60), gradebookCourse.encode(cid)).row();
    any = true;
  }
  if (!any) {
    await ctx.reply(ctx.t("gradebook.no_courses"), HTML);
    return;
  }
  await ctx.reply(ctx.t("gradebook.usage"), { ...HTML, reply_markup: kb });
});

pm.callbackQuery(gradebookCourse.filter, async (ctx) => {
  const values = await buttonValues(ctx, gradebookCourse);
  if (!values) return;
  if (!(await allowedIn(ctx, values[0]))) return;
  await answerCallback(ctx);
  await sendGradebook(ctx, values[0]);
});

import { Composer } from "grammy";
import { truncate } from "../../domain/text.js";
import { pickText } from "../../domain/course.js";
import { searchGlossary, type GlossaryEntry } from "../../domain/glossary.js";
import { learnerCourses, listCourses } from "../../db/coursesRepo.js";
import type { Course } from "../../db/schema/index.js";
import type { CourseFile } from "../../courses/format.js";
import { escapeHtml } from "../../messages/i18n.js";
import type { BotContext } from "../context.js";
import { courseTitle } from "../../messages/courseViews.js";
import { chunkLines, HTML } from "../ui.js";

export const glossaryFeature = new Composer<BotContext>();

type Found = GlossaryEntry & { course: Course };

function glossaryOf(course: Course): GlossaryEntry[] {
  return (course.content as CourseFile).glossary ?? [];
}

/** /glossary [word]: the special terms of the learner's courses (all courses if they have none). */
glossaryFeature.chatType("private").command("glossary", async (ctx) => {
  const { db } = ctx.deps;
  const mine = learnerCourses(db, ctx.from.id).map((x) => x.course);
  const courses = (mine.length > 0 ? mine : listCourses(db)).filter((c) => glossaryOf(c).length > 0);
  if (courses.length === 0) {
    await ctx.reply(ctx.t("glossary.empty"), HTML);
    return;
  }
  const query = truncate(ctx.match.trim(), 100);
  const entries: Found[] = courses.flatMap((course) => glossaryOf(course).map((e) => ({ ...e, course })));
  const found = searchGlossary(entries, query);
  if (found.length === 0) {
    await ctx.reply(ctx.t("glossary.not_found", { query }), HTML);
    return;
  }
  const lines = [query ? ctx.t("glossary.results", { query }) : ctx.t("glossary.header")];
  let lastCourse: string | null = null;
  for (const e of found) {
    if (courses.length > 1 && e.course.id !== lastCourse) {
      lines.push("", `<i>${escapeHtml(courseTitle(e.course, ctx.lang))}</i>`);
      lastCourse = e.course.id;
    }
    const term = escapeHtml(pickText(e.term, ctx.lang, e.course.languages));
    const definition = escapeHtml(pickText(e.definition, ctx.lang, e.course.languages));
    lines.push(`• <b>${term}</b> — ${definition}`);
  }
  if (!query) lines.push("", ctx.t("glossary.hint"));
  for (const chunk of chunkLines(lines)) await ctx.reply(chunk, HTML);
});

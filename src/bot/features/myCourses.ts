import { Composer, InlineKeyboard } from "grammy";
import { shorten } from "../../domain/text.js";
import { courseState, currentModuleIndex } from "../../domain/calendar.js";
import { getModules, learnerCourses } from "../../db/coursesRepo.js";
import { formatDate } from "../../messages/format.js";
import { escapeHtml } from "../../messages/i18n.js";
import type { BotContext } from "../context.js";
import { courseStatus, courseTitle, currentModuleLine, STATE_ICON } from "../../messages/courseViews.js";
import { coursesButton } from "../../messages/callbackData.js";
import { show } from "../ui.js";
import { myCoursesQuestionnaires } from "./questionnaire.js";

export const myCoursesFeature = new Composer<BotContext>();

myCoursesFeature.chatType("private").command("mycourses", async (ctx) => {
  const { db, clock } = ctx.deps;
  const now = clock.now();
  const mine = learnerCourses(db, ctx.from.id);
  if (mine.length === 0) {
    await show(ctx, ctx.t("mycourses.none"), new InlineKeyboard().text(ctx.t("buttons.all_courses"), coursesButton.encode(undefined)));
    return;
  }
  const kb = new InlineKeyboard();
  const blocks = mine.map(({ course }) => {
    const modules = getModules(db, course.id);
    const title = courseTitle(course, ctx.lang);
    const lines = [`${STATE_ICON[courseState(course, now)]} <b>${escapeHtml(title)}</b>`, courseStatus(ctx.t, course, ctx.lang, now)];
    const k = currentModuleIndex(modules, now);
    if (k !== null) {
      lines.push(currentModuleLine(ctx.t, course, modules[k]!, modules.length, ctx.lang));
    } else if (now < course.startAt) {
      lines.push(ctx.t("mycourses.starts", { date: formatDate(course.startAt, ctx.lang, course.timezone) }));
    }
    kb.text(shorten(title, 60), coursesButton.encode(course.id)).row();
    const survey = myCoursesQuestionnaires(ctx, course, now);
    lines.push(...survey.lines);
    for (const b of survey.buttons) kb.text(b.text, b.data).row();
    return lines.join("\n");
  });
  await show(ctx, [ctx.t("mycourses.header"), "", blocks.join("\n\n")].join("\n"), kb);
});

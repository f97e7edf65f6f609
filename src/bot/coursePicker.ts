import { InlineKeyboard } from "grammy";
import { listCourses } from "../db/coursesRepo.js";
import { shorten } from "../domain/text.js";
import type { CallbackCodec, Field } from "../messages/callbackData.js";
import { courseTitle } from "../messages/courseViews.js";
import type { BotContext } from "./context.js";
import { HTML } from "./ui.js";

/**
 * Asks which course, offering only the given ones (the courses the person may act on), one
 * button each; with none, says `noneKey`.
 */
export async function pickCourse(
  ctx: BotContext,
  courseIds: readonly string[],
  codec: CallbackCodec<readonly [Field<string>]>,
  promptKey: string,
  noneKey: string,
): Promise<void> {
  // In the catalogue's order (as /courses lists them), whatever order the ids came in.
  const offered = new Set(courseIds);
  const courses = listCourses(ctx.deps.db).filter((c) => offered.has(c.id));
  if (courses.length === 0) {
    await ctx.reply(ctx.t(noneKey), HTML);
    return;
  }
  const kb = new InlineKeyboard();
  for (const c of courses) kb.text(shorten(courseTitle(c, ctx.lang), 60), codec.encode(c.id)).row();
  await ctx.reply(ctx.t(promptKey), { ...HTML, reply_markup: kb });
}

import { Composer } from "grammy";
import { loadCoursesFromDir } from "../../courses/loadCourses.js";
import { renderFileReports } from "../../messages/courseIssues.js";
import { requireAdmin } from "../auth.js";
import type { BotContext } from "../context.js";
import { chunkLines, HTML } from "../ui.js";
import { RULES } from "../../domain/rules.js";

export const adminFeature = new Composer<BotContext>();

/** /reload (platform admins: the files are the server's): re-read COURSES_DIR after editing a file, and see every error and warning. */
adminFeature.chatType("private").command("reload", requireAdmin, async (ctx) => {
  const { db, clock, config } = ctx.deps;
  const reports = loadCoursesFromDir(db, config.coursesDir, { now: clock.now(), defaultTimezone: config.timezone });
  const lines = renderFileReports(ctx.t, reports);
  for (const chunk of chunkLines([ctx.t("reload.header", { count: reports.length }), "", ...lines], RULES.telegramMaxMessageLength)) {
    await ctx.reply(chunk, HTML);
  }
});

import { shorten } from "../../domain/text.js";
import { Composer } from "grammy";
import { pickText } from "../../domain/course.js";
import { getCourse, listCourses } from "../../db/coursesRepo.js";
import type { Course } from "../../db/schema/index.js";
import { quizBank, quizStats } from "../../db/quizRepo.js";
import { formatNumber } from "../../messages/format.js";
import { escapeHtml } from "../../messages/i18n.js";
import type { BotContext } from "../context.js";
import { courseTitle } from "../../messages/courseViews.js";
import { moduleName } from "../../messages/quizViews.js";
import { requireAuthor } from "../auth.js";
import { chunkLines, HTML } from "../ui.js";
import { quizAnswers } from "./quiz/answers.js";
import { quizCommands } from "./quiz/commands.js";

/**
 * Quizzes: answering (quiz/answers.ts, quiz/steps.ts), /quiz and /progress (quiz/commands.ts),
 * and /quizstats for authors (below).
 */
export const quizFeature = new Composer<BotContext>();
quizFeature.use(quizAnswers);
quizFeature.use(quizCommands);
const pm = quizFeature.chatType("private");

/** /quizstats [course-id]: for authors, how each quiz went, hardest questions, identical wrong answers. */
pm.command("quizstats", requireAuthor, async (ctx) => {
  const { db } = ctx.deps;
  const id = ctx.match.trim().toLowerCase();
  const selected = id ? [getCourse(db, id)].filter((c): c is Course => c !== undefined) : listCourses(db);
  if (id && selected.length === 0) {
    await ctx.reply(ctx.t("start.unknown_course", { id: shorten(id, 64) }), HTML);
    return;
  }
  const lines = selected.flatMap((course) => quizStatsLines(ctx, course));
  for (const chunk of chunkLines(lines.length ? lines : [ctx.t("quiz.stats.none")])) await ctx.reply(chunk, HTML);
});

function quizStatsLines(ctx: BotContext, course: Course): string[] {
  const stats = quizStats(ctx.deps.db, course.id);
  const lines = ["", ctx.t("quiz.stats.header", { course: courseTitle(course, ctx.lang) })];
  if (stats.length === 0) lines.push(ctx.t("quiz.progress.no_quizzes"));
  for (const s of stats) {
    const bank = quizBank(ctx.deps.db, s.quiz.id);
    const label = (position: number) => {
      const prompt = bank[position] ? pickText(bank[position].prompt, ctx.lang, course.languages) : "";
      return ctx.t("quiz.stats.question", { number: position + 1, prompt: shorten(prompt, 50) });
    };
    lines.push("", `<b>${escapeHtml(moduleName(ctx.t, { module: s.module, course }, ctx.lang))}</b>`);
    lines.push(
      ctx.t("quiz.stats.summary", {
        learners: s.learners,
        passed: s.passed,
        average: s.average === null ? "—" : formatNumber(s.average, ctx.lang),
      }),
    );
    const hardest = s.questions.filter((q) => q.rightShare < 1).slice(0, 3);
    if (hardest.length > 0) {
      lines.push(ctx.t("quiz.stats.hardest_header"));
      for (const q of hardest) {
        lines.push(`• ${label(q.position)} — ${ctx.t("quiz.stats.right_share", { percent: formatNumber(q.rightShare * 100, ctx.lang, 0), n: q.answers })}`);
      }
    }
    for (const g of s.identicalWrong) {
      lines.push(
        ctx.t("quiz.stats.identical", {
          question: label(g.position),
          text: escapeHtml(shorten(g.text, 80)),
          n: g.learnerIds.length,
          ids: g.learnerIds.join(", "),
          interpolation: { escapeValue: false },
        }),
      );
    }
  }
  return lines;
}

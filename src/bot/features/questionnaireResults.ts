/** Authors' view of the questionnaires: /results (counts, distributions, before/after) and /export (CSV). */
import { Composer, InlineKeyboard, InputFile } from "grammy";
import type { Locale } from "../../domain/locale.js";
import { getCourse } from "../../db/coursesRepo.js";
import { activeLearnerIds, courseQuestionnaires, coursesWithQuestionnaires, responsesFor } from "../../db/questionnaireRepo.js";
import type { Course } from "../../db/schema/index.js";
import { pickText } from "../../domain/course.js";
import {
  comparableQuestions,
  summarizeQuestion,
  type AnswerValue,
  type Question,
  type QuestionnaireKind,
  type QuestionSummary,
} from "../../domain/questionnaire.js";
import { formatNumber } from "../../messages/format.js";
import { escapeHtml, type T } from "../../messages/i18n.js";
import { exportCourseQuestionnaires } from "../../reports/questionnaireExport.js";
import { reportTempDir } from "../../reports/csvFile.js";
import { requireAuthor } from "../auth.js";
import type { BotContext } from "../context.js";
import { courseTitle } from "../../messages/courseViews.js";
import { optionText, shorten } from "../../messages/questionnaireViews.js";
import { exportButton, resultsButton } from "../../messages/callbackData.js";
import { answerCallback, buttonValues, chunkLines, HTML } from "../ui.js";

export const questionnaireResultsFeature = new Composer<BotContext>();
const pm = questionnaireResultsFeature.chatType("private");

/** Free-text answers shown in chat per question (all of them are in the export), and their length. */
const CHAT_TEXTS = 10;
const CHAT_TEXT_LENGTH = 200;

const pct = (n: number, of: number) => (of > 0 ? Math.round((100 * n) / of) : 0);

function submittedAnswers(courseId: string, kind: QuestionnaireKind, ctx: BotContext) {
  const all = responsesFor(ctx.deps.db, courseId, kind);
  return { submitted: all.filter((r) => r.response.submittedAt !== null), started: all.filter((r) => r.response.submittedAt === null).length };
}

function summaryLines(t: T, s: QuestionSummary, n: number, lang: Locale, languages: readonly string[]): string[] {
  const q = s.question;
  const lines = [t("survey.results.question", { n, text: shorten(pickText(q.text, lang, languages), 200), answered: s.answered, skipped: s.skipped })];
  if (s.answered === 0) return [...lines, `   ${t("survey.results.no_answers")}`];
  for (const d of s.distribution) {
    const label = q.type === "yes_no" ? t(d.key === "yes" ? "survey.yes" : "survey.no") : q.type === "rating" ? d.key : optionText(q, d.key, lang, languages);
    lines.push(`   ${t("survey.results.share", { label: shorten(label, 80), count: d.count, percent: pct(d.count, s.answered) })}`);
  }
  if (s.numeric) {
    const f = (x: number) => formatNumber(x, lang, 2);
    lines.push(`   ${t("survey.results.stats", { mean: f(s.numeric.mean), median: f(s.numeric.median), min: f(s.numeric.min), max: f(s.numeric.max) })}`);
  }
  for (const text of s.texts.slice(0, CHAT_TEXTS)) lines.push(`   • ${escapeHtml(shorten(text.replace(/\s+/g, " "), CHAT_TEXT_LENGTH))}`);
  if (s.texts.length > CHAT_TEXTS) lines.push(`   ${t("survey.results.more_texts", { count: s.texts.length - CHAT_TEXTS })}`);
  return lines;
}

/** The whole report as lines (the caller splits it into messages). */
export function resultsReport(ctx: BotContext, course: Course): string[] {
  const { t, lang } = ctx;
  const languages = course.languages;
  const qs = courseQuestionnaires(ctx.deps.db, course.id);
  const active = activeLearnerIds(ctx.deps.db, course.id);
  const enrolled = active.size;
  const lines = [t("survey.results.header", { title: courseTitle(course, lang), enrolled })];
  const answersByKind: Partial<Record<QuestionnaireKind, Record<string, AnswerValue>[]>> = {};
  for (const kind of ["pre", "post"] as const) {
    const questions = qs[kind];
    if (!questions) continue;
    const { submitted, started } = submittedAnswers(course.id, kind, ctx);
    answersByKind[kind] = submitted.map((r) => r.answers);
    lines.push(
      "",
      // The rate counts learners still enrolled; answers of those who left still count in the distributions.
      t("survey.results.counts", {
        kind: t(`survey.results.kind_${kind}`),
        submitted: submitted.length,
        rate: pct(submitted.filter((r) => active.has(r.learner.id)).length, enrolled),
        started,
      }),
    );
    questions.forEach((q, i) => {
      const values = submitted.map((r) => r.answers[q.id]).filter((v): v is AnswerValue => v !== undefined);
      lines.push(...summaryLines(t, summarizeQuestion(q, values), i + 1, lang, languages));
    });
  }
  if (qs.pre && qs.post) {
    const pairs = comparableQuestions(qs.pre, qs.post);
    if (pairs.length > 0) {
      lines.push("", t("survey.results.compare_header"));
      for (const [a, b] of pairs) lines.push(...comparisonLines(t, a, b, answersByKind.pre ?? [], answersByKind.post ?? [], lang, languages));
    }
  }
  lines.push("", t("survey.results.export_hint", { id: course.id }));
  return lines;
}

function comparisonLines(
  t: T,
  a: Question,
  b: Question,
  pre: Record<string, AnswerValue>[],
  post: Record<string, AnswerValue>[],
  lang: Locale,
  languages: readonly string[],
): string[] {
  const sa = summarizeQuestion(a, pre.map((r) => r[a.id]).filter((v): v is AnswerValue => v !== undefined));
  const sb = summarizeQuestion(b, post.map((r) => r[b.id]).filter((v): v is AnswerValue => v !== undefined));
  const text = shorten(pickText(b.text, lang, languages), 120);
  if (sa.numeric || sb.numeric || a.type === "rating" || a.type === "number") {
    const f = (x: number | undefined) => (x === undefined ? "—" : formatNumber(x, lang, 2));
    const delta = sa.numeric && sb.numeric ? sb.numeric.mean - sa.numeric.mean : undefined;
    const d = delta === undefined ? "—" : `${delta >= 0 ? "+" : "−"}${formatNumber(Math.abs(delta), lang, 2)}`;
    return [t("survey.results.compare_numeric", { text, pre: f(sa.numeric?.mean), post: f(sb.numeric?.mean), delta: d })];
  }
  if (a.type === "text") return [];
  const lines = [t("survey.results.compare_choice", { text })];
  for (const d of sb.distribution) {
    const before = sa.distribution.find((x) => x.key === d.key)?.count ?? 0;
    const label = b.type === "yes_no" ? t(d.key === "yes" ? "survey.yes" : "survey.no") : optionText(b, d.key, lang, languages);
    lines.push(`   ${t("survey.results.compare_option", { label: shorten(label, 80), pre: pct(before, sa.answered), post: pct(d.count, sb.answered) })}`);
  }
  return lines;
}

async function chooseCourse(ctx: BotContext, usageKey: string, button: typeof resultsButton): Promise<void> {
  const seen = new Set<string>();
  const kb = new InlineKeyboard();
  for (const { course } of coursesWithQuestionnaires(ctx.deps.db)) {
    if (seen.has(course.id)) continue;
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
  const course = courseWithQuestionnaires(ctx, id);
  if (!course) {
    await ctx.reply(ctx.t("survey.results.unknown_course", { id: shorten(id, 64) }), HTML);
    return;
  }
  for (const chunk of chunkLines(resultsReport(ctx, course))) await ctx.reply(chunk, HTML);
}

async function sendExport(ctx: BotContext, id: string): Promise<void> {
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
  if (!values) return;
  await answerCallback(ctx);
  await sendResults(ctx, values[0]);
});

pm.callbackQuery(exportButton.filter, requireAuthor, async (ctx) => {
  const values = await buttonValues(ctx, exportButton);
  if (!values) return;
  await answerCallback(ctx);
  await sendExport(ctx, values[0]);
});

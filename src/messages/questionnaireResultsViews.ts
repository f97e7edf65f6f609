/** /results: response counts, distributions, texts and the before/after comparison, from SQL aggregates. */
import { pickText } from "../domain/course.js";
import type { Locale } from "../domain/locale.js";
import { comparableQuestions, type AnswerValue, type Question, type QuestionnaireKind } from "../domain/questionnaire.js";
import { summarizeCounted, summarizeTexts, type CountedSummary } from "../domain/questionnaireStats.js";
import type { Db } from "../db/client.js";
import { courseQuestionnaires } from "../db/questionnaireRepo.js";
import { countedAnswers, enrolledCount, responseCounts, textAnswers } from "../db/reportsRepo.js";
import type { Course } from "../db/schema/index.js";
import { courseTitle } from "./courseViews.js";
import { formatNumber } from "./format.js";
import { escapeHtml, type T } from "./i18n.js";
import { optionText } from "./questionnaireViews.js";
import { shorten } from "../domain/text.js";

/** Free-text answers shown per question (all of them are in the export), and their length. */
const CHAT_TEXTS = 10;
const CHAT_TEXT_LENGTH = 200;

const pct = (n: number, of: number) => (of > 0 ? Math.round((100 * n) / of) : 0);

/** Every question's summary over the submitted responses: one grouped query, one small query per free-text question. */
export function questionnaireSummaries(
  db: Db,
  courseId: string,
  kind: QuestionnaireKind,
  questions: readonly Question[],
): Map<string, CountedSummary> {
  const counted = new Map<string, { value: AnswerValue; count: number }[]>();
  const ids = questions.filter((q) => q.type !== "text").map((q) => q.id);
  for (const c of countedAnswers(db, courseId, kind, ids)) {
    const list = counted.get(c.questionId) ?? [];
    list.push({ value: c.json === null ? null : (JSON.parse(c.json) as AnswerValue), count: c.count });
    counted.set(c.questionId, list);
  }
  const out = new Map<string, CountedSummary>();
  for (const q of questions) {
    if (q.type === "text") {
      const t = textAnswers(db, courseId, kind, q.id, CHAT_TEXTS);
      out.set(q.id, summarizeTexts(q, t.answered, t.skipped, t.first));
    } else out.set(q.id, summarizeCounted(q, counted.get(q.id) ?? []));
  }
  return out;
}

function summaryLines(t: T, s: CountedSummary, n: number, lang: Locale, languages: readonly string[]): string[] {
  const q = s.question;
  const lines = [
    t("survey.results.question", { n, text: shorten(pickText(q.text, lang, languages), 200), answered: s.answered, skipped: s.skipped }),
  ];
  if (s.answered === 0) return [...lines, `   ${t("survey.results.no_answers")}`];
  for (const d of s.distribution) {
    const label =
      q.type === "yes_no"
        ? t(d.key === "yes" ? "survey.yes" : "survey.no")
        : q.type === "rating"
          ? d.key
          : optionText(q, d.key, lang, languages);
    lines.push(`   ${t("survey.results.share", { label: shorten(label, 80), count: d.count, percent: pct(d.count, s.answered) })}`);
  }
  if (s.numeric) {
    const f = (x: number) => formatNumber(x, lang, 2);
    lines.push(
      `   ${t("survey.results.stats", { mean: f(s.numeric.mean), median: f(s.numeric.median), min: f(s.numeric.min), max: f(s.numeric.max) })}`,
    );
  }
  for (const text of s.texts.slice(0, CHAT_TEXTS)) lines.push(`   • ${escapeHtml(shorten(text.replace(/\s+/g, " "), CHAT_TEXT_LENGTH))}`);
  if (s.textCount > CHAT_TEXTS) lines.push(`   ${t("survey.results.more_texts", { count: s.textCount - CHAT_TEXTS })}`);
  return lines;
}

/** The whole report as lines, in the reader's language. */
export function resultsReport(db: Db, t: T, lang: Locale, course: Course): string[] {
  const languages = course.languages;
  const qs = courseQuestionnaires(db, course.id);
  const lines = [t("survey.results.header", { title: courseTitle(course, lang), enrolled: enrolledCount(db, course.id) })];
  const summaries: Partial<Record<QuestionnaireKind, Map<string, CountedSummary>>> = {};
  for (const kind of ["pre", "post"] as const) {
    const questions = qs[kind];
    if (!questions) continue;
    const counts = responseCounts(db, course.id, kind);
    if (counts.submitted === 0) {
      // Nothing to count: one line instead of every question with "no answers yet".
      const key = counts.started > 0 ? "author_tools.results_nobody_started" : "author_tools.results_nobody";
      lines.push("", t(key, { kind: t(`survey.results.kind_${kind}`), started: counts.started }));
      continue;
    }
    lines.push(
      "",
      // The rate counts learners still enrolled; answers of those who left still count in the distributions.
      t("survey.results.counts", {
        kind: t(`survey.results.kind_${kind}`),
        submitted: counts.submitted,
        rate: pct(counts.submittedActive, counts.enrolled),
        started: counts.started,
      }),
    );
    const byId = (summaries[kind] = questionnaireSummaries(db, course.id, kind, questions));
    questions.forEach((q, i) => lines.push(...summaryLines(t, byId.get(q.id)!, i + 1, lang, languages)));
  }
  if (qs.pre && qs.post && summaries.pre && summaries.post) {
    const pairs = comparableQuestions(qs.pre, qs.post);
    if (pairs.length > 0) {
      lines.push("", t("survey.results.compare_header"));
      for (const [a, b] of pairs) lines.push(...comparisonLines(t, summaries.pre.get(a.id)!, summaries.post.get(b.id)!, lang, languages));
    }
  }
  lines.push("", t("survey.results.export_hint", { id: course.id }));
  return lines;
}

function comparisonLines(t: T, sa: CountedSummary, sb: CountedSummary, lang: Locale, languages: readonly string[]): string[] {
  const a = sa.question;
  const b = sb.question;
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
    lines.push(
      `   ${t("survey.results.compare_option", { label: shorten(label, 80), pre: pct(before, sa.answered), post: pct(d.count, sb.answered) })}`,
    );
  }
  return lines;
}

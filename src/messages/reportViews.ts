/** Chat texts of the analysis report: the summary under the charts and the flagged quiz questions. */
import type { Course, Module } from "../db/schema/index.js";
import { pickText } from "../domain/course.js";
import { flaggedFirst } from "../domain/itemAnalysis.js";
import type { Locale } from "../domain/locale.js";
import type { CourseAnalysis, ItemAnalysisRow } from "../db/courseAnalysis.js";
import { courseTitle } from "./courseViews.js";
import { formatNumber } from "./format.js";
import type { T } from "./i18n.js";
import { shorten } from "../domain/text.js";

/**
 * One line per flagged quiz question (negative discrimination first, then too hard, then too
 * easy), at most `limit` and a "more in the PDF" line. Empty when nothing is flagged.
 * /quizstats shows these first; the report's summary too.
 */
export function flaggedQuestionLines(
  t: T,
  lang: Locale,
  course: Pick<Course, "languages">,
  quizzes: readonly { module: Pick<Module, "position">; items: readonly ItemAnalysisRow[] }[],
  limit = 10,
): string[] {
  const flagged = quizzes.flatMap((m) =>
    flaggedFirst(m.items)
      .filter((i) => i.stats.flags.length > 0)
      .map((i) => ({ m, i })),
  );
  if (flagged.length === 0) return [];
  const lines = [t("report.flags_header")];
  for (const { m, i } of flagged.slice(0, limit)) {
    lines.push(
      t("report.flag_line", {
        module: m.module.position + 1,
        number: i.position + 1,
        prompt: shorten(i.question ? pickText(i.question.prompt, lang, course.languages) : "", 60),
        flags: i.stats.flags.map((f) => t(`report.flag.${f}`)).join(", "),
        facility: formatNumber(i.stats.facility * 100, lang, 0),
        discrimination: i.stats.discrimination === null ? "—" : formatNumber(i.stats.discrimination, lang, 2),
        n: i.stats.n,
      }),
    );
  }
  if (flagged.length > limit) lines.push(t("report.more_flags", { count: flagged.length - limit }));
  return lines;
}

/** The text sent with the album: course, the funnel's numbers, each module, the flagged questions. */
export function reportSummaryLines(t: T, lang: Locale, a: CourseAnalysis): string[] {
  const lines = [
    t("report.header", { title: courseTitle(a.course, lang) }),
    t("report.numbers", {
      enrolled: a.enrollment.enrolled,
      active: a.enrollment.active,
      took: a.funnel.tookQuiz,
      passed: a.funnel.passedCourse,
      certificate: a.funnel.certificate,
    }),
  ];
  for (const m of a.quizzes) {
    lines.push(
      t("report.module_line", {
        n: m.module.position + 1,
        takers: m.takers,
        passed: m.passed,
        rate: m.takers ? formatNumber((100 * m.passed) / m.takers, lang, 0) : 0,
        average: m.average === null ? "—" : `${formatNumber(m.average, lang, 1)}%`,
      }),
    );
  }
  if (a.quizzes.length) {
    const flagged = flaggedQuestionLines(t, lang, a.course, a.quizzes);
    lines.push("", ...(flagged.length ? flagged : [t("report.no_flags")]));
  }
  return lines;
}

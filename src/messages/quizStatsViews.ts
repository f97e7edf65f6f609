/** /quizstats: per module quiz, takers, passes, average, the hardest questions and identical wrong answers. */
import { pickText } from "../domain/course.js";
import type { Locale } from "../domain/locale.js";
import { floorTenth } from "../domain/quiz.js";
import { shorten } from "../domain/text.js";
import type { Db } from "../db/client.js";
import { courseQuizzes, quizBank } from "../db/quizRepo.js";
import { identicalWrongAnswers, quizQuestionTallies, quizTotals, type IdenticalWrong, type QuestionTally } from "../db/reportsRepo.js";
import type { Course } from "../db/schema/index.js";
import { courseTitle } from "./courseViews.js";
import { formatNumber } from "./format.js";
import { escapeHtml, type T } from "./i18n.js";
import { moduleName } from "./quizViews.js";

/** A quiz's per-question tallies and identical wrong answers, computed by the caller. */
export interface QuizCounts {
  tallies: readonly QuestionTally[];
  identical: readonly IdenticalWrong[];
}

/**
 * The report's lines for these courses (the "none" line when there are no courses). `first`: lines
 * put right under a course's header, by course id (the flagged questions of item analysis).
 * `counted`: each quiz's answers per question and identical wrong answers by quiz id, when the
 * caller already has them (the item-analysis scan counts them); otherwise they are queried.
 */
export function quizStatsReport(
  db: Db,
  t: T,
  lang: Locale,
  courses: readonly Course[],
  first?: ReadonlyMap<string, readonly string[]>,
  counted?: ReadonlyMap<number, QuizCounts>,
): string[] {
  const lines = courses.flatMap((course) => courseLines(db, t, lang, course, first?.get(course.id) ?? [], counted));
  return lines.length > 0 ? lines : [t("quiz.stats.none")];
}

function courseLines(
  db: Db,
  t: T,
  lang: Locale,
  course: Course,
  first: readonly string[],
  counted: ReadonlyMap<number, QuizCounts> | undefined,
): string[] {
  const lines = ["", t("quiz.stats.header", { course: courseTitle(course, lang) }), ...first];
  const quizzes = courseQuizzes(db, course.id);
  if (quizzes.length === 0) lines.push(t("quiz.progress.no_quizzes"));
  for (const { quiz, module } of quizzes) {
    const bank = quizBank(db, quiz.id);
    const label = (position: number) => {
      const prompt = bank[position] ? pickText(bank[position].prompt, lang, course.languages) : "";
      return t("quiz.stats.question", { number: position + 1, prompt: shorten(prompt, 50) });
    };
    const totals = quizTotals(db, quiz.id, quiz.scorePolicy, quiz.passScore);
    lines.push("", `<b>${escapeHtml(moduleName(t, { module, course }, lang))}</b>`);
    lines.push(
      t("quiz.stats.summary", {
        learners: totals.learners,
        passed: totals.passed,
        average: totals.average === null ? "—" : formatNumber(floorTenth(totals.average), lang),
      }),
    );
    const known = counted?.get(quiz.id);
    const hardest = (known?.tallies ?? quizQuestionTallies(db, quiz.id))
      .map((q) => ({ ...q, share: q.right / q.answers }))
      .filter((q) => q.share < 1)
      .sort((a, b) => a.share - b.share || a.position - b.position)
      .slice(0, 3);
    if (hardest.length > 0) {
      lines.push(t("quiz.stats.hardest_header"));
      for (const q of hardest) {
        lines.push(
          `• ${label(q.position)} — ${t("quiz.stats.right_share", { percent: formatNumber(q.share * 100, lang, 0), n: q.answers })}`,
        );
      }
    }
    for (const g of known?.identical ?? identicalWrongAnswers(db, quiz.id)) {
      lines.push(
        t("quiz.stats.identical", {
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

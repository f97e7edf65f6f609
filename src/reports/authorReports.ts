/**
 * The text reports an author asks for (/quizstats, /results), as lines, built from the database
 * on whichever thread runs them: the bot's (an in-memory database) or a worker (reportThread.ts).
 */
import type { Db } from "../db/client.js";
import { courseItemAnalysis } from "../db/courseAnalysis.js";
import type { Course } from "../db/schema/index.js";
import type { Locale } from "../domain/locale.js";
import { translator } from "../messages/i18n.js";
import { resultsReport } from "../messages/questionnaireResultsViews.js";
import { quizStatsReport, type QuizCounts } from "../messages/quizStatsViews.js";
import { flaggedQuestionLines } from "../messages/reportViews.js";

/** /quizstats: per course, the flagged questions of item analysis first, then each quiz's numbers. */
export async function quizStatsLines(db: Db, courses: readonly Course[], lang: Locale): Promise<string[]> {
  const t = translator(lang);
  const flagged = new Map<string, string[]>();
  const counted = new Map<number, QuizCounts>();
  for (const course of courses) {
    const quizzes = await courseItemAnalysis(db, course.id);
    flagged.set(course.id, flaggedQuestionLines(t, lang, course, quizzes));
    for (const q of quizzes) counted.set(q.quiz.id, { tallies: q.tallies, identical: q.identical });
  }
  return quizStatsReport(db, t, lang, courses, flagged, counted);
}

/** /results: the questionnaires' counts, distributions and before/after comparison. */
export function resultsLines(db: Db, course: Course, lang: Locale): string[] {
  return resultsReport(db, translator(lang), lang, course);
}

/**
 * The gradebook's data (issue 10 item 3), one learner-id range at a time: SQLite joins and
 * aggregates, the caller streams the rows to a file, so 100,000 learners never sit in memory.
 */
import { MODULE_SCORES, type LearnerRange } from "./analysisRepo.js";
import { statement, type Db } from "./client.js";
import type { Locale } from "../domain/locale.js";

export interface GradebookLearner {
  learnerId: number;
  firstName: string;
  lastName: string | null;
  username: string | null;
  language: Locale;
  enrolledAt: number;
  status: "active" | "unenrolled";
  certificateCode: string | null;
}

export interface GradebookCell {
  learnerId: number;
  quizId: number;
  /** Attempts started (finished or not). */
  attempts: number;
  /** The module score (best or last finished attempt, per the quiz), null when none is finished. */
  score: number | null;
}

export function gradebookLearners(db: Db, courseId: string, range: LearnerRange): GradebookLearner[] {
  return statement<Record<string, unknown>, GradebookLearner>(
    db,
    `SELECT e.learner_id AS learnerId, l.first_name AS firstName, l.last_name AS lastName, l.username AS username,
            l.language AS language, e.enrolled_at AS enrolledAt, e.status AS status, c.code AS certificateCode
     FROM enrollments e JOIN learners l ON l.id = e.learner_id
     LEFT JOIN certificates c ON c.learner_id = e.learner_id AND c.course_id = e.course_id AND c.revoked_at IS NULL
     -- "+": walk the (learner_id, course_id) index over the id range, not every enrollment of the course per range.
     WHERE +e.course_id = @courseId AND e.learner_id BETWEEN @from AND @to
     ORDER BY e.learner_id`,
  ).all({ courseId, from: range.from, to: range.to });
}

export function gradebookCells(db: Db, quizIds: readonly number[], range: LearnerRange): GradebookCell[] {
  if (quizIds.length === 0) return [];
  return statement<Record<string, unknown>, GradebookCell>(
    db,
    `WITH ${MODULE_SCORES},
     cnt AS (
       SELECT a.learner_id, a.quiz_id, COUNT(*) AS n FROM quiz_attempts a
       WHERE a.quiz_id IN (SELECT value FROM json_each(@quizIds)) AND a.learner_id BETWEEN @from AND @to
       GROUP BY a.learner_id, a.quiz_id)
     SELECT cnt.learner_id AS learnerId, cnt.quiz_id AS quizId, cnt.n AS attempts, ms.score AS score
     FROM cnt LEFT JOIN ms ON ms.learner_id = cnt.learner_id AND ms.quiz_id = cnt.quiz_id`,
  ).all({ quizIds: JSON.stringify(quizIds), from: range.from, to: range.to });
}

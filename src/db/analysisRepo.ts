/**
 * Aggregate queries behind the authors' analysis report (issue 11): who enrolled, module scores
 * and progress, and the report's fingerprint (item analysis: itemAnalysisRepo.ts; questionnaire
 * answers: questionnaireCountsRepo.ts). Every function here lets SQLite count and sum; none loads one row per learner, attempt or answer into memory, so a
 * course with 100,000 learners costs a few queries, not a few million objects.
 *
 * The heavy queries are split by learner-id ranges (`chunks`), so the caller can yield to the
 * event loop between them and the bot keeps answering while a report is computed.
 */
import { RULES } from "../domain/rules.js";
import type { Db } from "./client.js";
import { courseQuizzes, type QuizWithModule } from "./quizRepo.js";

let tableSeq = 0;

/** A suffix for the temporary tables of one computation: two reports at once never share a table. */
export function tempTableSuffix(): string {
  return `${process.pid}_${++tableSeq}`;
}

/** Width of a progress bucket in percent: 5 puts the 40% and 85% lines on bucket edges. */
export const PROGRESS_BUCKET = 5;
const BUCKETS = 100 / PROGRESS_BUCKET;

export interface LearnerRange {
  from: number;
  to: number;
}

/**
 * Splits the course's enrolled learners into id ranges of about `size` learners each (one
 * indexed pass over the enrollments), so heavy aggregates can run range by range.
 */
export function learnerRanges(db: Db, courseId: string, size = 20_000): LearnerRange[] {
  const rows = db.$client
    .prepare(
      `SELECT MIN(learner_id) AS "from", MAX(learner_id) AS "to" FROM (
         SELECT learner_id, (ROW_NUMBER() OVER (ORDER BY learner_id) - 1) / CAST(? AS INTEGER) AS chunk
         FROM enrollments WHERE course_id = ?)
       GROUP BY chunk ORDER BY chunk`,
    )
    .all(size, courseId) as LearnerRange[];
  return rows;
}

export interface EnrollmentCounts {
  /** Everyone who ever enrolled (the funnel's population, so every later step is a subset). */
  enrolled: number;
  /** Still enrolled now. */
  active: number;
}

export function enrollmentCounts(db: Db, courseId: string): EnrollmentCounts {
  const row = db.$client
    .prepare(`SELECT COUNT(*) AS enrolled, COALESCE(SUM(status = 'active'), 0) AS active FROM enrollments WHERE course_id = ?`)
    .get(courseId) as EnrollmentCounts;
  return row;
}

export function liveQuizzes(db: Db, courseId: string): QuizWithModule[] {
  return courseQuizzes(db, courseId);
}

/**
 * The module score of each learner and quiz, as quizRepo's moduleScore defines it (best or last
 * finished attempt), restricted to a learner range. Used inside the queries below.
 */
export const MODULE_SCORES = `
  q AS (SELECT id, pass_score, score_policy FROM quizzes WHERE id IN (SELECT value FROM json_each(@quizIds))),
  ranked AS (
    SELECT a.learner_id, a.quiz_id, COALESCE(a.score, 0) AS score,
      ROW_NUMBER() OVER (
        PARTITION BY a.learner_id, a.quiz_id
        ORDER BY CASE WHEN q.score_policy = 'last' THEN a.attempt_no ELSE COALESCE(a.score, 0) END DESC, a.attempt_no DESC
      ) AS rn
    FROM quiz_attempts a JOIN q ON q.id = a.quiz_id
    WHERE a.finished_at IS NOT NULL AND a.learner_id BETWEEN @from AND @to
  ),
  ms AS (SELECT learner_id, quiz_id, score FROM ranked WHERE rn = 1)`;

/** Per-range partial sums: combine several with `addProgressPart`. */
export interface ProgressPart {
  /** Learners per progress bucket (index k = [5k%, 5k+5%), the last one includes 100%). */
  buckets: number[];
  tookQuiz: number;
  passedCourse: number;
  certificate: number;
  /** Per quiz id: learners with an attempt, with a module score, passing it, and Σ module scores. */
  modules: Map<number, { takers: number; scored: number; passed: number; scoreSum: number }>;
}

export function emptyProgress(): ProgressPart {
  return { buckets: Array.from({ length: BUCKETS }, () => 0), tookQuiz: 0, passedCourse: 0, certificate: 0, modules: new Map() };
}

export function addProgressPart(into: ProgressPart, part: ProgressPart): ProgressPart {
  part.buckets.forEach((n, i) => (into.buckets[i]! += n));
  into.tookQuiz += part.tookQuiz;
  into.passedCourse += part.passedCourse;
  into.certificate += part.certificate;
  for (const [id, m] of part.modules) {
    const t = into.modules.get(id) ?? { takers: 0, scored: 0, passed: 0, scoreSum: 0 };
    t.takers += m.takers;
    t.scored += m.scored;
    t.passed += m.passed;
    t.scoreSum += m.scoreSum;
    into.modules.set(id, t);
  }
  return into;
}

/**
 * The module score of each learner with a finished attempt at one quiz in a learner range (the
 * same rule as quizRepo's moduleScore and MODULE_SCORES: the best finished attempt, or under the
 * "last" policy the finished attempt with the highest number), as a SELECT of (learner_id,
 * quiz_id, score). The policy is known per quiz, so each quiz gets the plain aggregate its policy
 * needs: one range scan of the covering index quiz_attempts_quiz_learner in learner order, with no
 * sort and no window function (the window over every attempt was most of the progress query).
 * "last" uses SQLite's bare column of a MAX() aggregate: the score of the row with the highest
 * attempt number.
 */
export function moduleScoreSelect(quiz: { id: number; scorePolicy: string }): string {
  const id = Math.trunc(quiz.id);
  const where = `quiz_id = ${id} AND finished_at IS NOT NULL AND learner_id BETWEEN @from AND @to`;
  return quiz.scorePolicy === "last"
    ? `SELECT learner_id, ${id} AS quiz_id, COALESCE(score, 0) AS score FROM (
         SELECT learner_id, MAX(attempt_no) AS last_no, score FROM quiz_attempts WHERE ${where} GROUP BY learner_id)`
    : `SELECT learner_id, ${id} AS quiz_id, MAX(COALESCE(score, 0)) AS score FROM quiz_attempts WHERE ${where} GROUP BY learner_id`;
}

/** moduleScoreSelect of several quizzes as one row set (none: an empty one). */
function moduleScoresOf(quizzes: readonly QuizWithModule[]): string {
  if (quizzes.length === 0) return "SELECT NULL AS learner_id, NULL AS quiz_id, NULL AS score WHERE 0";
  return quizzes.map((q) => moduleScoreSelect(q.quiz)).join("\n UNION ALL\n");
}

/**
 * Course progress (domain courseProgress: the mean module score over all graded quizzes, a quiz
 * never finished counting 0, floored to a tenth) of the enrolled learners in one id range,
 * bucketed, plus the funnel counts and each module's numbers for that range.
 */
export function progressPart(db: Db, courseId: string, quizzes: readonly QuizWithModule[], range: LearnerRange): ProgressPart {
  const params = {
    courseId,
    quizIds: JSON.stringify(quizzes.map((q) => q.quiz.id)),
    from: range.from,
    to: range.to,
    nq: Math.max(1, quizzes.length),
  };
  const part = emptyProgress();
  const buckets = db.$client
    .prepare(
      `WITH ms AS (${moduleScoresOf(quizzes)}),
       -- No join of enrollments to the module scores (neither side is indexed for it): a learner's
       -- progress is the sum over a UNION ALL of a 0 row per enrollment and their module scores.
       prog AS (
         SELECT learner_id, CAST(SUM(s) / @nq * 10 + 1e-6 AS INTEGER) / 10.0 AS p
         FROM (
           SELECT learner_id, 0.0 AS s FROM enrollments WHERE course_id = @courseId AND learner_id BETWEEN @from AND @to
           UNION ALL
           SELECT ms.learner_id, ms.score FROM ms
           WHERE EXISTS (SELECT 1 FROM enrollments e WHERE e.learner_id = ms.learner_id AND e.course_id = @courseId))
         GROUP BY learner_id)
       SELECT MIN(CAST(p / ${PROGRESS_BUCKET} AS INTEGER), ${BUCKETS - 1}) AS bucket, COUNT(*) AS n,
              SUM(p >= @passed) AS passed, SUM(p >= @certificate) AS certificate
       FROM prog GROUP BY bucket`,
    )
    .all({
      courseId,
      from: range.from,
      to: range.to,
      nq: params.nq,
      passed: RULES.progress.passed,
      certificate: RULES.progress.certificate,
    }) as {
    bucket: number;
    n: number;
    passed: number;
    certificate: number;
  }[];
  for (const b of buckets) {
    part.buckets[b.bucket]! += b.n;
    part.passedCourse += b.passed;
    part.certificate += b.certificate;
  }
  if (quizzes.length === 0) return part;
  part.tookQuiz = (
    db.$client
      .prepare(
        `SELECT COUNT(*) AS n FROM enrollments e
         WHERE e.course_id = @courseId AND e.learner_id BETWEEN @from AND @to
           AND EXISTS (SELECT 1 FROM quiz_attempts a WHERE a.learner_id = e.learner_id
                       AND a.quiz_id IN (SELECT value FROM json_each(@quizIds)))`,
      )
      .get(params) as { n: number }
  ).n;
  for (const { quiz } of quizzes) {
    const r = { from: range.from, to: range.to };
    const takers = (
      db.$client
        .prepare(
          `SELECT COUNT(*) AS n FROM (SELECT learner_id FROM quiz_attempts WHERE quiz_id = @quizId AND learner_id BETWEEN @from AND @to GROUP BY learner_id)`,
        )
        .get({ ...r, quizId: quiz.id }) as { n: number }
    ).n;
    const m = db.$client
      .prepare(
        `SELECT COUNT(*) AS scored, COALESCE(SUM(score >= @pass), 0) AS passed, COALESCE(SUM(score), 0) AS scoreSum FROM (${moduleScoreSelect(quiz)})`,
      )
      .get({ ...r, pass: quiz.passScore }) as { scored: number; passed: number; scoreSum: number };
    part.modules.set(quiz.id, { takers, scored: m.scored, passed: m.passed, scoreSum: m.scoreSum });
  }
  return part;
}

// ---------------------------------------------------------------- change detection

/**
 * A cheap fingerprint of everything the report reads: when it is unchanged, a second automatic
 * report would say the same thing and is not sent.
 */
export function analysisFingerprint(db: Db, courseId: string): string {
  const row = db.$client
    .prepare(
      `SELECT
         (SELECT COUNT(*) || '/' || COALESCE(SUM(status = 'active'), 0) || '/' || COALESCE(MAX(enrolled_at), 0) || '/' || COALESCE(MAX(unenrolled_at), 0)
            FROM enrollments WHERE course_id = @c) AS e,
         (SELECT COUNT(*) || '/' || COALESCE(MAX(a.finished_at), 0)
            FROM quiz_attempts a JOIN quizzes q ON q.id = a.quiz_id
            WHERE q.course_id = @c AND a.finished_at IS NOT NULL) AS a,
         (SELECT COUNT(*) || '/' || COALESCE(MAX(submitted_at), 0)
            FROM questionnaire_responses WHERE course_id = @c AND submitted_at IS NOT NULL) AS r`,
    )
    .get({ c: courseId }) as Record<string, string | number>;
  return [row.e, row.a, row.r].join("|");
}

/** Whether a course has anything to analyse: an enrollment or a submitted questionnaire. */
export function hasAnalysisData(db: Db, courseId: string): boolean {
  const row = db.$client
    .prepare(
      `SELECT EXISTS (SELECT 1 FROM enrollments WHERE course_id = @c)
           OR EXISTS (SELECT 1 FROM questionnaire_responses WHERE course_id = @c AND submitted_at IS NOT NULL) AS yes`,
    )
    .get({ c: courseId }) as { yes: number };
  return row.yes === 1;
}

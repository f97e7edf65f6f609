/**
 * Aggregate queries behind the authors' analysis report (issue 11). Every function here lets
 * SQLite count and sum; none loads one row per learner, attempt or answer into memory, so a
 * course with 100,000 learners costs a few queries, not a few million objects.
 *
 * The heavy queries are split by learner-id ranges (`chunks`), so the caller can yield to the
 * event loop between them and the bot keeps answering while a report is computed.
 */
import type { QuestionnaireKind } from "../domain/questionnaire.js";
import type { ItemSums } from "../domain/itemAnalysis.js";
import { RULES } from "../domain/rules.js";
import type { Db } from "./client.js";
import { courseQuizzes, type QuizWithModule } from "./quizRepo.js";

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
         SELECT learner_id, (ROW_NUMBER() OVER (ORDER BY learner_id) - 1) / ? AS chunk
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
const MODULE_SCORES = `
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
 * Course progress (domain courseProgress: the mean module score over all graded quizzes, a quiz
 * never finished counting 0, floored to a tenth) of the enrolled learners in one id range,
 * bucketed, plus the funnel counts and each module's numbers for that range.
 */
export function progressPart(db: Db, courseId: string, quizzes: readonly QuizWithModule[], range: LearnerRange): ProgressPart {
  const params = { courseId, quizIds: JSON.stringify(quizzes.map((q) => q.quiz.id)), from: range.from, to: range.to, nq: Math.max(1, quizzes.length) };
  const part = emptyProgress();
  const buckets = db.$client
    .prepare(
      `WITH ${MODULE_SCORES},
       prog AS (
         SELECT e.learner_id, CAST(COALESCE(SUM(ms.score), 0) / @nq * 10 + 1e-6 AS INTEGER) / 10.0 AS p
         FROM enrollments e LEFT JOIN ms ON ms.learner_id = e.learner_id
         WHERE e.course_id = @courseId AND e.learner_id BETWEEN @from AND @to
         GROUP BY e.learner_id)
       SELECT MIN(CAST(p / ${PROGRESS_BUCKET} AS INTEGER), ${BUCKETS - 1}) AS bucket, COUNT(*) AS n,
              SUM(p >= @passed) AS passed, SUM(p >= @certificate) AS certificate
       FROM prog GROUP BY bucket`,
    )
    .all({ ...params, passed: RULES.progress.passed, certificate: RULES.progress.certificate }) as { bucket: number; n: number; passed: number; certificate: number }[];
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
  const mods = db.$client
    .prepare(
      `WITH ${MODULE_SCORES},
       takers AS (SELECT quiz_id, COUNT(DISTINCT learner_id) AS n FROM quiz_attempts
                  WHERE quiz_id IN (SELECT id FROM q) AND learner_id BETWEEN @from AND @to GROUP BY quiz_id)
       SELECT q.id AS quizId, COALESCE(t.n, 0) AS takers, COUNT(ms.learner_id) AS scored,
              COALESCE(SUM(ms.score >= q.pass_score), 0) AS passed, COALESCE(SUM(ms.score), 0) AS scoreSum
       FROM q LEFT JOIN ms ON ms.quiz_id = q.id LEFT JOIN takers t ON t.quiz_id = q.id
       GROUP BY q.id`,
    )
    .all(params) as { quizId: number; takers: number; scored: number; passed: number; scoreSum: number }[];
  for (const m of mods) part.modules.set(m.quizId, { takers: m.takers, scored: m.scored, passed: m.passed, scoreSum: m.scoreSum });
  return part;
}

// ---------------------------------------------------------------- item analysis

export interface ItemRow extends ItemSums {
  position: number;
}

/**
 * Sums for the item analysis of one quiz (see domain/itemAnalysis.ts): each learner's first
 * finished attempt, split in thirds by its score, and every answer given in it.
 */
export function itemSums(db: Db, quizId: number, questionCount: number): ItemRow[] {
  return db.$client
    .prepare(
      `WITH firsts AS (
         SELECT id, score FROM (
           SELECT id, COALESCE(score, 0) AS score, ROW_NUMBER() OVER (PARTITION BY learner_id ORDER BY attempt_no) AS rn
           FROM quiz_attempts WHERE quiz_id = @quizId AND finished_at IS NOT NULL)
         WHERE rn = 1),
       thirds AS (SELECT id, score, NTILE(3) OVER (ORDER BY score, id) AS third FROM firsts),
       items AS (
         SELECT ans.question_position AS position, ans.score AS x, t.third,
                t.score - ans.score * 100.0 / @qc AS y
         FROM thirds t JOIN quiz_answers ans ON ans.attempt_id = t.id)
       SELECT position, COUNT(*) AS n, SUM(x) AS sumX, SUM(x * x) AS sumX2, SUM(y) AS sumY, SUM(y * y) AS sumY2,
              SUM(x * y) AS sumXY,
              SUM(third = 3) AS topN, SUM(CASE WHEN third = 3 THEN x ELSE 0 END) AS topSumX,
              SUM(third = 1) AS bottomN, SUM(CASE WHEN third = 1 THEN x ELSE 0 END) AS bottomSumX
       FROM items GROUP BY position ORDER BY position`,
    )
    .all({ quizId, qc: Math.max(1, questionCount) }) as ItemRow[];
}

/**
 * How often each option was chosen in first attempts: choice questions by option index (bank
 * order), true/false questions as 0 = true, 1 = false.
 */
export function optionCounts(db: Db, quizId: number): Map<number, Map<number, number>> {
  const rows = db.$client
    .prepare(
      `WITH firsts AS (
         SELECT id FROM (
           SELECT id, ROW_NUMBER() OVER (PARTITION BY learner_id ORDER BY attempt_no) AS rn
           FROM quiz_attempts WHERE quiz_id = @quizId AND finished_at IS NOT NULL)
         WHERE rn = 1)
       SELECT ans.question_position AS position, CAST(j.value AS INTEGER) AS option, COUNT(*) AS n
       FROM firsts f JOIN quiz_answers ans ON ans.attempt_id = f.id, json_each(ans.answer, '$.options') j
       WHERE json_extract(ans.answer, '$.kind') = 'choice'
       GROUP BY position, option
       UNION ALL
       SELECT ans.question_position, CASE WHEN json_extract(ans.answer, '$.value') THEN 0 ELSE 1 END, COUNT(*)
       FROM firsts f JOIN quiz_answers ans ON ans.attempt_id = f.id
       WHERE json_extract(ans.answer, '$.kind') = 'truefalse'
       GROUP BY 1, 2`,
    )
    .all({ quizId }) as { position: number; option: number; n: number }[];
  const out = new Map<number, Map<number, number>>();
  for (const r of rows) {
    const m = out.get(r.position) ?? new Map<number, number>();
    m.set(r.option, r.n);
    out.set(r.position, m);
  }
  return out;
}

// ---------------------------------------------------------------- questionnaires

export interface ResponseCounts {
  submitted: number;
  /** Opened but not submitted. */
  started: number;
}

export function questionnaireCounts(db: Db, courseId: string, kind: QuestionnaireKind): ResponseCounts {
  return db.$client
    .prepare(
      `SELECT COALESCE(SUM(submitted_at IS NOT NULL), 0) AS submitted, COALESCE(SUM(submitted_at IS NULL), 0) AS started
       FROM questionnaire_responses WHERE course_id = ? AND kind = ?`,
    )
    .get(courseId, kind) as ResponseCounts;
}

/**
 * Submitted answers to the given questions grouped by their stored JSON value, with counts:
 * one row per distinct answer, never per learner. Skipped answers come back as value null.
 */
export function answerCounts(db: Db, courseId: string, kind: QuestionnaireKind, questionIds: readonly string[]): { questionId: string; value: string | null; n: number }[] {
  if (questionIds.length === 0) return [];
  return db.$client
    .prepare(
      `SELECT a.question_id AS questionId, a.value AS value, COUNT(*) AS n
       FROM questionnaire_responses r JOIN questionnaire_answers a ON a.response_id = r.id
       WHERE r.course_id = @courseId AND r.kind = @kind AND r.submitted_at IS NOT NULL
         AND a.question_id IN (SELECT value FROM json_each(@ids))
       GROUP BY a.question_id, a.value`,
    )
    .all({ courseId, kind, ids: JSON.stringify(questionIds) }) as { questionId: string; value: string | null; n: number }[];
}

/** The first `limit` free-text answers to a question (in the order they were submitted) and how many there are. */
export function textAnswers(db: Db, courseId: string, kind: QuestionnaireKind, questionId: string, limit: number): { texts: string[]; total: number } {
  const where = `r.course_id = @courseId AND r.kind = @kind AND r.submitted_at IS NOT NULL AND a.question_id = @questionId AND a.value IS NOT NULL AND a.value != 'null'`;
  const params = { courseId, kind, questionId };
  const total = (
    db.$client.prepare(`SELECT COUNT(*) AS n FROM questionnaire_responses r JOIN questionnaire_answers a ON a.response_id = r.id WHERE ${where}`).get(params) as {
      n: number;
    }
  ).n;
  const rows = db.$client
    .prepare(
      `SELECT a.value AS value FROM questionnaire_responses r JOIN questionnaire_answers a ON a.response_id = r.id
       WHERE ${where} ORDER BY r.submitted_at, r.id LIMIT @limit`,
    )
    .all({ ...params, limit }) as { value: string }[];
  return { texts: rows.map((r) => JSON.parse(r.value) as unknown).filter((v): v is string => typeof v === "string"), total };
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

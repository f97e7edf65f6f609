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

// ---------------------------------------------------------------- item analysis

let tableSeq = 0;

/** The temporary tables of one item-analysis computation (one pair each, so two reports at once do not collide). */
export interface ItemTables {
  /** Attempts read, keyed by attempt id: third 1-3 for a learner's first finished attempt, 0 for any other (tallies only). */
  attempts: string;
  /** Sums per group key (quiz, question, third, option), accumulated by `scanAnswers`. */
  sums: string;
}

/**
 * Item analysis reads each learner's first finished attempt at a quiz, split in thirds by score
 * (SQLite's NTILE(3) over score, then id). They go into a temporary table keyed by attempt id,
 * which the answer scan below looks up by rowid; a second one holds the running sums. Drop both
 * with `dropItemTables`.
 */
export function createItemTables(db: Db): ItemTables {
  const n = `${process.pid}_${++tableSeq}`;
  const tables = { attempts: `analysis_attempts_${n}`, sums: `analysis_sums_${n}` };
  db.$client.exec(
    `CREATE TEMP TABLE ${tables.attempts} (attempt_id INTEGER PRIMARY KEY, quiz_id INTEGER NOT NULL, learner_id INTEGER NOT NULL,
       third INTEGER NOT NULL, score REAL NOT NULL, qc INTEGER NOT NULL);
     CREATE TEMP TABLE ${tables.sums} (k INTEGER PRIMARY KEY, n INTEGER NOT NULL, sx REAL NOT NULL, sxx REAL NOT NULL,
       sy REAL NOT NULL, syy REAL NOT NULL, sxy REAL NOT NULL, nright INTEGER NOT NULL)`,
  );
  return tables;
}

/**
 * The first finished attempt of each learner at the quiz: MIN(attempt_no) per learner over the
 * covering index quiz_attempts_quiz_learner (in learner order, so no sort), the bare columns
 * coming from that attempt's row.
 */
export function addFirstAttempts(db: Db, tables: ItemTables, quiz: { id: number; questionCount: number }): void {
  db.$client
    .prepare(
      `INSERT INTO temp.${tables.attempts} (attempt_id, quiz_id, learner_id, third, score, qc)
       SELECT id, @quizId, learner_id, NTILE(3) OVER (ORDER BY score, id), score, @qc FROM (
         SELECT id, learner_id, MIN(attempt_no) AS first_no, COALESCE(score, 0) AS score
         FROM quiz_attempts WHERE quiz_id = @quizId AND finished_at IS NOT NULL GROUP BY learner_id)`,
    )
    .run({ quizId: quiz.id, qc: Math.max(1, quiz.questionCount) });
}

/** Every other attempt at the quiz (retakes, unfinished ones) as third 0: counted in the per-question tallies only. */
export function addOtherAttempts(db: Db, tables: ItemTables, quiz: { id: number; questionCount: number }): void {
  db.$client
    .prepare(
      `INSERT OR IGNORE INTO temp.${tables.attempts} (attempt_id, quiz_id, learner_id, third, score, qc)
       SELECT id, @quizId, learner_id, 0, 0, @qc FROM quiz_attempts WHERE quiz_id = @quizId`,
    )
    .run({ quizId: quiz.id, qc: Math.max(1, quiz.questionCount) });
}

export function dropItemTables(db: Db, tables: ItemTables): void {
  db.$client.exec(`DROP TABLE IF EXISTS temp.${tables.attempts}; DROP TABLE IF EXISTS temp.${tables.sums}`);
}

/** Ranges of quiz_answers ids of about `size` rows, to scan the answers in slices. */
export function answerIdRanges(db: Db, size = 150_000): LearnerRange[] {
  // Two subqueries: SQLite reads MIN or MAX of the rowid from the b-tree's edge only when it is alone in its query.
  const row = db.$client.prepare("SELECT (SELECT MIN(id) FROM quiz_answers) AS lo, (SELECT MAX(id) FROM quiz_answers) AS hi").get() as {
    lo: number | null;
    hi: number | null;
  };
  if (row.lo === null || row.hi === null) return [];
  const out: LearnerRange[] = [];
  for (let from = row.lo; from <= row.hi; from += size) out.push({ from, to: Math.min(row.hi, from + size - 1) });
  return out;
}

/** One group of answers: a quiz's question, a third of the attempts, and the option chosen. */
export interface ItemGroup {
  quizId: number;
  position: number;
  /** 1-3: a first attempt's third; 0: another attempt (in `right` and `n` only, for the tallies). */
  third: 0 | 1 | 2 | 3;
  /**
   * Choice answers with one option: its index (bank order); true/false: 0 = true, 1 = false;
   * -2: several options ticked (counted by `multiOptionCounts`); -1: anything else.
   */
  option: number;
  n: number;
  sumX: number;
  sumX2: number;
  /** Rest score: the attempt's percent without this item's contribution. */
  sumY: number;
  sumY2: number;
  sumXY: number;
  /** Answers stored as fully right (quiz_answers.correct). */
  right: number;
}

// Answers are stored as JSON.stringify({ kind, ... }) (bot/features/quiz.ts), so the option can be
// read at a fixed offset without parsing JSON: `{"kind":"choice","options":[` and
// `{"kind":"truefalse","value":` are both 28 characters long.
const CHOICE = `substr(ans.answer, 1, 28) = '{"kind":"choice","options":['`;
const OPTION_CODE = `CASE
    WHEN ${CHOICE} THEN CASE WHEN substr(ans.answer, 29, 1) = ']' THEN -1
                             WHEN instr(substr(ans.answer, 29), ',') > 0 THEN -2
                             ELSE CAST(substr(ans.answer, 29) AS INTEGER) END
    WHEN substr(ans.answer, 1, 28) = '{"kind":"truefalse","value":' THEN CASE substr(ans.answer, 29, 1) WHEN 't' THEN 0 ELSE 1 END
    ELSE -1 END`;

/**
 * Adds one slice of quiz_answers (by id) of the attempts in `tables.attempts` into the running
 * sums: one sequential pass over the answers with a rowid lookup each (cheaper than an index
 * lookup per attempt), each answer added to its group's row (quiz, question, third, option packed
 * in one integer key) by an upsert. A GROUP BY would sort every answer first: the upsert into a
 * table of about a thousand rows costs half as much (measured: 1.9 s against 3.9 s of CPU for 2.2
 * million answers).
 */
export function scanAnswers(db: Db, tables: ItemTables, range: LearnerRange): void {
  db.$client
    .prepare(
      `INSERT INTO temp.${tables.sums} (k, n, sx, sxx, sy, syy, sxy, nright)
       SELECT k, 1, x, x * x, y, y * y, x * y, c FROM (
         SELECT (f.quiz_id << 20) | (ans.question_position << 8) | (f.third << 6) | (${OPTION_CODE} + 2) AS k,
                ans.score AS x, f.score - ans.score * 100.0 / f.qc AS y, ans.correct AS c
         FROM quiz_answers ans CROSS JOIN temp.${tables.attempts} f ON f.attempt_id = ans.attempt_id
         WHERE ans.id BETWEEN @from AND @to)
       WHERE true
       ON CONFLICT (k) DO UPDATE SET n = n + 1, sx = sx + excluded.sx, sxx = sxx + excluded.sxx, sy = sy + excluded.sy,
         syy = syy + excluded.syy, sxy = sxy + excluded.sxy, nright = nright + excluded.nright`,
    )
    .run({ from: range.from, to: range.to });
}

/** The groups summed so far by `scanAnswers`. */
export function itemGroups(db: Db, tables: ItemTables): ItemGroup[] {
  return db.$client
    .prepare(
      `SELECT k >> 20 AS quizId, (k >> 8) & 4095 AS position, (k >> 6) & 3 AS third, (k & 63) - 2 AS option,
              n, sx AS sumX, sxx AS sumX2, sy AS sumY, syy AS sumY2, sxy AS sumXY, nright AS "right"
       FROM temp.${tables.sums} ORDER BY k`,
    )
    .all() as ItemGroup[];
}

/** Option counts of the first attempts' choice answers with several options ticked, in one slice (few rows: multiple-choice only). */
export function multiOptionCounts(
  db: Db,
  tables: ItemTables,
  range: LearnerRange,
): { quizId: number; position: number; option: number; n: number }[] {
  return db.$client
    .prepare(
      `SELECT f.quiz_id AS quizId, ans.question_position AS position, CAST(j.value AS INTEGER) AS option, COUNT(*) AS n
       FROM quiz_answers ans CROSS JOIN temp.${tables.attempts} f ON f.attempt_id = ans.attempt_id, json_each(ans.answer, '$.options') j
       WHERE ans.id BETWEEN @from AND @to AND f.third > 0 AND ${CHOICE} AND instr(substr(ans.answer, 29), ',') > 0
       GROUP BY 1, 2, 3`,
    )
    .all({ from: range.from, to: range.to }) as { quizId: number; position: number; option: number; n: number }[];
}

/** Adds answer groups into per-question sums and option counts (choice: option index; true/false: 0 = true, 1 = false). */
export function accumulateItems(
  into: Map<number, Map<number, { sums: ItemSums; options: Map<number, number> }>>,
  groups: readonly ItemGroup[],
): void {
  for (const g of groups) {
    if (g.third === 0) continue;
    const quiz = into.get(g.quizId) ?? new Map<number, { sums: ItemSums; options: Map<number, number> }>();
    into.set(g.quizId, quiz);
    const item = quiz.get(g.position) ?? {
      sums: { n: 0, sumX: 0, sumX2: 0, sumY: 0, sumY2: 0, sumXY: 0, topN: 0, topSumX: 0, bottomN: 0, bottomSumX: 0 },
      options: new Map<number, number>(),
    };
    quiz.set(g.position, item);
    const s = item.sums;
    s.n += g.n;
    s.sumX += g.sumX;
    s.sumX2 += g.sumX2;
    s.sumY += g.sumY;
    s.sumY2 += g.sumY2;
    s.sumXY += g.sumXY;
    if (g.third === 3) {
      s.topN += g.n;
      s.topSumX += g.sumX;
    } else if (g.third === 1) {
      s.bottomN += g.n;
      s.bottomSumX += g.sumX;
    }
    if (g.option >= 0) item.options.set(g.option, (item.options.get(g.option) ?? 0) + g.n);
  }
}

export function accumulateMultiOptions(
  into: Map<number, Map<number, { sums: ItemSums; options: Map<number, number> }>>,
  rows: readonly { quizId: number; position: number; option: number; n: number }[],
): void {
  for (const r of rows) {
    const item = into.get(r.quizId)?.get(r.position);
    // Every multi-option answer was also counted in itemGroups, so its item exists.
    if (item) item.options.set(r.option, (item.options.get(r.option) ?? 0) + r.n);
  }
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
 * Counted by an upsert into a small temporary table rather than a GROUP BY, which would sort
 * every answer first (a third less CPU on 600,000 answers). A skipped answer (SQL NULL) is keyed
 * as '', which no stored JSON value can be.
 */
export function answerCounts(
  db: Db,
  courseId: string,
  kind: QuestionnaireKind,
  questionIds: readonly string[],
  range: LearnerRange = { from: 0, to: Number.MAX_SAFE_INTEGER },
): { questionId: string; value: string | null; n: number }[] {
  if (questionIds.length === 0) return [];
  const table = `analysis_counts_${process.pid}_${++tableSeq}`;
  db.$client.exec(
    `CREATE TEMP TABLE ${table} (question_id TEXT NOT NULL, value TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (question_id, value)) WITHOUT ROWID`,
  );
  try {
    db.$client
      .prepare(
        `INSERT INTO temp.${table} (question_id, value, n)
         SELECT a.question_id, COALESCE(a.value, ''), 1
         FROM questionnaire_responses r JOIN questionnaire_answers a ON a.response_id = r.id
         WHERE r.course_id = @courseId AND r.kind = @kind AND r.submitted_at IS NOT NULL
           -- Unary + keeps the question ids off the index: one range read of each response's answers
           -- beats a seek per question (a quarter less CPU at 600,000 answers).
           AND +a.question_id IN (SELECT value FROM json_each(@ids)) AND r.id BETWEEN @from AND @to
         ON CONFLICT (question_id, value) DO UPDATE SET n = n + 1`,
      )
      .run({ courseId, kind, ids: JSON.stringify(questionIds), from: range.from, to: range.to });
    return db.$client
      .prepare(`SELECT question_id AS questionId, NULLIF(value, '') AS value, n FROM temp.${table} ORDER BY question_id, value`)
      .all() as { questionId: string; value: string | null; n: number }[];
  } finally {
    db.$client.exec(`DROP TABLE IF EXISTS temp.${table}`);
  }
}

/** Ranges of questionnaire_responses ids of a course's questionnaire, about `size` responses each. */
export function responseIdRanges(db: Db, courseId: string, kind: QuestionnaireKind, size = 20_000): LearnerRange[] {
  const rows = db.$client
    .prepare(
      `SELECT MIN(id) AS "from", MAX(id) AS "to" FROM (
         SELECT id, (ROW_NUMBER() OVER (ORDER BY id) - 1) / CAST(? AS INTEGER) AS chunk
         FROM questionnaire_responses WHERE course_id = ? AND kind = ? AND submitted_at IS NOT NULL)
       GROUP BY chunk ORDER BY chunk`,
    )
    .all(size, courseId, kind) as LearnerRange[];
  return rows;
}

/** The first `limit` free-text answers to a question (in the order they were submitted) and how many there are. */
export function textAnswers(
  db: Db,
  courseId: string,
  kind: QuestionnaireKind,
  questionId: string,
  limit: number,
): { texts: string[]; total: number } {
  const where = `r.course_id = @courseId AND r.kind = @kind AND r.submitted_at IS NOT NULL AND a.question_id = @questionId AND a.value IS NOT NULL AND a.value != 'null'`;
  const params = { courseId, kind, questionId };
  const total = (
    db.$client
      .prepare(`SELECT COUNT(*) AS n FROM questionnaire_responses r JOIN questionnaire_answers a ON a.response_id = r.id WHERE ${where}`)
      .get(params) as {
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

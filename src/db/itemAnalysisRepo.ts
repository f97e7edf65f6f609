/**
 * Item analysis in SQL (issue 11): the answers of the learners' first finished attempts (and, for
 * /quizstats' tallies, every other attempt) summed per quiz question and option in one pass, into
 * temporary tables of about a thousand rows, so 2 million answers are read once and never sorted.
 * Split by answer-id ranges (`answerIdRanges`) so a caller on the bot's thread can yield between.
 */
import type { ItemSums } from "../domain/itemAnalysis.js";
import type { Db } from "./client.js";
import { tempTableSuffix, type LearnerRange } from "./analysisRepo.js";

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
  const n = tempTableSuffix();
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

/**
 * One group of answers: a quiz's question, a third of the attempts, and the option chosen, with
 * the sums item analysis needs (the thirds' own sums are made from these by `accumulateItems`).
 */
export interface ItemGroup extends Pick<ItemSums, "n" | "sumX" | "sumX2" | "sumY" | "sumY2" | "sumXY"> {
  quizId: number;
  position: number;
  /** 1-3: a first attempt's third; 0: another attempt (in `right` and `n` only, for the tallies). */
  third: 0 | 1 | 2 | 3;
  /**
   * Choice answers with one option: its index (bank order); true/false: 0 = true, 1 = false;
   * -2: several options ticked (counted by `multiOptionCounts`); -1: anything else.
   */
  option: number;
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

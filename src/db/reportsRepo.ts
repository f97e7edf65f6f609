/**
 * Aggregates behind the authors' reports, computed by SQLite (GROUP BY, window functions) so a
 * report costs the size of its answer, not the number of learners.
 */
import type { QuestionnaireKind } from "../domain/questionnaire.js";
import { normaliseText, type ScorePolicy } from "../domain/quiz.js";
import { moduleScoreSelect } from "./analysisRepo.js";
import type { ItemTables } from "./itemAnalysisRepo.js";
import type { Db } from "./client.js";

// ---- quizzes ----

export interface QuizTotals {
  /** Learners with at least one attempt. */
  learners: number;
  /** Learners whose module score (by the quiz's policy, finished attempts only) reaches the pass score. */
  passed: number;
  /** Mean module score of the learners with a finished attempt; null when none finished. */
  average: number | null;
}

export function quizTotals(db: Db, quizId: number, policy: ScorePolicy, passScore: number): QuizTotals {
  // Both read the covering index quiz_attempts_quiz_learner in learner order: no sort, no table row.
  const learners = db.$client
    .prepare<[number], { n: number }>(
      "SELECT COUNT(*) AS n FROM (SELECT learner_id FROM quiz_attempts WHERE quiz_id = ? GROUP BY learner_id)",
    )
    .get(quizId)!.n;
  // A learner's module score: the best finished attempt, or the last one under the "last" policy.
  const scores = db.$client
    .prepare<[{ from: number; to: number; pass: number }], { scored: number; passed: number | null; average: number | null }>(
      `SELECT COUNT(*) AS scored, SUM(score >= @pass) AS passed, AVG(score) AS average FROM (${moduleScoreSelect({ id: quizId, scorePolicy: policy })})`,
    )
    .get({ from: Number.MIN_SAFE_INTEGER, to: Number.MAX_SAFE_INTEGER, pass: passScore })!;
  return { learners, passed: scores.passed ?? 0, average: scores.scored > 0 ? scores.average : null };
}

export interface QuestionTally {
  position: number;
  answers: number;
  right: number;
}

/** Answers given to each bank question of a quiz, and how many were fully right. */
export function quizQuestionTallies(db: Db, quizId: number): QuestionTally[] {
  return db.$client
    .prepare<[number], QuestionTally>(
      `SELECT a.question_position AS position, COUNT(*) AS answers, SUM(a.correct) AS right
         FROM quiz_answers a JOIN quiz_attempts t ON t.id = a.attempt_id
        WHERE t.quiz_id = ? GROUP BY a.question_position`,
    )
    .all(quizId);
}

export interface IdenticalWrong {
  position: number;
  text: string;
  learnerIds: number[];
}

/**
 * The same wrong free-text answer to one question from several learners (domain.md: flag them).
 * SQLite groups by a rough key (ASCII case, outer spaces); the domain's normalisation then merges
 * the groups that differ only by Unicode case, quotes or inner spaces.
 */
export function identicalWrongAnswers(db: Db, quizId: number): IdenticalWrong[] {
  const rows = db.$client
    .prepare<[number], { position: number; text: string; ids: string }>(
      `SELECT position, MIN(text) AS text, group_concat(DISTINCT learner_id) AS ids FROM (
         SELECT a.question_position AS position, json_extract(a.answer, '$.text') AS text, t.learner_id
           FROM quiz_answers a JOIN quiz_attempts t ON t.id = a.attempt_id
          WHERE t.quiz_id = ? AND a.correct = 0 AND json_extract(a.answer, '$.kind') = 'text')
        WHERE text IS NOT NULL
        GROUP BY position, lower(trim(text))`,
    )
    .iterate(quizId);
  return identicalGroups(rows);
}

/**
 * identicalWrongAnswers of every quiz whose attempts are in an item-analysis attempts table
 * (itemAnalysisRepo's ItemTables, with every attempt: /quizstats), by quiz id: one sequential pass
 * over the answers instead of an index walk per quiz. instr() first: a cheap necessary
 * condition, so only the wrong text answers are parsed as JSON.
 */
export function identicalWrongAnswersIn(db: Db, tables: Pick<ItemTables, "attempts">): Map<number, IdenticalWrong[]> {
  const rows = db.$client
    .prepare<[], { quizId: number; position: number; text: string; ids: string }>(
      `SELECT quiz_id AS quizId, position, MIN(text) AS text, group_concat(DISTINCT learner_id) AS ids FROM (
         SELECT f.quiz_id, a.question_position AS position, json_extract(a.answer, '$.text') AS text, f.learner_id
           FROM quiz_answers a CROSS JOIN temp.${tables.attempts} f ON f.attempt_id = a.attempt_id
          WHERE a.correct = 0 AND instr(a.answer, '"text"') > 0 AND json_extract(a.answer, '$.kind') = 'text')
        WHERE text IS NOT NULL
        GROUP BY quiz_id, position, lower(trim(text))`,
    )
    .all();
  const byQuiz = new Map<number, typeof rows>();
  for (const r of rows) {
    const list = byQuiz.get(r.quizId) ?? [];
    list.push(r);
    byQuiz.set(r.quizId, list);
  }
  return new Map([...byQuiz].map(([quizId, quizRows]) => [quizId, identicalGroups(quizRows)]));
}

/** Merges SQLite's rough groups (in their GROUP BY order) by the domain's normalisation; keeps those of two learners or more. */
function identicalGroups(rows: Iterable<{ position: number; text: string; ids: string }>): IdenticalWrong[] {
  const groups = new Map<string, { position: number; text: string; learners: Set<number> }>();
  for (const r of rows) {
    const norm = normaliseText(r.text);
    if (!norm) continue;
    const key = `${r.position}\u0000${norm}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { position: r.position, text: r.text, learners: new Set() }));
    for (const id of r.ids.split(",")) g.learners.add(Number(id));
  }
  return [...groups.values()]
    .filter((g) => g.learners.size >= 2)
    .map((g) => ({ position: g.position, text: g.text, learnerIds: [...g.learners].sort((a, b) => a - b) }))
    .sort((a, b) => b.learnerIds.length - a.learnerIds.length || a.position - b.position);
}

// ---- questionnaires ----

export interface ResponseCounts {
  submitted: number;
  /** Started and not submitted. */
  started: number;
  /** Submitted by learners still enrolled (the response rate counts these). */
  submittedActive: number;
  /** Learners enrolled now. */
  enrolled: number;
}

export function responseCounts(db: Db, courseId: string, kind: QuestionnaireKind): ResponseCounts {
  const r = db.$client
    .prepare<[string, string], { submitted: number | null; started: number | null; submittedActive: number | null }>(
      `SELECT SUM(r.submitted_at IS NOT NULL) AS submitted, SUM(r.submitted_at IS NULL) AS started,
              SUM(r.submitted_at IS NOT NULL AND e.status = 'active') AS submittedActive
         FROM questionnaire_responses r
         LEFT JOIN enrollments e ON e.learner_id = r.learner_id AND e.course_id = r.course_id
        WHERE r.course_id = ? AND r.kind = ?`,
    )
    .get(courseId, kind)!;
  return {
    submitted: r.submitted ?? 0,
    started: r.started ?? 0,
    submittedActive: r.submittedActive ?? 0,
    enrolled: enrolledCount(db, courseId),
  };
}

export function enrolledCount(db: Db, courseId: string): number {
  return db.$client
    .prepare<[string], { n: number }>("SELECT COUNT(*) AS n FROM enrollments WHERE course_id = ? AND status = 'active'")
    .get(courseId)!.n;
}

/** A distinct stored answer (its JSON text; null for a skip) and how many submitted responses gave it. */
export interface CountedAnswer {
  questionId: string;
  json: string | null;
  count: number;
}

/** Distinct answers of submitted responses to the given questions, with their counts. */
export function countedAnswers(db: Db, courseId: string, kind: QuestionnaireKind, questionIds: readonly string[]): CountedAnswer[] {
  if (questionIds.length === 0) return [];
  return db.$client
    .prepare<[string, string, string], CountedAnswer>(
      `SELECT a.question_id AS questionId, a.value AS json, COUNT(*) AS count
         FROM questionnaire_answers a JOIN questionnaire_responses r ON r.id = a.response_id
        WHERE r.course_id = ? AND r.kind = ? AND r.submitted_at IS NOT NULL
          AND a.question_id IN (SELECT value FROM json_each(?))
        GROUP BY a.question_id, a.value`,
    )
    .all(courseId, kind, JSON.stringify(questionIds));
}

/** A free-text question's answers of submitted responses: how many, skipped, and the first `limit` in response order. */
export function textAnswers(
  db: Db,
  courseId: string,
  kind: QuestionnaireKind,
  questionId: string,
  limit: number,
): { answered: number; skipped: number; first: string[] } {
  const counts = db.$client
    .prepare<[string, string, string], { answered: number | null; skipped: number | null }>(
      `SELECT SUM(a.value IS NOT NULL AND a.value NOT IN ('null', '""')) AS answered, SUM(a.value IS NULL OR a.value = 'null') AS skipped
         FROM questionnaire_answers a JOIN questionnaire_responses r ON r.id = a.response_id
        WHERE r.course_id = ? AND r.kind = ? AND r.submitted_at IS NOT NULL AND a.question_id = ?`,
    )
    .get(courseId, kind, questionId)!;
  const first = db.$client
    .prepare<[string, string, string, number], { json: string }>(
      `SELECT a.value AS json
         FROM questionnaire_answers a JOIN questionnaire_responses r ON r.id = a.response_id
        WHERE r.course_id = ? AND r.kind = ? AND r.submitted_at IS NOT NULL AND a.question_id = ?
          AND a.value IS NOT NULL AND a.value NOT IN ('null', '""')
        ORDER BY r.id LIMIT ?`,
    )
    .all(courseId, kind, questionId, limit)
    .map((r) => JSON.parse(r.json) as unknown)
    .filter((v): v is string => typeof v === "string");
  return { answered: counts.answered ?? 0, skipped: counts.skipped ?? 0, first };
}

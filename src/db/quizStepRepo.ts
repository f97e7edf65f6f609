/**
 * The hot path of taking a quiz: what step an attempt is at, and recording one answer. The
 * database is the only state: every update reads the attempt, the items answered so far and the
 * one question it needs (never the whole bank), through statements prepared once per database.
 */
import type { Translated } from "../domain/course.js";
import {
  attemptPercent,
  gradeAnswer,
  matchingChoices,
  type GivenAnswer,
  type Grade,
  type QuizQuestion,
  type VariantItem,
} from "../domain/quiz.js";
import { prepared, statement, transaction, type Db } from "./client.js";
import type { AttemptEnd, MatchingPartial } from "./schema/index.js";

/** An attempt with what its steps need of its quiz, module and course (no course content). */
export interface AttemptState {
  id: number;
  learnerId: number;
  quizId: number;
  attemptNo: number;
  variant: VariantItem[];
  startedAt: number;
  endsAt: number;
  finishedAt: number | null;
  endReason: AttemptEnd | null;
  score: number | null;
  passed: boolean | null;
  shownItem: number | null;
  feedback: "after_each" | "at_end";
  timeLimitMinutes: number | null;
  passScore: number;
  attemptsAllowed: number;
  /** Bumped by every import of the course file: questions cached under an older version are stale. */
  quizVersion: number;
  moduleTitle: Translated;
  modulePosition: number;
  closesAt: number;
  courseId: string;
  languages: string[];
  timezone: string;
  /** The pairs of a matching question answered so far (the item it belongs to), or null. */
  matchingPartial: MatchingPartial | null;
}

interface AttemptRow extends Omit<AttemptState, "variant" | "moduleTitle" | "languages" | "passed" | "matchingPartial"> {
  variant: string;
  moduleTitle: string | null;
  languages: string;
  passed: number | null;
  matchingPartial: string | null;
}

const attemptStmt = prepared<[number], AttemptRow>(
  `SELECT a.id, a.learner_id AS learnerId, a.quiz_id AS quizId, a.attempt_no AS attemptNo, a.variant,
              a.started_at AS startedAt, a.ends_at AS endsAt, a.finished_at AS finishedAt, a.end_reason AS endReason,
              a.score, a.passed, a.shown_item AS shownItem, a.matching_partial AS matchingPartial,
              q.feedback, q.time_limit_minutes AS timeLimitMinutes, q.pass_score AS passScore,
              q.attempts_allowed AS attemptsAllowed, q.updated_at AS quizVersion,
              m.title AS moduleTitle, q.module_position AS modulePosition, COALESCE(m.closes_at, a.ends_at) AS closesAt,
              c.id AS courseId, c.languages, c.timezone
         FROM quiz_attempts a
         JOIN quizzes q ON q.id = a.quiz_id
         JOIN courses c ON c.id = q.course_id
         LEFT JOIN modules m ON m.course_id = q.course_id AND m.position = q.module_position
        WHERE a.id = ?`,
);
const answeredStmt = prepared<[number], { item: number }>("SELECT item FROM quiz_answers WHERE attempt_id = ?");
const questionStmt = prepared<[number, number], { content: string }>(
  "SELECT content FROM quiz_questions WHERE quiz_id = ? AND position = ?",
);
const scoresStmt = prepared<[number], { score: number }>("SELECT score FROM quiz_answers WHERE attempt_id = ?");
const messageUsedStmt = prepared<[number, number], { one: number }>(
  "SELECT 1 AS one FROM quiz_answers WHERE attempt_id = ? AND message_id = ?",
);
const insertAnswerStmt = prepared<[number, number, number, string, number, number, number, number | null]>(
  `INSERT INTO quiz_answers (attempt_id, item, question_position, answer, correct, score, answered_at, message_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
);
const finishStmt = prepared<[number, string, number, number, number]>(
  "UPDATE quiz_attempts SET finished_at = ?, end_reason = ?, score = ?, passed = ? WHERE id = ? AND finished_at IS NULL",
);
const shownStmt = prepared<[number, number, number]>("UPDATE quiz_attempts SET shown_item = ? WHERE id = ? AND shown_item IS NOT ? ");
const partialStmt = prepared<[string | null, number]>("UPDATE quiz_attempts SET matching_partial = ? WHERE id = ?");

export function attemptState(db: Db, attemptId: number): AttemptState | undefined {
  const row = attemptStmt(db).get(attemptId);
  if (!row) return undefined;
  return {
    ...row,
    variant: JSON.parse(row.variant) as VariantItem[],
    moduleTitle: row.moduleTitle ? (JSON.parse(row.moduleTitle) as Translated) : {},
    languages: JSON.parse(row.languages) as string[],
    passed: row.passed === null ? null : row.passed === 1,
    matchingPartial: row.matchingPartial ? (JSON.parse(row.matchingPartial) as MatchingPartial) : null,
  };
}

/** The pairs of item `item` answered so far (empty when its matching question has not been started). */
export function matchingSoFar(a: Pick<AttemptState, "matchingPartial">, item: number): number[] {
  return a.matchingPartial?.item === item ? a.matchingPartial.choices : [];
}

export function answeredItems(db: Db, attemptId: number): Set<number> {
  return new Set(
    answeredStmt(db)
      .all(attemptId)
      .map((r) => r.item),
  );
}

/** Parsed questions, parsed once per import of the course: importQuizzes empties the cache. */
const questionCache = new Map<string, QuizQuestion | null>();
const QUESTION_CACHE_MAX = 5000;

export function forgetCachedQuestions(): void {
  questionCache.clear();
}

/** One question of a quiz bank (undefined when the bank no longer has that position). */
export function bankQuestion(db: Db, a: Pick<AttemptState, "quizId" | "quizVersion">, position: number): QuizQuestion | undefined {
  const key = `${a.quizId}:${a.quizVersion}:${position}`;
  let q = questionCache.get(key);
  if (q === undefined) {
    const row = questionStmt(db).get(a.quizId, position);
    q = row ? (JSON.parse(row.content) as QuizQuestion) : null;
    if (questionCache.size >= QUESTION_CACHE_MAX) questionCache.clear();
    questionCache.set(key, q);
  }
  return q ?? undefined;
}

export interface CurrentItem {
  item: number;
  question: QuizQuestion;
}

/**
 * The question the learner is on: the first item of the variant not answered yet whose question
 * still exists (questions removed from the bank are passed over and count 0). Null: all done.
 */
export function currentItem(db: Db, a: AttemptState, answered: ReadonlySet<number>): CurrentItem | null {
  for (let item = 0; item < a.variant.length; item++) {
    if (answered.has(item)) continue;
    const question = bankQuestion(db, a, a.variant[item]!.q);
    if (question) return { item, question };
  }
  return null;
}

/** Where an attempt that outlived its end stands: closed by the quiz deadline or by its time limit. */
function overdueReason(a: AttemptState): AttemptEnd {
  return a.endsAt >= a.closesAt ? "deadline" : "time_up";
}

/**
 * A matching question left part way when the attempt ends (time limit, deadline) is graded as
 * Moodle grades the selections saved when time runs out: the pairs chosen count, the others are
 * unanswered. Inside the caller's transaction, before the attempt's score is summed.
 */
export function storeUnfinishedMatching(db: Db, attempt: number | AttemptState, now: number): void {
  const a = typeof attempt === "number" ? attemptState(db, attempt) : attempt;
  const partial = a?.matchingPartial;
  if (!a || !partial || partial.choices.length === 0 || answeredItems(db, a.id).has(partial.item)) return;
  const v = a.variant[partial.item];
  const q = v ? bankQuestion(db, a, v.q) : undefined;
  if (q?.kind !== "matching") return;
  const given: GivenAnswer = { kind: "matching", choices: (q.pairs ?? []).map((_, k) => partial.choices[k] ?? -1) };
  storeAnswer(db, a, partial.item, given, gradeAnswer(q, given), Math.min(now, a.endsAt), null);
}

/** Fixes the score of an open attempt (inside the caller's transaction); a finished one is left. */
function finishOpen(db: Db, a: AttemptState, reason: AttemptEnd, now: number): void {
  storeUnfinishedMatching(db, a, now);
  const score = attemptPercent(
    a.variant.length,
    scoresStmt(db)
      .all(a.id)
      .map((r) => r.score),
  );
  // An attempt that outlived its end is closed at that end, not when somebody noticed.
  finishStmt(db).run(Math.min(now, a.endsAt), reason, score, score >= a.passScore ? 1 : 0, a.id);
}

export interface AnswerInput {
  attemptId: number;
  learnerId: number;
  item: number;
  given: GivenAnswer;
  /** The text message that carried a typed answer (buttons carry their item themselves). */
  messageId: number | null;
  now: number;
}

export type AnswerOutcome =
  /** No such attempt, or another learner's: nothing is told about it. */
  | { status: "forged" }
  /** The attempt was finished before this answer. */
  | { status: "finished" }
  /** The attempt's time or the quiz deadline had passed: it is finished now, the answer does not count. */
  | { status: "closed" }
  /** This item already has an answer, or this message already answered (a redelivered update). */
  | { status: "duplicate" }
  /** Not the question the learner is on (a later item, or a question removed from the bank). */
  | { status: "not_current" }
  /** A typed answer while the learner's current question has not been shown yet (after a crash). */
  | { status: "not_shown" }
  /** Stored; `finished` when it was the last question (the attempt is finished in the same transaction). */
  | { status: "recorded"; grade: Grade; question: QuizQuestion; finished: boolean };

/**
 * Checks and stores one answer in one transaction: the right attempt of the right learner, still
 * open and within its time and the quiz deadline, this item the current one and not answered yet,
 * a typed answer only to a question that was shown; the last answer also finishes the attempt.
 */
export function answerQuestion(db: Db, input: AnswerInput): AnswerOutcome {
  return transaction(
    db,
    (): AnswerOutcome => {
      const open = openItem(db, input);
      if ("status" in open) return open;
      const { a, answered, current } = open;
      if (input.messageId !== null && messageUsedStmt(db).get(a.id, input.messageId)) return { status: "duplicate" };
      if (input.messageId !== null && a.shownItem !== input.item) return { status: "not_shown" };
      return record(db, a, answered, current.question, input);
    },
    "immediate",
  );
}

/** The checks every answer passes: this learner's attempt, open and in time, this item current and unanswered. */
function openItem(
  db: Db,
  input: Pick<AnswerInput, "attemptId" | "learnerId" | "item" | "now">,
): AnswerOutcome | { a: AttemptState; answered: Set<number>; current: CurrentItem } {
  const a = attemptState(db, input.attemptId);
  if (!a || a.learnerId !== input.learnerId) return { status: "forged" };
  if (a.finishedAt !== null) return { status: "finished" };
  if (input.now >= a.endsAt || input.now >= a.closesAt) {
    finishOpen(db, a, overdueReason(a), input.now);
    return { status: "closed" };
  }
  const answered = answeredItems(db, a.id);
  if (answered.has(input.item)) return { status: "duplicate" };
  const current = currentItem(db, a, answered);
  if (!current || current.item !== input.item) return { status: "not_current" };
  return { a, answered, current };
}

function storeAnswer(db: Db, a: AttemptState, item: number, given: GivenAnswer, grade: Grade, now: number, messageId: number | null): void {
  insertAnswerStmt(db).run(a.id, item, a.variant[item]!.q, JSON.stringify(given), grade.correct ? 1 : 0, grade.score, now, messageId);
}

/** Grades and stores the answer of the current item (inside the caller's transaction); the last one finishes the attempt. */
function record(db: Db, a: AttemptState, answered: Set<number>, question: QuizQuestion, input: AnswerInput): AnswerOutcome {
  const grade = gradeAnswer(question, input.given);
  storeAnswer(db, a, input.item, input.given, grade, input.now, input.messageId);
  answered.add(input.item);
  const finished = currentItem(db, a, answered) === null;
  if (finished) finishOpen(db, a, "submitted", input.now);
  return { status: "recorded", grade, question, finished };
}

export interface MatchingStepInput {
  attemptId: number;
  learnerId: number;
  item: number;
  /** The pair the button belongs to (0-based): must be the next one to answer. */
  step: number;
  /** The right-hand answer chosen: an index of matchingChoices(question). */
  choice: number;
  now: number;
}

export type MatchingStepOutcome =
  | AnswerOutcome
  /** A button of a pair already answered (or not reached yet): nothing changes. */
  | { status: "stale_step" }
  /** The pair is stored; `step` is the next pair to ask. */
  | { status: "step_recorded"; step: number; question: QuizQuestion };

/**
 * One pair of a matching question, checked like any answer plus the pair itself (the next one to
 * answer), stored in the same transaction: the pairs so far on the attempt, and after the last
 * pair the question's answer (graded once, per pair) with the pairs cleared.
 */
export function answerMatchingStep(db: Db, input: MatchingStepInput): MatchingStepOutcome {
  return transaction(
    db,
    (): MatchingStepOutcome => {
      const open = openItem(db, input);
      if ("status" in open) return open;
      const { a, answered, current } = open;
      const q = current.question;
      if (q.kind !== "matching") return { status: "not_current" };
      const pairs = q.pairs?.length ?? 0;
      const soFar = matchingSoFar(a, input.item);
      if (input.step !== soFar.length || input.step >= pairs) return { status: "stale_step" };
      if (input.choice < 0 || input.choice >= matchingChoices(q).length) return { status: "forged" };
      const choices = [...soFar, input.choice];
      if (choices.length < pairs) {
        partialStmt(db).run(JSON.stringify({ item: input.item, choices } satisfies MatchingPartial), a.id);
        return { status: "step_recorded", step: choices.length, question: q };
      }
      partialStmt(db).run(null, a.id);
      return record(db, { ...a, matchingPartial: null }, answered, q, { ...input, given: { kind: "matching", choices }, messageId: null });
    },
    "immediate",
  );
}

/**
 * Finishes an attempt that has nothing left to answer, or that is overdue; returns whether it is
 * finished now (by this call or before).
 */
export function settleAttempt(db: Db, attemptId: number, now: number): boolean {
  return transaction(
    db,
    (): boolean => {
      const a = attemptState(db, attemptId);
      if (!a) return false;
      if (a.finishedAt !== null) return true;
      if (now >= a.endsAt || now >= a.closesAt) {
        finishOpen(db, a, overdueReason(a), now);
        return true;
      }
      if (currentItem(db, a, answeredItems(db, a.id)) === null) {
        finishOpen(db, a, "submitted", now);
        return true;
      }
      return false;
    },
    "immediate",
  );
}

/** Records which step the learner was last shown (item, or variant.length for the result); no write when unchanged. */
export function markShown(db: Db, attemptId: number, item: number): void {
  shownStmt(db).run(item, attemptId, item);
}

/** The answers of an attempt with their grades, for the result: item -> fully right. */
export function answerCorrectness(db: Db, attemptId: number): Map<number, boolean> {
  const rows = statement<[number], { item: number; correct: number }>(
    db,
    "SELECT item, correct FROM quiz_answers WHERE attempt_id = ?",
  ).all(attemptId);
  return new Map(rows.map((r) => [r.item, r.correct === 1]));
}

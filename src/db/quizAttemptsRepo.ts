/**
 * Learners' quiz attempts: starting or resuming one, recording answers, finishing (by the learner,
 * the time limit or the deadline), and a learner's progress over a course's quizzes. The quizzes
 * themselves (definitions, banks) are in quizRepo.ts.
 */
import { and, asc, eq } from "drizzle-orm";
import {
  attemptEndsAt,
  attemptPercent,
  buildVariant,
  courseProgress,
  gradeAnswer,
  moduleScore,
  progressStatus,
  quizAvailability,
  variantSeed,
  type GivenAnswer,
  type Grade,
  type ProgressStatus,
  type QuizAvailability,
} from "../domain/quiz.js";
import { statement, transaction, type Db } from "./client.js";
import { getCourse, isEnrolled } from "./coursesRepo.js";
import { storeUnfinishedMatching } from "./quizStepRepo.js";
import {
  quizAnswers,
  quizAttempts,
  quizQuestions,
  quizzes,
  type AttemptEnd,
  type MatchingPartial,
  type Course,
  type Module,
  type Quiz,
  type QuizAnswer,
  type QuizAttempt,
} from "./schema/index.js";

import { cachedQuizBank, courseQuizzes, quizById, type QuizWithModule } from "./quizRepo.js";

interface AttemptRow {
  id: number;
  learner_id: number;
  quiz_id: number;
  attempt_no: number;
  variant: string;
  started_at: number;
  ends_at: number;
  finished_at: number | null;
  shown_item: number | null;
  matching_partial: string | null;
  end_reason: AttemptEnd | null;
  score: number | null;
  passed: number | null;
}

const toAttempt = (r: AttemptRow): QuizAttempt => ({
  id: r.id,
  learnerId: r.learner_id,
  quizId: r.quiz_id,
  attemptNo: r.attempt_no,
  variant: JSON.parse(r.variant) as QuizAttempt["variant"],
  startedAt: r.started_at,
  endsAt: r.ends_at,
  finishedAt: r.finished_at,
  shownItem: r.shown_item,
  matchingPartial: r.matching_partial === null ? null : (JSON.parse(r.matching_partial) as MatchingPartial),
  endReason: r.end_reason,
  score: r.score,
  passed: r.passed === null ? null : r.passed !== 0,
});

const ATTEMPT_COLUMNS =
  "id, learner_id, quiz_id, attempt_no, variant, started_at, ends_at, finished_at, shown_item, matching_partial, end_reason, score, passed";
const SELECT_LEARNER_ATTEMPTS = `SELECT ${ATTEMPT_COLUMNS} FROM quiz_attempts WHERE learner_id = ? AND quiz_id = ? ORDER BY attempt_no`;
const SELECT_ATTEMPT = `SELECT ${ATTEMPT_COLUMNS} FROM quiz_attempts WHERE id = ?`;
const INSERT_ATTEMPT = `INSERT INTO quiz_attempts (learner_id, quiz_id, attempt_no, variant, started_at, ends_at)
  VALUES (?, ?, ?, ?, ?, ?) RETURNING ${ATTEMPT_COLUMNS}`;

export function learnerAttempts(db: Db, learnerId: number, quizId: number): QuizAttempt[] {
  return statement<[number, number], AttemptRow>(db, SELECT_LEARNER_ATTEMPTS).all(learnerId, quizId).map(toAttempt);
}

export function getAttempt(db: Db, attemptId: number): QuizAttempt | undefined {
  const r = statement<[number], AttemptRow>(db, SELECT_ATTEMPT).get(attemptId);
  return r ? toAttempt(r) : undefined;
}

export function attemptAnswers(db: Db, attemptId: number): QuizAnswer[] {
  return db.select().from(quizAnswers).where(eq(quizAnswers.attemptId, attemptId)).orderBy(asc(quizAnswers.item)).all();
}

export function availabilityFor(q: QuizWithModule, attempts: QuizAttempt[], now: number): QuizAvailability {
  return quizAvailability(
    {
      opensAt: q.module.opensAt,
      closesAt: q.module.closesAt,
      attemptsAllowed: q.quiz.attemptsAllowed,
      attemptsStarted: attempts.length,
      hasOpenAttempt: attempts.some((a) => a.finishedAt === null && a.endsAt > now),
    },
    now,
  );
}

export type StartOutcome =
  | { ok: true; attempt: QuizAttempt; resumed: boolean }
  | { ok: false; refusal: Exclude<QuizAvailability, { state: "open" } | { state: "in_progress" }> | { state: "not_enrolled" } };

/**
 * Starts a new attempt, or returns the one in progress. One transaction, so a double tap on
 * "start" never opens two attempts. The variant is seeded by learner, quiz and attempt number.
 */
export function startOrResumeAttempt(db: Db, learnerId: number, quizId: number, now: number): StartOutcome {
  closeOverdueAttempts(db, now, learnerId);
  // better-sqlite3 has one connection: the prepared reads on `db` run inside this transaction.
  return transaction(db, (): StartOutcome => {
    const q = quizById(db, quizId);
    if (!q || !isEnrolled(db, learnerId, q.course.id)) return { ok: false, refusal: { state: "not_enrolled" } } as const;
    const attempts = learnerAttempts(db, learnerId, quizId);
    const open = attempts.find((a) => a.finishedAt === null && a.endsAt > now);
    const availability = availabilityFor(q, attempts, now);
    if (availability.state === "in_progress" && open) return { ok: true, attempt: open, resumed: true } as const;
    if (availability.state !== "open") return { ok: false, refusal: availability } as StartOutcome;
    const bank = cachedQuizBank(db, q.quiz);
    const attemptNo = attempts.length + 1;
    const variant = buildVariant(bank, q.quiz.pick, variantSeed(learnerId, `${q.course.id}/${q.module.position}`, attemptNo));
    const row = statement<[number, number, number, string, number, number], AttemptRow>(db, INSERT_ATTEMPT).get(
      learnerId,
      quizId,
      attemptNo,
      JSON.stringify(variant),
      now,
      attemptEndsAt(now, q.quiz.timeLimitMinutes, q.module.closesAt),
    )!;
    return { ok: true, attempt: toAttempt(row), resumed: false } as const;
  });
}

export type AnswerOutcome =
  | { status: "recorded"; grade: Grade }
  /** This question of the attempt already has an answer (double tap, redelivered update). */
  | { status: "duplicate" }
  /** The attempt was finished, or its time ran out (then it is finished now). */
  | { status: "closed" };

/** Grades and stores one answer; the unique (attempt, item) row makes it count once. */
export function recordAnswer(db: Db, attemptId: number, item: number, given: GivenAnswer, now: number): AnswerOutcome {
  const outcome = db.transaction((tx): AnswerOutcome | "overdue" => {
    const attempt = tx.select().from(quizAttempts).where(eq(quizAttempts.id, attemptId)).get();
    if (!attempt || attempt.finishedAt !== null) return { status: "closed" };
    if (now >= attempt.endsAt) return "overdue";
    const v = attempt.variant[item];
    if (!v) return { status: "duplicate" };
    const question = tx
      .select({ content: quizQuestions.content })
      .from(quizQuestions)
      .where(and(eq(quizQuestions.quizId, attempt.quizId), eq(quizQuestions.position, v.q)))
      .get();
    const grade = question ? gradeAnswer(question.content, given) : { score: 0, correct: false };
    const inserted = tx
      .insert(quizAnswers)
      .values({ attemptId, item, questionPosition: v.q, answer: given, correct: grade.correct, score: grade.score, answeredAt: now })
      .onConflictDoNothing()
      .run();
    return inserted.changes > 0 ? { status: "recorded", grade } : { status: "duplicate" };
  });
  if (outcome === "overdue") {
    finishAttempt(db, attemptId, "time_up", now);
    return { status: "closed" };
  }
  return outcome;
}

/** Closes an attempt and fixes its score; a second call changes nothing. */
export function finishAttempt(db: Db, attemptId: number, reason: AttemptEnd, now: number): QuizAttempt | undefined {
  return db.transaction((tx) => {
    const attempt = tx.select().from(quizAttempts).where(eq(quizAttempts.id, attemptId)).get();
    if (!attempt || attempt.finishedAt !== null) return attempt;
    const quiz = tx.select().from(quizzes).where(eq(quizzes.id, attempt.quizId)).get()!;
    storeUnfinishedMatching(db, attemptId, now);
    const scores = tx.select({ score: quizAnswers.score }).from(quizAnswers).where(eq(quizAnswers.attemptId, attemptId)).all();
    const score = attemptPercent(
      attempt.variant.length,
      scores.map((s) => s.score),
    );
    // An attempt that outlived its end is closed at that end, not when somebody noticed.
    const finishedAt = Math.min(now, attempt.endsAt);
    return tx
      .update(quizAttempts)
      .set({ finishedAt, endReason: reason, score, passed: score >= quiz.passScore })
      .where(eq(quizAttempts.id, attemptId))
      .returning()
      .get();
  });
}

const SELECT_OVERDUE = `SELECT a.id AS id, a.ends_at AS endsAt, m.closes_at AS closes
    FROM quiz_attempts a JOIN quizzes q ON q.id = a.quiz_id
    LEFT JOIN modules m ON m.course_id = q.course_id AND m.position = q.module_position
    WHERE a.finished_at IS NULL AND a.ends_at <= ?`;
const SELECT_OVERDUE_OF_LEARNER = `${SELECT_OVERDUE} AND a.learner_id = ?`;

/**
 * Finishes attempts whose time limit or deadline has passed (answers given so far count, the
 * rest 0). Returns the attempts it finished; an attempt is finished once, so a second call
 * (another tick, a concurrent /progress) returns nothing for it.
 */
export function closeOverdueAttempts(db: Db, now: number, learnerId?: number): QuizAttempt[] {
  // Runs on every quiz step and /progress: prepared once (one statement per learner/all shape).
  const sql = learnerId === undefined ? SELECT_OVERDUE : SELECT_OVERDUE_OF_LEARNER;
  const params = learnerId === undefined ? [now] : [now, learnerId];
  const overdue = statement<number[], { id: number; endsAt: number; closes: number | null }>(db, sql).all(...params);
  const finished: QuizAttempt[] = [];
  for (const a of overdue) {
    const reason: AttemptEnd = a.closes !== null && a.endsAt >= a.closes ? "deadline" : "time_up";
    const before = getAttempt(db, a.id);
    if (before?.finishedAt !== null) continue;
    const after = finishAttempt(db, a.id, reason, now);
    if (after) finished.push(after);
  }
  return finished;
}

export interface ModuleProgress {
  quiz: Quiz;
  module: Module;
  attempts: QuizAttempt[];
  /** Counted score in percent, null when no attempt is finished. */
  score: number | null;
  passed: boolean;
  availability: QuizAvailability;
}

export interface CourseProgressReport {
  course: Course;
  modules: ModuleProgress[];
  percent: number;
  status: ProgressStatus;
}

/** A learner's grades in one course: per module, and the course progress with its status. */
export function courseProgressFor(db: Db, learnerId: number, courseId: string, now: number): CourseProgressReport | null {
  const course = getCourse(db, courseId);
  if (!course) return null;
  const qs = courseQuizzes(db, courseId);
  const mods = qs.map((q) => {
    const attempts = learnerAttempts(db, learnerId, q.quiz.id);
    const finished = attempts.filter((a) => a.finishedAt !== null).map((a) => a.score ?? 0);
    const score = moduleScore(finished, q.quiz.scorePolicy);
    return {
      quiz: q.quiz,
      module: q.module,
      attempts,
      score,
      passed: score !== null && score >= q.quiz.passScore,
      availability: availabilityFor(q, attempts, now),
    };
  });
  const percent = courseProgress(mods.map((m) => m.score));
  return { course, modules: mods, percent, status: progressStatus(percent) };
}

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
  type QuizDefinition,
  type QuizQuestion,
} from "../domain/quiz.js";
import { statement, transaction, type Db } from "./client.js";
import { getCourse, getModules, isEnrolled } from "./coursesRepo.js";
import { forgetCachedQuestions, storeUnfinishedMatching } from "./quizStepRepo.js";
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

type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

/**
 * Writes the quizzes of a validated course. Called inside importCourse's transaction, so a
 * course and its quizzes land together. Quizzes dropped from the file are marked removed, not
 * deleted: learners' attempts and grades stay.
 */
/** What importQuizzes needs of a validated course (courses/validate's CourseDefinition fits). */
export interface CourseQuizzes {
  id: string;
  modules: readonly { position: number; quiz?: QuizDefinition }[];
}

export function importQuizzes(tx: Tx, def: CourseQuizzes, now: number): void {
  forgetCachedQuestions();
  bankGeneration++;
  const existing = tx.select().from(quizzes).where(eq(quizzes.courseId, def.id)).all();
  const withQuiz = new Set<number>();
  for (const m of def.modules) {
    const q = m.quiz;
    if (!q) continue;
    withQuiz.add(m.position);
    const values = {
      passScore: q.passScore,
      attemptsAllowed: q.attempts,
      timeLimitMinutes: q.timeLimitMinutes,
      pick: q.pick,
      feedback: q.feedback,
      scorePolicy: q.scorePolicy,
      reviewAfter: q.reviewAfter,
      questionCount: q.pick ? Math.min(q.pick, q.questions.length) : q.questions.length,
      skippedQuestions: q.skipped,
      removedAt: null,
      updatedAt: now,
    };
    const row = tx
      .insert(quizzes)
      .values({ courseId: def.id, modulePosition: m.position, ...values })
      .onConflictDoUpdate({ target: [quizzes.courseId, quizzes.modulePosition], set: values })
      .returning({ id: quizzes.id })
      .get();
    tx.delete(quizQuestions).where(eq(quizQuestions.quizId, row.id)).run();
    q.questions.forEach((content, position) => {
      tx.insert(quizQuestions).values({ quizId: row.id, position, kind: content.kind, content }).run();
    });
  }
  for (const old of existing) {
    if (!withQuiz.has(old.modulePosition) && old.removedAt === null) {
      tx.update(quizzes).set({ removedAt: now, updatedAt: now }).where(eq(quizzes.id, old.id)).run();
    }
  }
}

export interface QuizWithModule {
  quiz: Quiz;
  module: Module;
  course: Course;
}

/*
 * The quiz reads below run on nearly every learner update (/quiz, the quiz card, each answer,
 * /progress): they use statements prepared once per connection (client.ts `statement`) and take
 * the course and its modules from coursesRepo's cache, instead of building a drizzle query and
 * parsing the course's whole JSON content per call.
 */
interface QuizRow {
  id: number;
  course_id: string;
  module_position: number;
  pass_score: number;
  attempts_allowed: number;
  time_limit_minutes: number | null;
  pick: number | null;
  feedback: Quiz["feedback"];
  score_policy: Quiz["scorePolicy"];
  review_after: Quiz["reviewAfter"];
  question_count: number;
  skipped_questions: number;
  removed_at: number | null;
  updated_at: number;
}

const toQuiz = (r: QuizRow): Quiz => ({
  id: r.id,
  courseId: r.course_id,
  modulePosition: r.module_position,
  passScore: r.pass_score,
  attemptsAllowed: r.attempts_allowed,
  timeLimitMinutes: r.time_limit_minutes,
  pick: r.pick,
  feedback: r.feedback,
  scorePolicy: r.score_policy,
  reviewAfter: r.review_after,
  questionCount: r.question_count,
  skippedQuestions: r.skipped_questions,
  removedAt: r.removed_at,
  updatedAt: r.updated_at,
});

const SELECT_LIVE_QUIZZES = "SELECT * FROM quizzes WHERE course_id = ? AND removed_at IS NULL ORDER BY module_position";

/** The live quizzes of a course with their modules (a quiz whose module is gone does not count). */
export function courseQuizzes(db: Db, courseId: string): QuizWithModule[] {
  const rows = statement<[string], QuizRow>(db, SELECT_LIVE_QUIZZES).all(courseId);
  if (rows.length === 0) return [];
  const course = getCourse(db, courseId);
  if (!course) return [];
  const byPosition = new Map(getModules(db, courseId).map((m) => [m.position, m]));
  const out: QuizWithModule[] = [];
  for (const r of rows) {
    const module = byPosition.get(r.module_position);
    if (module) out.push({ quiz: toQuiz(r), module, course });
  }
  return out;
}

/** The live quiz of a module, whether or not the module row still exists. */
export function liveQuiz(db: Db, courseId: string, position: number): Quiz | undefined {
  const r = statement<[string, number], QuizRow>(
    db,
    "SELECT * FROM quizzes WHERE course_id = ? AND module_position = ? AND removed_at IS NULL",
  ).get(courseId, position);
  return r ? toQuiz(r) : undefined;
}

export function quizByModule(db: Db, courseId: string, position: number): QuizWithModule | undefined {
  return courseQuizzes(db, courseId).find((q) => q.module.position === position);
}

export function quizById(db: Db, quizId: number): QuizWithModule | undefined {
  const row = statement<[number], { course_id: string }>(db, "SELECT course_id FROM quizzes WHERE id = ?").get(quizId);
  return row ? courseQuizzes(db, row.course_id).find((q) => q.quiz.id === quizId) : undefined;
}

export function quizBank(db: Db, quizId: number): QuizQuestion[] {
  return statement<[number], { content: string }>(db, "SELECT content FROM quiz_questions WHERE quiz_id = ? ORDER BY position")
    .all(quizId)
    .map((r) => JSON.parse(r.content) as QuizQuestion);
}

/** Parsed banks per connection, quiz and import (quizzes.updated_at); any import makes them stale. */
const banks = new WeakMap<Db["$client"], Map<string, readonly QuizQuestion[]>>();
let bankGeneration = 0;

/**
 * The bank as quizBank reads it, parsed once per import of the quiz (starting an attempt parses
 * every question to build the variant). Shared between callers: read only.
 */
export function cachedQuizBank(db: Db, quiz: Pick<Quiz, "id" | "updatedAt">): readonly QuizQuestion[] {
  let byQuiz = banks.get(db.$client);
  if (!byQuiz) {
    byQuiz = new Map();
    banks.set(db.$client, byQuiz);
  }
  const key = `${bankGeneration}:${quiz.id}:${quiz.updatedAt}`;
  let bank = byQuiz.get(key);
  if (!bank) {
    bank = quizBank(db, quiz.id);
    if (byQuiz.size >= 1000) byQuiz.clear();
    byQuiz.set(key, bank);
  }
  return bank;
}

/** How many questions the bank has (the quiz card), without parsing them. */
export function quizBankSize(db: Db, quizId: number): number {
  return statement<[number], { n: number }>(db, "SELECT count(*) AS n FROM quiz_questions WHERE quiz_id = ?").get(quizId)!.n;
}

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

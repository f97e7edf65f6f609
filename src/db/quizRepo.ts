import { and, asc, eq, isNull, lte } from "drizzle-orm";
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
import type { Db } from "./client.js";
import { forgetCachedQuestions, storeUnfinishedMatching } from "./quizStepRepo.js";
import {
  courses,
  enrollments,
  modules,
  quizAnswers,
  quizAttempts,
  quizQuestions,
  quizzes,
  type AttemptEnd,
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

/** The live quizzes of a course with their modules (a quiz whose module is gone does not count). */
export function courseQuizzes(db: Db, courseId: string): QuizWithModule[] {
  return db
    .select({ quiz: quizzes, module: modules, course: courses })
    .from(quizzes)
    .innerJoin(modules, and(eq(modules.courseId, quizzes.courseId), eq(modules.position, quizzes.modulePosition)))
    .innerJoin(courses, eq(courses.id, quizzes.courseId))
    .where(and(eq(quizzes.courseId, courseId), isNull(quizzes.removedAt)))
    .orderBy(asc(quizzes.modulePosition))
    .all();
}

export function quizByModule(db: Db, courseId: string, position: number): QuizWithModule | undefined {
  return courseQuizzes(db, courseId).find((q) => q.module.position === position);
}

export function quizById(db: Db, quizId: number): QuizWithModule | undefined {
  const row = db.select({ courseId: quizzes.courseId }).from(quizzes).where(eq(quizzes.id, quizId)).get();
  return row ? courseQuizzes(db, row.courseId).find((q) => q.quiz.id === quizId) : undefined;
}

export function quizBank(db: Db, quizId: number): QuizQuestion[] {
  return db
    .select({ content: quizQuestions.content })
    .from(quizQuestions)
    .where(eq(quizQuestions.quizId, quizId))
    .orderBy(asc(quizQuestions.position))
    .all()
    .map((r) => r.content);
}

export function learnerAttempts(db: Db, learnerId: number, quizId: number): QuizAttempt[] {
  return db
    .select()
    .from(quizAttempts)
    .where(and(eq(quizAttempts.learnerId, learnerId), eq(quizAttempts.quizId, quizId)))
    .orderBy(asc(quizAttempts.attemptNo))
    .all();
}

export function getAttempt(db: Db, attemptId: number): QuizAttempt | undefined {
  return db.select().from(quizAttempts).where(eq(quizAttempts.id, attemptId)).get();
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
  return db.transaction((tx) => {
    const q = quizById(tx as unknown as Db, quizId);
    const enrolled = q
      ? tx
          .select()
          .from(enrollments)
          .where(and(eq(enrollments.learnerId, learnerId), eq(enrollments.courseId, q.course.id), eq(enrollments.status, "active")))
          .get()
      : undefined;
    if (!q || !enrolled) return { ok: false, refusal: { state: "not_enrolled" } } as const;
    const attempts = learnerAttempts(tx as unknown as Db, learnerId, quizId);
    const open = attempts.find((a) => a.finishedAt === null && a.endsAt > now);
    const availability = availabilityFor(q, attempts, now);
    if (availability.state === "in_progress" && open) return { ok: true, attempt: open, resumed: true } as const;
    if (availability.state !== "open") return { ok: false, refusal: availability } as StartOutcome;
    const bank = quizBank(tx as unknown as Db, quizId);
    const attemptNo = attempts.length + 1;
    const variant = buildVariant(bank, q.quiz.pick, variantSeed(learnerId, `${q.course.id}/${q.module.position}`, attemptNo));
    const attempt = tx
      .insert(quizAttempts)
      .values({
        learnerId,
        quizId,
        attemptNo,
        variant,
        startedAt: now,
        endsAt: attemptEndsAt(now, q.quiz.timeLimitMinutes, q.module.closesAt),
      })
      .returning()
      .get();
    return { ok: true, attempt, resumed: false } as const;
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
    const score = attemptPercent(attempt.variant.length, scores.map((s) => s.score));
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

/**
 * Finishes attempts whose time limit or deadline has passed (answers given so far count, the
 * rest 0). Returns the attempts it finished; an attempt is finished once, so a second call
 * (another tick, a concurrent /progress) returns nothing for it.
 */
export function closeOverdueAttempts(db: Db, now: number, learnerId?: number): QuizAttempt[] {
  const overdue = db
    .select({ id: quizAttempts.id, endsAt: quizAttempts.endsAt, closes: modules.closesAt })
    .from(quizAttempts)
    .innerJoin(quizzes, eq(quizzes.id, quizAttempts.quizId))
    .leftJoin(modules, and(eq(modules.courseId, quizzes.courseId), eq(modules.position, quizzes.modulePosition)))
    .where(and(isNull(quizAttempts.finishedAt), lte(quizAttempts.endsAt, now), learnerId === undefined ? undefined : eq(quizAttempts.learnerId, learnerId)))
    .all();
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
  const qs = courseQuizzes(db, courseId);
  const course = db.select().from(courses).where(eq(courses.id, courseId)).get();
  if (!course) return null;
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

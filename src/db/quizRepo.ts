import { eq } from "drizzle-orm";
import { type QuizDefinition, type QuizQuestion } from "../domain/quiz.js";
import { statement, type Db } from "./client.js";
import { getCourse, getModules } from "./coursesRepo.js";
import { forgetCachedQuestions } from "./quizStepRepo.js";
import { quizQuestions, quizzes, type Course, type Module, type Quiz } from "./schema/index.js";

type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

/** What importQuizzes needs of a validated course (courses/validate's CourseDefinition fits). */
export interface CourseQuizzes {
  id: string;
  modules: readonly { position: number; quiz?: QuizDefinition }[];
}

/**
 * Writes the quizzes of a validated course. Called inside importCourse's transaction, so a
 * course and its quizzes land together. Quizzes dropped from the file are marked removed, not
 * deleted: learners' attempts and grades stay.
 */
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

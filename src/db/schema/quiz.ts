import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import type { GivenAnswer, QuizQuestion, ScorePolicy, VariantItem } from "../../domain/quiz.js";
import type { ReviewAfter } from "../../domain/quizReview.js";
import { courses } from "./courses.js";
import { learners } from "./learners.js";

/** A module's graded quiz, imported from the course file (one per module at most). */
export const quizzes = sqliteTable(
  "quizzes",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    courseId: text("course_id")
      .notNull()
      .references(() => courses.id, { onDelete: "cascade" }),
    /** The module (0-based week) the quiz belongs to; its window gives the quiz's open and deadline. */
    modulePosition: integer("module_position").notNull(),
    passScore: real("pass_score").notNull(),
    attemptsAllowed: integer("attempts_allowed").notNull(),
    timeLimitMinutes: integer("time_limit_minutes"),
    /** Ask this many random questions of the bank per attempt (null: all). */
    pick: integer("pick"),
    feedback: text("feedback").$type<"after_each" | "at_end">().notNull(),
    scorePolicy: text("score_policy").$type<ScorePolicy>().notNull(),
    /** When a learner may review an attempt with the right answers (Moodle's review options). */
    reviewAfter: text("review_after").$type<ReviewAfter>().notNull().default("close"),
    questionCount: integer("question_count").notNull(),
    /** Questions of the bank files left out on import (unsupported, or broken under import: valid-only). */
    skippedQuestions: integer("skipped_questions").notNull().default(0),
    /** Set when the quiz was removed from the course file; attempts and grades are kept. */
    removedAt: integer("removed_at"),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [uniqueIndex("quizzes_course_module").on(t.courseId, t.modulePosition)],
);

/** The quiz bank, in the order written (inline questions, then Aiken, then GIFT). */
export const quizQuestions = sqliteTable(
  "quiz_questions",
  {
    quizId: integer("quiz_id")
      .notNull()
      .references(() => quizzes.id, { onDelete: "cascade" }),
    position: integer("position").notNull(),
    kind: text("kind").notNull(),
    content: text("content", { mode: "json" }).$type<QuizQuestion>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.quizId, t.position] })],
);

export type AttemptEnd = "submitted" | "time_up" | "deadline";

export interface MatchingPartial {
  item: number;
  choices: number[];
}

export const quizAttempts = sqliteTable(
  "quiz_attempts",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    learnerId: integer("learner_id")
      .notNull()
      .references(() => learners.id),
    quizId: integer("quiz_id")
      .notNull()
      .references(() => quizzes.id),
    /** 1, 2, ... per learner and quiz. */
    attemptNo: integer("attempt_no").notNull(),
    /** The learner's own questions and option order for this attempt. */
    variant: text("variant", { mode: "json" }).$type<VariantItem[]>().notNull(),
    startedAt: integer("started_at").notNull(),
    /** No answer counts from this instant on: time limit or quiz deadline, whichever first. */
    endsAt: integer("ends_at").notNull(),
    finishedAt: integer("finished_at"),
    /**
     * The item whose question was last sent to the learner (variant.length: the result was sent).
     * Written after the send, so a text is taken as an answer only to a question the learner saw.
     */
    shownItem: integer("shown_item"),
    endReason: text("end_reason").$type<AttemptEnd>(),
    /** Percent, set when the attempt is finished. */
    score: real("score"),
    passed: integer("passed", { mode: "boolean" }),
    /**
     * A matching question answered part way: its item and the right-hand answer chosen for each
     * pair so far (indexes of matchingChoices). Written with each step, so a restart resumes at
     * the next pair; cleared when the question's answer is stored.
     */
    matchingPartial: text("matching_partial", { mode: "json" }).$type<MatchingPartial>(),
  },
  (t) => [
    uniqueIndex("quiz_attempts_learner_quiz_no").on(t.learnerId, t.quizId, t.attemptNo),
    // Covering for the reports: module scores, first attempts and takers per quiz read it in learner order.
    index("quiz_attempts_quiz_learner").on(t.quizId, t.learnerId, t.attemptNo, t.finishedAt, t.score),
  ],
);

/** Every answer exactly as given, graded when given. One row per question of an attempt. */
export const quizAnswers = sqliteTable(
  "quiz_answers",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    attemptId: integer("attempt_id")
      .notNull()
      .references(() => quizAttempts.id, { onDelete: "cascade" }),
    /** Index in the attempt's variant. */
    item: integer("item").notNull(),
    /** Position of the question in the bank. */
    questionPosition: integer("question_position").notNull(),
    answer: text("answer", { mode: "json" }).$type<GivenAnswer>().notNull(),
    correct: integer("correct", { mode: "boolean" }).notNull(),
    /** 0..1 */
    score: real("score").notNull(),
    answeredAt: integer("answered_at").notNull(),
    /** The learner's text message that gave a typed answer: a redelivered message never answers twice. */
    messageId: integer("message_id"),
  },
  (t) => [
    uniqueIndex("quiz_answers_attempt_item").on(t.attemptId, t.item),
    uniqueIndex("quiz_answers_attempt_message").on(t.attemptId, t.messageId),
  ],
);

export type Quiz = typeof quizzes.$inferSelect;
export type QuizAttempt = typeof quizAttempts.$inferSelect;
export type QuizAnswer = typeof quizAnswers.$inferSelect;

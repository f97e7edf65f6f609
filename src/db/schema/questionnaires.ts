import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import type { AnswerValue, Question, QuestionnaireKind } from "../../domain/questionnaire.js";
import { courses } from "./courses.js";
import { learners } from "./learners.js";

/** The questions of a course's pre/post questionnaire, as in its file (replaced on every import). */
export const questionnaires = sqliteTable(
  "questionnaires",
  {
    courseId: text("course_id")
      .notNull()
      .references(() => courses.id, { onDelete: "cascade" }),
    kind: text("kind").$type<QuestionnaireKind>().notNull(),
    questions: text("questions", { mode: "json" }).$type<Question[]>().notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.courseId, t.kind] })],
);

/** One learner's answers to one questionnaire: started when first opened, submitted once. */
export const questionnaireResponses = sqliteTable(
  "questionnaire_responses",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    courseId: text("course_id")
      .notNull()
      .references(() => courses.id, { onDelete: "cascade" }),
    kind: text("kind").$type<QuestionnaireKind>().notNull(),
    learnerId: integer("learner_id")
      .notNull()
      .references(() => learners.id),
    /** Index of the question the learner is on (questions.length = the summary). */
    position: integer("position").notNull().default(0),
    /** The position whose question (or summary) was last sent; a text answers only what was shown. */
    shownPosition: integer("shown_position"),
    startedAt: integer("started_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    submittedAt: integer("submitted_at"),
  },
  (t) => [
    uniqueIndex("questionnaire_responses_learner").on(t.learnerId, t.courseId, t.kind),
    index("questionnaire_responses_course").on(t.courseId, t.kind),
  ],
);

/** Each answer as it is given, so a restart or a pause resumes where the learner was. */
export const questionnaireAnswers = sqliteTable(
  "questionnaire_answers",
  {
    responseId: integer("response_id")
      .notNull()
      .references(() => questionnaireResponses.id, { onDelete: "cascade" }),
    questionId: text("question_id").notNull(),
    /** JSON; null means the learner skipped an optional question. */
    value: text("value", { mode: "json" }).$type<AnswerValue>(),
    answeredAt: integer("answered_at").notNull(),
    /** The learner's text message that gave a typed answer: a redelivered message never answers twice. */
    messageId: integer("message_id"),
  },
  (t) => [primaryKey({ columns: [t.responseId, t.questionId] })],
);

export type QuestionnaireRow = typeof questionnaires.$inferSelect;
export type QuestionnaireResponse = typeof questionnaireResponses.$inferSelect;

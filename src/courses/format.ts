import { z } from "zod";
import { LOCALES } from "../domain/locale.js";
import { DEFAULT_REVIEW_AFTER, REVIEW_AFTER } from "../domain/quizReview.js";
import { questionnairesFileSchema } from "./questionnaire.js";

/**
 * The course file, as authors write it (YAML; see README "Writing a course file").
 * Strict objects: a misspelt key is an error rather than silently ignored.
 */
export const translatedSchema = z.partialRecord(
  z.enum(LOCALES, { error: "language" }),
  z.string({ error: "text" }).trim().min(1, { error: "not_empty" }),
);

const dateText = z.union([z.string(), z.date()], { error: "date" });

const localeKey = z.enum(LOCALES, { error: "language" });

/** Single and multiple choice share one shape; only the scoring differs. */
function choiceQuestionSchema<T extends "single" | "multiple">(type: T) {
  return z.strictObject({
    type: z.literal(type),
    text: translatedSchema,
    options: z
      .array(z.strictObject({ text: translatedSchema, correct: z.boolean().optional(), feedback: translatedSchema.optional() }))
      .min(2, { error: "choice_options" }),
    fixed_order: z.boolean().optional(),
    feedback: translatedSchema.optional(),
    review: translatedSchema.optional(),
  });
}

/** A question written inline in the course file (all languages side by side). */
export const inlineQuestionSchema = z.discriminatedUnion(
  "type",
  [
    choiceQuestionSchema("single"),
    choiceQuestionSchema("multiple"),
    z.strictObject({
      type: z.literal("truefalse"),
      text: translatedSchema,
      answer: z.boolean({ error: "true_false" }),
      feedback: translatedSchema.optional(),
      review: translatedSchema.optional(),
    }),
    z.strictObject({
      type: z.literal("text"),
      text: translatedSchema,
      /** Accepted answers per language; compared ignoring case, spaces and trailing punctuation. */
      answers: z.partialRecord(localeKey, z.array(z.union([z.string(), z.number()]).transform(String)).min(1)),
      feedback: translatedSchema.optional(),
      review: translatedSchema.optional(),
    }),
    z.strictObject({
      type: z.literal("number"),
      text: translatedSchema,
      answer: z.number({ error: "number" }),
      tolerance: z.number().nonnegative().optional(),
      feedback: translatedSchema.optional(),
      review: translatedSchema.optional(),
    }),
  ],
  { error: "quiz_type" },
);

/** Files of a bank, one per language, relative to the course file. */
const bankFiles = z.partialRecord(localeKey, z.string().trim().min(1));

export const quizSchema = z.strictObject({
  /** Minimum score in percent to pass the quiz. */
  pass_score: z.number().min(0).max(100),
  /** Attempts allowed (mastery learning: a learner who fails may retake). */
  attempts: z.number().int().min(1).default(3),
  time_limit_minutes: z.number().int().positive().optional(),
  /** Ask a random subset of this many questions from the bank (each learner and attempt their own). */
  pick: z.number().int().positive().optional(),
  /** Show right/wrong after each answer, or everything at the end. */
  feedback: z.enum(["after_each", "at_end"]).default("after_each"),
  /** Which attempt counts for the module: the best one or the last one. */
  score: z.enum(["best", "last"]).default("best"),
  /**
   * When a learner may review an attempt with the right answers: right after it (`attempt`), only
   * after the quiz's deadline (`close`, default: answers cannot be passed on while it is open), or `never`.
   */
  review_after: z.enum(REVIEW_AFTER, { error: "review_after must be attempt, close or never" }).default(DEFAULT_REVIEW_AFTER),
  /** Default review hint for questions that have none (e.g. the module's lessons). */
  review: translatedSchema.optional(),
  questions: z.array(inlineQuestionSchema).optional(),
  aiken: bankFiles.optional(),
  gift: bankFiles.optional(),
  /** A Moodle XML export (Moodle's "Moodle XML format"), one file per language. */
  moodle_xml: bankFiles.optional(),
  /**
   * What a bank with broken or unsupported questions does: "all" (default) refuses the course
   * until the file is fixed; "valid-only" imports the questions that are fine, lists the skipped
   * ones in course:check, and the quiz card tells learners how many were left out.
   */
  import: z.enum(["all", "valid-only"], { error: "import_mode" }).default("all"),
});

export const moduleSchema = z.strictObject({
  title: translatedSchema,
  /** Learning hours this week (regulation: 3 to 5). */
  hours: z.number().positive().optional(),
  lessons: z.number().int().positive().optional(),
  /** Days the module's quiz stays open after the module opens (regulation: at most 14). */
  deadline_days: z.number().int().positive().optional(),
  /** Sent to every enrolled learner at the start of the module's week (400-600 characters). */
  announcement: translatedSchema,
  /** The module's graded quiz (one summative assessment per week). */
  quiz: quizSchema.optional(),
});

export const courseFileSchema = z.strictObject({
  id: z.string({ error: "course_id" }),
  languages: z.array(z.enum(LOCALES, { error: "language" })).min(1),
  title: translatedSchema,
  description: translatedSchema,
  start: dateText,
  timezone: z.string().optional(),
  hours_per_week: z.number().positive().optional(),
  lessons_per_week: z.number().int().positive().optional(),
  enrollment: z.strictObject({ opens: dateText.optional(), closes: dateText.optional() }).optional(),
  modules: z.array(moduleSchema).min(1, { error: "modules_min" }),
  glossary: z
    .array(z.strictObject({ term: translatedSchema, definition: translatedSchema }))
    .optional(),
  /** Pre- and post-course questionnaires (at most 15 questions each); see courses/questionnaire.ts. */
  questionnaires: questionnairesFileSchema.optional(),
  /**
   * When certificates are issued (85% progress): `after_end` (default) once the course has
   * ended, `at_threshold` right after the quiz that takes the learner to 85%.
   */
  certificate: z
    .strictObject({
      issue: z.enum(["after_end", "at_threshold"], { error: "certificate.issue must be after_end or at_threshold" }).optional(),
    })
    .optional(),
});

export type CourseFile = z.infer<typeof courseFileSchema>;
export type ModuleFile = z.infer<typeof moduleSchema>;
export type QuizFile = z.infer<typeof quizSchema>;
export type InlineQuestion = z.infer<typeof inlineQuestionSchema>;

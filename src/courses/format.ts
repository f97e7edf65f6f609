import { z } from "zod";
import { LOCALES } from "../config.js";
import { questionnairesFileSchema } from "./questionnaire.js";

/**
 * The course file, as authors write it (YAML; see README "Writing a course file").
 * Strict objects: a misspelt key is an error rather than silently ignored.
 */
export const translatedSchema = z.partialRecord(
  z.enum(LOCALES, { error: "language must be one of kk, ru, en" }),
  z.string({ error: "must be a text" }).trim().min(1, { error: "must not be empty" }),
);

const dateText = z.union([z.string(), z.date()], { error: "must be a date such as 2026-09-01 or today+7" });

export const moduleSchema = z.strictObject({
  title: translatedSchema,
  /** Learning hours this week (regulation: 3 to 5). */
  hours: z.number().positive().optional(),
  lessons: z.number().int().positive().optional(),
  /** Days the module's quiz stays open after the module opens (regulation: at most 14). */
  deadline_days: z.number().int().positive().optional(),
  /** Sent to every enrolled learner at the start of the module's week (400-600 characters). */
  announcement: translatedSchema,
});

export const courseFileSchema = z.strictObject({
  id: z.string({ error: "is required" }),
  languages: z.array(z.enum(LOCALES, { error: "language must be one of kk, ru, en" })).min(1),
  title: translatedSchema,
  description: translatedSchema,
  start: dateText,
  timezone: z.string().optional(),
  hours_per_week: z.number().positive().optional(),
  lessons_per_week: z.number().int().positive().optional(),
  enrollment: z.strictObject({ opens: dateText.optional(), closes: dateText.optional() }).optional(),
  modules: z.array(moduleSchema).min(1, { error: "a course needs at least one module" }),
  glossary: z
    .array(z.strictObject({ term: translatedSchema, definition: translatedSchema }))
    .optional(),
  /** Pre- and post-course questionnaires (at most 15 questions each); see courses/questionnaire.ts. */
  questionnaires: questionnairesFileSchema.optional(),
});

export type CourseFile = z.infer<typeof courseFileSchema>;
export type ModuleFile = z.infer<typeof moduleSchema>;

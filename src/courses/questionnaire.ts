/**
 * The `questionnaires:` section of a course file: its format, its checks against the rules of
 * domain.md (at most 15 questions, every course language present), and the normalised questions
 * stored on import.
 */
import { z } from "zod";
import { LOCALES } from "../domain/locale.js";
import type { Translated } from "../domain/course.js";
import type { Question, Questionnaires } from "../domain/questionnaire.js";
import { QUESTIONNAIRE_KINDS } from "../domain/questionnaire.js";
import { RULES } from "../domain/rules.js";
import type { CourseIssue, IssuePath } from "./issues.js";

// Same shape as format.ts's translatedSchema (not imported: format.ts imports this module).
const translated = z.partialRecord(
  z.enum(LOCALES, { error: "language" }),
  z.string({ error: "text" }).trim().min(1, { error: "not_empty" }),
);

const base = {
  id: z.string({ error: "question_id" }),
  text: translated,
  /** Default true: an optional question says `required: false`. */
  required: z.boolean().optional(),
};

const optionSchema = z.strictObject({ id: z.string({ error: "option_id" }), text: translated });
const options = z.array(optionSchema).min(2, { error: "choice_options" });

export const questionFileSchema = z.discriminatedUnion(
  "type",
  [
    z.strictObject({
      ...base,
      type: z.literal("rating"),
      min: z.number().int().default(1),
      max: z.number().int().default(5),
      min_label: translated.optional(),
      max_label: translated.optional(),
    }),
    z.strictObject({ ...base, type: z.literal("single"), options }),
    z.strictObject({ ...base, type: z.literal("multiple"), options }),
    z.strictObject({ ...base, type: z.literal("yes_no") }),
    z.strictObject({ ...base, type: z.literal("text"), max_length: z.number().int().positive().optional() }),
    z.strictObject({
      ...base,
      type: z.literal("number"),
      min: z.number().optional(),
      max: z.number().optional(),
      integer: z.boolean().optional(),
    }),
  ],
  { error: "questionnaire_type" },
);

export const questionnairesFileSchema = z.strictObject({
  pre: z.array(questionFileSchema).optional(),
  post: z.array(questionFileSchema).optional(),
});

export type QuestionFile = z.infer<typeof questionFileSchema>;
export type QuestionnairesFile = z.infer<typeof questionnairesFileSchema>;

type Add = (level: CourseIssue["level"], code: string, path: IssuePath, params?: CourseIssue["params"]) => void;

const QUESTION_ID_RE = /^[A-Za-z0-9_-]{1,40}$/;

/** Checks the rules the schema cannot express; issues go through `add` like the rest of the file. */
export function checkQuestionnaires(
  file: QuestionnairesFile | undefined,
  add: Add,
  requireLanguages: (t: Translated, path: IssuePath) => void,
): void {
  if (!file) return;
  const limits = RULES.questionnaire;
  for (const kind of QUESTIONNAIRE_KINDS) {
    const questions = file[kind];
    if (questions === undefined) continue;
    const at: IssuePath = ["questionnaires", kind];
    if (questions.length === 0) add("error", "questionnaire_empty", at, { kind });
    if (questions.length > RULES.maxQuestionnaireQuestions) {
      add("error", "questionnaire_over_limit", at, { kind, count: questions.length, max: RULES.maxQuestionnaireQuestions });
    }
    const seen = new Set<string>();
    questions.forEach((q, k) => {
      const path: IssuePath = [...at, k];
      if (!QUESTION_ID_RE.test(q.id)) add("error", "questionnaire_id_format", [...path, "id"], { value: q.id });
      if (seen.has(q.id)) add("error", "questionnaire_duplicate_id", [...path, "id"], { value: q.id, kind });
      seen.add(q.id);
      requireLanguages(q.text, [...path, "text"]);
      switch (q.type) {
        case "rating": {
          const points = q.max - q.min + 1;
          if (q.min >= q.max || points > limits.maxRatingPoints) {
            add("error", "questionnaire_rating_range", path, { min: q.min, max: q.max, points: limits.maxRatingPoints });
          }
          if (q.min_label) requireLanguages(q.min_label, [...path, "min_label"]);
          if (q.max_label) requireLanguages(q.max_label, [...path, "max_label"]);
          break;
        }
        case "single":
        case "multiple": {
          if (q.options.length > limits.maxOptions) {
            add("error", "questionnaire_options_over_limit", [...path, "options"], { count: q.options.length, max: limits.maxOptions });
          }
          const optionIds = new Set<string>();
          q.options.forEach((o, j) => {
            if (!QUESTION_ID_RE.test(o.id)) add("error", "questionnaire_id_format", [...path, "options", j, "id"], { value: o.id });
            if (optionIds.has(o.id)) add("error", "questionnaire_duplicate_option", [...path, "options", j, "id"], { value: o.id });
            optionIds.add(o.id);
            requireLanguages(o.text, [...path, "options", j, "text"]);
            for (const [lang, text] of Object.entries(o.text)) {
              const length = [...text].length;
              if (length > limits.maxOptionLength) {
                add("warning", "questionnaire_option_long", [...path, "options", j, "text", lang], { length, max: limits.maxOptionLength, language: lang });
              }
            }
          });
          break;
        }
        case "text":
          if (q.max_length !== undefined && q.max_length > limits.maxTextLength) {
            add("error", "questionnaire_text_length", [...path, "max_length"], { value: q.max_length, max: limits.maxTextLength });
          }
          break;
        case "number":
          if (q.min !== undefined && q.max !== undefined && q.min >= q.max) {
            add("error", "questionnaire_number_range", path, { min: q.min, max: q.max });
          }
          break;
        case "yes_no":
          break;
      }
    });
  }
}

/** The questions as stored and asked (defaults applied). */
export function normaliseQuestionnaires(file: QuestionnairesFile | undefined): Questionnaires {
  const out: Questionnaires = {};
  for (const kind of QUESTIONNAIRE_KINDS) {
    const qs = file?.[kind];
    if (qs && qs.length > 0) out[kind] = qs.map(normaliseQuestion);
  }
  return out;
}

function normaliseQuestion(q: QuestionFile): Question {
  const b = { id: q.id, text: q.text, required: q.required ?? true };
  switch (q.type) {
    case "rating":
      return { ...b, type: "rating", min: q.min, max: q.max, minLabel: q.min_label, maxLabel: q.max_label };
    case "single":
    case "multiple":
      return { ...b, type: q.type, options: q.options.map((o) => ({ id: o.id, text: o.text })) };
    case "yes_no":
      return { ...b, type: "yes_no" };
    case "text":
      return { ...b, type: "text", maxLength: q.max_length ?? RULES.questionnaire.defaultTextLength };
    case "number":
      return { ...b, type: "number", min: q.min, max: q.max, integer: q.integer ?? false };
  }
}

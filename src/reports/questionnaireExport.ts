/** CSV export of questionnaire answers: one row per learner, UTF-8 with a BOM so Excel reads Kazakh text. */
import type { Locale } from "../domain/locale.js";
import type { Question, QuestionnaireKind } from "../domain/questionnaire.js";
import type { Db } from "../db/client.js";
import { getCourse } from "../db/coursesRepo.js";
import { getQuestions, responsesFor, type ResponseWithAnswers } from "../db/questionnaireRepo.js";
import { answerText } from "../messages/questionnaireViews.js";
import { translator } from "../messages/i18n.js";

/** RFC 4180 quoting: fields with a comma, quote, CR or LF are quoted, quotes doubled. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function csvLine(fields: readonly string[]): string {
  return fields.map(csvField).join(",");
}

const iso = (ms: number | null) => (ms === null ? "" : new Date(ms).toISOString());

/**
 * The CSV text (with BOM, CRLF line ends). Answers are written in `lang` (the course's first
 * language by default): choice labels, yes/no words, numbers with a dot, free text in full.
 */
export function questionnaireCsv(
  questions: readonly Question[],
  responses: readonly ResponseWithAnswers[],
  lang: Locale,
  languages: readonly string[],
): string {
  const t = translator(lang);
  const header = ["learner_id", "first_name", "last_name", "username", "language", "status", "started_at", "submitted_at", ...questions.map((q) => q.id)];
  const rows = responses.map(({ response, learner, answers }) => [
    String(learner.id),
    learner.firstName,
    learner.lastName ?? "",
    learner.username ?? "",
    learner.language,
    response.submittedAt === null ? "in_progress" : "submitted",
    iso(response.startedAt),
    iso(response.submittedAt),
    ...questions.map((q) => {
      const v = answers[q.id];
      if (v === undefined) return "";
      if (v === null) return t("survey.skipped");
      if (typeof v === "number") return String(v);
      return answerText(t, q, v, lang, languages);
    }),
  ]);
  return "\uFEFF" + [header, ...rows].map(csvLine).join("\r\n") + "\r\n";
}

export interface ExportFile {
  kind: QuestionnaireKind;
  filename: string;
  content: Buffer;
  rows: number;
}

/** One CSV per questionnaire of the course that somebody has started. */
export function exportCourseQuestionnaires(db: Db, courseId: string, defaultLocale: Locale): ExportFile[] {
  const course = getCourse(db, courseId);
  if (!course) return [];
  const lang = course.languages[0] ?? defaultLocale;
  const files: ExportFile[] = [];
  for (const kind of ["pre", "post"] as const) {
    const questions = getQuestions(db, courseId, kind);
    if (!questions) continue;
    const responses = responsesFor(db, courseId, kind);
    if (responses.length === 0) continue;
    files.push({
      kind,
      filename: `${courseId}-${kind}-questionnaire.csv`,
      content: Buffer.from(questionnaireCsv(questions, responses, lang, course.languages), "utf8"),
      rows: responses.length,
    });
  }
  return files;
}

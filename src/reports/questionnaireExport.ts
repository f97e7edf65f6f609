/**
 * CSV export of questionnaire answers: one row per learner, written row by row into a file
 * (domain/csv.ts format), a page of responses at a time, so 100,000 learners cost a page of
 * memory and the event loop gets a turn between pages.
 */
import { join } from "node:path";
import type { CsvCell } from "../domain/csv.js";
import type { Locale } from "../domain/locale.js";
import type { AnswerValue, Question, QuestionnaireKind } from "../domain/questionnaire.js";
import type { Db } from "../db/client.js";
import { getCourse } from "../db/coursesRepo.js";
import { getQuestions } from "../db/questionnaireRepo.js";
import { answerText } from "../messages/questionnaireViews.js";
import { translator, type T } from "../messages/i18n.js";
import { CsvFileWriter } from "./csvFile.js";

/**
 * Responses per page, with a turn for the event loop between pages: 2,000 took 70-90 ms of the
 * bot's thread at a time at 100,000 learners; 400 keep each stretch near 15 ms.
 */
export const PAGE_SIZE = 400;

const iso = (ms: number | null) => (ms === null ? "" : new Date(ms).toISOString());
export const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export function questionnaireHeader(questions: readonly Question[]): string[] {
  return [
    "learner_id",
    "first_name",
    "last_name",
    "username",
    "language",
    "status",
    "started_at",
    "submitted_at",
    ...questions.map((q) => q.id),
  ];
}

interface ResponseRow {
  id: number;
  started_at: number;
  submitted_at: number | null;
  learner_id: number;
  first_name: string;
  last_name: string | null;
  username: string | null;
  language: string;
  /** The response's answers as one JSON object: question id -> stored value (null: skipped). */
  answers: string | null;
}

/** A cell of the CSV: numbers stay numbers, choices and yes/no in `lang`, free text in full. */
function answerCell(t: T, q: Question, v: AnswerValue | undefined, lang: Locale, languages: readonly string[]): CsvCell {
  if (v === undefined) return "";
  if (v === null) return t("survey.skipped");
  if (typeof v === "number") return v;
  return answerText(t, q, v, lang, languages);
}

/**
 * Cells by question and stored JSON: a choice, a rating or yes/no has a handful of distinct
 * values, so each is rendered once, not once per learner.
 */
function cellCache(t: T, questions: readonly Question[], lang: Locale, languages: readonly string[]) {
  const caches = new Map(questions.map((q) => [q.id, new Map<string, CsvCell>()]));
  return (q: Question, v: AnswerValue | undefined): CsvCell => {
    if (v === undefined) return "";
    if (q.type === "text" || typeof v === "number") return answerCell(t, q, v, lang, languages);
    const cache = caches.get(q.id)!;
    const key = Array.isArray(v) ? v.join("\u0000") : String(v);
    let cell = cache.get(key);
    if (cell === undefined) {
      cell = answerCell(t, q, v, lang, languages);
      if (cache.size < 10_000) cache.set(key, cell);
    }
    return cell;
  };
}

/**
 * Writes one questionnaire's responses to `path` (BOM, header, one row per learner, in the order
 * they started). Returns the number of learners written.
 */
export async function writeQuestionnaireCsv(
  db: Db,
  courseId: string,
  kind: QuestionnaireKind,
  questions: readonly Question[],
  lang: Locale,
  languages: readonly string[],
  path: string,
): Promise<number> {
  const t = translator(lang);
  const page = db.$client.prepare<[string, string, number, number], ResponseRow>(
    `SELECT r.id, r.started_at, r.submitted_at, l.id AS learner_id, l.first_name, l.last_name, l.username, l.language,
            (SELECT json_group_object(a.question_id, json(a.value)) FROM questionnaire_answers a WHERE a.response_id = r.id) AS answers
       FROM questionnaire_responses r JOIN learners l ON l.id = r.learner_id
      WHERE r.course_id = ? AND r.kind = ? AND r.id > ?
      ORDER BY r.id LIMIT ?`,
  );
  const cell = cellCache(t, questions, lang, languages);
  const writer = new CsvFileWriter(path);
  try {
    writer.write(questionnaireHeader(questions));
    let after = 0;
    for (;;) {
      const rows = page.all(courseId, kind, after, PAGE_SIZE);
      if (rows.length === 0) break;
      for (const r of rows) {
        const given = (r.answers ? JSON.parse(r.answers) : {}) as Record<string, AnswerValue>;
        writer.write([
          r.learner_id,
          r.first_name,
          r.last_name ?? "",
          r.username ?? "",
          r.language,
          r.submitted_at === null ? "in_progress" : "submitted",
          iso(r.started_at),
          iso(r.submitted_at),
          ...questions.map((q) => cell(q, given[q.id])),
        ]);
      }
      after = rows[rows.length - 1]!.id;
      if (rows.length < PAGE_SIZE) break;
      await nextTurn();
    }
  } finally {
    writer.close();
  }
  return writer.rows - 1;
}

export interface ExportFile {
  kind: QuestionnaireKind;
  filename: string;
  /** Where the file was written. */
  path: string;
  rows: number;
}

export const exportFilename = (courseId: string, kind: QuestionnaireKind) => `${courseId}-${kind}-questionnaire.csv`;

/**
 * Writes one CSV per questionnaire of the course that somebody has started into `outDir`.
 * Files of questionnaires nobody started are not kept.
 */
export async function exportCourseQuestionnaires(db: Db, courseId: string, outDir: string, defaultLocale: Locale): Promise<ExportFile[]> {
  const course = getCourse(db, courseId);
  if (!course) return [];
  const lang = course.languages[0] ?? defaultLocale;
  const files: ExportFile[] = [];
  for (const kind of ["pre", "post"] as const) {
    const questions = getQuestions(db, courseId, kind);
    if (!questions) continue;
    const started = db.$client
      .prepare<[string, string], { n: number }>(
        "SELECT EXISTS (SELECT 1 FROM questionnaire_responses WHERE course_id = ? AND kind = ?) AS n",
      )
      .get(courseId, kind)!.n;
    if (!started) continue;
    const filename = exportFilename(courseId, kind);
    const path = join(outDir, filename);
    const rows = await writeQuestionnaireCsv(db, courseId, kind, questions, lang, course.languages, path);
    files.push({ kind, filename, path, rows });
  }
  return files;
}

/**
 * The gradebook (issue 10 item 3): one CSV row per learner who enrolled in a course, with each
 * module's score and attempts, the course progress, the status of the progress schedule and the
 * certificate code. Written range by range of learner ids through the one CSV writer, yielding
 * to the event loop between ranges; used by /gradebook and `npm run export -- gradebook`.
 *
 * No XLSX: a well-kept streaming XLSX writer (exceljs) would add a large dependency tree for a file
 * every spreadsheet opens as CSV already (UTF-8 with BOM).
 */
import { setImmediate as yieldToLoop } from "node:timers/promises";
import { learnerRanges } from "../db/analysisRepo.js";
import type { Db } from "../db/client.js";
import { gradebookCells, gradebookLearners, type GradebookCell } from "../db/gradebookRepo.js";
import { courseQuizzes } from "../db/quizRepo.js";
import type { Course } from "../db/schema/index.js";
import { formatCode } from "../domain/certificate.js";
import type { CsvCell } from "../domain/csv.js";
import type { Locale } from "../domain/locale.js";
import { courseProgress, progressStatus } from "../domain/quiz.js";
import { toLocal } from "../domain/time.js";
import { translator } from "../messages/i18n.js";
import { CsvFileWriter } from "./csvFile.js";

/** A date and time as spreadsheets sort them, in the course's time zone: 2026-09-07 14:05. */
function localStamp(ms: number, timeZone: string): string {
  const l = toLocal(ms, timeZone);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${l.year}-${p(l.month)}-${p(l.day)} ${p(l.hour)}:${p(l.minute)}`;
}

export function gradebookFilename(course: Pick<Course, "id">): string {
  return `gradebook-${course.id}.csv`;
}

/** Writes the course's gradebook to `path`; returns the number of learner rows. */
export async function writeGradebook(db: Db, course: Course, lang: Locale, path: string, chunkSize = 20_000): Promise<number> {
  const t = translator(lang);
  const quizzes = courseQuizzes(db, course.id);
  const quizIds = quizzes.map((q) => q.quiz.id);
  const out = new CsvFileWriter(path);
  try {
    const col = (k: string, o?: Record<string, unknown>) => t(`gradebook.col.${k}`, o);
    out.write([
      col("learner_id"),
      col("name"),
      col("username"),
      col("language"),
      col("enrolled_at"),
      col("enrollment"),
      ...quizzes.flatMap((q) => [col("module_score", { n: q.module.position + 1 }), col("module_attempts", { n: q.module.position + 1 })]),
      col("progress"),
      col("status"),
      col("certificate"),
    ]);
    let rows = 0;
    for (const range of learnerRanges(db, course.id, chunkSize)) {
      const cells = new Map<number, Map<number, GradebookCell>>();
      for (const c of gradebookCells(db, quizIds, range)) {
        let m = cells.get(c.learnerId);
        if (!m) cells.set(c.learnerId, (m = new Map<number, GradebookCell>()));
        m.set(c.quizId, c);
      }
      for (const l of gradebookLearners(db, course.id, range)) {
        const mine = cells.get(l.learnerId);
        const perQuiz = quizIds.map((id) => mine?.get(id));
        const percent = courseProgress(perQuiz.map((c) => c?.score ?? null));
        const row: CsvCell[] = [
          l.learnerId,
          [l.firstName, l.lastName].filter(Boolean).join(" "),
          // Without "@": a cell starting with it would be read as a formula (domain/csv.ts).
          l.username,
          l.language,
          localStamp(l.enrolledAt, course.timezone),
          t(`gradebook.enrollment.${l.status}`),
          ...perQuiz.flatMap((c) => [c?.score ?? null, c?.attempts ?? 0]),
          percent,
          t(`gradebook.status.${progressStatus(percent)}`),
          l.certificateCode ? formatCode(l.certificateCode) : null,
        ];
        out.write(row);
        rows++;
      }
      await yieldToLoop();
    }
    return rows;
  } finally {
    out.close();
  }
}

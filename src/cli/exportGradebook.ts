import { closeDatabase, type Db } from "../db/client.js";
import { getCourse } from "../db/coursesRepo.js";
import type { Locale } from "../domain/locale.js";
import { join } from "node:path";
import { mkdirSync } from "node:fs";
import { gradebookFilename, writeGradebook } from "../reports/gradebook.js";

/**
 * npm run export -- gradebook <course-id> [outdir]: the course's gradebook as one CSV file, the
 * same file /gradebook sends in Telegram (headers in DEFAULT_LOCALE).
 */
export async function runGradebookExport(
  db: Db,
  courseId: string,
  outDir: string,
  lang: Locale,
  log: (line: string) => void,
): Promise<number> {
  try {
    const course = getCourse(db, courseId);
    if (!course) {
      log(`no course «${courseId}» in the database`);
      return 1;
    }
    mkdirSync(outDir, { recursive: true });
    const path = join(outDir, gradebookFilename(course));
    const rows = await writeGradebook(db, course, lang, path);
    log(`${path}: ${rows} ${rows === 1 ? "learner" : "learners"}`);
    return 0;
  } finally {
    closeDatabase(db);
  }
}

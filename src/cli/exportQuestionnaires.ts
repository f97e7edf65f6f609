import { existsSync, mkdirSync } from "node:fs";
import { defaultLocaleFromEnv, loadDotEnv } from "../config.js";
import { closeDatabase, openDatabase } from "../db/client.js";
import { getCourse } from "../db/coursesRepo.js";
import { exportCourseQuestionnaires } from "../reports/questionnaireExport.js";
import { runGradebookExport } from "./exportGradebook.js";

/**
 * npm run export -- <course-id> [outdir]
 * npm run export -- gradebook <course-id> [outdir]   (the gradebook: cli/exportGradebook.ts)
 * Writes the course's questionnaire answers as CSV files (UTF-8 with BOM, one row per learner),
 * the same files /export sends in Telegram. Reads DATABASE_PATH (default ./data/bot.sqlite).
 */
export async function runExport(args: string[], databasePath: string, log: (line: string) => void = console.log): Promise<number> {
  const gradebook = args[0] === "gradebook";
  const [courseId, outDir = "."] = gradebook ? args.slice(1) : args;
  if (!courseId) {
    log("usage: npm run export -- <course-id> [outdir]\n       npm run export -- gradebook <course-id> [outdir]");
    return 2;
  }
  if (!existsSync(databasePath)) {
    log(`${databasePath}: no database there (set DATABASE_PATH)`);
    return 1;
  }
  const db = openDatabase(databasePath);
  if (gradebook) return runGradebookExport(db, courseId, outDir, defaultLocaleFromEnv(), log);
  try {
    if (!getCourse(db, courseId)) {
      log(`no course “${courseId}” in ${databasePath}`);
      return 1;
    }
    mkdirSync(outDir, { recursive: true });
    const files = await exportCourseQuestionnaires(db, courseId, outDir, defaultLocaleFromEnv());
    if (files.length === 0) {
      log(`course “${courseId}”: nobody has started a questionnaire yet, nothing written`);
      return 0;
    }
    for (const f of files) log(`${f.path}: ${f.rows} ${f.rows === 1 ? "learner" : "learners"}`);
    return 0;
  } finally {
    closeDatabase(db);
  }
}

if (process.argv[1] && /exportQuestionnaires\.(ts|js)$/.test(process.argv[1])) {
  loadDotEnv();
  process.exitCode = await runExport(process.argv.slice(2), process.env.DATABASE_PATH?.trim() || "./data/bot.sqlite");
}

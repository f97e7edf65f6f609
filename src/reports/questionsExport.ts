/** The assistants' CSV of every question, written page by page into a file. */
import type { Locale } from "../domain/locale.js";
import type { Course, Module } from "../db/schema/index.js";
import type { Db } from "../db/client.js";
import { getCourse, getModules } from "../db/coursesRepo.js";
import { questionsPage } from "../db/questionsRepo.js";
import type { T } from "../messages/i18n.js";
import { questionCsvCells, questionCsvHeader } from "../messages/questionViews.js";
import { CsvFileWriter } from "./csvFile.js";
import { nextTurn } from "./questionnaireExport.js";

/** Questions per page, a turn for the event loop between pages: each row is formatted with its course and module (200 held the thread 52 ms at a time; 100 about 35). */
const PAGE_SIZE = 100;

/** `t` with its answers remembered: a column's labels (states, modules, media) repeat on every row. */
function rememberingT(t: T): T {
  const seen = new Map<string, string>();
  return ((key: string, options?: unknown) => {
    const k = `${key}\u0000${JSON.stringify(options ?? null)}`;
    let v = seen.get(k);
    if (v === undefined) {
      v = (t as (key: string, options?: unknown) => string)(key, options);
      if (seen.size < 10_000) seen.set(k, v);
    }
    return v;
  }) as unknown as T;
}

/** Writes the CSV to `path` (only `courseIds`' questions when given) and returns how many questions it holds. */
export async function writeQuestionsCsv(
  plainT: T,
  db: Db,
  lang: Locale,
  timeZone: string,
  path: string,
  courseIds?: readonly string[],
): Promise<number> {
  const t = rememberingT(plainT);
  const modules = new Map<string, Module[]>();
  const modulesOf = (courseId: string) => {
    let m = modules.get(courseId);
    if (!m) modules.set(courseId, (m = getModules(db, courseId)));
    return m;
  };
  const courses = new Map<string, Course>();
  const courseOf = (id: string) => {
    let c = courses.get(id);
    if (!c) courses.set(id, (c = getCourse(db, id)!));
    return c;
  };
  const writer = new CsvFileWriter(path);
  try {
    writer.write(questionCsvHeader(t));
    for (let after = 0; ;) {
      const rows = questionsPage(db, after, PAGE_SIZE, courseIds);
      for (const { question, learner } of rows) {
        writer.write(questionCsvCells(t, { question, learner, course: courseOf(question.courseId) }, lang, timeZone, modulesOf));
      }
      if (rows.length < PAGE_SIZE) break;
      after = rows[rows.length - 1]!.question.id;
      await nextTurn();
    }
  } finally {
    writer.close();
  }
  return writer.rows - 1;
}

/**
 * Worker-thread entry of the authors' reports (started by reportThread.ts): each task reads the
 * database on its own read-only connection, so neither the aggregate queries nor vega/resvg/pdf-lib
 * ever block the thread that answers learners.
 */
import { parentPort, workerData } from "node:worker_threads";
import { closeDatabase, openReadOnly, type Db } from "../db/client.js";
import { analyseCourse } from "../db/courseAnalysis.js";
import { getCourse } from "../db/coursesRepo.js";
import type { Course } from "../db/schema/index.js";
import { quizStatsLines, resultsLines } from "./authorReports.js";
import type { RenderedReport } from "./courseReport.js";
import type { ReportTask, ReportWorkerInput, ReportWorkerOutput } from "./reportThread.js";

function course(db: Db, id: string): Course {
  const c = getCourse(db, id);
  if (!c) throw new Error(`course ${id} not found`);
  return c;
}

async function run(db: Db, task: ReportTask): Promise<RenderedReport[] | string[]> {
  switch (task.kind) {
    case "analysis": {
      // Loaded here, not at the top: courseReport brings grammY, which the text reports do not need.
      const { renderReport } = await import("./courseReport.js");
      // Nothing else runs on this thread: no pauses between the queries.
      const analysis = await analyseCourse(db, course(db, task.courseId), task.now, {
        chunkSize: task.chunkSize,
        pause: () => Promise.resolve(),
      });
      const reports: RenderedReport[] = [];
      for (const lang of task.langs) reports.push(await renderReport(analysis, lang, task.team));
      return reports;
    }
    case "quizstats":
      return quizStatsLines(
        db,
        task.courseIds.map((id) => course(db, id)),
        task.lang,
      );
    case "results":
      return resultsLines(db, course(db, task.courseId), task.lang);
  }
}

async function work(input: ReportWorkerInput): Promise<RenderedReport[] | string[]> {
  const db = openReadOnly(input.dbPath);
  try {
    return await run(db, input.task);
  } finally {
    closeDatabase(db);
  }
}

const port = parentPort;
if (port) {
  work(workerData as ReportWorkerInput).then(
    (result) => port.postMessage({ result } satisfies ReportWorkerOutput),
    (err: unknown) =>
      port.postMessage({ error: err instanceof Error ? (err.stack ?? err.message) : String(err) } satisfies ReportWorkerOutput),
  );
}

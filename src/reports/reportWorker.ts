/**
 * Worker-thread entry of the authors' reports (started once by reportThread.ts, then reused): it
 * answers one request at a time, each on a read-only connection to the database, so neither the
 * aggregate queries nor vega/resvg/pdf-lib ever block the thread that answers learners. Modules
 * and the connection stay loaded between requests: the second report pays neither again.
 */
import { existsSync } from "node:fs";
import { parentPort } from "node:worker_threads";
import { closeDatabase, openReadOnly, type Db } from "../db/client.js";
import { analyseCourse } from "../db/courseAnalysis.js";
import { getCourse } from "../db/coursesRepo.js";
import type { Course } from "../db/schema/index.js";
import { quizStatsLines, resultsLines } from "./authorReports.js";
import type { RenderedReport } from "./courseReport.js";
import type { ReportTask, ReportWorkerRequest, ReportWorkerResponse } from "./reportThread.js";

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
      // Nothing else runs on this thread: no pauses between the queries, so no chunks either.
      const analysis = await analyseCourse(db, course(db, task.courseId), task.now, {
        chunkSize: Infinity,
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
    case "crash":
      process.exit(70);
  }
}

/**
 * The read-only connection, kept open between requests (a WAL reader sees every commit made
 * since its previous read). One database per process in practice; a request for another file
 * (tests, one temporary database each) closes the previous connection.
 */
let open: { path: string; db: Db } | null = null;
function database(path: string): Db {
  if (open?.path !== path) {
    if (open) closeDatabase(open.db);
    open = { path, db: openReadOnly(path) };
  }
  return open.db;
}

const port = parentPort;
if (port) {
  port.on("message", (request: ReportWorkerRequest) => {
    const answer = (out: ReportWorkerResponse) => port.postMessage(out);
    Promise.resolve()
      .then(() => run(database(request.dbPath), request.task))
      .then(
        (result) => answer({ id: request.id, result }),
        (err: unknown) => {
          // A connection that failed (file gone, replaced) is opened afresh on the next request.
          if (open?.path === request.dbPath && !existsSync(request.dbPath)) {
            closeDatabase(open.db);
            open = null;
          }
          answer({ id: request.id, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
        },
      );
  });
}

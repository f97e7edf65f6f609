/**
 * Worker-thread entry of the analysis report (started by reportThread.ts): computes the numbers
 * on its own read-only connection and draws the charts and the PDF, so neither the aggregate
 * queries nor vega/resvg/pdf-lib ever block the thread that answers learners.
 */
import { parentPort, workerData } from "node:worker_threads";
import { closeDatabase, openReadOnly } from "../db/client.js";
import { analyseCourse } from "../db/courseAnalysis.js";
import { getCourse } from "../db/coursesRepo.js";
import { renderReport, type RenderedReport } from "./courseReport.js";
import type { ReportWorkerInput, ReportWorkerOutput } from "./reportThread.js";

async function work(input: ReportWorkerInput): Promise<RenderedReport[]> {
  const db = openReadOnly(input.dbPath);
  try {
    const course = getCourse(db, input.courseId);
    if (!course) throw new Error(`course ${input.courseId} not found`);
    // Nothing else runs on this thread: no pauses between the queries.
    const analysis = await analyseCourse(db, course, input.now, { chunkSize: input.chunkSize, pause: () => Promise.resolve() });
    const reports: RenderedReport[] = [];
    for (const lang of input.langs) reports.push(await renderReport(analysis, lang, input.team));
    return reports;
  } finally {
    closeDatabase(db);
  }
}

const port = parentPort;
if (port) {
  work(workerData as ReportWorkerInput).then(
    (reports) => port.postMessage({ reports } satisfies ReportWorkerOutput),
    (err: unknown) => port.postMessage({ error: err instanceof Error ? (err.stack ?? err.message) : String(err) } satisfies ReportWorkerOutput),
  );
}

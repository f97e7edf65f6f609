/**
 * Builds the authors' reports (the analysis report with charts, /quizstats, /results) in a worker
 * thread (reportWorker.ts) when the database is a file: at 100,000 learners their aggregate
 * queries and the charts take seconds of CPU, which on the bot's own thread would hold every
 * learner's reply for that long. A private in-memory database (the
 * tests) cannot be opened from another thread, so it is built here instead, yielding between steps.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { databaseFile, type Db } from "../db/client.js";
import { analyseCourse, type AnalysisOptions } from "../db/courseAnalysis.js";
import type { Course } from "../db/schema/index.js";
import type { Locale } from "../domain/locale.js";
import { quizStatsLines, resultsLines } from "./authorReports.js";
import { renderReport, type RenderedReport } from "./courseReport.js";

/** What a worker computes: the analysis report (charts, PDF) or the lines of a text report. */
export type ReportTask =
  | { kind: "analysis"; courseId: string; now: number; langs: Locale[]; team: string[]; chunkSize?: number | undefined }
  | { kind: "quizstats"; courseIds: string[]; lang: Locale }
  | { kind: "results"; courseId: string; lang: Locale };

export interface ReportWorkerInput {
  dbPath: string;
  task: ReportTask;
}

export type ReportBuildOptions = AnalysisOptions & { inThread?: boolean };

export type ReportWorkerOutput = { result: RenderedReport[] | string[]; error?: undefined } | { error: string; result?: undefined };

/**
 * The worker's entry: the compiled reportWorker.js next to this file (dist/), or, when running
 * from the TypeScript sources (tsx, vitest), a small bootstrap that registers tsx's loader in the
 * worker and then imports reportWorker.ts.
 */
function startWorker(input: ReportWorkerInput): Worker {
  const js = new URL("./reportWorker.js", import.meta.url);
  if (existsSync(fileURLToPath(js))) return new Worker(js, { workerData: input });
  // tsx's ESM API by path (an eval'd worker resolves bare names from the working directory).
  const tsxRoot = dirname(createRequire(import.meta.url).resolve("tsx/package.json"));
  const tsxApi = pathToFileURL(join(tsxRoot, "dist/esm/api/index.mjs")).href;
  const entry = new URL("./reportWorker.ts", import.meta.url).href;
  const bootstrap = `import(${JSON.stringify(tsxApi)})
    .then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(bootstrap, { eval: true, workerData: input, execArgv: [] });
}

/** Structured cloning turns Buffers into plain Uint8Arrays: make the PNGs Buffers again. */
function revive(report: RenderedReport): RenderedReport {
  return {
    ...report,
    charts: report.charts.map((c) => ({ ...c, png: Buffer.from(c.png.buffer, c.png.byteOffset, c.png.byteLength) })),
  };
}

function runInWorker(input: ReportWorkerInput): Promise<RenderedReport[] | string[]> {
  return new Promise((resolve, reject) => {
    const worker = startWorker(input);
    let settled = false;
    worker.once("message", (out: ReportWorkerOutput) => {
      settled = true;
      if (out.error !== undefined) reject(new Error(`${input.task.kind} report failed: ${out.error}`));
      else resolve(out.result);
      void worker.terminate();
    });
    worker.once("error", (err) => {
      if (settled) return;
      settled = true;
      reject(err);
    });
    worker.once("exit", (code) => {
      if (settled) return;
      settled = true;
      reject(new Error(`${input.task.kind} report worker exited with code ${code} before answering`));
    });
  });
}

/** The analysis report of a course on a database file, computed and drawn in a worker thread. */
export async function buildReportsInWorker(
  dbPath: string,
  task: Omit<Extract<ReportTask, { kind: "analysis" }>, "kind">,
): Promise<RenderedReport[]> {
  const reports = (await runInWorker({ dbPath, task: { kind: "analysis", ...task } })) as RenderedReport[];
  return reports.map(revive);
}

/** /quizstats's lines, in a worker when the database is a file. */
export async function quizStatsReportLines(db: Db, courses: readonly Course[], lang: Locale): Promise<string[]> {
  const file = databaseFile(db);
  if (!file) return quizStatsLines(db, courses, lang);
  return (await runInWorker({ dbPath: file, task: { kind: "quizstats", courseIds: courses.map((c) => c.id), lang } })) as string[];
}

/** /results's lines, in a worker when the database is a file. */
export async function resultsReportLines(db: Db, course: Course, lang: Locale): Promise<string[]> {
  const file = databaseFile(db);
  if (!file) return resultsLines(db, course, lang);
  return (await runInWorker({ dbPath: file, task: { kind: "results", courseId: course.id, lang } })) as string[];
}

/**
 * The report of one course in each of `langs` (one analysis, drawn once per language), in a
 * worker when the database is a file. `options` (chunk size, pauses) apply to the in-thread build;
 * the worker uses only the chunk size.
 */
export async function buildCourseReports(
  db: Db,
  course: Course,
  langs: readonly Locale[],
  now: number,
  team: readonly string[],
  options: ReportBuildOptions = {},
): Promise<Map<Locale, RenderedReport>> {
  const unique = [...new Set(langs)];
  const file = databaseFile(db);
  let reports: RenderedReport[];
  if (file && !options.inThread) {
    reports = await buildReportsInWorker(file, { courseId: course.id, now, langs: unique, team: [...team], chunkSize: options.chunkSize });
  } else {
    const analysis = await analyseCourse(db, course, now, options);
    reports = [];
    for (const lang of unique) reports.push(await renderReport(analysis, lang, team));
  }
  return new Map(reports.map((r) => [r.lang, r]));
}

/** One course's report in one language (see buildCourseReports). */
export async function buildCourseReport(
  db: Db,
  course: Course,
  lang: Locale,
  now: number,
  team: readonly string[],
  options: ReportBuildOptions = {},
): Promise<RenderedReport> {
  return (await buildCourseReports(db, course, [lang], now, team, options)).get(lang)!;
}

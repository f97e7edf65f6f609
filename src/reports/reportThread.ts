/**
 * Builds the authors' reports (the analysis report with charts, /quizstats, /results) in a worker
 * thread (reportWorker.ts) when the database is a file: at 100,000 learners their aggregate
 * queries and the charts take seconds of CPU, which on the bot's own thread would hold every
 * learner's reply for that long. One worker serves every request (see ReportWorkerPool). A private in-memory database (the
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
  | { kind: "analysis"; courseId: string; now: number; langs: Locale[]; team: string[] }
  | { kind: "quizstats"; courseIds: string[]; lang: Locale }
  | { kind: "results"; courseId: string; lang: Locale }
  /** Ends the worker thread mid-request (for tests: a crash must be an error, then a fresh worker). */
  | { kind: "crash" };

/** One request to the worker; its answer carries the same id. */
export interface ReportWorkerRequest {
  id: number;
  dbPath: string;
  task: ReportTask;
}

export type ReportBuildOptions = AnalysisOptions & { inThread?: boolean };

export type ReportWorkerResponse = { id: number } & (
  { result: RenderedReport[] | string[]; error?: undefined } | { error: string; result?: undefined }
);

/**
 * The worker's entry: the compiled reportWorker.js next to this file (dist/), or, when running
 * from the TypeScript sources (tsx, vitest), a small bootstrap that registers tsx's loader in the
 * worker and then imports reportWorker.ts.
 */
function startWorker(): Worker {
  const js = new URL("./reportWorker.js", import.meta.url);
  if (existsSync(fileURLToPath(js))) return new Worker(js);
  // tsx's ESM API by path (an eval'd worker resolves bare names from the working directory).
  const tsxRoot = dirname(createRequire(import.meta.url).resolve("tsx/package.json"));
  const tsxApi = pathToFileURL(join(tsxRoot, "dist/esm/api/index.mjs")).href;
  const entry = new URL("./reportWorker.ts", import.meta.url).href;
  const bootstrap = `import(${JSON.stringify(tsxApi)})
    .then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(bootstrap, { eval: true, execArgv: [] });
}

/** Structured cloning turns Buffers into plain Uint8Arrays: make the PNGs Buffers again. */
function revive(report: RenderedReport): RenderedReport {
  return {
    ...report,
    charts: report.charts.map((c) => ({ ...c, png: Buffer.from(c.png.buffer, c.png.byteOffset, c.png.byteLength) })),
  };
}

interface Job {
  request: ReportWorkerRequest;
  resolve: (result: RenderedReport[] | string[]) => void;
  reject: (err: Error) => void;
}

/**
 * One long-lived worker for every report: started on the first request (loading vega, resvg and
 * pdf-lib costs a second or more, paid once instead of per request), one job at a time with the
 * others queued in order, started again on the next job if it dies (the job it was running fails
 * with an error; the queued ones go on in the new worker). Unreferenced while idle, so an idle
 * worker never keeps the process alive.
 */
class ReportWorkerPool {
  private worker: Worker | null = null;
  private running: Job | null = null;
  private readonly queue: Job[] = [];
  private nextId = 1;
  private lastError: Error | null = null;
  /** Workers started so far (tests check that requests reuse one). */
  started = 0;

  run(dbPath: string, task: ReportTask): Promise<RenderedReport[] | string[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ request: { id: this.nextId++, dbPath, task }, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    if (this.running) return;
    const job = this.queue.shift();
    if (!job) {
      this.worker?.unref();
      return;
    }
    this.running = job;
    const worker = (this.worker ??= this.spawn());
    worker.ref();
    worker.postMessage(job.request);
  }

  private spawn(): Worker {
    const worker = startWorker();
    this.started++;
    worker.on("message", (out: ReportWorkerResponse) => {
      const job = this.running;
      if (!job || job.request.id !== out.id) return;
      this.running = null;
      if (out.error !== undefined) job.reject(new Error(`${job.request.task.kind} report failed: ${out.error}`));
      else job.resolve(out.result);
      this.pump();
    });
    // An uncaught error ends the thread too: "exit" follows, and says it to the job in flight.
    worker.on("error", (err) => {
      this.lastError = err;
    });
    worker.on("exit", (code) => {
      if (this.worker === worker) this.worker = null;
      const job = this.running;
      const cause = this.lastError;
      this.lastError = null;
      if (!job) return;
      this.running = null;
      job.reject(
        new Error(`${job.request.task.kind} report worker exited with code ${code} before answering${cause ? `: ${cause.message}` : ""}`),
      );
      this.pump();
    });
    return worker;
  }

  /** Ends the worker (the bot is stopping): the job in flight and the queued ones fail. */
  async stop(): Promise<void> {
    const queued = this.queue.splice(0);
    for (const job of queued) job.reject(new Error(`${job.request.task.kind} report not built: the bot is stopping`));
    const worker = this.worker;
    if (worker) await worker.terminate();
  }
}

const pool = new ReportWorkerPool();

function runInWorker(dbPath: string, task: ReportTask): Promise<RenderedReport[] | string[]> {
  return pool.run(dbPath, task);
}

/** How many report workers have been started in this process (one, unless one died). */
export function reportWorkersStarted(): number {
  return pool.started;
}

/** Ends the report worker, if one runs (main.ts, on stop). The next report would start a new one. */
export function stopReportWorker(): Promise<void> {
  return pool.stop();
}

/** Asks the worker to end itself mid-request, as a crash would (tests). */
export async function crashReportWorker(dbPath: string): Promise<void> {
  await runInWorker(dbPath, { kind: "crash" });
}

/** The analysis report of a course on a database file, computed and drawn in a worker thread. */
export async function buildReportsInWorker(
  dbPath: string,
  task: Omit<Extract<ReportTask, { kind: "analysis" }>, "kind">,
): Promise<RenderedReport[]> {
  const reports = (await runInWorker(dbPath, { kind: "analysis", ...task })) as RenderedReport[];
  return reports.map(revive);
}

/** /quizstats's lines, in a worker when the database is a file. */
export async function quizStatsReportLines(db: Db, courses: readonly Course[], lang: Locale): Promise<string[]> {
  const file = databaseFile(db);
  if (!file) return quizStatsLines(db, courses, lang);
  return (await runInWorker(file, { kind: "quizstats", courseIds: courses.map((c) => c.id), lang })) as string[];
}

/** /results's lines, in a worker when the database is a file. */
export async function resultsReportLines(db: Db, course: Course, lang: Locale): Promise<string[]> {
  const file = databaseFile(db);
  if (!file) return resultsLines(db, course, lang);
  return (await runInWorker(file, { kind: "results", courseId: course.id, lang })) as string[];
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
    reports = await buildReportsInWorker(file, { courseId: course.id, now, langs: unique, team: [...team] });
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

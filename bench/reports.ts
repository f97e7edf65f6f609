/**
 * npm run bench:reports — the authors' reports at scale. Seeds BENCH_LEARNERS (default 100,000)
 * learners in one course into a temp SQLite file with set-based SQL (recursive CTEs in one
 * transaction): 60% took the module quiz (10 answers each, a tenth took it twice), 60% submitted
 * the pre-course questionnaire, 5% asked a question. Then runs each report in its own process
 * (so each one's peak memory is its own) and prints time and peak RSS against the goals:
 * under 2 s and under 250 MB.
 *
 * Importable by the overall bench suite: `seedScale(db, n)` fills a database opened with
 * openDatabase, `runReports(dbPath)` runs every report and returns the figures.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadCoursesFromDir } from "../src/courses/loadCourses.js";
import { closeDatabase, openDatabase, type Db } from "../src/db/client.js";
import { getCourse, listCourses } from "../src/db/coursesRepo.js";
import { translator } from "../src/messages/i18n.js";
import { resultsReport } from "../src/messages/questionnaireResultsViews.js";
import { quizStatsLines } from "../src/reports/authorReports.js";
import { exportCourseQuestionnaires } from "../src/reports/questionnaireExport.js";
import { writeQuestionsCsv } from "../src/reports/questionsExport.js";
import { runExport } from "../src/cli/exportQuestionnaires.js";
import { projectRoot } from "../src/paths.js";
import { seedScale as seedCourse } from "./seed.js";

export const COURSE_ID = "intro-programming";
const NOW = Date.UTC(2026, 8, 1, 4, 0);

/**
 * Seeds `n` learners enrolled in the demo course with attempts, answers, questionnaire responses
 * and questions: the suite's one seeding (bench/seed.ts), so these figures and the scale part's
 * are measured on the same data.
 */
export function seedScale(db: Db, n: number): void {
  loadCoursesFromDir(db, join(projectRoot, "courses"), { now: NOW, defaultTimezone: "Asia/Almaty" });
  seedCourse(db, { courseId: COURSE_ID, learners: n, now: NOW });
  db.$client.exec("ANALYZE");
}

export const REPORTS = ["export", "results", "quizstats", "questions_csv", "cli_export", "gradebook", "certificates_issue"] as const;
export type ReportName = (typeof REPORTS)[number];

export interface ReportFigure {
  report: ReportName;
  ms: number;
  /** CPU time (user + system) of the report: wall time on a busy machine is mostly waiting for a core. */
  cpuMs: number;
  /** Peak resident memory of the process that ran the report, in MB. */
  peakRssMb: number;
  /** Resident memory of the same process just before the report (the runtime, modules, database). */
  baseRssMb: number;
  detail: string;
}

/** Runs one report in this process (a child started by runReports). */
export async function runOneReport(report: ReportName, dbPath: string): Promise<ReportFigure> {
  const db = openDatabase(dbPath);
  const out = mkdtempSync(join(tmpdir(), "mooc-bench-out-"));
  const t = translator("en");
  const course = getCourse(db, COURSE_ID) ?? listCourses(db)[0]!;
  const baseRssMb = process.memoryUsage().rss / 2 ** 20;
  const started = performance.now();
  const cpu = process.cpuUsage();
  let detail = "";
  try {
    switch (report) {
      case "export": {
        const files = await exportCourseQuestionnaires(db, course.id, out, "kk");
        detail = files.map((f) => `${f.filename}: ${f.rows} rows`).join(", ");
        break;
      }
      case "results": {
        const text = resultsReport(db, t, "en", course).join("\n");
        detail = `${text.length} characters (${text.length > 4096 ? "a document" : "one message"})`;
        break;
      }
      case "quizstats": {
        // What the bot runs (in its report worker): item analysis first, sharing its pass over the answers.
        const text = (await quizStatsLines(db, [course], "en")).join("\n");
        detail = `${text.length} characters (${text.length > 4096 ? "a document" : "one message"})`;
        break;
      }
      case "questions_csv": {
        const rows = await writeQuestionsCsv(t, db, "en", "Asia/Almaty", join(out, "questions.csv"));
        detail = `${rows} questions`;
        break;
      }
      // Imported here: the certificate code loads pdf-lib and the fonts, which would swell every other report's baseline.
      case "gradebook": {
        const { writeGradebook } = await import("../src/reports/gradebook.js");
        const rows = await writeGradebook(db, course, "en", join(out, "gradebook.csv"));
        detail = `${rows} learners`;
        break;
      }
      case "certificates_issue": {
        // Issuing as the job does it after the end: SQL finds who is due, range by range.
        const { issueDueCertificates } = await import("../src/reports/certificates.js");
        const issued = await issueDueCertificates(db, course, course.endAt + 1);
        detail = `${issued} certificates issued`;
        break;
      }
      case "cli_export": {
        const lines: string[] = [];
        await runExport([course.id, out], dbPath, (l) => lines.push(l));
        detail = lines.join("; ").replaceAll(`${out}/`, "");
        break;
      }
    }
    const ms = performance.now() - started;
    const used = process.cpuUsage(cpu);
    return { report, ms, cpuMs: (used.user + used.system) / 1000, peakRssMb: process.resourceUsage().maxRSS / 1024, baseRssMb, detail };
  } finally {
    closeDatabase(db);
    rmSync(out, { recursive: true, force: true });
  }
}

const SELF = fileURLToPath(import.meta.url);

/** Runs every report, each in a fresh process on the seeded database, and returns the figures. */
export function runReports(dbPath: string): ReportFigure[] {
  return REPORTS.map((report) => {
    const json = execFileSync(process.execPath, ["--import", "tsx", SELF, "--one", report, dbPath], {
      encoding: "utf8",
      maxBuffer: 1 << 20,
    });
    return JSON.parse(json.trim().split("\n").pop()!) as ReportFigure;
  });
}

export const GOALS = { ms: 2000, peakRssMb: 250 };

export function printFigures(figures: readonly ReportFigure[]): void {
  for (const f of figures) {
    const ok = f.ms <= GOALS.ms && f.peakRssMb <= GOALS.peakRssMb ? "ok  " : "MISS";
    console.log(
      `${ok} ${f.report.padEnd(14)} ${f.ms.toFixed(0).padStart(6)} ms (goal ${GOALS.ms}; CPU ${f.cpuMs.toFixed(0)} ms)  peak RSS ${f.peakRssMb.toFixed(0).padStart(4)} MB (goal ${GOALS.peakRssMb}; ${f.baseRssMb.toFixed(0)} MB before)  ${f.detail}`,
    );
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === "--one") {
    const figure = await runOneReport(args[1] as ReportName, args[2]!);
    process.stdout.write(`${JSON.stringify(figure)}\n`);
    return;
  }
  const n = Number(process.env.BENCH_LEARNERS ?? 100_000);
  const dir = mkdtempSync(join(tmpdir(), "mooc-bench-reports-"));
  try {
    const dbPath = join(dir, "bot.sqlite");
    const db = openDatabase(dbPath);
    const seedStart = performance.now();
    seedScale(db, n);
    closeDatabase(db);
    console.log(`seeded ${n.toLocaleString("en")} learners in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`);
    printFigures(runReports(dbPath));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}

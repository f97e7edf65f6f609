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
import { validateCourseText } from "../src/courses/validate.js";
import { importCourse } from "../src/courses/importCourse.js";
import { closeDatabase, openDatabase, type Db } from "../src/db/client.js";
import { getCourse, listCourses } from "../src/db/coursesRepo.js";
import { translator } from "../src/messages/i18n.js";
import { resultsReport } from "../src/messages/questionnaireResultsViews.js";
import { quizStatsReport } from "../src/messages/quizStatsViews.js";
import { exportCourseQuestionnaires } from "../src/reports/questionnaireExport.js";
import { writeQuestionsCsv } from "../src/reports/questionsExport.js";
import { runExport } from "../src/cli/exportQuestionnaires.js";
import { courseYaml } from "../test/support/courses.js";
import { QUESTIONNAIRES_YAML } from "../test/support/questionnaires.js";

export const COURSE_ID = "python-101";
const NOW = Date.UTC(2026, 8, 1, 4, 0);
const tr = (s: string) => `{ kk: ${JSON.stringify(s)}, ru: ${JSON.stringify(s)}, en: ${JSON.stringify(s)} }`;
const QUIZ = `pass_score: 60
attempts: 3
questions:
${Array.from({ length: 10 }, (_, i) =>
  i === 3
    ? `  - type: text\n    text: ${tr("Name the function that reads a line.")}\n    answers: { kk: [input], ru: [input], en: [input] }`
    : `  - type: truefalse\n    text: ${tr(`Statement ${i + 1} is true.`)}\n    answer: true`,
).join("\n")}`;

/** Seeds `n` learners enrolled in COURSE_ID with attempts, answers, questionnaire responses and questions. */
export function seedScale(db: Db, n: number): void {
  const { course, issues } = validateCourseText(courseYaml({ start: "2026-08-31", quizzes: { 0: QUIZ }, extra: QUESTIONNAIRES_YAML }), {
    now: NOW,
    defaultTimezone: "Asia/Almaty",
  });
  if (!course) throw new Error(`bench course invalid: ${JSON.stringify(issues)}`);
  importCourse(db, course, "bench.yaml", NOW);
  const quizId = (db.$client.prepare("SELECT id FROM quizzes WHERE course_id = ?").get(COURSE_ID) as { id: number }).id;
  const c = db.$client;
  const seq = `WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i + 1 < ${n})`;
  c.transaction(() => {
    c.exec(`${seq} INSERT INTO learners (id, first_name, last_name, username, language, created_at, updated_at)
      SELECT 1000000 + i, 'Learner ' || i, CASE WHEN i % 3 = 0 THEN 'Ахметов' END, 'user' || i,
             CASE i % 3 WHEN 0 THEN 'kk' WHEN 1 THEN 'ru' ELSE 'en' END, ${NOW}, ${NOW} FROM seq`);
    c.exec(`${seq} INSERT INTO enrollments (learner_id, course_id, status, enrolled_at)
      SELECT 1000000 + i, '${COURSE_ID}', CASE WHEN i % 50 = 0 THEN 'unenrolled' ELSE 'active' END, ${NOW} FROM seq`);
    // Quiz: 60% of learners, a tenth of them twice; scores spread over 0..100.
    c.exec(`${seq} INSERT INTO quiz_attempts (learner_id, quiz_id, attempt_no, variant, started_at, ends_at, finished_at, end_reason, score, passed)
      SELECT 1000000 + i, ${quizId}, no, '[]', ${NOW}, ${NOW + 3600_000}, ${NOW + 600_000}, 'submitted', (i * 37 + no * 11) % 101, ((i * 37 + no * 11) % 101) >= 60
        FROM seq JOIN (SELECT 1 AS no UNION ALL SELECT 2) ON no = 1 OR i % 10 = 0 WHERE i % 5 < 3`);
    // Ten answers per attempt; question 4 is free text, wrong answers repeat so some are flagged as identical.
    c.exec(`WITH RECURSIVE k(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM k WHERE j < 9)
      INSERT INTO quiz_answers (attempt_id, item, question_position, answer, correct, score, answered_at)
      SELECT a.id, j, j,
             CASE WHEN j = 3 THEN json_object('kind', 'text', 'text', CASE WHEN (a.id + j) % 4 = 0 THEN 'input' ELSE 'wrong ' || (a.learner_id % 3000) END)
                  ELSE json_object('kind', 'tf', 'value', json('true')) END,
             (a.id * 7 + j * 13) % 10 < 7, CASE WHEN (a.id * 7 + j * 13) % 10 < 7 THEN 1 ELSE 0 END, ${NOW}
        FROM quiz_attempts a CROSS JOIN k WHERE a.quiz_id = ${quizId}`);
    // Pre-course questionnaire: 60% submitted, 5% started only.
    c.exec(`${seq} INSERT INTO questionnaire_responses (course_id, kind, learner_id, position, started_at, updated_at, submitted_at)
      SELECT '${COURSE_ID}', 'pre', 1000000 + i, 6, ${NOW}, ${NOW}, CASE WHEN i % 20 < 12 THEN ${NOW + 60_000} END FROM seq WHERE i % 20 < 13`);
    c.exec(`INSERT INTO questionnaire_answers (response_id, question_id, value, answered_at)
      SELECT r.id, q.id,
             CASE q.id
               WHEN 'motivation' THEN json(1 + r.learner_id % 5)
               WHEN 'level' THEN json_quote(CASE r.learner_id % 2 WHEN 0 THEN 'none' ELSE 'some' END)
               WHEN 'devices' THEN CASE r.learner_id % 3 WHEN 0 THEN '["phone"]' WHEN 1 THEN '["phone","laptop"]' ELSE '["tablet"]' END
               WHEN 'studied_online' THEN CASE WHEN r.learner_id % 4 = 0 THEN 'true' ELSE 'false' END
               WHEN 'hours' THEN json(1 + r.learner_id % 40)
               ELSE CASE WHEN r.learner_id % 7 = 0 THEN NULL ELSE json_quote('=1+' || (r.learner_id % 97) || ' my goals, "quoted"') END
             END, ${NOW}
        FROM questionnaire_responses r
        CROSS JOIN (SELECT 'motivation' AS id UNION ALL SELECT 'level' UNION ALL SELECT 'devices' UNION ALL SELECT 'studied_online' UNION ALL SELECT 'hours' UNION ALL SELECT 'goals') q
       WHERE r.course_id = '${COURSE_ID}' AND r.kind = 'pre'`);
    // Questions to the course team: 5% of learners.
    c.exec(`${seq} INSERT INTO questions (learner_id, course_id, module_position, text, learner_message_id, state, created_at, last_learner_message_at, reply_count)
      SELECT 1000000 + i, '${COURSE_ID}', i % 4, 'How do I install Python on Windows? ' || i, i, CASE WHEN i % 3 = 0 THEN 'answered' ELSE 'open' END, ${NOW}, ${NOW}, i % 3
        FROM seq WHERE i % 20 = 0`);
  })();
  c.exec("ANALYZE");
}

export const REPORTS = ["export", "results", "quizstats", "questions_csv", "cli_export"] as const;
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
        const text = quizStatsReport(db, t, "en", [course]).join("\n");
        detail = `${text.length} characters (${text.length > 4096 ? "a document" : "one message"})`;
        break;
      }
      case "questions_csv": {
        const rows = await writeQuestionsCsv(t, db, "en", "Asia/Almaty", join(out, "questions.csv"));
        detail = `${rows} questions`;
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
    const json = execFileSync(process.execPath, ["--import", "tsx", SELF, "--one", report, dbPath], { encoding: "utf8", maxBuffer: 1 << 20 });
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
  main().catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}

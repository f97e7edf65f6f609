/**
 * npm run bench:analysis — the authors' analysis report (issue 11) for a course with 100,000
 * enrolled learners: seeds a temporary database with set-based SQL (the demo course
 * intro-programming, its four quizzes with `pick`, first attempts and retakes with every answer,
 * both questionnaires), then computes the report as /report does and prints:
 * - the time of the aggregate queries, of the charts and PDF, and in all;
 * - the event loop's delay while it ran (p50/p99/max): what a learner's reply would wait.
 *
 * Options (environment): BENCH_LEARNERS=100000 BENCH_CHUNK=20000 (learners per query chunk, main thread only)
 * BENCH_LANG=kk BENCH_KEEP=1 (keep the database and write the PDF next to it)
 * BENCH_DB=<path of a kept bench.sqlite> (skip seeding). BENCH_IN_THREAD=1: compute on the main
 * thread with pauses (as before the worker; also what an in-memory database does) instead of in
 * the worker thread /report and the automatic job use. BENCH_DIST=1: the worker runs the compiled
 * dist/ (built first when stale), as `npm start` does, instead of the sources compiled by tsx
 * inside the worker (which costs 1-2 s of CPU per run that production never pays).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { loadCoursesFromDir } from "../src/courses/loadCourses.js";
import { closeDatabase, openDatabase, type Db } from "../src/db/client.js";
import { getCourse } from "../src/db/coursesRepo.js";
import { courseQuestionnaires } from "../src/db/questionnaireRepo.js";
import type { Locale } from "../src/domain/locale.js";
import { projectRoot } from "../src/paths.js";
import { analyseCourse } from "../src/db/courseAnalysis.js";
import { renderReport, type RenderedReport } from "../src/reports/courseReport.js";
import { buildReportsInWorker as buildFromSources } from "../src/reports/reportThread.js";

const LEARNERS = Number(process.env.BENCH_LEARNERS ?? 100_000);
const CHUNK = Number(process.env.BENCH_CHUNK ?? 20_000);
const LANG = (process.env.BENCH_LANG ?? "kk") as Locale;
const IN_THREAD = process.env.BENCH_IN_THREAD === "1";
const FROM_DIST = process.env.BENCH_DIST === "1";
const COURSE = "intro-programming";
/** Share of the learners (percent) who take each module's quiz: a typical MOOC funnel. */
const TAKE = [72, 55, 44, 38];

/** Deterministic pseudo-random 0..99 from SQL expressions (no RANDOM(): the same data every run). */
const h = (expr: string, salt: number) => `((((${expr}) * 2654435761 + ${salt * 40503}) % 4294967296) / 7 % 100)`;
/** A second, unrelated hash for the answers' noise (the first one of consecutive attempt ids would echo the learners' ability). */
const h2 = (expr: string) => `((((${expr}) * 1103515245 + 12345) % 2147483648) / 65536 % 100)`;

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** Seeds `learners` learners enrolled in the demo course, with attempts, answers and questionnaires. */
export function seedAnalysisBench(db: Db, learners: number, now: number): void {
  const sql = db.$client;
  const base = 10_000_000;
  const run = sql.transaction(() => {
    sql.exec(`WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ${learners})
      INSERT INTO learners (id, first_name, language, created_at, updated_at)
      SELECT ${base} + n, 'L' || n, CASE n % 3 WHEN 0 THEN 'kk' WHEN 1 THEN 'ru' ELSE 'en' END, ${now}, ${now} FROM seq`);
    sql.exec(`INSERT INTO enrollments (learner_id, course_id, status, enrolled_at, unenrolled_at)
      SELECT id, '${COURSE}', CASE WHEN ${h("id", 1)} < 5 THEN 'unenrolled' ELSE 'active' END, ${now}, NULL
      FROM learners WHERE id > ${base}`);
    const quizzes = sql
      .prepare(
        `SELECT id, module_position AS position, question_count AS qc, pass_score AS pass,
           (SELECT COUNT(*) FROM quiz_questions qq WHERE qq.quiz_id = quizzes.id) AS bank
         FROM quizzes WHERE course_id = ? ORDER BY module_position`,
      )
      .all(COURSE) as { id: number; position: number; qc: number; pass: number; bank: number }[];
    for (const q of quizzes) {
      const take = TAKE[q.position] ?? 35;
      // First attempts for `take`% of the learners, a retake for a third of those.
      sql.exec(`INSERT INTO quiz_attempts (learner_id, quiz_id, attempt_no, variant, started_at, ends_at, finished_at, end_reason, score, passed)
        SELECT id, ${q.id}, 1, '[]', ${now}, ${now} + 3600000, ${now}, 'submitted', 0, 0 FROM learners
        WHERE id > ${base} AND ${h("id", 10 + q.position)} < ${take}`);
      sql.exec(`INSERT INTO quiz_attempts (learner_id, quiz_id, attempt_no, variant, started_at, ends_at, finished_at, end_reason, score, passed)
        SELECT learner_id, quiz_id, 2, '[]', ${now}, ${now} + 3600000, ${now}, 'submitted', 0, 0 FROM quiz_attempts
        WHERE quiz_id = ${q.id} AND attempt_no = 1 AND ${h("learner_id", 20 + q.position)} < 33`);
      // Each attempt answers qc distinct questions of the bank. A learner's ability and a question's
      // easiness set the chance of a right answer; question 4 has a wrong key (the able get it "wrong").
      const step = [7, 11, 13, 17, 19, 23, 29, 31, 37].find((p) => gcd(p, q.bank) === 1) ?? 1;
      sql.exec(`WITH RECURSIVE items(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM items WHERE i < ${q.qc - 1})
        INSERT INTO quiz_answers (attempt_id, item, question_position, answer, correct, score, answered_at)
        SELECT id, i, pos, CASE WHEN ok THEN '{"kind":"choice","options":[0]}' ELSE '{"kind":"choice","options":[' || (1 + id % 3) || ']}' END, ok, ok, ${now}
        FROM (
          SELECT id, i, pos, CASE WHEN pos = 3 THEN noise < 85 - ability * 0.6 ELSE noise < 15 + ability * 0.6 + (pos * 37) % 40 END AS ok
          FROM (
            SELECT a.id, items.i, (a.id * 5 + items.i * ${step}) % ${q.bank} AS pos,
                   ${h("a.learner_id", 3)} + (a.attempt_no - 1) * 10 AS ability, ${h2("a.id * 64 + items.i")} AS noise
            FROM quiz_attempts a CROSS JOIN items WHERE a.quiz_id = ${q.id}))`);
      sql.exec(`UPDATE quiz_attempts SET score = s.sc, passed = s.sc >= ${q.pass}
        FROM (SELECT attempt_id, CAST(SUM(ans.score) * 1000.0 / ${q.qc} AS INTEGER) / 10.0 AS sc
              FROM quiz_answers ans JOIN quiz_attempts a ON a.id = ans.attempt_id WHERE a.quiz_id = ${q.id} GROUP BY attempt_id) s
        WHERE quiz_attempts.id = s.attempt_id`);
    }
    const qs = courseQuestionnaires(db, COURSE);
    for (const kind of ["pre", "post"] as const) {
      const questions = qs[kind] ?? [];
      sql.exec(`INSERT INTO questionnaire_responses (course_id, kind, learner_id, position, started_at, updated_at, submitted_at)
        SELECT '${COURSE}', '${kind}', id, ${questions.length}, ${now}, ${now}, ${now} + id % 86400000 FROM learners
        WHERE id > ${base} AND ${h("id", kind === "pre" ? 30 : 31)} < ${kind === "pre" ? 60 : 30}`);
      questions.forEach((q, k) => {
        const r = h("r.id", 40 + k);
        const value =
          q.type === "rating"
            ? `${q.min} + ${r} % ${q.max - q.min + 1}`
            : q.type === "single"
              ? `json_quote(CASE ${r} % ${q.options.length} ${q.options.map((o, i) => `WHEN ${i} THEN '${o.id}'`).join(" ")} END)`
              : q.type === "multiple"
                ? `json_array(${q.options
                    .map((o) => `'${o.id}'`)
                    .slice(0, 1)
                    .join(",")})`
                : q.type === "yes_no"
                  ? `CASE WHEN ${r} < 70 THEN 'true' ELSE 'false' END`
                  : q.type === "number"
                    ? `${q.min ?? 0} + ${r} % ${Math.max(1, (q.max ?? 40) - (q.min ?? 0) + 1)}`
                    : `CASE WHEN ${r} < 40 THEN json_quote('Пікір №' || r.id || ': курс пайдалы болды, рақмет!') ELSE NULL END`;
        sql.exec(`INSERT INTO questionnaire_answers (response_id, question_id, value, answered_at)
          SELECT r.id, '${q.id}', ${value}, ${now} FROM questionnaire_responses r WHERE r.course_id = '${COURSE}' AND r.kind = '${kind}'`);
      });
    }
  });
  run();
}

async function main(): Promise<void> {
  const reuse = process.env.BENCH_DB;
  const dir = reuse ? dirname(reuse) : mkdtempSync(join(tmpdir(), "analysis-bench-"));
  const path = reuse ?? join(dir, "bench.sqlite");
  const db = openDatabase(path);
  try {
    const now = Date.UTC(2026, 9, 20, 6, 0);
    let t = performance.now();
    if (!reuse) {
      loadCoursesFromDir(db, join(projectRoot, "courses"), { now: now - 50 * 86_400_000, defaultTimezone: "Asia/Almaty" });
      seedAnalysisBench(db, LEARNERS, now);
    }
    const counts = db.$client
      .prepare(
        `SELECT (SELECT COUNT(*) FROM enrollments) AS enrolled, (SELECT COUNT(*) FROM quiz_attempts) AS attempts,
                (SELECT COUNT(*) FROM quiz_answers) AS answers, (SELECT COUNT(*) FROM questionnaire_answers) AS questionnaireAnswers`,
      )
      .get() as Record<string, number>;
    console.log(`seeded in ${((performance.now() - t) / 1000).toFixed(1)} s:`, counts);
    db.$client.pragma("wal_checkpoint(TRUNCATE)");

    if (FROM_DIST) execFileSync(process.execPath, [join(projectRoot, "scripts", "build.mjs")], { stdio: "inherit" });
    const course = getCourse(db, COURSE)!;
    const delay = monitorEventLoopDelay({ resolution: 10 });
    const cpu = process.cpuUsage();
    // A timer that would be a bot reply: how late does it run while the report is computed?
    let lateMax = 0;
    let last = performance.now();
    const probe = setInterval(() => {
      const n = performance.now();
      lateMax = Math.max(lateMax, n - last - 20);
      last = n;
    }, 20);
    delay.enable();
    t = performance.now();
    // The longest stretches between two pauses: what blocks the event loop.
    const gaps: { step: number; ms: number }[] = [];
    let step = 0;
    let since = performance.now();
    const pause = async () => {
      const n = performance.now();
      gaps.push({ step: step++, ms: n - since });
      await new Promise((r) => setImmediate(r));
      since = performance.now();
    };
    let report: RenderedReport;
    let queries = 0;
    if (IN_THREAD) {
      const analysis = await analyseCourse(db, course, now, { chunkSize: CHUNK, pause });
      queries = performance.now() - t;
      console.log(
        `queries: ${(queries / 1000).toFixed(2)} s; longest steps: ${gaps
          .sort((a, b) => b.ms - a.ms)
          .slice(0, 5)
          .map((g) => `#${g.step} ${g.ms.toFixed(0)} ms`)
          .join(", ")}`,
      );
      report = await renderReport(analysis, LANG, ["Bench author"]);
    } else {
      const buildReportsInWorker = FROM_DIST
        ? (
            (await import(pathToFileURL(join(projectRoot, "dist", "reports", "reportThread.js")).href)) as {
              buildReportsInWorker: typeof buildFromSources;
            }
          ).buildReportsInWorker
        : buildFromSources;
      [report] = (await buildReportsInWorker(path, { courseId: COURSE, now, langs: [LANG], team: ["Bench author"] })) as [RenderedReport];
    }
    const analysis = report.analysis;
    const total = performance.now() - t;
    const cpuUsed = process.cpuUsage(cpu);
    delay.disable();
    clearInterval(probe);
    const ms = (ns: number) => (ns / 1e6).toFixed(0);
    console.log(
      IN_THREAD
        ? `report for ${analysis.enrollment.enrolled.toLocaleString("en")} learners (main thread): queries ${(queries / 1000).toFixed(2)} s, ` +
            `charts (${report.charts.length}) + PDF ${((total - queries) / 1000).toFixed(2)} s, total ${(total / 1000).toFixed(2)} s`
        : `report for ${analysis.enrollment.enrolled.toLocaleString("en")} learners (worker thread): ${report.charts.length} charts, ` +
            `PDF ${(report.pdf!.bytes.length / 1e6).toFixed(1)} MB, total ${(total / 1000).toFixed(2)} s`,
    );
    console.log(
      `CPU time of this process (both threads): ${((cpuUsed.user + cpuUsed.system) / 1e6).toFixed(2)} s; load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(" ")}`,
    );
    console.log(
      `event-loop delay while computing: p50 ${ms(delay.percentile(50))} ms, p99 ${ms(delay.percentile(99))} ms, max ${ms(delay.max)} ms (20 ms probe: latest ${lateMax.toFixed(0)} ms late)`,
    );
    const flagged = analysis.quizzes.flatMap((m) =>
      m.items.filter((i) => i.stats.flags.length).map((i) => `M${m.module.position + 1}#${i.position + 1}:${i.stats.flags.join("+")}`),
    );
    console.log(
      `funnel: took a quiz ${analysis.funnel.tookQuiz}, passed ${analysis.funnel.passedCourse}, certificate ${analysis.funnel.certificate}; flagged: ${flagged.join(" ")}`,
    );
    console.log(`${total < 10_000 ? "OK" : "TOO SLOW"}: ${(total / 1000).toFixed(2)} s (target < 10 s)`);
    if (process.env.BENCH_KEEP) {
      writeFileSync(join(dir, "report.pdf"), report.pdf!.bytes);
      console.log(`kept ${dir}`);
    }
  } finally {
    closeDatabase(db);
    if (!process.env.BENCH_KEEP && !reuse) rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop()!)) await main();

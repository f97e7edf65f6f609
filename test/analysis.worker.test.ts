import { join } from "node:path";
import { PDFDocument } from "pdf-lib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { getCourse } from "../src/db/coursesRepo.js";
import { analyseCourse } from "../src/db/courseAnalysis.js";
import { reportCharts } from "../src/messages/charts/specs.js";
import { translator } from "../src/messages/i18n.js";
import { quizStatsLines, resultsLines } from "../src/reports/authorReports.js";
import {
  buildCourseReports,
  crashReportWorker,
  quizStatsReportLines,
  reportWorkersStarted,
  resultsReportLines,
  stopReportWorker,
} from "../src/reports/reportThread.js";
import { seedAnalysisCourse } from "./support/analysisSeed.js";
import { T0, tempDir, TestBot } from "./support/harness.js";

// A report on a database file is built in a worker thread (its own read-only connection, real
// charts): it must say exactly what the same report built on the bot's thread says.
describe("the analysis report built in a worker thread", () => {
  let dir: ReturnType<typeof tempDir>;
  let tb: TestBot;
  beforeEach(() => {
    dir = tempDir();
    tb = new TestBot({ now: T0, dbPath: join(dir.dir, "bot.sqlite") });
    seedAnalysisCourse(tb);
  });
  afterEach(() => {
    tb.close();
    dir.cleanup();
  });

  it("has the same numbers, one PNG per chart and a PDF with the charts", async () => {
    const course = getCourse(tb.db, "python-101")!;
    // One language: drawing real charts takes seconds (the per-language loop is the in-thread one).
    const reports = await buildCourseReports(tb.db, course, ["ru"], T0, ["Author"]);
    const here = await analyseCourse(tb.db, course, T0);
    expect([...reports.keys()]).toEqual(["ru"]);
    for (const [lang, report] of reports) {
      expect(report.analysis).toEqual(here);
      const expected = reportCharts(here, translator(lang), lang);
      expect(report.charts.map((c) => [c.id, c.caption])).toEqual(expected.map((c) => [c.id, c.caption]));
      for (const c of report.charts) {
        expect(Buffer.isBuffer(c.png)).toBe(true);
        expect(c.png.subarray(1, 4).toString("latin1")).toBe("PNG");
      }
      const pdf = await PDFDocument.load(report.pdf!.bytes);
      expect(pdf.getPageCount()).toBeGreaterThan(1);
      expect(report.summary.join("\n")).toContain("Введение в Python");
    }
  });

  it("/quizstats and /results built in workers say what they say on the bot's thread", async () => {
    const course = getCourse(tb.db, "python-101")!;
    const [stats, results] = await Promise.all([quizStatsReportLines(tb.db, [course], "kk"), resultsReportLines(tb.db, course, "en")]);
    expect(stats).toEqual(await quizStatsLines(tb.db, [course], "kk"));
    expect(stats.join("\n")).toContain("(kk)");
    expect(results).toEqual(resultsLines(tb.db, course, "en"));
    expect(results.length).toBeGreaterThan(5);
  });

  it("a course that is gone is an error, not a hang", async () => {
    const course = { ...getCourse(tb.db, "python-101")!, id: "gone" };
    await expect(buildCourseReports(tb.db, course, ["en"], T0, [])).rejects.toThrow(/course gone not found/);
  });

  it("one worker serves request after request, and a crashed one is replaced", async () => {
    const course = getCourse(tb.db, "python-101")!;
    const file = join(dir.dir, "bot.sqlite");
    const first = resultsLines(tb.db, course, "en");
    expect(await resultsReportLines(tb.db, course, "en")).toEqual(first);
    const started = reportWorkersStarted();
    expect(await resultsReportLines(tb.db, course, "en")).toEqual(first);
    expect(await quizStatsReportLines(tb.db, [course], "ru")).toEqual(await quizStatsLines(tb.db, [course], "ru"));
    expect(reportWorkersStarted()).toBe(started);

    // A request queued behind the one that crashes the worker still gets its answer, from a new worker.
    const crash = crashReportWorker(file);
    const after = resultsReportLines(tb.db, course, "en");
    await expect(crash).rejects.toThrow(/crash report worker exited with code 70/);
    expect(await after).toEqual(first);
    expect(reportWorkersStarted()).toBe(started + 1);
    expect(await resultsReportLines(tb.db, course, "ru")).toEqual(resultsLines(tb.db, course, "ru"));
    expect(reportWorkersStarted()).toBe(started + 1);

    // Stopped with the bot; a later request (another bot in the same process) starts a new one.
    await stopReportWorker();
    expect(await resultsReportLines(tb.db, course, "en")).toEqual(first);
    expect(reportWorkersStarted()).toBe(started + 2);
  });
});

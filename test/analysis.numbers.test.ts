import { PDFDict, PDFDocument, PDFName } from "pdf-lib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { getCourse } from "../src/db/coursesRepo.js";
import { correlationFromSums, itemFlags, thirdOf } from "../src/domain/itemAnalysis.js";
import { chartPng } from "../src/messages/charts/render.js";
import {
  comparisonData,
  funnelChart,
  funnelData,
  histogramBins,
  modulesData,
  progressData,
  reportCharts,
} from "../src/messages/charts/specs.js";
import { translator } from "../src/messages/i18n.js";
import { reportPdf } from "../src/messages/reportPdf.js";
import { flaggedQuestionLines } from "../src/messages/reportViews.js";
import { analyseCourse, courseItemAnalysis, isEmptyAnalysis, itemAnalysis, type CourseAnalysis } from "../src/db/courseAnalysis.js";
import { quizQuestionTallies, quizTotals } from "../src/db/reportsRepo.js";
import { QUIZ1_FIRST, seedAnalysisCourse } from "./support/analysisSeed.js";
import { T0, TestBot } from "./support/harness.js";

let tb: TestBot;
beforeEach(() => {
  tb = new TestBot({ now: T0 });
});
afterEach(() => tb.close());

async function analysis(chunkSize?: number): Promise<CourseAnalysis> {
  return analyseCourse(tb.db, getCourse(tb.db, "python-101")!, T0, { chunkSize });
}

/** Pearson's r straight from the definition, to check the one computed from SQL sums. */
function pearson(xs: number[], ys: number[]): number {
  const mx = xs.reduce((a, b) => a + b) / xs.length;
  const my = ys.reduce((a, b) => a + b) / ys.length;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  xs.forEach((x, i) => {
    sxy += (x - mx) * (ys[i]! - my);
    sxx += (x - mx) ** 2;
    syy += (ys[i]! - my) ** 2;
  });
  return sxy / Math.sqrt(sxx * syy);
}

describe("the numbers behind the charts (seeded course, worked out by hand)", () => {
  beforeEach(() => seedAnalysisCourse(tb));

  it("funnel: enrolled → took a quiz → passed each module → passed the course → certificate", async () => {
    const a = await analysis();
    expect(a.enrollment).toEqual({ enrolled: 7, active: 6 });
    expect(funnelData(a, translator("en"), "en").map((s) => [s.label, s.count, s.percent])).toEqual([
      ["Enrolled", 7, 100],
      ["Took a quiz", 6, 85.7],
      ["Passed module 1", 3, 42.9],
      ["Passed module 2", 2, 28.6],
      ["Passed the course (≥40%)", 2, 28.6],
      ["Certificate (≥85%)", 1, 14.3],
    ]);
  });

  it("progress: 5% buckets of the course progress (mean module score, a quiz not finished counts 0)", async () => {
    // L1 (100+100)/2 = 100, L2 (80+50)/2 = 65, L3 40/2 = 20, L4 20, L5 60/2 = 30, L6 20, L7 0.
    const expected = Array.from({ length: 20 }, () => 0);
    expected[0] = 1;
    expected[4] = 3;
    expected[6] = 1;
    expected[13] = 1;
    expected[19] = 1;
    const a = await analysis();
    expect(a.progressBuckets).toEqual(expected);
    // Chunked by learner ranges (as for a big course), or not at all (the worker), the same numbers.
    expect((await analysis(2)).progressBuckets).toEqual(expected);
    expect((await analysis(Infinity)).progressBuckets).toEqual(expected);
    const data = progressData(a);
    expect(data[7]).toEqual({ from: 35, to: 40, count: 0, status: "not_completed" });
    expect(data[8]!.status).toBe("passed");
    expect(data[17]).toEqual({ from: 85, to: 90, count: 0, status: "certificate" });
  });

  it("modules: takers, pass rate and average module score (best attempt)", async () => {
    const a = await analysis();
    expect(a.quizzes.map((m) => [m.takers, m.scored, m.passed, m.average])).toEqual([
      [6, 6, 3, 60], // 100 (L1's retake), 80, 40, 40, 60, 40
      [3, 2, 2, 75], // L3 started and never finished
    ]);
    expect(modulesData(a, translator("ru"))).toEqual([
      { module: "Модуль 1", measure: "Доля сдавших", value: 50 },
      { module: "Модуль 1", measure: "Средний балл", value: 60 },
      { module: "Модуль 2", measure: "Доля сдавших", value: 66.7 },
      { module: "Модуль 2", measure: "Средний балл", value: 75 },
    ]);
  });

  it("module scores follow the quiz's policy ('last': the last finished attempt, not the best); /quizstats tallies count every attempt", async () => {
    const db = tb.db.$client;
    const q1 = (await analysis()).quizzes[0]!.quiz.id;
    // L1 takes quiz 1 a third time and scores 20 (Q1 right only), then starts a fourth and leaves it.
    const third = db
      .prepare(
        `INSERT INTO quiz_attempts (learner_id, quiz_id, attempt_no, variant, started_at, ends_at, finished_at, end_reason, score, passed)
         VALUES (1, ?, 3, '[]', ?, ?, ?, 'submitted', 20, 0)`,
      )
      .run(q1, T0, T0 + 1e9, T0).lastInsertRowid as number;
    const answer = db.prepare(
      "INSERT INTO quiz_answers (attempt_id, item, question_position, answer, correct, score, answered_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
    );
    for (let i = 0; i < 5; i++)
      answer.run(third, i, i, JSON.stringify({ kind: "choice", options: [i === 0 ? 0 : 1] }), i === 0 ? 1 : 0, i === 0 ? 1 : 0, T0);
    const fourth = db
      .prepare(`INSERT INTO quiz_attempts (learner_id, quiz_id, attempt_no, variant, started_at, ends_at) VALUES (1, ?, 4, '[]', ?, ?)`)
      .run(q1, T0, T0 + 1e9).lastInsertRowid as number;
    answer.run(fourth, 0, 2, JSON.stringify({ kind: "choice", options: [0] }), 1, 1, T0);

    // "best": L1's module score is still the retake's 100.
    let a = await analysis();
    expect([a.quizzes[0]!.scored, a.quizzes[0]!.passed, a.quizzes[0]!.average]).toEqual([6, 3, 60]);
    expect(a.progressBuckets[19]).toBe(1);
    db.prepare("UPDATE quizzes SET score_policy = 'last' WHERE id = ?").run(q1);
    a = await analysis();
    // 20, 80, 40, 40, 60, 40: two pass (≥ 60), average 280 / 6 = 46.7 floored to 46.6.
    expect([a.quizzes[0]!.takers, a.quizzes[0]!.scored, a.quizzes[0]!.passed, a.quizzes[0]!.average]).toEqual([6, 6, 2, 46.6]);
    // L1's progress (20 + 100) / 2 = 60: bucket 12 instead of 19; the same by learner chunks of 2.
    const expected = Array.from({ length: 20 }, () => 0);
    expected[0] = 1;
    expected[4] = 3;
    expected[6] = 1;
    expected[12] = 1;
    expected[13] = 1;
    expect(a.progressBuckets).toEqual(expected);
    expect((await analysis(2)).progressBuckets).toEqual(expected);
    expect(a.funnel).toEqual({ tookQuiz: 6, passedCourse: 2, certificate: 0 });
    // Item analysis still reads first attempts only.
    expect(a.quizzes[0]!.items.map((i) => i.stats.n)).toEqual([6, 6, 6, 6, 6]);
    // /quizstats's tallies, counted in the item-analysis pass, equal the per-quiz query over every attempt.
    const [first] = await courseItemAnalysis(tb.db, "python-101");
    expect(first!.tallies).toEqual(quizQuestionTallies(tb.db, q1).sort((x, y) => x.position - y.position));
    expect(first!.tallies.map((t) => [t.answers, t.right])).toEqual([
      [8, 8],
      [8, 4],
      [9, 5],
      [8, 4],
      [8, 2],
    ]);
    expect(quizTotals(tb.db, q1, "last", 60)).toEqual({ learners: 6, passed: 2, average: 280 / 6 });
  });

  it("item analysis: facility, discrimination (thirds), point-biserial, option counts, flags — first attempts only", async () => {
    const a = await analysis();
    const items = a.quizzes[0]!.items;
    // Thirds by score then id: bottom L3, L4 (40) · middle L6 (40), L1 (60) · top L5 (60), L2 (80).
    expect(items.map((i) => [i.stats.n, Number(i.stats.facility.toFixed(4)), i.stats.discrimination, i.stats.flags])).toEqual([
      [6, 1, 0, ["too_easy"]],
      [6, 0.5, 1, []],
      // Q3: the thirds say +0.5, but against the REST of the attempt those who got it right did
      // worse (rest 40, 60, 20 vs 40, 40, 60): r < 0, flagged.
      [6, 0.5, 0.5, ["negative_discrimination"]],
      [6, 0.5, -0.5, ["negative_discrimination"]],
      [6, 0.1667, 0.5, ["too_hard"]],
    ]);
    // r of each item with the rest of the attempt (score minus the item's 20 points).
    const learners = Object.values(QUIZ1_FIRST);
    for (const k of [1, 2, 3, 4]) {
      const xs = learners.map((r) => r[k]!);
      const ys = learners.map((r) => (100 * r.reduce((s, x) => s + x, 0)) / 5 - 20 * r[k]!);
      expect(items[k]!.stats.pointBiserial).toBeCloseTo(pearson(xs, ys), 9);
    }
    expect(items[0]!.stats.pointBiserial).toBeNull(); // everyone right: no variance
    expect(items[2]!.stats.pointBiserial).toBeLessThan(0);
    expect(items[3]!.options).toEqual([3, 3, 0]);
    expect(items[4]!.options).toEqual([1, 0, 5]);
    // Answers scanned in slices of 3 rows: the same numbers.
    const sliced = await itemAnalysis(
      tb.db,
      a.quizzes.map((m) => m.quiz),
      undefined,
      3,
    );
    expect(sliced.get(a.quizzes[0]!.quiz.id)).toEqual(items);
    const tf = a.quizzes[1]!.items[0]!;
    expect([tf.stats.n, tf.stats.facility, tf.stats.discrimination, tf.options]).toEqual([2, 0.5, null, [1, 1]]);
  });

  it("flagged questions come first, in the author's language (for /quizstats and the summary)", async () => {
    const course = getCourse(tb.db, "python-101")!;
    const quizzes = await courseItemAnalysis(tb.db, course.id);
    const en = flaggedQuestionLines(translator("en"), "en", course, quizzes);
    expect(en[0]).toContain("Questions to review");
    expect(en.slice(1).map((l) => /Module (\d), №(\d)/.exec(l)!.slice(1).join("."))).toEqual(["1.3", "1.4", "1.5", "1.1", "2.2"]);
    expect(en[1]).toContain("negative discrimination");
    expect(flaggedQuestionLines(translator("kk"), "kk", course, quizzes)[1]).toContain("теріс дискриминация");
    expect(flaggedQuestionLines(translator("ru"), "ru", course, quizzes)[3]).toContain("слишком трудный");
  });

  it("questionnaires: distributions, a histogram for numbers, free texts, before/after", async () => {
    const a = await analysis();
    const pre = a.questionnaires.find((q) => q.kind === "pre")!;
    expect(pre.counts).toEqual({ submitted: 3, started: 1 });
    const byId = Object.fromEntries(pre.questions.map((q) => [q.question.id, q]));
    expect(byId.motivation!.distribution.map((d) => d.count)).toEqual([0, 0, 0, 2, 1]);
    expect(byId.motivation!.mean).toBeCloseTo(13 / 3, 9);
    expect(byId.devices!.distribution).toEqual([
      { key: "phone", count: 2 },
      { key: "laptop", count: 2 },
      { key: "tablet", count: 1 },
    ]);
    expect(byId.studied_online!.distribution).toEqual([
      { key: "yes", count: 2 },
      { key: "no", count: 1 },
    ]);
    expect(byId.hours!.mean).toBe(9);
    expect(histogramBins(byId.hours!.values).reduce((s, b) => s + b.count, 0)).toBe(3);
    expect(byId.goals!.textTotal).toBe(2);
    expect(byId.goals!.texts[1]).toBe("learn");
    expect(a.comparisons.map((c) => c.post.question.id)).toEqual(["motivation", "studied_online"]);
    const c = a.comparisons[0]!;
    expect(comparisonData(c.pre, c.post, translator("en"), "en", a.course.languages).filter((d) => d.value > 0)).toEqual([
      { label: "4", when: "Before the course", value: 66.7 },
      { label: "5", when: "Before the course", value: 33.3 },
      { label: "5", when: "After the course", value: 100 },
    ]);
    expect(reportCharts(a, translator("en"), "en").map((s) => s.id)).toEqual([
      "funnel",
      "progress",
      "modules",
      "q-pre-motivation",
      "q-pre-level",
      "q-pre-devices",
      "q-pre-studied_online",
      "q-pre-hours",
      "q-post-motivation",
      "q-post-studied_online",
      "cmp-motivation",
      "cmp-studied_online",
    ]);
  });

  it("writes the charts' numbers as the author reads them: 12 345 and 28,6% in Kazakh and Russian, 12,345 and 28.6% in English", async () => {
    const a = await analysis();
    const big: CourseAnalysis = { ...a, enrollment: { ...a.enrollment, enrolled: 12_345 } };
    const nbsp = "\u00a0";
    for (const [lang, n, pct] of [
      ["kk", `12${nbsp}345`, "28,6%"],
      ["ru", `12${nbsp}345`, "28,6%"],
      ["en", "12,345", "28.6%"],
    ] as const) {
      const charts = reportCharts(big, translator(lang), lang);
      const progress = charts.find((c) => c.id === "progress")!.spec as { title: { subtitle: string }; config: { locale: unknown } };
      expect(progress.title.subtitle).toContain(n);
      expect(progress.config.locale).toMatchObject({ number: { thousands: lang === "en" ? "," : nbsp } });
      const funnel = funnelChart(a, translator(lang), lang).spec as { data: { values: { text: string }[] } };
      expect(funnel.data.values.map((v) => v.text)).toContain(`2 (${pct})`);
    }
  });

  it("draws a chart as a valid PNG of a sane size, and a PDF with the course title in Kazakh", async () => {
    const a = await analysis();
    const chart = funnelChart(a, translator("kk"), "kk");
    const png = await chartPng(chart.spec);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    const width = png.readUInt32BE(16);
    const height = png.readUInt32BE(20);
    expect(width).toBeGreaterThan(800);
    expect(width).toBeLessThan(3000);
    expect(height).toBeGreaterThan(300);
    expect(height).toBeLessThan(3000);
    expect(png.length).toBeLessThan(500_000);

    const bytes = await reportPdf({
      analysis: a,
      charts: [{ caption: chart.caption, png }],
      t: translator("kk"),
      lang: "kk",
      team: ["Әсел Қасымова"],
    });
    const doc = await PDFDocument.load(bytes);
    expect(doc.getTitle()).toBe("Курсты талдау есебі: Python тіліне кіріспе");
    expect(doc.getPageCount()).toBeGreaterThanOrEqual(3); // summary + charts, module 1 items, module 2 items + texts
    // The DejaVu font is embedded (subset), so Kazakh letters are drawn with real glyphs.
    const fontNames = doc.context
      .enumerateIndirectObjects()
      .map(([, obj]) => (obj instanceof PDFDict ? obj.get(PDFName.of("FontName")) : undefined))
      .filter((n) => n !== undefined)
      .map(String);
    expect(fontNames.some((n) => n.includes("DejaVuSans"))).toBe(true);
  });
});

describe("empty course and pure helpers", () => {
  it("a course nobody enrolled in is empty: no chart is drawn", async () => {
    seedAnalysisCourse(tb, { withData: false });
    const a = await analysis();
    expect(isEmptyAnalysis(a)).toBe(true);
    expect(a.progressBuckets.every((n) => n === 0)).toBe(true);
  });

  it("thirds split like NTILE(3), flags follow the thresholds, r needs variance", () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((k) => thirdOf(k, 7))).toEqual([1, 1, 1, 2, 2, 3, 3]);
    expect(itemFlags(10, 0.95, 0.1, null)).toEqual(["too_easy"]);
    expect(itemFlags(10, 0.9, 0.1, null)).toEqual([]);
    expect(itemFlags(10, 0.19, null, -0.2)).toEqual(["too_hard", "negative_discrimination"]);
    expect(itemFlags(0, 0, null, null)).toEqual([]);
    expect(correlationFromSums(3, 3, 3, 6, 14, 6)).toBeNull();
  });
});

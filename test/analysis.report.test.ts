import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { HOUR } from "../src/clock.js";
import { getCourse } from "../src/db/coursesRepo.js";
import { analysisReportsJob, analysisWindow } from "../src/jobs/analysisReports.js";
import { reportCourse } from "../src/messages/callbackData.js";
import { seedAnalysisCourse } from "./support/analysisSeed.js";
import { T0, tempDir, TestBot } from "./support/harness.js";

// Drawing a dozen charts takes seconds; analysis.numbers.test.ts draws a real one. Here every chart is
// a 1×1 PNG, so these tests are about what is sent, when, and to whom.
// The jobs below run on a database file, which would build in a worker thread (where this mock does
// not apply): they pass `inThread`; test/analysis.worker.test.ts checks the worker.
vi.mock("../src/messages/charts/render.js", async (importOriginal) => {
  const original = await importOriginal<typeof import("../src/messages/charts/render.js")>();
  const tiny = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8/x8AAwMCAO+ip1sAAAAASUVORK5CYII=", "base64");
  return { ...original, chartPng: async () => tiny, chartImage: async () => ({ png: tiny, raster: undefined }) };
});

const AUTHORS = { ADMIN_IDS: "900,901,902" };

function callsTo(tb: TestBot, chatId: number) {
  return tb.telegram.calls.filter((c) => Number(c.payload.chat_id) === chatId);
}

describe("/report", () => {
  let tb: TestBot;
  beforeEach(() => {
    tb = new TestBot({ now: T0, config: AUTHORS });
  });
  afterEach(() => tb.close());

  it("is for authors only", async () => {
    seedAnalysisCourse(tb);
    const learner = tb.user(5, { lang: "en" });
    await learner.send("/report python-101");
    expect(learner.lastText()).toContain("only for the course authors");
    expect(callsTo(tb, 5).some((c) => c.method === "sendMediaGroup" || c.method === "sendDocument")).toBe(false);
  });

  it("without a course asks which one; the chosen course's report comes as summary, albums of ≤10 charts and a PDF", async () => {
    seedAnalysisCourse(tb);
    const author = tb.user(900, { lang: "en" });
    await author.send("/report");
    expect(author.lastText()).toContain("Which course's analysis report");
    expect(author.buttons().map((b) => b.data)).toEqual([reportCourse.encode("python-101")]);
    await author.press(author.buttons()[0]!.data);

    const texts = author.texts().join("\n");
    expect(texts).toContain("Preparing the analysis report for “Introduction to Python”");
    expect(texts).toContain("Enrolled: 7 (still enrolled: 6) · took a quiz: 6 · passed the course: 2 · certificate: 1");
    expect(texts).toContain("Module 1: took it 6, passed 3 (50%), average score 60%");
    // Flagged questions first: Q4's negative discrimination before Q5 (too hard) and Q1 (too easy).
    expect(texts.indexOf("№4")).toBeLessThan(texts.indexOf("№5"));
    expect(texts.indexOf("№5")).toBeLessThan(texts.indexOf("№1 "));

    const sent = callsTo(tb, 900);
    const albums = sent.filter((c) => c.method === "sendMediaGroup").map((c) => c.payload.media as { type: string; caption: string }[]);
    expect(albums.map((a) => a.length)).toEqual([10, 2]);
    expect(albums[0]![0]!.caption).toBe("Enrollment funnel · Introduction to Python");
    expect(albums.flat().every((m) => m.type === "photo")).toBe(true);
    const doc = sent.find((c) => c.method === "sendDocument")!;
    expect(doc.payload["document:file"].filename).toBe("report-python-101-2026-09-01.pdf");
    expect(doc.payload.caption).toContain("PDF");
  });

  it("an empty course answers «nothing to report yet» in the author's language, with no chart", async () => {
    seedAnalysisCourse(tb, { withData: false });
    const expected = { kk: "әзірге көрсететін дерек жоқ", ru: "пока нечего показать", en: "Nothing to report yet" };
    for (const [i, lang] of (["kk", "ru", "en"] as const).entries()) {
      const author = tb.user(900 + i, { lang });
      await author.send("/report python-101");
      expect(author.lastText()).toContain(expected[lang]);
      expect(
        callsTo(tb, 900 + i).some((c) => c.method === "sendMediaGroup" || c.method === "sendPhoto" || c.method === "sendDocument"),
      ).toBe(false);
    }
  });

  it("an unknown course id is named", async () => {
    const author = tb.user(900, { lang: "ru" });
    await author.send("/report nope");
    expect(author.lastText()).toContain("Курса «nope» нет");
  });
});

describe("automatic analysis reports", () => {
  const intro = { kk: "талдау кезеңі басталды", ru: "Начался период анализа", en: "analysis period of “Introduction to Python” has begun" };
  let dir: ReturnType<typeof tempDir>;
  let tb: TestBot;
  beforeEach(async () => {
    dir = tempDir();
    tb = new TestBot({ now: T0, dbPath: join(dir.dir, "bot.sqlite"), config: AUTHORS });
    seedAnalysisCourse(tb);
    // The authors have talked to the bot, so it knows their language.
    for (const [i, lang] of (["kk", "ru", "en"] as const).entries()) await tb.user(900 + i, { lang }).send("/start");
  });
  afterEach(() => {
    tb.close();
    dir.cleanup();
  });

  const reportsTo = (bot: TestBot, chatId: number) => callsTo(bot, chatId).filter((c) => c.method === "sendDocument").length;
  const window = () => analysisWindow(getCourse(tb.db, "python-101")!);

  it("sends once when the analysis window opens, in each author's language, and not again after a restart", async () => {
    const job = analysisReportsJob({ db: tb.db, api: tb.bot.api, config: tb.config, analysis: { inThread: true } });
    await job.run(window().opensAt - HOUR);
    expect([900, 901, 902].map((id) => reportsTo(tb, id))).toEqual([0, 0, 0]);

    await job.run(window().opensAt + HOUR);
    for (const [i, lang] of (["kk", "ru", "en"] as const).entries()) {
      expect(reportsTo(tb, 900 + i)).toBe(1);
      expect(tb.telegram.textsTo(900 + i).join("\n")).toContain(intro[lang]);
    }
    await job.run(window().opensAt + 2 * HOUR);
    expect([900, 901, 902].map((id) => reportsTo(tb, id))).toEqual([1, 1, 1]);

    // A restart: a new process on the same database.
    const path = join(dir.dir, "bot.sqlite");
    tb.close();
    tb = new TestBot({ now: T0, dbPath: path, config: AUTHORS });
    await analysisReportsJob({ db: tb.db, api: tb.bot.api, config: tb.config, analysis: { inThread: true } }).run(
      window().opensAt + 3 * HOUR,
    );
    expect(tb.telegram.calls.filter((c) => c.method === "sendDocument")).toHaveLength(0);
  });

  it("at the window's end sends again only if the data changed", async () => {
    const job = analysisReportsJob({ db: tb.db, api: tb.bot.api, config: tb.config, analysis: { inThread: true } });
    await job.run(window().opensAt + HOUR);
    await job.run(window().closesAt + HOUR);
    expect(reportsTo(tb, 900)).toBe(1);
    const states = tb.db.$client.prepare("SELECT author_id, phase, state FROM analysis_reports ORDER BY author_id, phase").all();
    expect(states).toContainEqual({ author_id: 900, phase: "end", state: "unchanged" });

    // Another course run: a late questionnaire answer changes the data before the end.
    const other = new TestBot({ now: T0, config: AUTHORS });
    try {
      seedAnalysisCourse(other);
      for (const [i, lang] of (["kk", "ru", "en"] as const).entries()) await other.user(900 + i, { lang }).send("/start");
      const w = analysisWindow(getCourse(other.db, "python-101")!);
      const job2 = analysisReportsJob({ db: other.db, api: other.bot.api, config: other.config, analysis: { inThread: true } });
      await job2.run(w.opensAt + HOUR);
      other.db.$client
        .prepare(
          "INSERT INTO questionnaire_responses (course_id, kind, learner_id, position, started_at, updated_at, submitted_at) VALUES ('python-101', 'post', 3, 0, ?, ?, ?)",
        )
        .run(w.opensAt + 2 * HOUR, w.opensAt + 2 * HOUR, w.opensAt + 2 * HOUR);
      await job2.run(w.closesAt + HOUR);
      expect(reportsTo(other, 901)).toBe(2);
      expect(other.telegram.textsTo(901).join("\n")).toContain("Сегодня заканчивается период анализа");
      await job2.run(w.closesAt + 2 * HOUR);
      expect(reportsTo(other, 901)).toBe(2);
    } finally {
      other.close();
    }
  });

  it("a send cut off by a crash is not repeated; a failed one is retried on the next tick", async () => {
    const now = window().opensAt + HOUR;
    tb.db.$client
      .prepare(
        "INSERT INTO analysis_reports (course_id, author_id, phase, state, fingerprint, attempts, created_at, updated_at) VALUES ('python-101', 901, 'start', 'sending', 'x', 1, ?, ?)",
      )
      .run(now, now);
    let failOnce = true;
    tb.telegram.failures.push((call) => {
      if (call.method === "sendDocument" && Number(call.payload.chat_id) === 900 && failOnce) {
        failOnce = false;
        return { error_code: 400, description: "Bad Request: file is too big" };
      }
      return undefined;
    });
    const job = analysisReportsJob({ db: tb.db, api: tb.bot.api, config: tb.config, analysis: { inThread: true } });
    await job.run(now);
    expect(reportsTo(tb, 901)).toBe(0);
    const state = (id: number) =>
      tb.db.$client.prepare("SELECT state, attempts FROM analysis_reports WHERE author_id = ? AND phase = 'start'").get(id) as object;
    expect(state(901)).toEqual({ state: "uncertain", attempts: 1 });
    await job.run(now + HOUR);
    expect(state(900)).toEqual({ state: "sent", attempts: 2 });
    expect(state(902)).toEqual({ state: "sent", attempts: 1 });
    expect(reportsTo(tb, 901)).toBe(0);
  });
});

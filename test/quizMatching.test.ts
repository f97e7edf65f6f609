/**
 * Issue 12 item 4 and the photo of item 3 in the chat, through the real pipeline: a matching
 * question asked one pair at a time and scored per pair (as Moodle), its pairs surviving a restart,
 * a question's photo sent before it (uploaded once, then by file_id); and issue 11 item 2's
 * flagged questions at the top of /quizstats.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { desc, eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { quizMatch } from "../src/messages/callbackData.js";
import { questionImage } from "../src/db/questionImagesRepo.js";
import { quizBank } from "../src/db/quizRepo.js";
import { quizAnswers, quizAttempts, type QuizAttempt } from "../src/db/schema/index.js";
import { matchingChoices } from "../src/domain/quiz.js";
import { validateCourseText } from "../src/courses/validate.js";
import { courseYaml } from "./support/courses.js";
import { seedAnalysisCourse } from "./support/analysisSeed.js";
import { T0, tempDir, TestBot, type TestUser } from "./support/harness.js";

const START = "2026-08-31";

const MATCHING_GIFT = `::Capitals:: Match the countries and capitals. {
=Kazakhstan -> Astana
=Kyrgyzstan -> Bishkek
=Uzbekistan -> Tashkent
}
`;

let dir: string;
let cleanup: () => void;
let tb: TestBot;

function bot(dbPath: string, telegram?: TestBot["telegram"]): TestBot {
  return new TestBot({ now: T0, dbPath, telegram });
}

function loadBank(bankYaml: string, feedback = "after_each"): void {
  tb.loadCourse(
    courseYaml({ start: START, languages: ["en"], quizzes: { 0: `pass_score: 60\nattempts: 3\nfeedback: ${feedback}\n${bankYaml}` } }),
    { baseDir: dir },
  );
}

async function enrolled(id: number, b = tb): Promise<TestUser> {
  const u = b.user(id);
  await u.send("/start");
  await u.press("enr!:python-101");
  return u;
}

async function openQuiz(u: TestUser): Promise<void> {
  await u.press("qz:python-101:0");
  const start = u.buttons().find((x) => x.data.startsWith("qs:"));
  if (!start) throw new Error(`no start button: ${u.lastText()}`);
  await u.press(start.data);
}

function latestAttempt(u: TestUser, b = tb): QuizAttempt {
  return b.db.select().from(quizAttempts).where(eq(quizAttempts.learnerId, u.id)).orderBy(desc(quizAttempts.id)).get()!;
}

/** Presses, on pair `step`, the button of the right-hand answer `choice` (an index of matchingChoices). */
async function choose(u: TestUser, step: number, choice: number, b = tb, messageId?: number): Promise<void> {
  const a = latestAttempt(u, b);
  const shown = a.variant[0]!.order.indexOf(choice);
  await u.press(quizMatch.encode(a.id, 0, step, shown), messageId);
}

function answerOf(u: TestUser, b = tb) {
  return b.db
    .select()
    .from(quizAnswers)
    .where(eq(quizAnswers.attemptId, latestAttempt(u, b).id))
    .all();
}

beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  tb = bot(join(dir, "bot.sqlite"));
});
afterEach(() => {
  tb.close();
  cleanup();
});

describe("a GIFT matching question in the chat", () => {
  beforeEach(() => {
    writeFileSync(join(dir, "m.en.gift"), MATCHING_GIFT);
    loadBank("gift: { en: m.en.gift }");
  });

  it("asks one pair at a time with the learner's shuffled answers, and scores per pair as Moodle (right, partly, wrong)", async () => {
    const u = await enrolled(1);
    const q = quizBank(tb.db, latestAttemptQuizId())[0]!;
    expect(q.kind).toBe("matching");
    expect(matchingChoices(q).map((c) => c.en)).toEqual(["Astana", "Bishkek", "Tashkent"]);

    // Right: every pair.
    await openQuiz(u);
    const a = latestAttempt(u);
    const shownOrder = a.variant[0]!.order.map((c) => ["Astana", "Bishkek", "Tashkent"][c]);
    expect(u.lastText()).toContain("Pair 1 of 3: what matches\n➡️ <b>Kazakhstan</b>");
    expect(u.lastText()).toContain(`<b>A.</b> ${shownOrder[0]}\n<b>B.</b> ${shownOrder[1]}\n<b>C.</b> ${shownOrder[2]}`);
    expect(u.buttons().map((x) => x.data)).toEqual([0, 1, 2].map((n) => quizMatch.encode(a.id, 0, 0, n)));
    await choose(u, 0, 0);
    expect(u.lastText()).toContain("Pair 2 of 3: what matches\n➡️ <b>Kyrgyzstan</b>");
    expect(u.buttons().map((x) => x.data)).toEqual([0, 1, 2].map((n) => quizMatch.encode(a.id, 0, 1, n)));
    expect(answerOf(u)).toEqual([]); // nothing graded before the last pair
    await choose(u, 1, 1);
    await choose(u, 2, 2);
    let texts = u.texts();
    const summary = texts.find((t) => t.startsWith("Your answers:"))!;
    expect(summary).toBe("Your answers:\n✅ Kazakhstan → Astana\n✅ Kyrgyzstan → Bishkek\n✅ Uzbekistan → Tashkent\n\n✅ Correct!");
    expect(u.lastText()).toContain("Quiz finished: 100%");
    expect(answerOf(u)).toMatchObject([{ item: 0, score: 1, correct: true, answer: { kind: "matching", choices: [0, 1, 2] } }]);
    expect(latestAttempt(u).matchingPartial).toBeNull();

    // Partly right: one pair of three.
    await openQuiz(u);
    await choose(u, 0, 0);
    await choose(u, 1, 2);
    await choose(u, 2, 1);
    texts = u.texts();
    expect(texts.filter((t) => t.startsWith("Your answers:")).at(-1)).toContain(
      "✅ Kazakhstan → Astana\n❌ Kyrgyzstan → Tashkent\n❌ Uzbekistan → Bishkek\n\n🟡 Partly correct (33% of the points).",
    );
    expect(answerOf(u)[0]!.score).toBeCloseTo(1 / 3, 9);
    expect(latestAttempt(u).score).toBeCloseTo(33.3, 1);

    // Wrong: no pair.
    await openQuiz(u);
    await choose(u, 0, 1);
    await choose(u, 1, 2);
    await choose(u, 2, 0);
    expect(
      u
        .texts()
        .filter((t) => t.startsWith("Your answers:"))
        .at(-1),
    ).toContain("❌ Uzbekistan → Astana\n\n❌ Not correct.");
    expect(answerOf(u)).toMatchObject([{ score: 0, correct: false }]);
    expect(latestAttempt(u).score).toBe(0);
  });

  it("keeps the pairs chosen before a restart and resumes at the next pair", async () => {
    const u = await enrolled(2);
    await openQuiz(u);
    await choose(u, 0, 1); // wrong pair, before the restart
    const pair2Message = u.lastMessageId();
    expect(latestAttempt(u).matchingPartial).toEqual({ item: 0, choices: [1] });

    // The process dies and comes back on the same database.
    const telegram = tb.telegram;
    tb.close();
    tb = bot(join(dir, "bot.sqlite"), telegram);
    const again = tb.user(2);
    // /quiz and "Continue" show the pair the learner is on, not the first one.
    await openQuiz(again);
    expect(again.lastText()).toContain("Pair 2 of 3: what matches\n➡️ <b>Kyrgyzstan</b>");
    // The keyboard sent before the restart still works: its pair is the current one.
    await choose(again, 1, 1, tb, pair2Message);
    await choose(again, 2, 2);
    expect(answerOf(again)).toMatchObject([{ answer: { kind: "matching", choices: [1, 1, 2] } }]);
    expect(answerOf(again)[0]!.score).toBeCloseTo(2 / 3, 9);
    expect(again.texts().find((t) => t.startsWith("Your answers:"))).toContain("❌ Kazakhstan → Bishkek\n✅ Kyrgyzstan → Bishkek");
  });

  it("refuses a button of a pair already answered, or of a pair not reached, and changes nothing", async () => {
    const u = await enrolled(3);
    await openQuiz(u);
    const pair1Message = u.lastMessageId();
    await choose(u, 0, 0);
    const sentBefore = tb.telegram.callsOf("sendMessage").length;
    await choose(u, 0, 1, tb, pair1Message);
    expect(u.lastAlert()).toBe(
      "This button belongs to a question that is already answered or to another attempt; it does not count again.",
    );
    expect(latestAttempt(u).matchingPartial).toEqual({ item: 0, choices: [0] });
    // The pair the learner is on comes again, in case it never arrived.
    expect(tb.telegram.callsOf("sendMessage").length).toBe(sentBefore + 1);
    expect(u.lastText()).toContain("Pair 2 of 3");
    await choose(u, 2, 1);
    expect(u.lastAlert()).toContain("already answered");
    expect(latestAttempt(u).matchingPartial).toEqual({ item: 0, choices: [0] });
    expect(answerOf(u)).toEqual([]);
    // Another learner's button is not theirs to press.
    const other = await enrolled(4);
    const a = latestAttempt(u);
    await other.press(quizMatch.encode(a.id, 0, 1, 0));
    expect(other.lastAlert()).toBeDefined();
    expect(latestAttempt(u).matchingPartial).toEqual({ item: 0, choices: [0] });
  });

  it("a typed message during a matching question points to the buttons and repeats the pair", async () => {
    const u = await enrolled(5);
    await openQuiz(u);
    await choose(u, 0, 0);
    await u.send("Astana");
    expect(u.lastText()).toContain("Pair 2 of 3");
    expect(latestAttempt(u).matchingPartial).toEqual({ item: 0, choices: [0] });
  });

  function latestAttemptQuizId(): number {
    return tb.db.$client.prepare<[], { id: number }>("SELECT id FROM quizzes").get()!.id;
  }
});

describe("the time runs out in the middle of a matching question", () => {
  it("counts the pairs chosen, as Moodle grades the selections saved", async () => {
    writeFileSync(join(dir, "m.en.gift"), MATCHING_GIFT);
    loadBank("time_limit_minutes: 10\ngift: { en: m.en.gift }");
    const u = await enrolled(6);
    await openQuiz(u);
    await choose(u, 0, 0);
    tb.clock.advance(11 * 60_000);
    await choose(u, 1, 1);
    expect(latestAttempt(u)).toMatchObject({ endReason: "time_up" });
    expect(answerOf(u)).toMatchObject([{ answer: { kind: "matching", choices: [0, -1, -1] } }]);
    expect(latestAttempt(u).score).toBeCloseTo(33.3, 1);
  });
});

describe("a Moodle XML question with an embedded image", () => {
  it("sends the photo (no caption) just before the question, uploading it once and then by file_id", async () => {
    const png = Buffer.from("89504e470d0a1a0a0000000d494844520000000100000001", "hex").toString("base64");
    const question = (i: number) => `<question type="multichoice"><name><text>q${i}</text></name>
<questiontext format="html"><text><![CDATA[<p>Shape ${i}: which is it? <img src="@@PLUGINFILE@@/shape.png"></p>]]></text><file name="shape.png" path="/" encoding="base64">${png}</file></questiontext>
<single>true</single><answer fraction="100"><text>circle</text></answer><answer fraction="0"><text>square</text></answer></question>`;
    writeFileSync(join(dir, "w.en.xml"), `<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n${question(1)}\n${question(2)}\n</quiz>\n`);
    loadBank("moodle_xml: { en: w.en.xml }");
    const u = await enrolled(7);
    await openQuiz(u);
    const sends = () =>
      tb.telegram.calls.filter((c) => ["sendMessage", "sendPhoto"].includes(c.method) && Number(c.payload.chat_id) === u.id);
    let last = sends().slice(-2);
    expect(last.map((c) => c.method)).toEqual(["sendPhoto", "sendMessage"]);
    expect(last[0]!.payload.caption).toBeUndefined();
    expect(last[0]!.payload["photo:file"]).toMatchObject({ filename: "shape.png" }); // the bytes, uploaded
    expect(last[1]!.payload.text).toMatch(/Shape \d: which is it\?/);
    const sha = quizBank(tb.db, latestAttempt(u).quizId)[0]!.image!.sha256;
    expect(questionImage(tb.db, sha)!.fileId).toBe("photo"); // what the fake Bot API returned

    const a = latestAttempt(u);
    const v = a.variant[0]!;
    await u.press(`qzc:${a.id}:0:${v.order.indexOf(0)}`);
    last = sends().slice(-2);
    expect(last.map((c) => c.method)).toEqual(["sendPhoto", "sendMessage"]);
    expect(last[0]!.payload.photo).toBe("photo"); // the second time: the file_id
    expect(last[1]!.payload.text).toMatch(/Question 2 of 2/);
    expect(tb.telegram.callsOf("sendPhoto")).toHaveLength(2);
  });
});

describe("/quizstats", () => {
  it("lists the flagged questions right under the course's header, before the quiz figures", async () => {
    seedAnalysisCourse(tb);
    const author = tb.user(900);
    await author.send("/quizstats python-101");
    const lines = author.lastText().split("\n");
    const header = lines.findIndex((l) => l.startsWith("📊 Quiz statistics") || l.startsWith("📊 <b>Quiz statistics"));
    expect(header).toBeGreaterThanOrEqual(0);
    expect(lines[header + 1]).toContain("Questions to review");
    // Question 1 of module 1 is answered right by everyone: too easy.
    expect(lines.slice(header + 2).find((l) => l.includes("Module 1, №1 "))).toContain("too easy");
    const firstModule = lines.findIndex((l) => l.includes("Module 1") && !l.startsWith("•"));
    expect(firstModule).toBeGreaterThan(header + 1);
  });
});

describe("Telegram's limits for a matching question", () => {
  it("refuses, with its line, a matching question whose pairs would not fit the message after the last pair", () => {
    const long = (s: string) => `${s} ${"x".repeat(150)}`;
    const pairs = Array.from({ length: 20 }, (_, k) => `=${long(`stem ${k}`)} -> ${long(`answer ${k}`)}`).join("\n");
    writeFileSync(join(dir, "m.en.gift"), `Fine? {=a -> 1 =b -> 2}\n\nToo long? {\n${pairs}\n}\n`);
    const yaml = courseYaml({ start: START, languages: ["en"], quizzes: { 0: "pass_score: 60\ngift: { en: m.en.gift }" } });
    const { issues } = validateCourseText(yaml, { now: T0, defaultTimezone: "Asia/Almaty", baseDir: dir });
    const errors = issues.filter((i) => i.level !== "warning" && i.level !== "note");
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: "limit_text", line: 3 });
  });
});

describe("a matching question with feedback at the end", () => {
  it("shows the pairs as matched without marks, and only 'Answer saved.'", async () => {
    writeFileSync(join(dir, "m.en.gift"), MATCHING_GIFT);
    loadBank("gift: { en: m.en.gift }", "at_end");
    const u = await enrolled(8);
    await openQuiz(u);
    await choose(u, 0, 0);
    await choose(u, 1, 2);
    await choose(u, 2, 1);
    const summary = u.texts().find((t) => t.startsWith("Your answers:"))!;
    expect(summary).toBe("Your answers:\n• Kazakhstan → Astana\n• Kyrgyzstan → Tashkent\n• Uzbekistan → Bishkek\n\nAnswer saved.");
    expect(answerOf(u)[0]!.score).toBeCloseTo(1 / 3, 9);
  });
});

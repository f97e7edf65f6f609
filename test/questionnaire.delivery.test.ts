import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DAY } from "../src/clock.js";
import { getCourse } from "../src/db/coursesRepo.js";
import { outbox } from "../src/db/schema/index.js";
import { questionnaireJob } from "../src/jobs/questionnaireJobs.js";
import { OutboxSender } from "../src/jobs/outbox.js";
import { answersOf, getResponse } from "../src/db/questionnaireRepo.js";
import { csvField } from "../src/domain/csv.js";
import { questionnaireHeader } from "../src/reports/questionnaireExport.js";
import { courseYaml } from "./support/courses.js";
import { answerPre, QUESTIONNAIRES_YAML, qa } from "./support/questionnaires.js";
import { T0, TestBot, type TestUser } from "./support/harness.js";

// python-101 starts 2026-09-07 00:00 Almaty (= 2026-09-06 19:00 UTC); 4 modules of 14 days: ends 2026-10-12 00:00 local.
let tb: TestBot;
let kicks = 0;
beforeEach(() => {
  tb = new TestBot({ now: T0 });
  tb.loadCourse(courseYaml({ extra: QUESTIONNAIRES_YAML }));
  kicks = 0;
});
afterEach(() => tb.close());

const job = () => questionnaireJob(tb.db, () => kicks++);
async function tick(): Promise<void> {
  await job().run(tb.clock.now());
  await new OutboxSender({ api: tb.bot.api, db: tb.db, clock: tb.clock, ratePerSecond: 1000, sleep: async () => {} }).drain();
}
async function enrolled(id: number, lang = "en"): Promise<TestUser> {
  const u = tb.user(id, { lang });
  await u.send("/start");
  await u.press("enr!:python-101");
  return u;
}
const keys = () =>
  tb.db
    .select()
    .from(outbox)
    .all()
    .map((r) => r.dedupeKey)
    .sort();

/** The same complete answers for anyone who just needs a submitted pre-course questionnaire. */
const submitPre = (u: TestUser) => answerPre(tb, u, { motivation: "5", level: 0, devices: [0], studiedOnline: true, hours: "4" });

describe("when the questionnaires go out", () => {
  it("offers the pre-course questionnaire right after enrollment, once, with a button", async () => {
    const u = await enrolled(1, "ru");
    await tick();
    const offer = tb.telegram.callsOf("sendMessage").find((c) => String(c.payload.text).includes("короткую анкету"));
    expect(offer?.payload.chat_id).toBe(1);
    expect(offer?.payload.reply_markup.inline_keyboard[0][0].callback_data).toBe("qn:python-101:pre");
    await tick();
    expect(keys()).toEqual(["questionnaire-offer:pre:python-101:1"]);
    await u.press("qn:python-101:pre");
    expect(u.lastText()).toContain("вопрос 1 из 6");
  });

  it("reminds once two days before the start those who have not submitted", async () => {
    const a = await enrolled(1);
    const b = await enrolled(2);
    await submitPre(b);
    await tick();
    // 2026-09-04 23:59 Almaty: not yet.
    tb.clock.set(Date.UTC(2026, 8, 4, 18, 59));
    await tick();
    expect(keys().filter((k) => k.startsWith("questionnaire-remind"))).toEqual([]);
    // 2026-09-05 00:00 Almaty = start - 2 days.
    tb.clock.set(Date.UTC(2026, 8, 4, 19, 0));
    const late = await enrolled(3);
    await tick();
    await tick();
    expect(keys().filter((k) => k.startsWith("questionnaire-remind"))).toEqual(["questionnaire-remind:pre:python-101:1"]);
    expect(tb.telegram.textsTo(a.id).some((t) => t.includes("You have not answered the questionnaire before the course yet"))).toBe(true);
    expect(tb.telegram.textsTo(late.id).filter((t) => t.includes("You have not answered"))).toEqual([]);
  });

  it("sends the post-course questionnaire when the last module closes, and one reminder three days later", async () => {
    const a = await enrolled(1, "kk");
    const b = await enrolled(2, "en");
    const c = await enrolled(3, "en");
    await c.press("unr!:python-101");
    const course = getCourse(tb.db, "python-101")!;
    expect(course.endAt).toBe(Date.UTC(2026, 9, 11, 19, 0));
    tb.clock.set(course.endAt - 60_000);
    await tick();
    expect(keys().filter((k) => k.includes(":post:"))).toEqual([]);
    tb.clock.set(course.endAt);
    await tick();
    expect(keys().filter((k) => k.includes(":post:"))).toEqual([
      "questionnaire-offer:post:python-101:1",
      "questionnaire-offer:post:python-101:2",
    ]);
    expect(tb.telegram.lastTextTo(a.id)).toContain("курсы аяқталды");
    expect(kicks).toBeGreaterThan(0);

    // b answers the post questionnaire; a does not.
    await b.press("qn:python-101:post");
    const rid = getResponse(tb.db, 2, "python-101", "post")!.id;
    await b.send("4");
    await b.press(qa(b, rid, 1, "y"));
    await b.send('Жақсы курс, рақмет! "Өте" пайдалы.');
    await b.press(qa(b, rid, 3, "ok"));
    expect(answersOf(tb.db, rid).comments).toBe('Жақсы курс, рақмет! "Өте" пайдалы.');

    tb.clock.set(course.endAt + 3 * DAY - 60_000);
    await tick();
    expect(keys().filter((k) => k.startsWith("questionnaire-remind:post"))).toEqual([]);
    tb.clock.set(course.endAt + 3 * DAY);
    await tick();
    await tick();
    expect(keys().filter((k) => k.startsWith("questionnaire-remind:post"))).toEqual(["questionnaire-remind:post:python-101:1"]);

    // Open in /mycourses until endAt + 14 days, then closed.
    await a.send("/mycourses");
    expect(a.buttons().map((x) => x.data)).toContain("qn:python-101:post");
    tb.clock.set(course.endAt + 14 * DAY);
    await a.send("/mycourses");
    expect(a.buttons().map((x) => x.data)).not.toContain("qn:python-101:post");
    await a.press("qn:python-101:post");
    expect(a.lastText()).toContain("жабылды");
  });
});

describe("results and export", () => {
  it("/results shows counts, distributions with mean and median, texts and the before/after comparison; authors only", async () => {
    const a = await enrolled(1);
    const b = await enrolled(2);
    await enrolled(3);
    await submitPre(a);
    await answerPre(tb, b, { motivation: "2", level: 1, devices: [1], studiedOnline: false, hours: "10", goals: 'Work, and "fun"' });

    await a.send("/results python-101");
    expect(a.lastText()).toContain("only for the course authors");

    const author = tb.user(900, { lang: "en" });
    await author.send("/results");
    expect(author.buttons().map((x) => x.data)).toEqual(["qr:python-101"]);
    await author.press("qr:python-101");
    const report = author.lastText();
    expect(report).toContain("Enrolled learners: 3");
    expect(report).toContain("<b>Before the course</b>: 2 submitted (67% of enrolled), 0 started but not submitted");
    expect(report).toContain("mean 3.5, median 3.5, min 2, max 5");
    expect(report).toContain("Phone: 1 (50%)");
    expect(report).toContain('• Work, and "fun"');
    // Nobody answered the post-course questionnaire yet: one line, and nothing to compare (issue 15).
    expect(report).toContain("<b>After the course</b>: nobody has answered yet.");
    expect(report).not.toContain("Before and after");
  });

  it("/export sends one CSV per questionnaire: BOM, quoting, Kazakh letters", async () => {
    const u = await enrolled(1, "kk");
    await answerPre(tb, u, {
      motivation: "3",
      level: 1,
      devices: [0, 2],
      studiedOnline: true,
      hours: "7",
      goals: 'Жұмыс, "арман"\nкелешек',
    });

    const author = tb.user(900, { lang: "ru" });
    await author.send("/export python-101");
    const docs = tb.telegram.callsOf("sendDocument");
    expect(docs).toHaveLength(1);
    expect(docs[0]!.payload.caption).toContain("Перед курсом");
    const file = docs[0]!.payload["document:file"] as { filename: string; content: string };
    expect(file.filename).toBe("python-101-pre-questionnaire.csv");
    const csv = file.content;
    expect(csv.startsWith("\uFEFF")).toBe(true);
    const [header, row] = csv.slice(1).split("\r\n");
    expect(header).toBe(
      "learner_id,first_name,last_name,username,language,status,started_at,submitted_at,motivation,level,devices,studied_online,hours,goals",
    );
    expect(row).toContain("1,User1,,,kk,submitted,");
    expect(row).toContain(',3,"Аздап, үтір, бар",Телефон; Планшет,Иә,7,"Жұмыс, ""арман""');
    expect(csv).toContain('келешек"\r\n');
  });

  it("quotes fields exactly as RFC 4180 asks", () => {
    expect(csvField("plain")).toBe("plain");
    expect(csvField("a,b")).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField("two\nlines")).toBe('"two\nlines"');
    expect(questionnaireHeader([]).join(",")).toBe("learner_id,first_name,last_name,username,language,status,started_at,submitted_at");
  });

  it("/export with nobody answering says so", async () => {
    const author = tb.user(900, { lang: "en" });
    await author.send("/export python-101");
    expect(author.lastText()).toContain("nothing to export");
    await author.send("/export nope");
    expect(author.lastText()).toContain("There is no course “nope”");
  });
});

describe("before/after comparison", () => {
  it("compares the questions present in both questionnaires", async () => {
    const a = await enrolled(1);
    const b = await enrolled(2);
    await submitPre(a); // motivation 5, studied_online yes
    await b.press("qn:python-101:pre");
    const rb = getResponse(tb.db, 2, "python-101", "pre")!.id;
    await b.send("1");
    await b.press(qa(b, rb, 1, "v", 0));
    await b.press(qa(b, rb, 2, "t", 0));
    await b.press(qa(b, rb, 2, "d"));
    await b.press(qa(b, rb, 3, "n"));
    await b.send("2");
    await b.press(qa(b, rb, 5, "s"));
    await b.press(qa(b, rb, 6, "ok"));

    tb.clock.set(getCourse(tb.db, "python-101")!.endAt + DAY);
    for (const [u, rating] of [
      [a, "4"],
      [b, "5"],
    ] as const) {
      await u.press("qn:python-101:post");
      const rid = getResponse(tb.db, u.id, "python-101", "post")!.id;
      await u.send(rating);
      await u.press(qa(u, rid, 1, "y"));
      await u.press(qa(u, rid, 2, "s"));
      await u.press(qa(u, rid, 3, "ok"));
    }
    const author = tb.user(900, { lang: "ru" });
    await author.send("/results python-101");
    const report = tb.telegram.textsTo(900).join("\n");
    expect(report).toContain("<b>После курса</b>: отправили 2 (100% записанных)");
    expect(report).toContain("До и после");
    expect(report).toContain("<b>Какова мотивация сейчас?</b>: среднее 3 → 4,5 (+1,5)");
    expect(report).toContain("Да: 50% → 100%");
  });
});

describe("the demo course", () => {
  it("its pre-course questionnaire can be answered end to end in Kazakh", async () => {
    const demo = new TestBot({ now: T0 });
    try {
      demo.loadCourse(readFileSync("courses/intro-programming.yaml", "utf8"), { baseDir: "courses" });
      const u = demo.user(7, { lang: "kk" });
      await u.send("/start");
      await u.press("enr!:intro-programming");
      await u.press("qn:intro-programming:pre");
      const rid = getResponse(demo.db, 7, "intro-programming", "pre")!.id;
      expect(u.lastText()).toContain("Сіз бұрын бағдарлама жазып көрдіңіз бе?");
      await u.press(qa(u, rid, 0, "v", 1));
      await u.press(qa(u, rid, 1, "v", 1));
      await u.press(qa(u, rid, 2, "v", 4));
      await u.press(qa(u, rid, 3, "t", 0));
      await u.press(qa(u, rid, 3, "t", 3));
      await u.press(qa(u, rid, 3, "d"));
      await u.send("6");
      await u.press(qa(u, rid, 5, "v", 1));
      await u.press(qa(u, rid, 6, "n"));
      await u.press(qa(u, rid, 7, "s"));
      await u.send("Өз ботымды жазғым келеді");
      await u.press(qa(u, rid, 9, "s"));
      expect(u.lastText()).toContain("Жұмыс пен мансап үшін; Өзіме қызық болғандықтан");
      await u.press(qa(u, rid, 10, "ok"));
      expect(u.lastText()).toContain("Рақмет");
      expect(answersOf(demo.db, rid)).toMatchObject({
        experience: "little",
        confidence: 2,
        interest: 5,
        goals: ["career", "curiosity"],
        hours: 6,
      });
    } finally {
      demo.close();
    }
  });
});

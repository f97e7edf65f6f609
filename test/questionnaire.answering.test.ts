import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { answersOf, getResponse } from "../src/db/questionnaireRepo.js";
import { getCourse } from "../src/db/coursesRepo.js";
import { questionnaireWindow } from "../src/domain/questionnaire.js";
import { courseYaml } from "./support/courses.js";
import { answerPre, QUESTIONNAIRES_YAML, qa } from "./support/questionnaires.js";
import { join } from "node:path";
import { T0, TestBot, tempDir, type TestUser } from "./support/harness.js";

let tb: TestBot;
beforeEach(() => {
  tb = new TestBot({ now: T0 });
  tb.loadCourse(courseYaml({ extra: QUESTIONNAIRES_YAML }));
});
afterEach(() => tb.close());

async function enrolled(id: number, lang: string): Promise<TestUser> {
  const u = tb.user(id, { lang });
  await u.send("/start");
  await u.press("enr!:python-101");
  return u;
}

describe("answering", () => {
  it("walks through every type in English and submits once", async () => {
    const u = await enrolled(1, "en");
    await u.press("qn:python-101:pre");
    expect(u.lastText()).toContain("question 1 of 6");
    const rid = getResponse(tb.db, 1, "python-101", "pre")!.id;
    await u.press(qa(u, rid, 0, "v", 3));
    expect(u.lastText()).toContain("question 2 of 6");
    await u.press(qa(u, rid, 1, "v", 1));
    await u.press(qa(u, rid, 2, "t", 0));
    await u.press(qa(u, rid, 2, "t", 1));
    await u.press(qa(u, rid, 2, "d"));
    await u.press(qa(u, rid, 3, "y"));
    await u.send("abc");
    expect(u.texts().at(-2)).toContain("That is not a number");
    await u.send("12");
    await u.press(qa(u, rid, 5, "s"));
    expect(u.lastText()).toContain("Your answers");
    await u.press(qa(u, rid, 6, "ok"));
    expect(u.lastText()).toContain("Thank you");
    expect(answersOf(tb.db, rid)).toEqual({
      motivation: 4,
      level: "some",
      devices: ["phone", "laptop"],
      studied_online: true,
      hours: 12,
      goals: null,
    });
  });
});

const msgs = {
  kk: {
    buttons: "батырмалар арқылы",
    range: "1 – 5 аралығындағы",
    notNumber: "Бұл сан емес",
    integer: "бүтін сан",
    numRange: "1 – 40 аралығындағы",
    tooLong: "таңба бар, ал шегі — 50",
    question1: "Оқуға ынтаңыз қандай?",
    q5: "Аптасына неше сағат?",
    thanks: "Рақмет",
  },
  ru: {
    buttons: "ответьте кнопками",
    range: "от 1 до 5",
    notNumber: "Это не число",
    integer: "целое число",
    numRange: "от 1 до 40",
    tooLong: "а можно не больше 50",
    question1: "Насколько вы мотивированы?",
    q5: "Сколько часов в неделю?",
    thanks: "Спасибо",
  },
  en: {
    buttons: "answer with the buttons",
    range: "from 1 to 5",
    notNumber: "That is not a number",
    integer: "whole number",
    numRange: "from 1 to 40",
    tooLong: "the limit is 50",
    question1: "How motivated are you?",
    q5: "Hours per week?",
    thanks: "Thank you",
  },
} as const;

describe.each(["kk", "ru", "en"] as const)("each question type with good and bad input in %s", (lang) => {
  it("explains bad input in the learner's language and asks the same question again", async () => {
    const m = msgs[lang];
    const u = await enrolled(10, lang);
    await u.press("qn:python-101:pre");
    const rid = getResponse(tb.db, 10, "python-101", "pre")!.id;
    // rating: out of range typed, then a good typed value
    await u.send("9");
    expect(u.texts().at(-2)).toContain(m.range);
    expect(u.lastText()).toContain(m.question1);
    await u.send("2");
    // single choice: text where a button is expected
    await u.send("hello");
    expect(u.texts().at(-2)).toContain(m.buttons);
    await u.press(qa(u, rid, 1, "v", 0));
    // multiple: Done without a choice, then a choice
    await u.press(qa(u, rid, 2, "d"));
    await u.press(qa(u, rid, 2, "t", 2));
    await u.press(qa(u, rid, 2, "d"));
    // yes/no: a sticker where a button is expected
    const sticker = u.message("sticker").message as unknown as Record<string, unknown>;
    delete sticker.text;
    sticker.sticker = { file_id: "s", file_unique_id: "s", type: "regular", width: 512, height: 512, is_animated: false, is_video: false };
    await tb.handle({ message: sticker as never });
    expect(u.texts().at(-2)).toContain(m.buttons);
    await u.press(qa(u, rid, 3, "n"));
    // number: not a number, a fraction for an integer, out of range, then good
    await u.send("many");
    expect(u.texts().at(-2)).toContain(m.notNumber);
    await u.send("2,5");
    expect(u.texts().at(-2)).toContain(m.integer);
    await u.send("100");
    expect(u.texts().at(-2)).toContain(m.numRange);
    expect(u.lastText()).toContain(m.q5);
    await u.send(" 8 ");
    // free text: too long, then good (with Kazakh letters)
    await u.send("ә".repeat(51));
    expect(u.texts().at(-2)).toContain(m.tooLong);
    await u.send("Python үйрену, жұмыс");
    await u.press(qa(u, rid, 6, "ok"));
    expect(u.lastText()).toContain(m.thanks);
    expect(answersOf(tb.db, rid)).toEqual({
      motivation: 2,
      level: "none",
      devices: ["tablet"],
      studied_online: false,
      hours: 8,
      goals: "Python үйрену, жұмыс",
    });
  });
});

describe("navigation, pause, restart, single submission", () => {
  it("back shows the previous question with the current answer and lets the learner change it", async () => {
    const u = await enrolled(20, "en");
    await u.press("qn:python-101:pre");
    const rid = getResponse(tb.db, 20, "python-101", "pre")!.id;
    await u.press(qa(u, rid, 0, "v", 4));
    await u.press(qa(u, rid, 1, "b"));
    expect(u.lastText()).toContain("question 1 of 6");
    expect(u.lastText()).toContain("Your current answer: 5");
    await u.press(qa(u, rid, 0, "v", 0));
    expect(answersOf(tb.db, rid).motivation).toBe(1);
    // A button of an earlier question is refused with an alert, nothing changes.
    await u.press(qa(u, rid, 0, "v", 2));
    expect(u.lastAlert()).toContain("belongs to another question");
    expect(answersOf(tb.db, rid).motivation).toBe(1);
  });

  it("/cancel pauses; /mycourses offers to continue where the learner was", async () => {
    const u = await enrolled(21, "ru");
    await u.press("qn:python-101:pre");
    const rid = getResponse(tb.db, 21, "python-101", "pre")!.id;
    await u.press(qa(u, rid, 0, "v", 4));
    await u.send("/cancel");
    expect(u.lastText()).toContain("Пауза");
    await u.send("просто текст");
    expect(u.lastText()).not.toContain("вопрос 2 из 6");
    await u.send("/mycourses");
    expect(u.lastText()).toContain("Анкета перед курсом: начата, но не отправлена");
    expect(u.buttons().map((b) => b.data)).toContain("qn:python-101:pre");
    await u.press("qn:python-101:pre");
    expect(u.texts().at(-2)).toContain("Продолжим");
    expect(u.lastText()).toContain("вопрос 2 из 6");
  });

  it("another command during the questionnaire is handled and the questionnaire still waits", async () => {
    const u = await enrolled(22, "en");
    await u.press("qn:python-101:pre");
    const rid = getResponse(tb.db, 22, "python-101", "pre")!.id;
    await u.send("/help");
    expect(u.lastText()).toContain("What I can do");
    await u.send("/nonsense");
    expect(u.lastText()).toContain("I do not know the command /nonsense");
    await u.send("3");
    expect(answersOf(tb.db, rid).motivation).toBe(3);
    expect(u.lastText()).toContain("question 2 of 6");
  });

  it("submits once; opening it again shows the answers", async () => {
    const u = await enrolled(23, "en");
    const rid = await answerPre(tb, u, { motivation: "5", level: 0, devices: [0], studiedOnline: true, hours: "4", goals: "To learn" });
    const submittedAt = getResponse(tb.db, 23, "python-101", "pre")!.submittedAt;
    expect(submittedAt).not.toBeNull();
    const lastEdit = tb.telegram.callsOf("editMessageReplyMarkup").at(-1)!;
    expect(lastEdit.payload.reply_markup).toBeUndefined();
    tb.clock.advance(60_000);
    await u.press(qa(u, rid, 6, "ok"));
    expect(getResponse(tb.db, 23, "python-101", "pre")!.submittedAt).toBe(submittedAt);
    expect(u.lastText()).toContain("You submitted the questionnaire");
    await u.press("qn:python-101:pre");
    expect(u.lastText()).toContain("You submitted the questionnaire");
    expect(u.lastText()).toContain("To learn");
    await u.send("/mycourses");
    expect(u.lastText()).toContain("Questionnaire before the course: submitted");
  });

  it("a photo where text is expected, and forged buttons, get clear answers", async () => {
    const u = await enrolled(26, "kk");
    await u.press("qn:python-101:pre");
    const rid = getResponse(tb.db, 26, "python-101", "pre")!.id;
    await u.send("3");
    await u.press(qa(u, rid, 1, "v", 0));
    await u.press(qa(u, rid, 2, "t", 0));
    await u.press(qa(u, rid, 2, "d"));
    await u.press(qa(u, rid, 3, "y"));
    const photo = u.message("photo").message as unknown as Record<string, unknown>;
    delete photo.text;
    photo.photo = [{ file_id: "p", file_unique_id: "p", width: 1, height: 1 }];
    await tb.handle({ message: photo as never });
    expect(u.texts().at(-2)).toContain("мәтіндік хабарлама");
    expect(u.lastText()).toContain("Аптасына неше сағат?");
    // Another learner's response id, or an action that does not fit the question.
    const other = await enrolled(27, "en");
    await other.press("qn:python-101:pre");
    await other.send("/cancel");
    await other.press(qa(other, rid, 4, "v", 1));
    expect(other.lastAlert()).toContain("out of date");
    await u.press(qa(u, rid, 4, "y"));
    expect(u.lastText()).toContain("Бұл батырма басқа сұраққа қатысты");
    await u.press("qn:no-such-course:pre");
    expect(u.lastAlert()).toContain("Бұл курс");
  });

  it("refuses learners who are not enrolled and questionnaires that are not open", async () => {
    const u = tb.user(24, { lang: "en" });
    await u.send("/start");
    await u.press("qn:python-101:pre");
    expect(u.lastAlert()).toContain("for learners enrolled");
    const v = await enrolled(25, "en");
    await v.press("qn:python-101:post");
    expect(v.lastText()).toContain("opens on");
    await v.press("qn:python-101:bogus");
    expect(v.lastAlert()).toContain("out of date");
  });
});

describe("restart", () => {
  it("resumes where the learner was after a restart on the same database", async () => {
    const { dir, cleanup } = tempDir();
    const dbPath = join(dir, "bot.sqlite");
    try {
      const first = new TestBot({ now: T0, dbPath });
      first.loadCourse(courseYaml({ extra: QUESTIONNAIRES_YAML }));
      const u1 = first.user(30, { lang: "kk" });
      await u1.send("/start");
      await u1.press("enr!:python-101");
      await u1.press("qn:python-101:pre");
      const rid = getResponse(first.db, 30, "python-101", "pre")!.id;
      await u1.send("4");
      await u1.press(qa(u1, rid, 1, "v", 1));
      await u1.press(qa(u1, rid, 2, "t", 1));
      first.close();

      const second = new TestBot({ now: T0 + 3_600_000, dbPath, firstUpdateId: 10_000 });
      const u2 = second.user(30, { lang: "kk" });
      await u2.press(qa(u2, rid, 2, "t", 0));
      await u2.press(qa(u2, rid, 2, "d"));
      expect(answersOf(second.db, rid).devices).toEqual(["phone", "laptop"]);
      expect(u2.lastText()).toContain("сұрақ 4/");
      await u2.press(qa(u2, rid, 3, "y"));
      await u2.send("5");
      await u2.press(qa(u2, rid, 5, "s"));
      await u2.press(qa(u2, rid, 6, "ok"));
      expect(u2.lastText()).toContain("Рақмет");
      expect(answersOf(second.db, rid)).toMatchObject({ motivation: 4, level: "some", hours: 5, goals: null });
      second.close();
    } finally {
      cleanup();
    }
  });

  it("when the questionnaire is not the open dialog any more, an old button resumes from the saved position", async () => {
    const u = await enrolled(31, "en");
    await u.press("qn:python-101:pre");
    const rid = getResponse(tb.db, 31, "python-101", "pre")!.id;
    await u.send("4");
    tb.db.$client.prepare("DELETE FROM open_dialogs").run();
    await u.press(qa(u, rid, 0, "v", 1));
    expect(u.lastText()).toContain("question 2 of 6");
    expect(answersOf(tb.db, rid).motivation).toBe(4);
  });
});

describe("language", () => {
  it("switching the language while answering continues in the new language", async () => {
    const u = await enrolled(40, "en");
    await u.press("qn:python-101:pre");
    const rid = getResponse(tb.db, 40, "python-101", "pre")!.id;
    await u.send("3");
    await u.send("/language");
    await u.press("lang:kk");
    await u.press(qa(u, rid, 1, "v", 0));
    expect(u.lastText()).toContain("Құрылғыларыңыз?");
    expect(u.lastText()).toContain("Python тіліне кіріспе");
  });
});

describe("the window is enforced on every write", () => {
  it("answers, typed answers and the submission after the questionnaire closed are refused with the date it closed", async () => {
    const closesAt = questionnaireWindow("pre", getCourse(tb.db, "python-101")!).closesAt;
    const closed = /closed on .*: answers are no longer accepted/;
    // A button answer.
    const a = await enrolled(50, "en");
    await a.press("qn:python-101:pre");
    const ra = getResponse(tb.db, 50, "python-101", "pre")!.id;
    await a.send("4");
    await a.press(qa(a, ra, 1, "v", 1));
    await a.press(qa(a, ra, 2, "t", 0));
    // A typed answer.
    const b = await enrolled(51, "en");
    await b.press("qn:python-101:pre");
    const rb = getResponse(tb.db, 51, "python-101", "pre")!.id;
    await b.send("4");
    await b.press(qa(b, rb, 1, "v", 1));
    await b.press(qa(b, rb, 2, "t", 0));
    await b.press(qa(b, rb, 2, "d"));
    await b.press(qa(b, rb, 3, "y"));
    // The submission.
    const c = await enrolled(52, "en");
    await c.press("qn:python-101:pre");
    const rcid = getResponse(tb.db, 52, "python-101", "pre")!.id;
    await c.send("4");
    await c.press(qa(c, rcid, 1, "v", 1));
    await c.press(qa(c, rcid, 2, "t", 0));
    await c.press(qa(c, rcid, 2, "d"));
    await c.press(qa(c, rcid, 3, "y"));
    await c.send("12");
    await c.press(qa(c, rcid, 5, "s"));
    expect(c.lastText()).toContain("Your answers");

    tb.clock.set(closesAt);
    await a.press(qa(a, ra, 2, "d"));
    expect(a.lastText()).toMatch(closed);
    expect(answersOf(tb.db, ra)).toEqual({ motivation: 4, level: "some" });
    await b.send("12");
    expect(b.lastText()).toMatch(closed);
    expect(answersOf(tb.db, rb).hours).toBeUndefined();
    await c.press(qa(c, rcid, 6, "ok"));
    expect(c.lastText()).toMatch(closed);
    expect(getResponse(tb.db, 52, "python-101", "pre")!.submittedAt).toBeNull();
    // The dialog is over: later messages are not taken as answers.
    await b.send("12");
    expect(answersOf(tb.db, rb).hours).toBeUndefined();
  });
});

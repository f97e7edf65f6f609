import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DAY, HOUR, MINUTE } from "../src/clock.js";
import { getLearner } from "../src/db/learnersRepo.js";
import { askDrafts, questions } from "../src/db/schema/index.js";
import { outboxMessages } from "../src/db/outboxRepo.js";
import { getQuestion } from "../src/db/questionsRepo.js";
import { join } from "node:path";
import { questionsDigestJob, questionsRedeliveryJob } from "../src/jobs/questions.js";
import { OutboxSender } from "../src/jobs/outbox.js";
import { registerAssistantCommands } from "../src/bot/features/askAssistants.js";
import { postQuestion } from "../src/bot/questionRelay.js";
import { courseYaml } from "./support/courses.js";
import { BOT_INFO, FakeTelegram } from "./support/fakeTelegram.js";
import { T0, tempDir, TestBot, type TestUser } from "./support/harness.js";
import { ASSIST, askTestBot } from "./support/askSetup.js";

let tb: TestBot;
beforeEach(() => {
  // Assistants read DEFAULT_LOCALE (en here, so the assertions read easily).
  tb = askTestBot();
});
afterEach(() => tb.close());

async function enrolled(id: number, lang: string, courses = ["python-101"], firstName?: string): Promise<TestUser> {
  const u = tb.user(id, { lang, firstName });
  for (const c of courses) await u.press(`enr!:${c}`);
  return u;
}

/** Runs /ask for a learner in one course through to the question; returns the question's id. */
async function ask(u: TestUser, text: string, module = "g"): Promise<number> {
  await u.send("/ask");
  await u.press(`ask:m:python-101:${module}`);
  await u.send(text);
  const rows = tb.db.select().from(questions).where(eq(questions.learnerId, u.id)).all();
  return rows[rows.length - 1]!.id;
}

const sentTo = (chatId: number) => tb.telegram.calls.filter((c) => Number(c.payload.chat_id) === chatId);
const headerId = (questionId: number) => getQuestion(tb.db, questionId)!.assistantMessageId!;

describe("asking", () => {
  it("the message that made a question, handled again after a crash, posts it and tells the number, once", async () => {
    const u = await enrolled(61, "en");
    await u.send("/ask");
    await u.press("ask:m:python-101:g");
    const update = u.message("Why does range(3) stop at 2?");
    await tb.handle(update);
    const id = tb.db.select().from(questions).where(eq(questions.learnerId, u.id)).get()!.id;
    // As a kill after storing the question left it: not posted, the learner not told its number.
    tb.db.$client
      .prepare("UPDATE questions SET assistant_chat_id = NULL, assistant_message_id = NULL, learner_notified_at = NULL WHERE id = ?")
      .run(id);
    const before = { learner: tb.telegram.textsTo(u.id).length, assistants: tb.telegram.textsTo(ASSIST).length };

    await tb.handle(update); // the update inbox hands the same message over again
    const told = tb.telegram.textsTo(u.id).slice(before.learner);
    expect(told).toHaveLength(1);
    expect(told[0]).toContain(`✅ Your question <b>#${id}</b> has been sent to the course assistants.`);
    const posted = tb.telegram.textsTo(ASSIST).slice(before.assistants).join("\n");
    expect(posted).toContain("Why does range(3) stop at 2?");
    expect(posted).toContain(`this copy replaces any earlier copy of question #${id}`);
    expect(tb.db.select().from(questions).where(eq(questions.learnerId, u.id)).all()).toHaveLength(1);

    // Complete now: handled once more, it sends nothing; nor, once settled, does an incomplete one.
    const after = tb.telegram.calls.length;
    await tb.handle(update);
    tb.db.$client.prepare("UPDATE questions SET learner_notified_at = NULL WHERE id = ?").run(id);
    tb.clock.advance(3 * MINUTE);
    await tb.handle(update);
    expect(tb.telegram.calls.slice(after).filter((c) => c.method === "sendMessage")).toEqual([]);
  });

  it("asks through course, module and text, and confirms with the question's number", async () => {
    const u = await enrolled(1, "ru", ["python-101", "data-later"]);
    await u.send("/ask");
    expect(u.lastText()).toContain("По какому курсу ваш вопрос?");
    expect(u.buttons().map((b) => b.data)).toEqual(["ask:c:python-101", "ask:c:data-later", "ask:x"]);

    await u.press("ask:c:python-101");
    expect(tb.telegram.calls.at(-1)!.method).toBe("editMessageText"); // the list turns into the module choice
    expect(u.lastText()).toContain("К какому модулю (неделе) относится вопрос?");
    expect(u.buttons().map((b) => b.data)).toEqual([
      "ask:m:python-101:0",
      "ask:m:python-101:1",
      "ask:m:python-101:2",
      "ask:m:python-101:3",
      "ask:m:python-101:g",
      "ask:x",
    ]);
    expect(u.buttons()[1]!.text).toBe("Неделя 2: Модуль 2");

    await u.send("просто текст");
    expect(u.lastText()).toContain("выберите кнопкой");

    await u.press("ask:m:python-101:1");
    expect(u.lastText()).toContain("Неделя 2: Модуль 2");
    expect(u.lastText()).toContain("Напишите вопрос одним сообщением");

    await u.send("Как установить Python на Windows?");
    expect(u.lastText()).toContain("Ваш вопрос <b>№1</b> отправлен ассистентам курса");
    const q = getQuestion(tb.db, 1)!;
    expect(q).toMatchObject({
      learnerId: 1,
      courseId: "python-101",
      modulePosition: 1,
      state: "open",
      text: "Как установить Python на Windows?",
    });
    expect(q.assistantMessageId).not.toBeNull();
    expect(tb.db.select().from(askDrafts).all()).toHaveLength(0);

    const header = tb.telegram.lastMessageTo(ASSIST);
    expect(header.text).toContain("Question #1");
    expect(header.text).toContain("Introduction to Python");
    expect(header.text).toContain("Week 2: Module 2");
    expect(header.text).toContain("User1");
    expect(header.text).toContain("🇷🇺 Русский");
    expect(header.text).toContain("Как установить Python на Windows?");
    expect(header.buttons.map((b) => b.data)).toEqual(["aq:c:1", "aq:i:1"]);
  });

  it("skips the course choice with one enrollment, and the course card has an Ask button", async () => {
    const u = await enrolled(2, "en");
    await u.press("crs:python-101");
    expect(u.buttons().map((b) => b.data)).toContain("ask:c:python-101");
    const before = tb.telegram.callsOf("sendMessage").length;
    await u.press("ask:c:python-101");
    // From the card a new message is sent, so the card stays as it was.
    expect(tb.telegram.callsOf("sendMessage").length).toBe(before + 1);
    expect(u.lastText()).toContain("Which module (week) is your question about?");

    await u.send("/ask");
    expect(u.lastText()).toContain("Which module (week)");
    await u.press("ask:m:python-101:g");
    expect(u.lastText()).toContain("General question about the course");
  });

  it("explains when questions are off, when not enrolled, and refuses forged or stale buttons", async () => {
    const off = new TestBot({ now: T0 });
    off.loadCourse(courseYaml());
    const a = off.user(3, { lang: "kk" });
    await a.send("/ask");
    expect(a.lastText()).toContain("курс командасына сұрақ қою мүмкіндігі қосылмаған");
    // The course card's button says the same.
    await a.press("enr!:python-101");
    await a.press("ask:c:python-101");
    expect(a.lastText()).toContain("курс командасына сұрақ қою мүмкіндігі қосылмаған");
    await a.send("/myquestions");
    expect(a.lastText()).toContain("курс командасына сұрақ қою мүмкіндігі қосылмаған");
    off.close();

    const u = tb.user(4, { lang: "en" });
    await u.send("/ask");
    expect(u.lastText()).toContain("you are not enrolled in any yet");
    await u.press("ask:c:python-101");
    expect(u.lastAlert()).toContain("You are not enrolled in “Introduction to Python”");
    await u.press("ask:m:python-101:0");
    expect(u.lastAlert()).toContain("This form is out of date");
    await u.press("ask:c:no-such-course");
    expect(u.lastAlert()).toContain("no longer available");

    const v = await enrolled(5, "en");
    await v.send("/ask");
    await v.press("ask:m:python-101:9");
    expect(v.lastAlert()).toContain("out of date");
    await v.press("ask:m:data-later:0");
    expect(v.lastAlert()).toContain("out of date");
    expect(tb.db.select().from(questions).all()).toHaveLength(0);
  });

  it("/cancel and the Cancel button leave the flow; an old draft is forgotten", async () => {
    const u = await enrolled(6, "kk");
    await u.send("/ask");
    await u.send("/cancel");
    expect(u.lastText()).toContain("Тоқтатылды");
    await u.send("Бұл сұрақ емес");
    expect(u.lastText()).toContain("командалар мен батырмаларды түсінемін"); // the fallback: no flow any more
    await u.send("/cancel");
    expect(u.lastText()).toContain("Қазір тоқтататын ештеңе жоқ");

    await u.send("/ask");
    await u.press("ask:m:python-101:0");
    await u.press("ask:x");
    expect(u.lastText()).toContain("Тоқтатылды");

    await u.send("/ask");
    await u.press("ask:m:python-101:0");
    tb.clock.advance(31 * MINUTE);
    await u.send("Кешіккен сұрақ");
    expect(u.lastText()).toContain("командалар мен батырмаларды түсінемін");
    expect(tb.db.select().from(questions).all()).toHaveLength(0);
  });

  it("refuses unsupported, empty and too long messages with a clear reason, keeping the flow", async () => {
    const u = await enrolled(7, "en");
    await u.send("/ask");
    await u.press("ask:m:python-101:g");
    await u.sendWith(undefined, {
      sticker: { file_id: "s", file_unique_id: "s", type: "regular", width: 1, height: 1, is_animated: false, is_video: false },
    });
    expect(u.lastText()).toContain("I can pass on a text, a photo or a document");
    await u.send("x".repeat(3001));
    expect(u.lastText()).toContain("too long: 3001 characters, and at most 3000 fit");
    await u.send("/unknowncommand");
    expect(u.lastText()).toContain("I do not know the command /unknowncommand");
    // Text that starts with a slash but carries no command entity is a question like any other.
    await u.sendWith("/usr/bin/python3: No such file or directory — why?", { entities: [] });
    expect(u.lastText()).toContain("Your question <b>#1</b> has been sent");
    expect(getQuestion(tb.db, 1)!.text).toBe("/usr/bin/python3: No such file or directory — why?");
  });

  it("limits: one message a minute (questions and follow-ups) and at most three open questions", async () => {
    const u = await enrolled(8, "en");
    await ask(u, "First");
    tb.clock.advance(20 * 1000);
    // The form opens at once (issue 15): the pause applies when the question is sent.
    await u.send("/ask");
    expect(u.buttons().map((b) => b.data)).toContain("ask:m:python-101:g");
    await u.press("ask:m:python-101:g");
    await u.send("Too early");
    expect(u.lastText()).toContain("once a minute. Try again in 40 s.");

    // A follow-up counts as a message too; a question refused for being too soon keeps its draft.
    tb.clock.advance(41 * 1000);
    await u.send("/ask");
    await u.press("ask:m:python-101:g");
    const confirmation = tb.telegram.calls.find(
      (c) => Number(c.payload.chat_id) === u.id && String(c.payload.text).includes("#1</b> has been sent"),
    )!;
    await u.reply(confirmation.result.message_id, "Some more details on the first");
    expect(u.lastText()).toContain("Added to your question #1");
    tb.clock.advance(10 * 1000);
    await u.send("Second");
    expect(u.lastText()).toContain("Try again in 50 s.");
    await u.reply(confirmation.result.message_id, "Even more details");
    expect(u.lastText()).toContain("Try again in 50 s.");
    tb.clock.advance(50 * 1000);
    await u.send("Second");
    expect(u.lastText()).toContain("Your question <b>#2</b> has been sent");

    tb.clock.advance(61 * 1000);
    await ask(u, "Third");
    expect(tb.db.select().from(questions).all()).toHaveLength(3);

    tb.clock.advance(61 * 1000);
    await u.send("/ask");
    expect(u.lastText()).toContain("You already have 3 questions waiting for an answer");
    await u.press("ask:c:python-101");
    expect(u.lastText()).toContain("You already have 3 questions waiting for an answer");

    // An answer frees a place.
    const assistant = tb.groupUser(500, ASSIST);
    await assistant.reply(headerId(1), "Answer one");
    await u.send("/ask");
    expect(u.lastText()).toContain("Which module");
  });

  it("a question sent as a photo reaches the assistants by file_id with its caption", async () => {
    const u = await enrolled(9, "en");
    await u.send("/ask");
    await u.press("ask:m:python-101:0");
    await u.sendWith(undefined, {
      photo: [
        { file_id: "small", file_unique_id: "s", width: 90, height: 90 },
        { file_id: "big", file_unique_id: "b", width: 1280, height: 960 },
      ],
      caption: "Why does this error appear?",
    });
    expect(u.lastText()).toContain("Your question <b>#1</b> has been sent");
    const header = tb.telegram
      .callsOf("sendMessage")
      .filter((c) => Number(c.payload.chat_id) === ASSIST)
      .at(-1)!;
    expect(header.payload.text).toContain("Why does this error appear?");
    expect(header.payload.text).toContain("attached a photo");
    const photo = tb.telegram.callsOf("sendPhoto").at(-1)!;
    expect(photo.payload).toMatchObject({ chat_id: ASSIST, photo: "big" });
    expect(photo.payload.reply_parameters.message_id).toBe(headerId(1));

    // A reply to the photo (not the header) reaches the learner too.
    const assistant = tb.groupUser(500, ASSIST);
    await assistant.reply(photo.result.message_id, "Install the missing package.");
    expect(u.lastText()).toContain("Answer to your question #1");
    expect(u.lastText()).toContain("Install the missing package.");
  });
  it("an album: the other photos join the question (and a follow-up) without limits or extra confirmations", async () => {
    const u = await enrolled(14, "en");
    await u.send("/ask");
    await u.press("ask:m:python-101:g");
    const photo = (id: string) => [{ file_id: id, file_unique_id: id, width: 800, height: 600 }];
    await u.sendWith(undefined, { photo: photo("p1"), caption: "Two screenshots", media_group_id: "album-1" });
    const confirmations = u.texts().length;
    await u.sendWith(undefined, { photo: photo("p2"), media_group_id: "album-1" });
    expect(u.texts().length).toBe(confirmations);
    const photos = tb.telegram.callsOf("sendPhoto").map((c) => c.payload);
    expect(photos.map((p) => p.photo)).toEqual(["p1", "p2"]);
    expect(photos.every((p) => p.reply_parameters.message_id === headerId(1))).toBe(true);
    expect(tb.db.select().from(questions).all()).toHaveLength(1);

    tb.clock.advance(2 * MINUTE);
    const confirmation = tb.telegram.calls.find(
      (c) => Number(c.payload.chat_id) === u.id && String(c.payload.text).includes("#1</b> has been sent"),
    )!;
    await u.reply(confirmation.result.message_id, undefined, { photo: photo("p3"), caption: "And this", media_group_id: "album-2" });
    await u.reply(confirmation.result.message_id, undefined, { photo: photo("p4"), media_group_id: "album-2" });
    expect(tb.telegram.callsOf("sendPhoto").map((c) => c.payload.photo)).toEqual(["p1", "p2", "p3", "p4"]);
    expect(u.texts().filter((t) => t.includes("Added to your question #1"))).toHaveLength(1);
    expect(u.lastText()).not.toContain("Try again");
  });
});

describe("round trip", () => {
  it("learner asks, assistant replies, learner gets it, follows up, and gets a second answer", async () => {
    const u = await enrolled(10, "kk", ["python-101"], "Айгерім");
    const id = await ask(u, "Цикл қалай жұмыс істейді?", "1");
    const assistant = tb.groupUser(500, ASSIST, { firstName: "Dana" });

    tb.clock.advance(2 * HOUR);
    const replyId = await assistant.reply(headerId(id), "for i in range(3): print(i) — <b> is just text here");
    const answer = u.lastText();
    expect(answer).toContain("#1 сұрағыңызға жауап");
    expect(answer).toContain("Python тіліне кіріспе");
    expect(answer).toContain("<blockquote>Цикл қалай жұмыс істейді?</blockquote>");
    expect(answer).toContain("&lt;b&gt; is just text here");
    expect(answer).toContain("Нақтылау сұрағын қою үшін осы хабарламаға жауап беріңіз");
    expect(getQuestion(tb.db, id)).toMatchObject({
      state: "answered",
      answeredBy: 500,
      answeredByName: "Dana",
      answeredAt: T0 + 2 * HOUR,
      replyCount: 1,
    });
    // The assistant sees it went through, and the buttons under the question follow the state.
    expect(tb.telegram.callsOf("setMessageReaction").at(-1)!.payload).toMatchObject({ chat_id: ASSIST, message_id: replyId });
    const edit = tb.telegram.callsOf("editMessageReplyMarkup").at(-1)!;
    expect(edit.payload.message_id).toBe(headerId(id));
    expect(edit.payload.reply_markup.inline_keyboard.flat().map((b: { callback_data: string }) => b.callback_data)).toEqual([
      "aq:o:1",
      "aq:i:1",
    ]);

    // Follow-up: a reply to the answer goes to the same thread in the assistants' chat.
    const answerId = tb.telegram.lastSentMessageId(u.id);
    await u.reply(answerId, "Ал while циклі ше?");
    expect(u.lastText()).toContain("#1 сұрағыңызға қосылды");
    const followUp = sentTo(ASSIST)
      .filter((c) => c.method === "sendMessage")
      .at(-1)!;
    expect(followUp.payload.text).toContain("Follow-up to question #1");
    expect(followUp.payload.text).toContain("Айгерім");
    expect(followUp.payload.text).toContain("Ал while циклі ше?");
    expect(followUp.payload.reply_parameters.message_id).toBe(headerId(id));
    expect(getQuestion(tb.db, id)!.state).toBe("open");

    // The assistant answers the follow-up, as a reply to the follow-up message.
    await assistant.reply(followUp.result.message_id, "while шарт ақиқат болғанша қайталанады.");
    expect(u.lastText()).toContain("while шарт ақиқат болғанша қайталанады.");
    expect(getQuestion(tb.db, id)).toMatchObject({ state: "answered", replyCount: 2 });

    // A reply to the confirmation also adds to the question; a reply to an unrelated message does not.
    tb.clock.advance(2 * MINUTE);
    const confirmation = tb.telegram.calls.find(
      (c) => Number(c.payload.chat_id) === u.id && String(c.payload.text).includes("сұрағыңыз курс көмекшілеріне жіберілді"),
    )!;
    await u.reply(confirmation.result.message_id, "Тағы бір нақтылау");
    expect(u.lastText()).toContain("#1 сұрағыңызға қосылды");
    await u.reply(999_999, "Жай жауап");
    expect(u.lastText()).toContain("командалар мен батырмаларды түсінемін");
  });

  it("an answer with a document is copied to the learner under the framing", async () => {
    const u = await enrolled(11, "en");
    const id = await ask(u, "Where are the slides?");
    const assistant = tb.groupUser(500, ASSIST);
    const replyId = await assistant.reply(headerId(id), undefined, {
      document: { file_id: "slides", file_unique_id: "sl", file_name: "week1.pdf" },
      caption: "Here they are",
    });
    const framing = tb.telegram
      .callsOf("sendMessage")
      .filter((c) => Number(c.payload.chat_id) === u.id)
      .at(-1)!;
    expect(framing.payload.text).toContain("Answer to your question #1");
    expect(framing.payload.text).toContain("<blockquote>Where are the slides?</blockquote>");
    const copy = tb.telegram.callsOf("copyMessage").at(-1)!;
    expect(copy.payload).toMatchObject({ chat_id: u.id, from_chat_id: ASSIST, message_id: replyId });
    expect(copy.payload.reply_parameters.message_id).toBe(framing.result.message_id);
    // A reply to the copied document is a follow-up as well.
    tb.clock.advance(2 * MINUTE);
    await u.reply(copy.result.message_id, "Thanks! And week 2?");
    expect(tb.telegram.lastTextTo(ASSIST)).toContain("Thanks! And week 2?");
    // The follow-up reopened the question, and the header's buttons say so again.
    const header = tb.telegram.callsOf("editMessageReplyMarkup").at(-1)!.payload;
    expect(header.message_id).toBe(headerId(id));
    expect(header.reply_markup.inline_keyboard.flat().map((b: { callback_data: string }) => b.callback_data)).toEqual(["aq:c:1", "aq:i:1"]);
  });

  it("routes by the stored mapping, not forward_from: hidden forwards and two learners at once", async () => {
    const a = await enrolled(12, "en", ["python-101"], "Arman");
    const b = await enrolled(13, "ru", ["python-101"], "Bota");
    await a.send("/ask");
    await a.press("ask:m:python-101:g");
    // A forwarded message whose origin is hidden is still just the learner's question.
    await a.sendWith("Forwarded: what is a list comprehension?", {
      forward_origin: { type: "hidden_user", sender_user_name: "Somebody", date: 0 },
    });
    await ask(b, "Секретный вопрос Боты");

    const assistant = tb.groupUser(500, ASSIST);
    // The assistant's reply carries no forward_from at all: only the replied-to message id.
    await assistant.reply(headerId(2), "Ответ для Боты");
    await assistant.reply(headerId(1), "Answer for Arman");

    expect(a.texts().join("\n")).toContain("Answer for Arman");
    expect(a.texts().join("\n")).not.toContain("Боты");
    expect(a.texts().join("\n")).not.toContain("Bota");
    expect(b.texts().join("\n")).toContain("Ответ для Боты");
    expect(b.texts().join("\n")).not.toContain("Arman");

    // /myquestions shows only one's own questions.
    await a.send("/myquestions");
    expect(a.lastText()).toContain("list comprehension");
    expect(a.lastText()).toContain("✅ Answered");
    expect(a.lastText()).not.toContain("Боты");
  });
});

describe("restarts and long answers", () => {
  it("a restart keeps the half-written /ask flow and the routing of replies in both directions", async () => {
    const { dir, cleanup } = tempDir();
    const dbPath = join(dir, "bot.sqlite");
    const config = { ASSISTANT_CHAT_ID: String(ASSIST), DEFAULT_LOCALE: "en" };
    try {
      let bot = new TestBot({ now: T0, dbPath, config });
      bot.loadCourse(courseYaml());
      await bot.user(50).press("enr!:python-101");
      await bot.user(50).send("/ask");
      await bot.user(50).press("ask:m:python-101:2");
      bot.close();

      bot = new TestBot({ now: T0 + MINUTE, dbPath, config, telegram: bot.telegram });
      const u = bot.user(50);
      await u.send("Asked across a restart");
      expect(u.lastText()).toContain("Your question <b>#1</b> has been sent");
      expect(getQuestion(bot.db, 1)!.modulePosition).toBe(2);
      const header = getQuestion(bot.db, 1)!.assistantMessageId!;
      bot.close();

      bot = new TestBot({ now: T0 + 2 * MINUTE, dbPath, config, telegram: bot.telegram });
      await bot.groupUser(500, ASSIST).reply(header, "Answered after another restart");
      expect(bot.user(50).lastText()).toContain("Answered after another restart");
      bot.close();

      bot = new TestBot({ now: T0 + 5 * MINUTE, dbPath, config, telegram: bot.telegram });
      await bot.user(50).reply(bot.telegram.lastSentMessageId(50), "And a follow-up");
      expect(bot.telegram.lastTextTo(ASSIST)).toContain("And a follow-up");
      bot.close();
    } finally {
      cleanup();
    }
  });

  it("an answer too long to frame in one message comes as the framing plus a copy", async () => {
    const u = await enrolled(51, "ru");
    const id = await ask(u, "Расскажите подробно");
    const long = "Очень подробный ответ. ".repeat(175).trim(); // 4024 characters: fits alone, not with the framing
    const replyId = await tb.groupUser(500, ASSIST).reply(headerId(id), long);
    const framing = tb.telegram
      .callsOf("sendMessage")
      .filter((c) => Number(c.payload.chat_id) === u.id)
      .at(-1)!;
    expect(framing.payload.text).toContain("Ответ на ваш вопрос №1");
    expect(framing.payload.text).not.toContain("Очень подробный ответ");
    expect(tb.telegram.callsOf("copyMessage").at(-1)!.payload).toMatchObject({ chat_id: u.id, from_chat_id: ASSIST, message_id: replyId });
    expect(getQuestion(tb.db, id)!.state).toBe("answered");
  });
});

describe("who may answer", () => {
  it("a reply from a non-member is refused and nothing reaches the learner", async () => {
    const u = await enrolled(20, "en");
    const id = await ask(u, "Is the quiz graded?");
    tb.telegram.chatMembers.set(`${ASSIST}:666`, "left");
    const stranger = tb.groupUser(666, ASSIST);
    const before = u.texts().length;
    await stranger.reply(headerId(id), "I am not an assistant");
    expect(u.texts().length).toBe(before);
    expect(tb.telegram.lastTextTo(ASSIST)).toContain("Only members of this chat can answer");
    expect(getQuestion(tb.db, id)!.state).toBe("open");
    // Nor can they press the buttons, list or export.
    await stranger.press(`aq:c:${id}`, headerId(id));
    expect(tb.telegram.callbackAnswers().at(-1)!.payload).toMatchObject({
      show_alert: true,
      text: "Only members of the assistants' chat can do this.",
    });
    await stranger.send("/questions");
    expect(tb.telegram.lastTextTo(ASSIST)).toContain("Only members of this chat");
    expect(getQuestion(tb.db, id)!.state).toBe("open");

    // An administrator may answer, and so may an anonymous admin (posting as the group itself).
    tb.telegram.chatMembers.set(`${ASSIST}:667`, "administrator");
    await tb.groupUser(667, ASSIST).reply(headerId(id), "From an admin");
    expect(u.lastText()).toContain("From an admin");
    await tb.groupUser(1087968824, ASSIST).reply(headerId(id), "Anonymously", {
      sender_chat: { id: ASSIST, type: "supergroup", title: "Assistants" },
    });
    expect(u.lastText()).toContain("Anonymously");
    // A message sent on behalf of a channel is not an assistant.
    const count = u.texts().length;
    await tb.groupUser(136817688, ASSIST).reply(headerId(id), "From a channel", {
      sender_chat: { id: -100999, type: "channel", title: "Some channel" },
    });
    expect(u.texts().length).toBe(count);
  });

  it("with a private chat as ASSISTANT_CHAT_ID, its one person answers there", async () => {
    tb.close();
    tb = new TestBot({ now: T0, config: { ASSISTANT_CHAT_ID: "700", DEFAULT_LOCALE: "ru" } });
    tb.loadCourse(courseYaml());
    const u = await enrolled(23, "en");
    const id = await ask(u, "Private route?");
    const assistant = tb.user(700, { lang: "ru" });
    expect(assistant.lastText()).toContain("Вопрос #1");
    await assistant.reply(headerId(id), "Yes, it works.");
    expect(u.lastText()).toContain("Answer to your question #1");
    expect(u.lastText()).toContain("Yes, it works.");
    await assistant.send("/questions");
    expect(assistant.lastText()).toContain("Открытых вопросов нет");
    // Anyone else's private chat is not the assistants' chat: a reply there is not an answer.
    await tb.user(701).reply(headerId(id), "Not an assistant");
    expect(u.texts().some((t) => t.includes("Not an assistant"))).toBe(false);
  });

  it("ignores replies to unrelated messages, chatter, forum topic messages and other groups", async () => {
    const u = await enrolled(21, "en");
    const id = await ask(u, "Question");
    const assistant = tb.groupUser(500, ASSIST, { forum: true });
    const before = tb.telegram.calls.length;
    await assistant.reply(123456, "reply to someone else");
    await assistant.send("just chatting");
    await assistant.send("in a topic", {
      is_topic_message: true,
      message_thread_id: 77,
      reply_to_message: { message_id: 77, date: 0, chat: assistant.chat, forum_topic_created: { name: "Python", icon_color: 1 } } as never,
    });
    // The same message id in another group is not the question's message.
    await tb.groupUser(500, -100777).reply(headerId(id), "wrong group");
    expect(tb.telegram.calls.length).toBe(before);
    expect(getQuestion(tb.db, id)!.state).toBe("open");
  });

  it("a blocked learner: the assistant is told in a reply, the learner is marked blocked", async () => {
    const u = await enrolled(22, "en");
    const id = await ask(u, "Question before blocking");
    tb.telegram.failures.push((c) =>
      Number(c.payload.chat_id) === u.id ? { error_code: 403, description: "Forbidden: bot was blocked by the user" } : undefined,
    );
    const replyId = await tb.groupUser(500, ASSIST).reply(headerId(id), "An answer that cannot arrive");
    const notice = sentTo(ASSIST).at(-1)!;
    expect(notice.payload.text).toContain("the learner has blocked the bot");
    expect(notice.payload.reply_parameters.message_id).toBe(replyId);
    expect(getLearner(tb.db, u.id)!.blockedAt).toBe(T0);
    expect(getQuestion(tb.db, id)!.state).toBe("open");
  });
});

describe("assistants' buttons and lists", () => {
  it("marks answered without reply, for the instructor, reopens; /questions lists oldest first with age", async () => {
    const a = await enrolled(30, "en", ["python-101"], "Arman");
    const b = await enrolled(31, "en", ["python-101"], "Bota");
    const c = await enrolled(32, "en", ["python-101"], "Cara");
    await ask(a, "Oldest question");
    tb.clock.advance(2 * HOUR);
    await ask(b, "Middle question, for the instructor");
    tb.clock.advance(30 * MINUTE);
    await ask(c, "Newest question, closed");
    const assistant = tb.groupUser(500, ASSIST);

    await assistant.press("aq:i:2", headerId(2));
    expect(tb.telegram.callbackAnswers().at(-1)!.payload.text).toBe("Question #2 is on the instructor's list.");
    const kb = tb.telegram.callsOf("editMessageReplyMarkup").at(-1)!.payload.reply_markup.inline_keyboard.flat();
    expect(kb.map((x: { callback_data: string }) => x.callback_data)).toEqual(["aq:c:2", "aq:n:2"]);
    await assistant.press("aq:c:3", headerId(3));
    expect(getQuestion(tb.db, 3)).toMatchObject({ state: "answered", closedWithoutReply: true, answeredBy: 500 });

    tb.clock.set(T0 + 1 * DAY + 3 * HOUR);
    await assistant.send("/questions");
    const list = tb.telegram.lastTextTo(ASSIST);
    expect(list).toContain("Open questions: 1");
    expect(list).toContain("#1</b> · 1 d 3 h · Introduction to Python · general · Arman");
    expect(list).toContain("For the instructor: 1");
    expect(list).toContain("#2</b> · 1 d 1 h");
    expect(list).not.toContain("#3");
    expect(list.indexOf("#1")).toBeLessThan(list.indexOf("#2"));

    // Buttons already in the chat from before the "aq" prefix still work.
    await assistant.press("qa:o:3", headerId(3));
    await assistant.press("qa:n:2", headerId(2));
    await assistant.send("/questions@mooc_test_bot");
    const again = tb.telegram.lastTextTo(ASSIST);
    expect(again).toContain("Open questions: 3");
    expect(again).not.toContain("For the instructor");

    // The learner sees the state in /myquestions (closed without reply shows as such).
    await assistant.press("qa:c:3", headerId(3));
    await c.send("/myquestions");
    expect(c.lastText()).toContain("☑️ Closed by the assistants");

    // Forged or stale data.
    await assistant.press("qa:c:999", headerId(1));
    expect(tb.telegram.callbackAnswers().at(-1)!.payload.text).toBe("This question no longer exists.");
    await assistant.press("qa:x:1", headerId(1));
    expect(tb.telegram.callbackAnswers().at(-1)!.payload.show_alert).toBe(true);
  });

  it("assistant-side texts use DEFAULT_LOCALE (kk), whatever the learner's language", async () => {
    tb.close();
    tb = new TestBot({ now: T0, config: { ASSISTANT_CHAT_ID: String(ASSIST) } });
    tb.loadCourse(courseYaml());
    const u = await enrolled(33, "ru");
    await ask(u, "Вопрос");
    expect(tb.telegram.lastTextTo(ASSIST)).toContain("#1 сұрақ");
    expect(tb.telegram.lastTextTo(ASSIST)).toContain("Python тіліне кіріспе");
    await tb.groupUser(500, ASSIST).send("/questions");
    expect(tb.telegram.lastTextTo(ASSIST)).toContain("Ашық сұрақтар: 1");
    await tb.groupUser(500, ASSIST).reply(headerId(1), "Ответ");
    expect(u.lastText()).toContain("Ответ на ваш вопрос №1");
  });

  it("registers the assistants' commands (with linking and the chat's language) in the assistants' chat menu only", async () => {
    await registerAssistantCommands(tb.bot.api, tb.db, tb.config);
    const call = tb.telegram.callsOf("setMyCommands").at(-1)!;
    expect(call.payload.scope).toEqual({ type: "chat", chat_id: ASSIST });
    expect(call.payload.commands.map((c: { command: string }) => c.command)).toEqual([
      "questions",
      "questions_csv",
      "link",
      "unlink",
      "chatlanguage",
    ]);
    expect(call.payload.commands[0].description).toBe("Open questions and those for the instructor");
  });

  it("/questions_csv exports every question as UTF-8 CSV with a BOM and proper quoting", async () => {
    const assistant = tb.groupUser(500, ASSIST);
    await assistant.send("/questions_csv");
    expect(tb.telegram.lastTextTo(ASSIST)).toContain("no questions to export yet");

    const u = await enrolled(34, "kk", ["python-101"], "Әлія");
    await ask(u, 'Сұрақ: "цикл", әрі\nекінші жол', "0");
    tb.clock.advance(2 * MINUTE);
    await ask(u, "=SUM(A1) қалай?");
    await assistant.reply(headerId(1), "Жауап");
    await assistant.send("/questions_csv");
    const doc = tb.telegram.callsOf("sendDocument").at(-1)!;
    expect(doc.payload.chat_id).toBe(ASSIST);
    expect(doc.payload.caption).toContain("Learners' questions as of September 1, 2026: 2.");
    const file = doc.payload["document:file"] as { filename: string; content: string };
    expect(file.filename).toBe("questions-2026-09-01.csv");
    expect(file.content.startsWith("\uFEFF")).toBe(true);
    const lines = file.content.slice(1).split("\r\n");
    expect(lines[0]).toBe("Number,State,Course,Module,Learner,Language,Asked at,Question,Attachment,Replies,Answered at,Answered by");
    // The line break inside the quoted question stays a bare \n; records end with \r\n.
    expect(lines[1]).toBe(
      '1,answered,Introduction to Python,Week 1: Module 1,Әлія,kk,2026-09-01 09:00,"Сұрақ: ""цикл"", әрі\nекінші жол",,1,2026-09-01 09:02,Member500',
    );
    expect(lines[2]).toBe("2,open,Introduction to Python,General question,Әлія,kk,2026-09-01 09:02,'=SUM(A1) қалай?,,0,,");
    expect(lines[3]).toBe("");
    expect(lines).toHaveLength(4);
  });
});

describe("jobs", () => {
  it("the daily digest goes out once a day at DIGEST_HOUR with the questions open at that hour", async () => {
    const job = questionsDigestJob(tb.db, tb.config, () => undefined);
    const digests = () => outboxMessages(tb.db).filter((r) => r.kind === "questions-digest");
    const a = await enrolled(40, "en", ["python-101"], "Arman");
    const b = await enrolled(41, "en", ["python-101"], "Bota");
    tb.clock.set(T0 + HOUR); // 10:00 Almaty: asked after today's digest hour
    await ask(a, "Asked at ten");
    await job.run(T0 + HOUR + MINUTE);
    expect(digests()).toHaveLength(0);

    tb.clock.set(T0 + 5 * HOUR);
    await ask(b, "Asked at two, then answered");
    await tb.groupUser(500, ASSIST).reply(headerId(2), "Done");

    await job.run(T0 + DAY - MINUTE); // 08:59 next day: not yet
    expect(digests()).toHaveLength(0);
    await job.run(T0 + DAY); // 09:00
    await job.run(T0 + DAY + MINUTE);
    await job.run(T0 + DAY + 10 * HOUR);
    const rows = digests();
    expect(rows).toHaveLength(1);
    expect(rows[0]!).toMatchObject({ chatId: ASSIST, dedupeKey: "questions-digest:2026-09-02:1" });
    const text = String(rows[0]!.payload.text);
    expect(text).toContain("Questions digest, September 2, 2026");
    expect(text).toContain("Waiting for an answer: 1; for the instructor: 0.");
    expect(text).toContain("#1</b> · 23 h 0 min");
    expect(text).not.toContain("#2");

    // The outbox delivers it to the assistants' chat.
    const sender = new OutboxSender({ api: tb.bot.api, db: tb.db, clock: tb.clock, ratePerSecond: 1000, sleep: async () => undefined });
    tb.clock.set(T0 + DAY + MINUTE);
    await sender.drain();
    expect(tb.telegram.lastTextTo(ASSIST)).toContain("Questions digest");

    // Nothing open the next day: no digest.
    await tb.groupUser(500, ASSIST).reply(headerId(1), "Done too");
    await job.run(T0 + 2 * DAY);
    expect(digests()).toHaveLength(1);
  });

  it("a question saved while the assistants' chat was unreachable is posted later", async () => {
    const u = await enrolled(42, "en");
    tb.telegram.failures.push((c) =>
      Number(c.payload.chat_id) === ASSIST ? { error_code: 400, description: "Bad Request: chat not found" } : undefined,
    );
    await ask(u, "Are you there?");
    expect(u.lastText()).toContain("Your question <b>#1</b> is saved");
    expect(getQuestion(tb.db, 1)!.assistantMessageId).toBeNull();

    const job = questionsRedeliveryJob(tb.db, tb.config, (q, now, options) => postQuestion(tb.bot.api, tb.db, tb.config, q, now, options));
    await job.run(T0 + 3 * MINUTE); // still failing: stays unposted
    expect(getQuestion(tb.db, 1)!.assistantMessageId).toBeNull();
    tb.telegram.failures.length = 0;
    await job.run(T0 + 30 * 1000); // too fresh: its own update may still be posting it
    expect(getQuestion(tb.db, 1)!.assistantMessageId).toBeNull();
    await job.run(T0 + 3 * MINUTE);
    expect(getQuestion(tb.db, 1)!.assistantMessageId).not.toBeNull();
    expect(tb.telegram.lastTextTo(ASSIST)).toContain("Are you there?");
    await job.run(T0 + 4 * MINUTE);
    const posted = sentTo(ASSIST).filter((c) => c.result && String(c.payload.text).includes("Are you there?"));
    expect(posted).toHaveLength(1);
  });
});

describe("posting survives a crash between sending and recording", () => {
  it("a photo whose header went out before the crash is sent under the header later, once", async () => {
    const { dir, cleanup } = tempDir();
    const telegram = new FakeTelegram();
    const config = { ASSISTANT_CHAT_ID: String(ASSIST), DEFAULT_LOCALE: "en" };
    const dbPath = join(dir, "bot.sqlite");
    try {
      const first = new TestBot({ now: T0, dbPath, config, telegram });
      first.loadCourse(courseYaml());
      const u1 = first.user(8, { lang: "en" });
      await u1.press("enr!:python-101");
      await u1.send("/ask");
      await u1.press("ask:m:python-101:g");
      telegram.failures.push((c) => {
        if (c.method === "sendPhoto") telegram.frozen = true;
        return undefined;
      });
      void first.handle(
        u1.message("", {
          text: undefined,
          photo: [{ file_id: "shot", file_unique_id: "shot", width: 1, height: 1 }],
          caption: "This error",
        }),
      );
      for (let i = 0; i < 1000 && !telegram.frozen; i++) await new Promise((r) => setImmediate(r));
      expect(telegram.frozen).toBe(true);
      first.close();
      telegram.frozen = false;
      telegram.failures.length = 0;

      const second = new TestBot({ now: T0 + 3 * MINUTE, dbPath, config, telegram });
      const job = questionsRedeliveryJob(second.db, second.config, (q, now, options) =>
        postQuestion(second.bot.api, second.db, second.config, q, now, options),
      );
      await job.run(T0 + 3 * MINUTE);
      await job.run(T0 + 4 * MINUTE);
      const headers = telegram.calls.filter((c) => c.method === "sendMessage" && Number(c.payload.chat_id) === ASSIST);
      expect(headers).toHaveLength(1);
      const photos = telegram.calls.filter((c) => c.method === "sendPhoto" && c.result);
      // The one lost in the crash (delivered, never recorded) and the one sent again under the header.
      expect(photos).toHaveLength(2);
      expect(photos[1]!.payload).toMatchObject({ photo: "shot", reply_parameters: { message_id: headers[0]!.result.message_id } });
      // Each copy names its question, so a reply to the unrecorded one still reaches the learner.
      expect(photos.map((p) => p.payload.caption)).toEqual(["Question #1", "Question #1"]);
      const orphan = Number(photos[0]!.result.message_id);
      await second.groupUser(500, ASSIST).reply(orphan, "Restart the kernel.", {
        reply_to_message: {
          message_id: orphan,
          date: 0,
          chat: { id: ASSIST, type: "supergroup", title: "Assistants" },
          from: { id: BOT_INFO.id, is_bot: true, first_name: BOT_INFO.first_name },
          photo: [{ file_id: "shot", file_unique_id: "shot", width: 1, height: 1 }],
          caption: "Question #1",
        } as never,
      });
      expect(telegram.lastTextTo(8)).toContain("Restart the kernel.");
      second.close();
    } finally {
      cleanup();
    }
  });

  it("posts again with a note, routes replies to either copy, tells the learner the number, and stops there", async () => {
    const { dir, cleanup } = tempDir();
    const telegram = new FakeTelegram();
    const config = { ASSISTANT_CHAT_ID: String(ASSIST), DEFAULT_LOCALE: "en" };
    const dbPath = join(dir, "bot.sqlite");
    try {
      const first = new TestBot({ now: T0, dbPath, config, telegram });
      first.loadCourse(courseYaml());
      const u1 = first.user(7, { lang: "ru" });
      await u1.press("enr!:python-101");
      await u1.send("/ask");
      await u1.press("ask:m:python-101:g");
      // kill -9 while the header is on its way: it reaches the chat, its answer never comes back.
      telegram.failures.push((c) => {
        if (c.method === "sendMessage" && Number(c.payload.chat_id) === ASSIST) telegram.frozen = true;
        return undefined;
      });
      const update = u1.message("Где найти задание?");
      void first.handle(update, 777_777);
      for (let i = 0; i < 1000 && !telegram.frozen; i++) await new Promise((r) => setImmediate(r));
      expect(telegram.frozen).toBe(true);
      first.close();
      telegram.frozen = false;
      telegram.failures.length = 0;
      const copies = () =>
        telegram.calls.filter((c) => Number(c.payload.chat_id) === ASSIST && String(c.payload.text).includes("Где найти задание?"));
      expect(copies()).toHaveLength(1);

      const second = new TestBot({ now: T0 + 3 * MINUTE, dbPath, config, telegram });
      // Telegram hands the interrupted message over again: it does not make a second question.
      await second.handle(update, 777_777);
      expect(second.db.select().from(questions).all()).toHaveLength(1);
      expect(getQuestion(second.db, 1)).toMatchObject({ assistantMessageId: null, learnerNotifiedAt: null });
      const job = questionsRedeliveryJob(second.db, second.config, (q, now, options) =>
        postQuestion(second.bot.api, second.db, second.config, q, now, options),
      );
      await job.run(T0 + 3 * MINUTE);
      expect(copies()).toHaveLength(2);
      expect(String(copies()[1]!.payload.text)).toContain(
        "Sent again after an interruption: this copy replaces any earlier copy of question #1",
      );
      expect(getQuestion(second.db, 1)!.assistantMessageId).toBe(copies()[1]!.result.message_id);
      // The learner gets the number through the outbox, once.
      await second.sender().drain();
      const told = telegram.textsTo(7).filter((t) => t.includes("№1"));
      expect(told).toHaveLength(1);
      expect(told[0]).toContain("отправлен ассистентам");

      // A reply to the unrecorded first copy reaches the learner, as does one to the second.
      const assistant = second.groupUser(500, ASSIST);
      const firstCopy = copies()[0]!;
      await assistant.reply(Number(firstCopy.result.message_id), "Во вкладке «Задания».", {
        reply_to_message: {
          message_id: Number(firstCopy.result.message_id),
          date: 0,
          chat: assistant.chat,
          from: { id: BOT_INFO.id, is_bot: true, first_name: BOT_INFO.first_name },
          text: String(firstCopy.payload.text).replace(/<[^>]+>/g, ""),
        } as never,
      });
      expect(telegram.lastTextTo(7)).toContain("Во вкладке «Задания».");
      expect(getQuestion(second.db, 1)!.state).toBe("answered");
      await assistant.reply(Number(copies()[1]!.result.message_id), "И ещё в разделе «Модуль 1».");
      expect(telegram.lastTextTo(7)).toContain("И ещё в разделе «Модуль 1».");

      // Nothing more to post or tell; one question in all.
      await job.run(T0 + 10 * MINUTE);
      await second.sender().drain();
      expect(copies()).toHaveLength(2);
      expect(telegram.textsTo(7).filter((t) => t.includes("№1") && t.includes("отправлен"))).toHaveLength(1);
      expect(second.db.select().from(questions).all()).toHaveLength(1);
      second.close();
    } finally {
      cleanup();
    }
  });
});

/**
 * Issue 10 items 4 and 5 through the real pipeline: /myquestions with the assistants' replies
 * (shortened, read in full with a button) and follow-ups in order; /progress with a bar and what
 * the next status needs, in kk, ru and en.
 */
import { desc, eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DAY, HOUR, MINUTE } from "../src/clock.js";
import { getQuestion } from "../src/db/questionsRepo.js";
import { questions, questionThread, quizAttempts } from "../src/db/schema/index.js";
import { nextGoal } from "../src/domain/progressGoal.js";
import { fullReplyButton, quizChoice } from "../src/messages/callbackData.js";
import { quizBank } from "../src/db/quizRepo.js";
import { courseYaml } from "./support/courses.js";
import { T0, TestBot, type TestUser } from "./support/harness.js";

const ASSIST = -1001234567;

describe("/myquestions", () => {
  let tb: TestBot;
  beforeEach(() => {
    tb = new TestBot({ now: T0, config: { ASSISTANT_CHAT_ID: String(ASSIST), DEFAULT_LOCALE: "en" } });
    tb.loadCourse(courseYaml());
  });
  afterEach(() => tb.close());

  async function enrolled(id: number, lang: string, firstName?: string): Promise<TestUser> {
    const u = tb.user(id, { lang, firstName });
    await u.press("enr!:python-101");
    return u;
  }

  async function ask(u: TestUser, text: string): Promise<number> {
    await u.send("/ask");
    await u.press("ask:m:python-101:g");
    await u.send(text);
    const rows = tb.db.select().from(questions).where(eq(questions.learnerId, u.id)).all();
    return rows[rows.length - 1]!.id;
  }

  const lastToAssistants = () =>
    tb.telegram.calls.filter((c) => c.method === "sendMessage" && Number(c.payload.chat_id) === ASSIST && c.result).at(-1)!;

  it("shows each question with the assistants' replies and follow-ups in order; a long reply is shortened and read in full", async () => {
    const u = await enrolled(20, "en");
    const id = await ask(u, "How does a for loop work?");
    const dana = tb.groupUser(500, ASSIST, { firstName: "Dana" });
    const long = `${"A for loop repeats its body for each item. ".repeat(12)}That is the whole story 👨‍👩‍👧 end.`;

    tb.clock.advance(HOUR);
    await dana.reply(getQuestion(tb.db, id)!.assistantMessageId!, long);
    const answerId = tb.telegram.lastSentMessageId(u.id);
    tb.clock.advance(2 * MINUTE);
    await u.reply(answerId, "And a while loop?");
    tb.clock.advance(HOUR);
    const followUp = lastToAssistants();
    await dana.reply(followUp.result.message_id, "While repeats while its condition is true.");
    // Two replies and a follow-up, with their texts.
    expect(tb.db.select().from(questionThread).all()).toHaveLength(3);

    await u.send("/myquestions");
    const text = u.lastText();
    const order = [
      "How does a for loop work?",
      "A for loop repeats",
      "You, September 1, 2026:",
      "And a while loop?",
      "While repeats while",
    ];
    const at = order.map((s) => text.indexOf(s));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(text).toContain("💬 <b>Dana</b>, September 1, 2026:");
    expect(text).toContain("✅ Answered");
    // Shortened at a grapheme boundary with an ellipsis; only the shortened reply gets a button.
    expect(text).not.toContain("That is the whole story");
    expect(text).toContain("…");
    const entries = tb.db.select().from(questionThread).all();
    expect(u.buttons()).toEqual([{ text: "📖 #1 · answer 1", data: fullReplyButton.encode(entries[0]!.id) }]);

    await u.press(fullReplyButton.encode(entries[0]!.id));
    expect(u.lastText()).toContain("💬 <b>Answer to your question #1</b>\nDana, September 1, 2026");
    expect(u.lastText()).toContain("That is the whole story 👨‍👩‍👧 end.");
  });

  it("in Russian and Kazakh, and a button of another learner's answer or a forged one reads nothing", async () => {
    const ru = await enrolled(21, "ru");
    const kk = await enrolled(22, "kk");
    const dana = tb.groupUser(500, ASSIST, { firstName: "Dana" });
    const qr = await ask(ru, "Как работает цикл?");
    const qk = await ask(kk, "Цикл қалай жұмыс істейді?");
    const longRu = "Цикл повторяет тело для каждого элемента. ".repeat(10);
    await dana.reply(getQuestion(tb.db, qr)!.assistantMessageId!, longRu);
    await dana.reply(getQuestion(tb.db, qk)!.assistantMessageId!, "Цикл әр элемент үшін қайталанады.");

    await ru.send("/myquestions");
    expect(ru.lastText()).toContain("<b>Ваши вопросы</b>");
    expect(ru.lastText()).toContain("💬 <b>Dana</b>, 1 сентября 2026:");
    const [button] = ru.buttons();
    expect(button!.text).toBe("📖 №1 · ответ 1");

    await kk.send("/myquestions");
    expect(kk.lastText()).toContain("Цикл әр элемент үшін қайталанады.");
    expect(kk.buttons()).toEqual([]);

    // The Kazakh learner presses the Russian learner's button: refused, nothing shown.
    const before = tb.telegram.textsTo(kk.id).length;
    await kk.press(button!.data);
    expect(kk.lastAlert()).toBe("Бұл жауап Сіздің сұрақтарыңыздың арасында жоқ.");
    await kk.press(fullReplyButton.encode(999_999));
    expect(kk.lastAlert()).toBe("Бұл жауап Сіздің сұрақтарыңыздың арасында жоқ.");
    await kk.press("myq:abc");
    expect(kk.lastAlert()).toBeTruthy();
    expect(tb.telegram.textsTo(kk.id)).toHaveLength(before);
  });

  it("a reply with a document is listed with its caption and read in full as a copy of the assistants' message", async () => {
    const u = await enrolled(24, "en");
    const id = await ask(u, "Where are the slides?");
    const replyId = await tb.groupUser(500, ASSIST, { firstName: "Dana" }).reply(getQuestion(tb.db, id)!.assistantMessageId!, undefined, {
      document: { file_id: "slides", file_unique_id: "sl", file_name: "week1.pdf" },
      caption: "Here they are",
    });
    await u.send("/myquestions");
    expect(u.lastText()).toContain("📎 document Here they are");
    const entry = tb.db.select().from(questionThread).all()[0]!;
    expect(u.buttons().map((b) => b.data)).toEqual([fullReplyButton.encode(entry.id)]);
    await u.press(fullReplyButton.encode(entry.id));
    const header = tb.telegram
      .callsOf("sendMessage")
      .filter((c) => Number(c.payload.chat_id) === u.id)
      .at(-1)!;
    expect(header.payload.text).toContain("Answer to your question #1");
    const copy = tb.telegram.callsOf("copyMessage").at(-1)!;
    expect(copy.payload).toMatchObject({ chat_id: u.id, from_chat_id: ASSIST, message_id: replyId });
    expect(copy.payload.reply_parameters.message_id).toBe(header.result.message_id);
  });

  it("many long threads are split into messages under 4,096 characters", async () => {
    const u = await enrolled(23, "en");
    const dana = tb.groupUser(500, ASSIST);
    for (let i = 0; i < 3; i++) {
      const id = await ask(u, `Question ${i}: ${"why ".repeat(200)}`);
      for (let r = 0; r < 6; r++) {
        tb.clock.advance(2 * MINUTE);
        await dana.reply(getQuestion(tb.db, id)!.assistantMessageId!, `Reply ${r}: ${"because ".repeat(150)}`);
      }
      // Questions are closed so the learner may ask again (at most 3 open).
      tb.clock.advance(2 * MINUTE);
    }
    const sentBefore = tb.telegram.textsTo(u.id).length;
    await u.send("/myquestions");
    const sent = tb.telegram.textsTo(u.id).slice(sentBefore);
    expect(sent.length).toBeGreaterThanOrEqual(1);
    for (const m of sent) expect(m.length).toBeLessThanOrEqual(4096);
    expect(sent.join("\n")).toContain("… 2 earlier messages");
  });
});

describe("/progress at a glance", () => {
  let tb: TestBot;
  const tr = (s: string) => `{ kk: ${JSON.stringify(`${s} (kk)`)}, ru: ${JSON.stringify(`${s} (ru)`)}, en: ${JSON.stringify(s)} }`;
  const oneQuestion = `pass_score: 50\nattempts: 1\nquestions:\n  - { type: truefalse, text: ${tr("True?")}, answer: true }`;
  beforeEach(() => {
    tb = new TestBot({ now: T0 });
    tb.loadCourse(courseYaml({ start: "2026-08-31", quizzes: { 0: oneQuestion, 1: oneQuestion, 2: oneQuestion, 3: oneQuestion } }));
  });
  afterEach(() => tb.close());

  async function passModule(u: TestUser, k: number): Promise<void> {
    await u.press(`qz:python-101:${k}`);
    await u.press(u.buttons().find((b) => b.data.startsWith("qs:"))!.data);
    const a = tb.db.select().from(quizAttempts).where(eq(quizAttempts.learnerId, u.id)).orderBy(desc(quizAttempts.id)).get()!;
    expect(quizBank(tb.db, a.quizId)[0]!.kind).toBe("truefalse");
    await u.press(quizChoice.encode(a.id, 0, 1));
  }

  it("shows a bar and what the next status needs, in kk, ru and en", async () => {
    const en = tb.user(30, { lang: "en" });
    const ru = tb.user(31, { lang: "ru" });
    const kk = tb.user(32, { lang: "kk" });
    for (const u of [en, ru, kk]) await u.press("enr!:python-101");

    await en.send("/progress");
    expect(en.lastText()).toContain("░░░░░░░░░░ 0%");
    expect(en.lastText()).toContain("➡️ To pass the course (40%): 40% more is needed — at least 2 more module quizzes with full marks.");

    await passModule(en, 0);
    await en.send("/progress");
    expect(en.lastText()).toContain("▓▓░░░░░░░░ 25%");
    expect(en.lastText()).toContain("➡️ To pass the course (40%): 15% more is needed — at least 1 more module quiz with full marks.");

    await passModule(ru, 0);
    await ru.send("/progress");
    expect(ru.lastText()).toContain("▓▓░░░░░░░░ 25%");
    expect(ru.lastText()).toContain("➡️ До зачёта курса (40%): не хватает 15% — это ещё хотя бы 1 тест модуля на полный балл.");
    tb.clock.set(T0 + 7 * DAY);
    await passModule(ru, 1);
    await ru.send("/progress");
    expect(ru.lastText()).toContain("▓▓▓▓▓░░░░░ 50%");
    expect(ru.lastText()).toContain("➡️ До сертификата (85%): не хватает 35% — это ещё хотя бы 2 теста модулей на полный балл.");

    await passModule(kk, 1);
    await kk.send("/progress");
    expect(kk.lastText()).toContain("▓▓░░░░░░░░ 25%");
    expect(kk.lastText()).toContain("➡️ Курсты өту үшін (40%): тағы 15% қажет — кемінде тағы 1 модуль тестін толық балмен тапсырыңыз.");

    // Module 1's quiz closed unanswered and the others are taken: the certificate is out of reach.
    tb.clock.set(T0 + 21 * DAY);
    await passModule(ru, 2);
    await passModule(ru, 3);
    await ru.send("/progress");
    expect(ru.lastText()).toContain("▓▓▓▓▓▓▓▓▓▓ 100%");
    expect(ru.lastText()).toContain("🎓 Вы достигли уровня сертификата (85%).");
    await kk.send("/progress");
    expect(kk.lastText()).toContain("➡️ Курсты өту үшін (40%)");
    tb.clock.set(T0 + 60 * DAY);
    await kk.send("/progress");
    expect(kk.lastText()).toContain("енді қол жеткізу мүмкін емес");
  });

  it("counts only quizzes that can still be improved, and formats decimals per locale", () => {
    expect(nextGoal(84.9, [{ score: 84.9, improvable: true }])).toEqual({
      kind: "reachable",
      next: "certificate",
      threshold: 85,
      points: 0.1,
      modules: 1,
    });
    expect(nextGoal(85, [{ score: 85, improvable: true }])).toEqual({ kind: "top", status: "certificate" });
    expect(
      nextGoal(39.9, [
        { score: 79.8, improvable: false },
        { score: 0, improvable: false },
      ]),
    ).toEqual({ kind: "out_of_reach", next: "passed", threshold: 40 });
    // The biggest gains first: one module from 0 to 100 outweighs two from 90.
    expect(
      nextGoal(45, [
        { score: 90, improvable: true },
        { score: 0, improvable: true },
        { score: 45, improvable: true },
      ]),
    ).toMatchObject({
      kind: "reachable",
      points: 40,
      modules: 2,
    });
  });
});

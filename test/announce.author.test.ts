import { afterEach, describe, expect, it } from "vitest";
import type { Locale } from "../src/domain/locale.js";
import { enroll } from "../src/db/coursesRepo.js";
import { setLearnerBlocked, upsertLearner } from "../src/db/learnersRepo.js";
import { broadcasts, outbox } from "../src/db/schema/index.js";
import { outboxMessages } from "../src/db/outboxRepo.js";
import { courseYaml } from "./support/courses.js";
import { T0, TestBot, tempDir, type TestUser } from "./support/harness.js";

const AUTHOR = 900;
let tb: TestBot;
let cleanup: (() => void) | null = null;
afterEach(() => {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- unset if the first test failed early
  tb?.close();
  cleanup?.();
  cleanup = null;
});

function setup(t: TestBot): void {
  t.loadCourse(courseYaml());
  const add = (id: number, lang: Locale) => {
    upsertLearner(t.db, { id, first_name: `L${id}` }, lang, T0);
    t.telegram.addChat(id); // a seeded learner started the bot before: Telegram knows the chat
    enroll(t.db, id, "python-101", T0);
  };
  add(1, "kk");
  add(2, "ru");
  add(3, "en");
  add(4, "en");
  setLearnerBlocked(t.db, 4, true, T0);
}

const callsTo = (t: TestBot, chatId: number, method?: string) =>
  t.telegram.calls.filter((c) => Number(c.payload.chat_id) === chatId && (!method || c.method === method));

const KK = "Сәлем, достар! Бүгін жаңа апта басталады.";
const RU = "Привет, друзья! Началась новая неделя.";
/** The course's name learners see above the announcement (issue 15), in the version's language. */
const HEAD = { kk: "📣 Python тіліне кіріспе\n\n", ru: "📣 Введение в Python\n\n", en: "📣 Introduction to Python\n\n" } as const;

const ui = {
  en: {
    choose: "New announcement",
    step1: "Step 1 of 3: 🇬🇧 English",
    saved: "Saved the 🇰🇿 Kazakh version",
    preview: "Preview — 🇰🇿 Kazakh",
    ready: "Ready to send",
    fallback: "🇬🇧 English: 2 learners get the 🇰🇿 Kazakh version",
    blocked: "1 of them has blocked the bot",
    send: "✅ Send to 4 learners",
    final: "has been sent: 4 of 4 processed",
    sent: "delivered: 3",
    blockedLine: "blocked the bot: 1",
  },
  ru: {
    choose: "Новое объявление",
    step1: "Шаг 1 из 3: 🇷🇺 Русский",
    saved: "Версия «🇰🇿 Казахский» сохранена",
    preview: "Предпросмотр — 🇰🇿 Казахский",
    ready: "Готово к отправке",
    fallback: "🇬🇧 Английский: 2 слушателя получат версию «🇰🇿 Казахский»",
    blocked: "Из них 1 заблокировал бота",
    send: "✅ Отправить 4 слушателям",
    final: "разослано: обработано 4 из 4",
    sent: "доставлено: 3",
    blockedLine: "заблокировали бота: 1",
  },
  kk: {
    choose: "Жаңа хабарландыру",
    step1: "Қадам 1/3: 🇰🇿 Қазақ тілі",
    saved: "«🇰🇿 Қазақ тілі» нұсқасы сақталды",
    preview: "Алдын ала қарау — 🇰🇿 Қазақ тілі",
    ready: "Жіберуге дайын",
    fallback: "🇬🇧 Ағылшын тілі: «🇰🇿 Қазақ тілі» нұсқасын алатын білім алушылар саны — 2",
    blocked: "Олардың ішінде ботты бұғаттағандар саны — 1",
    send: "✅ Жіберу (білім алушылар саны — 4)",
    final: "таратылды: өңделгені — 4/4",
    sent: "жеткізілді: 3",
    blockedLine: "ботты бұғаттағандар: 1",
  },
} as const;

/** The steps' languages: the author's own first, then the course's others in order (issue 15). */
const ORDER = { en: ["en", "kk", "ru"], ru: ["ru", "kk", "en"], kk: ["kk", "ru", "en"] } as const;

describe.each(["en", "ru", "kk"] as const)("/announce flow for an author who speaks %s", (lang) => {
  it("chooses the course, sends per-language versions, previews, confirms, sees progress and the report", async () => {
    tb = new TestBot({ now: T0 });
    setup(tb);
    const s = ui[lang];
    const author = tb.user(AUTHOR, { lang });

    await author.send("/announce");
    expect(author.lastText()).toContain(s.choose);
    expect(author.buttons().map((b) => b.data)).toEqual(["an:c:1:python-101", "an:x:1"]);

    await author.press("an:c:1:python-101");
    expect(author.lastText()).toContain(s.step1);
    expect(author.buttons().map((b) => b.data)).toEqual(["an:k:1:0", "an:x:1"]);

    // Formatting survives: the entities are sent as they came (moved below the course's name).
    const bold = [{ type: "bold" as const, offset: 0, length: 6 }];
    for (const [step, l] of ORDER[lang].entries()) {
      if (l === "kk") {
        await author.send(KK);
        expect(author.texts().some((t) => t.includes(s.saved))).toBe(true);
        if (step < 2) expect(author.buttons().map((b) => b.data)).toEqual([`an:k:1:${step + 1}`, "an:p:1", "an:x:1"]);
      } else if (l === "ru") await author.sendRaw({ text: RU, entities: bold });
      else await author.press(`an:k:1:${step}`); // no English version: English readers get the first language's
    }

    // The preview shows each version exactly as learners will get it, then a summary.
    const previews = callsTo(tb, AUTHOR, "sendMessage").map((c) => c.payload);
    expect(previews.some((p) => String(p.text).includes(s.preview))).toBe(true);
    expect(previews.some((p) => p.text === HEAD.kk + KK)).toBe(true);
    const titleBold = { type: "bold", offset: 3, length: "Введение в Python".length };
    const moved = [titleBold, { ...bold[0], offset: HEAD.ru.length }];
    expect(previews.some((p) => p.text === HEAD.ru + RU && JSON.stringify(p.entities) === JSON.stringify(moved))).toBe(true);
    const summary = author.lastText();
    expect(summary).toContain(s.ready);
    expect(summary).toContain(s.fallback);
    expect(summary).toContain(s.blocked);
    expect(summary).not.toContain("⚠️");
    expect(author.buttons()[0]).toEqual({ text: s.send, data: "an:y:1" });
    expect(tb.db.select().from(outbox).all()).toHaveLength(0);

    await author.press("an:y:1");
    expect(outboxMessages(tb.db).filter((r) => r.batch === "bc:1")).toHaveLength(4);
    await author.press("an:y:1"); // a double tap sends nothing more
    expect(tb.db.select().from(outbox).all()).toHaveLength(4);

    await tb.sender().drain();
    expect(tb.telegram.lastTextTo(1)).toBe(HEAD.kk + KK);
    expect(tb.telegram.lastTextTo(2)).toBe(HEAD.ru + RU);
    expect(tb.telegram.lastTextTo(3)).toBe(HEAD.kk + KK);
    expect(callsTo(tb, 4)).toHaveLength(0);

    await tb.monitor().poll();
    const report = author.lastText();
    expect(report).toContain(s.final);
    expect(report).toContain(s.sent);
    expect(report).toContain(s.blockedLine);
    // The progress message was edited in place, and the report also came as a new message.
    expect(callsTo(tb, AUTHOR, "editMessageText").some((c) => String(c.payload.text).includes(s.final))).toBe(true);
    expect(tb.db.select().from(broadcasts).get()?.status).toBe("done");
  });
});

const mismatch = {
  en: {
    step2: "Step 2 of 3: 🇰🇿 Kazakh",
    saved: "This text seems to be in 🇬🇧 English, but this step is for learners who read 🇰🇿 Kazakh",
    summary: "The 🇰🇿 Kazakh version seems to be written in 🇬🇧 English: check it before sending.",
    own: "A new week of the course starts today: please read the lessons of module two.",
  },
  ru: {
    step2: "Шаг 2 из 3: 🇰🇿 Казахский",
    saved: "Похоже, этот текст написан на другом языке (🇷🇺 Русский), а этот шаг — для слушателей, которые читают на языке «🇰🇿 Казахский»",
    summary: "Версия «🇰🇿 Казахский», похоже, написана на другом языке (🇷🇺 Русский): проверьте её перед отправкой.",
    own: "Сегодня начинается новая неделя курса: прочитайте, пожалуйста, уроки второго модуля.",
  },
  kk: {
    step2: "Қадам 2/3: 🇷🇺 Орыс тілі",
    saved: "Бұл мәтін басқа тілде (🇰🇿 Қазақ тілі) жазылған сияқты, ал бұл қадамның тілі — 🇷🇺 Орыс тілі",
    summary: "«🇷🇺 Орыс тілі» нұсқасы басқа тілде (🇰🇿 Қазақ тілі) жазылған сияқты: жібермес бұрын тексеріп шығыңыз.",
    own: "Бүгін курстың жаңа аптасы басталады: екінші модульдің сабақтарын оқып шығыңыз.",
  },
} as const;

describe.each(["en", "ru", "kk"] as const)("/announce checks the language of each version (%s author)", (lang) => {
  it("names each step's language in the author's language and warns when a version seems to be in another", async () => {
    tb = new TestBot({ now: T0 });
    setup(tb);
    const m = mismatch[lang];
    const author = tb.user(AUTHOR, { lang });
    await author.send("/announce");
    await author.press("an:c:1:python-101");
    await author.send(m.own); // step 1: the author's own language, no warning
    expect(author.texts().at(-2)).not.toContain("⚠️");
    expect(author.lastText()).toContain(m.step2);
    await author.send(m.own); // step 2: another language, the same text
    expect(author.texts().at(-2)).toContain(m.saved);
    await author.press("an:p:1");
    expect(author.lastText()).toContain(m.summary);
  });
});

describe("/announce: who may use it and bad input", () => {
  it("is refused to a learner, and forged buttons do nothing", async () => {
    tb = new TestBot({ now: T0 });
    setup(tb);
    const learner = tb.user(5, { lang: "ru" });
    await learner.send("/announce");
    expect(learner.lastText()).toContain("Эта команда доступна только авторам курсов");
    await learner.press("an:y:1");
    expect(learner.lastAlert()).toContain("только авторам курсов");
    expect(tb.db.select().from(broadcasts).all()).toHaveLength(0);
  });

  it("refuses a text over 4096 and a caption over 1024 characters with the count, and unsupported messages", async () => {
    tb = new TestBot({ now: T0 });
    setup(tb);
    const author = tb.user(AUTHOR);
    await author.send("/announce");
    await author.press("an:c:1:python-101");

    await author.sendRaw({ text: "a".repeat(5000) });
    expect(author.lastText()).toBe(
      "This text has 5,000 characters; a Telegram message can have at most 4,096. Please shorten it and send it again.",
    );
    const photo = [
      { file_id: "small", file_unique_id: "s", width: 90, height: 90 },
      { file_id: "big", file_unique_id: "b", width: 1280, height: 1280 },
    ];
    await author.sendRaw({ photo, caption: "b".repeat(1030) });
    expect(author.lastText()).toContain("This caption has 1,030 characters; a caption under a photo or document can have at most 1,024.");
    await author.sendRaw({
      sticker: { file_id: "st", file_unique_id: "st", type: "regular", width: 1, height: 1, is_animated: false, is_video: false },
    });
    expect(author.lastText()).toContain("I can send a text, or a photo or document with a caption");
    await author.sendRaw({ photo, caption: "one of two", media_group_id: "album1" });
    expect(author.lastText()).toContain("Albums cannot be sent as an announcement");
    expect(tb.db.select().from(broadcasts).get()?.step).toBe(0);

    // A photo with a caption is accepted and sent by file_id (largest size), caption kept.
    // The course's name above the text must fit too: the limit left for the author's own text is given.
    await author.sendRaw({ text: "a".repeat(4090) });
    expect(author.lastText()).toContain(`at most ${(4096 - HEAD.en.length).toLocaleString("en")}`);
    await author.sendRaw({ photo, caption: "Week 2 poster" });
    await author.press("an:p:1");
    const shown = callsTo(tb, AUTHOR, "sendPhoto").map((c) => c.payload);
    expect(shown).toEqual([expect.objectContaining({ photo: "big", caption: `${HEAD.en}Week 2 poster` })]);
    await author.press("an:y:1");
    await tb.sender().drain();
    expect(callsTo(tb, 3, "sendPhoto")).toHaveLength(1);
    expect(callsTo(tb, 2, "sendPhoto")[0]!.payload).toMatchObject({ photo: "big", caption: `${HEAD.en}Week 2 poster` });
  });

  it("asks for a button when the author types while a button is expected; stale buttons get an alert", async () => {
    tb = new TestBot({ now: T0 });
    setup(tb);
    const author = tb.user(AUTHOR);
    await author.send("/announce");
    await author.send("python-101");
    expect(author.lastText()).toContain("Please choose the course with one of the buttons above");
    await author.press("an:c:77:python-101");
    expect(author.lastAlert()).toContain("no longer in progress");
    await author.press("an:p:1"); // preview before any version
    expect(author.lastAlert()).toContain("no longer in progress");
  });

  it("cancel by button or /cancel: nothing is sent and the author's messages are ordinary again", async () => {
    tb = new TestBot({ now: T0 });
    setup(tb);
    const author = tb.user(AUTHOR);
    await author.send("/announce");
    await author.press("an:c:1:python-101");
    await author.send("/cancel");
    expect(author.lastText()).toBe("Cancelled: the announcement was not sent.");
    await author.send("hello");
    expect(author.lastText()).toContain("I understand commands and buttons");

    await author.send("/announce");
    await author.press("an:x:2");
    expect(author.lastText()).toBe("Cancelled: the announcement was not sent.");
    await author.press("an:c:2:python-101");
    expect(author.lastAlert()).toContain("no longer in progress");
    expect(tb.db.select().from(outbox).all()).toHaveLength(0);
  });

  it("a text that starts with a slash but is not a command is taken as the announcement", async () => {
    tb = new TestBot({ now: T0 });
    setup(tb);
    const author = tb.user(AUTHOR);
    await author.send("/announce");
    await author.press("an:c:1:python-101");
    await author.sendRaw({ text: "/usr/bin/python3 is where Python lives on the lab computers." });
    expect(author.texts().some((t) => t.includes("Saved the 🇬🇧 English version"))).toBe(true);
  });

  it("a draft abandoned for a day no longer captures the author's messages", async () => {
    tb = new TestBot({ now: T0 });
    setup(tb);
    const author = tb.user(AUTHOR);
    await author.send("/announce");
    await author.press("an:c:1:python-101");
    tb.clock.advance(25 * 60 * 60 * 1000);
    await author.send("just chatting");
    expect(author.lastText()).toContain("I understand commands and buttons");
    expect(tb.db.select().from(broadcasts).get()?.status).toBe("cancelled");
  });

  it("a restart in the middle of preparing resumes at the same step", async () => {
    const { dir, cleanup: c } = tempDir();
    cleanup = c;
    const dbPath = `${dir}/bot.sqlite`;
    const first = new TestBot({ now: T0, dbPath });
    setup(first);
    let author: TestUser = first.user(AUTHOR);
    await author.send("/announce");
    await author.press("an:c:1:python-101");
    await author.send("English text");
    first.close();

    tb = new TestBot({ now: T0, dbPath });
    tb.telegram.addChat(1, 2, 3); // a new fake after the restart; Telegram still knows the learners' chats
    author = tb.user(AUTHOR);
    await author.send("Қазақша мәтін");
    expect(author.lastText()).toContain("Step 3 of 3: 🇷🇺 Russian");
    await author.send("Русский текст");
    expect(author.texts().some((t) => t.includes("Ready to send"))).toBe(true);
    await author.press("an:y:1");
    await tb.sender().drain();
    expect(tb.telegram.lastTextTo(3)).toBe(`${HEAD.en}English text`);
    expect(tb.telegram.lastTextTo(2)).toBe(`${HEAD.ru}Русский текст`);
  });

  it("progress is edited only when it changes, and a restart mid-broadcast carries on to the final report", async () => {
    const { dir, cleanup: c } = tempDir();
    cleanup = c;
    const dbPath = `${dir}/bot.sqlite`;
    const first = new TestBot({ now: T0, dbPath });
    setup(first);
    const author = first.user(AUTHOR);
    await author.send("/announce");
    await author.press("an:c:1:python-101");
    await author.send("Hello everyone");
    await author.press("an:p:1");
    await author.press("an:y:1");
    // Learner 3 is rate-limited: their message waits 30 s while the others go out.
    first.telegram.failures.push((call) =>
      call.payload.chat_id === 3
        ? { error_code: 429, description: "Too Many Requests: retry after 30", parameters: { retry_after: 30 } }
        : undefined,
    );
    await first.sender().drain();
    const monitor = first.monitor();
    await monitor.poll();
    await monitor.poll();
    // One edit on confirming (0 of 4), one from the first poll; the second poll saw no change.
    const edits = callsTo(first, AUTHOR, "editMessageText")
      .map((e) => String(e.payload.text))
      .filter((t) => t.includes("Sending the announcement"));
    expect(edits).toHaveLength(2);
    expect(edits[0]).toContain("0 of 4 processed");
    expect(edits[1]).toContain("3 of 4 processed");
    expect(edits[1]).toContain("still waiting: 1");
    first.close();

    tb = new TestBot({ now: T0 + 60_000, dbPath });
    tb.telegram.addChat(1, 2, 3, AUTHOR); // a new fake after the restart; Telegram still knows these chats
    await tb.sender().drain();
    expect(tb.telegram.lastTextTo(3)).toBe(`${HEAD.en}Hello everyone`);
    await tb.monitor().poll();
    expect(tb.telegram.lastTextTo(AUTHOR)).toContain("has been sent: 4 of 4 processed");
    expect(tb.telegram.lastTextTo(AUTHOR)).toContain("delivered: 3");
    await tb.monitor().poll(); // done: no second report
    expect(callsTo(tb, AUTHOR, "sendMessage")).toHaveLength(1);
  });
});

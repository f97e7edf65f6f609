/**
 * Each course its own assistants' chat (issue 9 items 3, 6 and their part of 8): questions of two
 * courses routed to two linked groups and answered back, a third course on ASSISTANT_CHAT_ID,
 * linking checked against the role of whoever presses, unlinking, the bot removed from a chat
 * (authors told, questions wait, posted once a chat is linked again), and each chat's language.
 * The bot is restarted (a new bot over the same database file) between steps.
 */
import { join } from "node:path";
import type { Update } from "grammy/types";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DAY, HOUR, MINUTE } from "../src/clock.js";
import { assistantChatFor, courseChat } from "../src/db/courseChatsRepo.js";
import { outboxMessages } from "../src/db/outboxRepo.js";
import { getQuestion } from "../src/db/questionsRepo.js";
import { grantCourseRole } from "../src/db/staffRepo.js";
import { questionsDigestJob, questionsRedeliveryJob } from "../src/jobs/questions.js";
import { postQuestion } from "../src/bot/questionRelay.js";
import { courseYaml } from "./support/courses.js";
import { BOT_INFO } from "./support/fakeTelegram.js";
import { T0, tempDir, TestBot, type TestUser } from "./support/harness.js";

const DEFAULT_CHAT = -1009000;
const CHAT_A = -1001001;
const CHAT_B = -1001002;
const CHAT_C = -1001003;
const CONFIG = { ASSISTANT_CHAT_ID: String(DEFAULT_CHAT), DEFAULT_LOCALE: "en" };

// People: 900 is an admin (the harness's ADMIN_IDS); the others hold roles in one course each.
const AUTHOR_A = 10;
const ASSISTANT_A = 11;
const AUTHOR_B = 20;
const ASSISTANT_B = 21;
const OUTSIDER = 500;

let tmp: { dir: string; cleanup: () => void };
let tb: TestBot;

beforeEach(() => {
  tmp = tempDir();
  tb = new TestBot({ now: T0, dbPath: join(tmp.dir, "bot.sqlite"), config: CONFIG });
  tb.loadCourse(courseYaml({ id: "python-101" }));
  tb.loadCourse(courseYaml({ id: "data-101" }));
  tb.loadCourse(courseYaml({ id: "web-101" }));
  const now = new Date(T0);
  grantCourseRole(tb.db, { courseId: "python-101", userId: AUTHOR_A, role: "author", grantedBy: null, now });
  grantCourseRole(tb.db, { courseId: "python-101", userId: ASSISTANT_A, role: "assistant", grantedBy: null, now });
  grantCourseRole(tb.db, { courseId: "data-101", userId: AUTHOR_B, role: "author", grantedBy: null, now });
  grantCourseRole(tb.db, { courseId: "data-101", userId: ASSISTANT_B, role: "assistant", grantedBy: null, now });
  tb.telegram.addChat(CHAT_A, CHAT_B, CHAT_C, AUTHOR_A, AUTHOR_B, 900);
});
afterEach(() => {
  tb.close();
  tmp.cleanup();
});

/** The process stops and starts again: a new bot over the same database file and the same Telegram. */
function restart(): void {
  const now = tb.clock.now();
  tb.close();
  tb = new TestBot({ now, dbPath: join(tmp.dir, "bot.sqlite"), config: CONFIG, telegram: tb.telegram });
}

const member = (id: number, chatId: number) => tb.groupUser(id, chatId);
const lastIn = (chatId: number) => tb.telegram.lastMessageTo(chatId);
const textsIn = (chatId: number) => tb.telegram.textsTo(chatId);
const lastMessageIdIn = (chatId: number) =>
  Number(tb.telegram.calls.filter((c) => Number(c.payload.chat_id) === chatId && c.result).at(-1)!.result.message_id);

async function link(authorId: number, chatId: number, courseId: string): Promise<void> {
  await member(authorId, chatId).send("/link");
  await member(authorId, chatId).press(`clk:${courseId}`, lastMessageIdIn(chatId));
}

async function learner(id: number, lang = "en"): Promise<TestUser> {
  const u = tb.user(id, { lang });
  for (const c of ["python-101", "data-101", "web-101"]) await u.press(`enr!:${c}`);
  return u;
}

/** Asks a general question in a course; the clock moves on past the one-a-minute limit first. */
async function ask(u: TestUser, courseId: string, text: string): Promise<number> {
  tb.clock.advance(2 * MINUTE);
  await u.send("/ask");
  await u.press(`ask:c:${courseId}`);
  await u.press(`ask:m:${courseId}:g`);
  await u.send(text);
  const m = /#(\d+)/.exec(u.lastText().replace(/№/g, "#"));
  return Number(m![1]);
}

function botStatusUpdate(chatId: number, title: string, from: number, before: string, after: string): Omit<Update, "update_id"> {
  const bot = { id: BOT_INFO.id, is_bot: true, first_name: BOT_INFO.first_name };
  return {
    my_chat_member: {
      chat: { id: chatId, type: "supergroup", title },
      from: { id: from, is_bot: false, first_name: "Admin" },
      date: Math.floor(tb.clock.now() / 1000),
      old_chat_member: { status: before, user: bot },
      new_chat_member: { status: after, user: bot },
    },
  } as unknown as Omit<Update, "update_id">;
}

describe("questions of two courses in two chats", () => {
  it("routes each course's questions to its own chat, the third to ASSISTANT_CHAT_ID, and answers back, across restarts", async () => {
    await member(AUTHOR_A, CHAT_A).send("/link");
    // Only the courses the sender authors are offered.
    expect(lastIn(CHAT_A).buttons.map((b) => b.data)).toEqual(["clk:python-101"]);
    const picker = lastMessageIdIn(CHAT_A);
    restart();
    await member(AUTHOR_A, CHAT_A).press("clk:python-101", picker);
    expect(tb.telegram.lastTextTo(CHAT_A)).toContain("is linked to this chat");
    await link(AUTHOR_B, CHAT_B, "data-101");
    expect(courseChat(tb.db, "python-101")).toMatchObject({ chatId: CHAT_A, linkedBy: AUTHOR_A, removedAt: null });
    expect(courseChat(tb.db, "data-101")).toMatchObject({ chatId: CHAT_B, linkedBy: AUTHOR_B });
    // The group's own command menu, set after linking.
    const menu = tb.telegram.callsOf("setMyCommands").find((c) => c.payload.scope?.chat_id === CHAT_A)!;
    expect(menu.payload.commands.map((c: { command: string }) => c.command)).toContain("chatlanguage");

    const u = await learner(1);
    const qa = await ask(u, "python-101", "A question about Python");
    const qb = await ask(u, "data-101", "A question about data");
    const qc = await ask(u, "web-101", "A question about the web");
    expect(getQuestion(tb.db, qa)!.assistantChatId).toBe(CHAT_A);
    expect(getQuestion(tb.db, qb)!.assistantChatId).toBe(CHAT_B);
    expect(getQuestion(tb.db, qc)!.assistantChatId).toBe(DEFAULT_CHAT);
    expect(textsIn(CHAT_A).join("\n")).toContain("A question about Python");
    expect(textsIn(CHAT_A).join("\n")).not.toContain("A question about data");
    expect(textsIn(DEFAULT_CHAT).join("\n")).toContain("A question about the web");
    expect(textsIn(DEFAULT_CHAT).join("\n")).not.toContain("A question about Python");

    // Each chat lists only the questions of the courses it serves.
    await member(ASSISTANT_A, CHAT_A).send("/questions");
    expect(tb.telegram.lastTextTo(CHAT_A)).toContain(`#${qa}</b>`);
    expect(tb.telegram.lastTextTo(CHAT_A)).not.toContain(`#${qb}</b>`);
    // A member of a linked chat without a role in its courses lists nothing (as they answer nothing).
    for (const command of ["/questions", "/questions_csv"]) {
      await member(OUTSIDER, CHAT_A).send(command);
      expect(tb.telegram.lastTextTo(CHAT_A)).toContain(
        "Only assistants and authors of the courses this chat serves can list their questions.",
      );
    }
    await member(OUTSIDER, DEFAULT_CHAT).send("/questions");
    expect(tb.telegram.lastTextTo(DEFAULT_CHAT)).toContain(`#${qc}</b>`);
    expect(tb.telegram.lastTextTo(DEFAULT_CHAT)).not.toContain(`#${qa}</b>`);

    restart();
    // The data course's assistant, a member of chat A too, may not answer a Python question.
    await member(ASSISTANT_B, CHAT_A).reply(getQuestion(tb.db, qa)!.assistantMessageId!, "Not mine to answer");
    expect(tb.telegram.lastTextTo(CHAT_A)).toContain("Only assistants and authors of “Introduction to Python” can answer");
    expect(u.texts().join("\n")).not.toContain("Not mine to answer");
    await member(ASSISTANT_B, CHAT_A).press(`aq:c:${qa}`, getQuestion(tb.db, qa)!.assistantMessageId!);
    expect(tb.telegram.callbackAnswers().at(-1)!.payload.text).toContain(
      "Only assistants and authors of “Introduction to Python” can do this",
    );
    expect(getQuestion(tb.db, qa)!.state).toBe("open");

    await member(ASSISTANT_A, CHAT_A).reply(getQuestion(tb.db, qa)!.assistantMessageId!, "Python answer");
    await member(ASSISTANT_B, CHAT_B).reply(getQuestion(tb.db, qb)!.assistantMessageId!, "Data answer");
    // web-101 has no chat of its own: in ASSISTANT_CHAT_ID, the admins' shared pool, any member
    // answers, also once the course has a team.
    grantCourseRole(tb.db, { courseId: "web-101", userId: AUTHOR_B, role: "author", grantedBy: null, now: new Date(tb.clock.now()) });
    await member(OUTSIDER, DEFAULT_CHAT).reply(getQuestion(tb.db, qc)!.assistantMessageId!, "Web answer");
    const got = u.texts().join("\n");
    expect(got).toContain("Python answer");
    expect(got).toContain("Data answer");
    expect(got).toContain("Web answer");
    expect([qa, qb, qc].map((id) => getQuestion(tb.db, id)!.state)).toEqual(["answered", "answered", "answered"]);

    // A non-member of chat B is refused even with the right role elsewhere.
    tb.telegram.chatMembers.set(`${CHAT_B}:${ASSISTANT_A}`, "left");
    await member(ASSISTANT_A, CHAT_B).press(`aq:o:${qb}`, getQuestion(tb.db, qb)!.assistantMessageId!);
    expect(tb.telegram.callbackAnswers().at(-1)!.payload.text).toContain("Only members of the assistants' chat");
    // A forged button in chat B naming chat A's question changes nothing.
    await member(ASSISTANT_B, CHAT_B).press(`aq:o:${qa}`, 1);
    expect(tb.telegram.callbackAnswers().at(-1)!.payload.text).toContain("no longer exists");
    expect(getQuestion(tb.db, qa)!.state).toBe("answered");
  });
});

describe("linking and unlinking", () => {
  it("an author of one course cannot link another; the role of whoever presses decides", async () => {
    await member(AUTHOR_A, CHAT_B).send("/link");
    expect(lastIn(CHAT_B).buttons.map((b) => b.data)).toEqual(["clk:python-101"]);
    const picker = lastMessageIdIn(CHAT_B);
    // A forged button for a course they do not author.
    await member(AUTHOR_A, CHAT_B).press("clk:data-101", picker);
    expect(tb.telegram.callbackAnswers().at(-1)!.payload.text).toContain("Only an author of “Introduction to Python”");
    expect(courseChat(tb.db, "data-101")).toBeUndefined();
    // Someone else presses the author's button: their own role is checked.
    await member(AUTHOR_B, CHAT_B).press("clk:python-101", picker);
    expect(tb.telegram.callbackAnswers().at(-1)!.payload.text).toContain("Only an author of");
    expect(courseChat(tb.db, "python-101")).toBeUndefined();
    // An old button pressed by an author who left the group.
    tb.telegram.chatMembers.set(`${CHAT_B}:${AUTHOR_A}`, "left");
    await member(AUTHOR_A, CHAT_B).press("clk:python-101", picker);
    expect(tb.telegram.callbackAnswers().at(-1)!.payload.text).toContain("Only members of the assistants' chat");
    expect(courseChat(tb.db, "python-101")).toBeUndefined();
    // Someone authoring nothing, and /link in a private chat.
    await member(OUTSIDER, CHAT_B).send("/link");
    expect(tb.telegram.lastTextTo(CHAT_B)).toContain("You are not an author of any course");
    await tb.user(AUTHOR_A).send("/link");
    expect(tb.user(AUTHOR_A).lastText()).toContain("Send /link in the group");
    // An admin may link any course.
    await link(900, CHAT_B, "data-101");
    expect(courseChat(tb.db, "data-101")).toMatchObject({ chatId: CHAT_B, linkedBy: 900 });
  });

  it("/unlink sends the course's questions back to ASSISTANT_CHAT_ID; only its author can", async () => {
    await link(AUTHOR_A, CHAT_A, "python-101");
    await member(AUTHOR_B, CHAT_A).send("/unlink");
    expect(tb.telegram.lastTextTo(CHAT_A)).toContain("No course you author is linked to this chat");
    await member(AUTHOR_A, CHAT_A).send("/unlink");
    expect(lastIn(CHAT_A).buttons.map((b) => b.data)).toEqual(["culk:python-101"]);
    const picker = lastMessageIdIn(CHAT_A);
    restart();
    await member(AUTHOR_B, CHAT_A).press("culk:python-101", picker);
    expect(courseChat(tb.db, "python-101")).toBeDefined();
    await member(AUTHOR_A, CHAT_A).press("culk:python-101", picker);
    expect(tb.telegram.lastTextTo(CHAT_A)).toContain("its new questions go to the shared assistants' chat");
    expect(courseChat(tb.db, "python-101")).toBeUndefined();
    // Pressed again: nothing left to unlink.
    await member(AUTHOR_A, CHAT_A).press("culk:python-101", picker);
    expect(tb.telegram.callbackAnswers().at(-1)!.payload.text).toContain("not linked to this chat any more");

    const u = await learner(2);
    const q = await ask(u, "python-101", "After the unlink");
    expect(getQuestion(tb.db, q)!.assistantChatId).toBe(DEFAULT_CHAT);
    await member(OUTSIDER, CHAT_A).send("/questions");
    expect(tb.telegram.lastTextTo(CHAT_A)).toContain("No course is linked to this chat");
  });
  it("a group upgraded to a supergroup takes its links and language to the new id", async () => {
    const upgraded = -1001004;
    await link(AUTHOR_A, CHAT_A, "python-101");
    await member(ASSISTANT_A, CHAT_A).send("/chatlanguage");
    await member(ASSISTANT_A, CHAT_A).press("clng:ru", lastMessageIdIn(CHAT_A));
    await member(AUTHOR_A, CHAT_A).send(undefined, { migrate_to_chat_id: upgraded });
    tb.telegram.addChat(upgraded);
    restart();
    const u = await learner(6);
    const q = await ask(u, "python-101", "After the upgrade");
    expect(getQuestion(tb.db, q)!.assistantChatId).toBe(upgraded);
    expect(textsIn(upgraded).join("\n")).toContain(`Вопрос #${q}`);
  });
});

describe("the bot removed from a chat", () => {
  it("tells the course's authors in their language; questions wait and are posted when a chat is linked again", async () => {
    await tb.user(AUTHOR_A, { lang: "ru" }).send("/start");
    await link(AUTHOR_A, CHAT_A, "python-101");
    await tb.handle(botStatusUpdate(CHAT_A, "Python helpers", AUTHOR_A, "member", "kicked"));
    expect(courseChat(tb.db, "python-101")!.removedAt).not.toBeNull();
    expect(assistantChatFor(tb.db, tb.config, "python-101")).toEqual({ kind: "waiting" });
    await tb.sender().drain();
    const notice = tb.telegram.lastTextTo(AUTHOR_A);
    expect(notice).toContain("Меня удалили из «Python helpers»");
    expect(notice).toContain("Введение в Python");
    // Only the affected course's authors (no admin: the course has an author of its own).
    expect(tb.telegram.textsTo(AUTHOR_B).join("\n")).not.toContain("Python helpers");
    expect(tb.telegram.textsTo(900).join("\n")).not.toContain("Python helpers");
    // The same notice again (Telegram may repeat an update) tells nobody twice.
    await tb.handle(botStatusUpdate(CHAT_A, "Python helpers", AUTHOR_A, "member", "left"));
    expect(outboxMessages(tb.db).filter((r) => r.kind === "chat-removed")).toHaveLength(1);

    const sentBefore = tb.telegram.calls.filter((c) => Number(c.payload.chat_id) === CHAT_A).length;
    const u = await learner(3, "kk");
    const q = await ask(u, "python-101", "Күтетін сұрақ");
    expect(u.lastText()).toContain("Курс көмекшілерінің чаты қазір қолжетімсіз");
    expect(getQuestion(tb.db, q)!.assistantMessageId).toBeNull();
    // Not to the old chat, not to ASSISTANT_CHAT_ID: it waits, also through the redelivery job.
    const post = (qq: Parameters<typeof postQuestion>[3], now: number, o: { maybeCopy: boolean }) =>
      postQuestion(tb.bot.api, tb.db, tb.config, qq, now, o);
    await questionsRedeliveryJob(tb.db, tb.config, post).run(tb.clock.now() + 10 * MINUTE);
    expect(tb.telegram.calls.filter((c) => Number(c.payload.chat_id) === CHAT_A)).toHaveLength(sentBefore);
    expect(textsIn(DEFAULT_CHAT).join("\n")).not.toContain("Күтетін сұрақ");
    // A follow-up cannot go anywhere either: the learner is told, nothing is recorded.
    tb.clock.advance(2 * MINUTE);
    await u.reply(u.lastMessageId(), "Тағы бір нәрсе");
    expect(u.lastText()).toContain("Кейінірек сол хабарламаға жауап ретінде қайта жіберіңіз");

    restart();
    tb.clock.advance(8 * DAY); // waiting longer than the redelivery job's week does not lose it
    await link(AUTHOR_A, CHAT_C, "python-101");
    const header = getQuestion(tb.db, q)!;
    expect(header.assistantChatId).toBe(CHAT_C);
    const posted = textsIn(CHAT_C).find((t) => t.includes("Күтетін сұрақ"))!;
    expect(posted).not.toContain("earlier copy"); // nothing was ever sent, so no "maybe a copy" note
    await member(ASSISTANT_A, CHAT_C).reply(header.assistantMessageId!, "Міне жауап");
    expect(u.texts().join("\n")).toContain("Міне жауап");
  });

  it("ASSISTANT_CHAT_ID removed: the admins hear of courses without authors, questions wait until the bot is back", async () => {
    await link(AUTHOR_A, CHAT_A, "python-101");
    await tb.handle(botStatusUpdate(DEFAULT_CHAT, "Shared assistants", 900, "administrator", "left"));
    await tb.sender().drain();
    // web-101 has no authors: the admins are told; data-101's author is told; python-101 (own chat) is not affected.
    expect(tb.telegram.textsTo(900).join("\n")).toContain("Shared assistants");
    expect(tb.telegram.textsTo(AUTHOR_B).join("\n")).toContain("Shared assistants");
    expect(tb.telegram.textsTo(AUTHOR_A).join("\n")).not.toContain("Shared assistants");

    const u = await learner(4);
    const q = await ask(u, "web-101", "Waiting for the shared chat");
    expect(getQuestion(tb.db, q)!.assistantMessageId).toBeNull();
    const qa = await ask(u, "python-101", "Python still works");
    expect(getQuestion(tb.db, qa)!.assistantChatId).toBe(CHAT_A);

    restart();
    await tb.handle(botStatusUpdate(DEFAULT_CHAT, "Shared assistants", 900, "left", "member"));
    expect(getQuestion(tb.db, q)!.assistantChatId).toBe(DEFAULT_CHAT);
    expect(textsIn(DEFAULT_CHAT).join("\n")).toContain("Waiting for the shared chat");
  });
});

describe("a group the bot is added to", () => {
  it("is greeted with its id, the value ASSISTANT_CHAT_ID needs", async () => {
    await tb.handle(botStatusUpdate(CHAT_B, "New helpers", AUTHOR_B, "left", "member"));
    expect(textsIn(CHAT_B).at(-1)).toContain(`<code>${CHAT_B}</code>`);
    expect(textsIn(CHAT_B).at(-1)).toContain("ASSISTANT_CHAT_ID");
  });
});

describe("the chat's language", () => {
  it("/chatlanguage by the course's staff: posts, lists, confirmations and digests in kk, ru and en", async () => {
    await link(AUTHOR_A, CHAT_A, "python-101");
    await link(AUTHOR_B, CHAT_B, "data-101");
    // A member without a role in the chat's courses may not change it.
    await member(OUTSIDER, CHAT_A).send("/chatlanguage");
    expect(tb.telegram.lastTextTo(CHAT_A)).toContain("Only an assistant or author of a course this chat serves");
    await member(ASSISTANT_A, CHAT_A).send("/chatlanguage");
    expect(lastIn(CHAT_A).buttons.map((b) => b.data)).toEqual(["clng:kk", "clng:ru", "clng:en"]);
    const picker = lastMessageIdIn(CHAT_A);
    await member(OUTSIDER, CHAT_A).press("clng:ru", picker);
    expect(tb.telegram.callbackAnswers().at(-1)!.payload.text).toContain("Only an assistant or author");
    await member(ASSISTANT_A, CHAT_A).press("clng:kk", picker);
    expect(tb.telegram.lastTextTo(CHAT_A)).toContain("Енді осы чатта қазақша жазамын");
    const menu = tb.telegram
      .callsOf("setMyCommands")
      .filter((c) => c.payload.scope?.chat_id === CHAT_A)
      .at(-1)!;
    expect(menu.payload.commands[0].description).toBe("Ашық сұрақтар және оқытушыға арналғандары");
    await member(AUTHOR_B, CHAT_B).send("/chatlanguage");
    await member(AUTHOR_B, CHAT_B).press("clng:ru", lastMessageIdIn(CHAT_B));
    expect(tb.telegram.lastTextTo(CHAT_B)).toContain("Теперь в этом чате я пишу по-русски");

    restart();
    const u = await learner(5, "en");
    const qa = await ask(u, "python-101", "In Kazakh please");
    const qb = await ask(u, "data-101", "In Russian please");
    const qc = await ask(u, "web-101", "In English please");
    const headerA = textsIn(CHAT_A).find((t) => t.includes("In Kazakh please"))!;
    expect(headerA).toContain(`#${qa} сұрақ`);
    expect(headerA).toContain("Python тіліне кіріспе");
    expect(headerA).toContain("Білім алушыға жауап беру үшін");
    expect(lastIn(CHAT_A).buttons.length).toBeGreaterThan(0);
    const headerB = textsIn(CHAT_B).find((t) => t.includes("In Russian please"))!;
    expect(headerB).toContain(`Вопрос #${qb}`);
    expect(headerB).toContain("Введение в Python");
    expect(textsIn(DEFAULT_CHAT).find((t) => t.includes("In English please"))).toContain(`Question #${qc}`);

    // Refusals and lists in the chat's language too.
    await member(ASSISTANT_B, CHAT_A).reply(getQuestion(tb.db, qa)!.assistantMessageId!, "no");
    expect(tb.telegram.lastTextTo(CHAT_A)).toContain("курсының сұрақтарына тек оның көмекшілері мен авторлары");
    await member(ASSISTANT_A, CHAT_A).send("/questions");
    expect(tb.telegram.lastTextTo(CHAT_A)).toContain("Ашық сұрақтар: 1");
    // Even an unknown button pressed there by someone whose app is in English is answered in the chat's language.
    await member(OUTSIDER, CHAT_A).press("zzz:1", 1);
    expect(tb.telegram.callbackAnswers().at(-1)!.payload.text).toContain("Бұл батырма ескірген");
    await member(ASSISTANT_B, CHAT_B).send("/questions");
    expect(tb.telegram.lastTextTo(CHAT_B)).toContain("Открытые вопросы: 1");

    // The next morning's digest: one per chat, each with its own questions, in its own language.
    const job = questionsDigestJob(tb.db, tb.config, () => undefined);
    await job.run(T0 + DAY + HOUR);
    await job.run(T0 + DAY + 2 * HOUR);
    const digests = outboxMessages(tb.db).filter((r) => r.kind === "questions-digest");
    expect(digests.map((d) => d.chatId).sort()).toEqual([DEFAULT_CHAT, CHAT_A, CHAT_B].sort());
    const digestOf = (chatId: number) => String(digests.find((d) => d.chatId === chatId)!.payload.text);
    expect(digestOf(CHAT_A)).toContain("Сұрақтар дайджесті");
    expect(digestOf(CHAT_A)).toContain(`#${qa}</b>`);
    expect(digestOf(CHAT_A)).not.toContain(`#${qb}</b>`);
    expect(digestOf(CHAT_B)).toContain("Сводка вопросов");
    expect(digestOf(CHAT_B)).toContain(`#${qb}</b>`);
    expect(digestOf(DEFAULT_CHAT)).toContain("Questions digest");
    expect(digestOf(DEFAULT_CHAT)).toContain(`#${qc}</b>`);
    expect(digestOf(DEFAULT_CHAT)).not.toContain(`#${qa}</b>`);
    // ASSISTANT_CHAT_ID keeps its old dedupe key (no second digest on the day of an upgrade).
    expect(digests.find((d) => d.chatId === DEFAULT_CHAT)!.dedupeKey).toBe("questions-digest:2026-09-02:1");
  });
});

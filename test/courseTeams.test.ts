/**
 * Course teams (issue 9): an author of one course never reaches another course, by command,
 * picker, old button or forged callback data; admins manage staff; invitations are single use,
 * expire, can be revoked or declined; and the authors' "/" menus follow their roles.
 */
import { afterEach, describe, expect, it } from "vitest";
import { DAY } from "../src/clock.js";
import { upsertLearner } from "../src/db/learnersRepo.js";
import { grantCourseRole, hasCourseRole } from "../src/db/staffRepo.js";
import { activeDraft } from "../src/db/announceRepo.js";
import { staffMenusSettled, syncAllStaffMenus } from "../src/bot/staffMenus.js";
import { setAssistantChatMenu } from "../src/bot/commands.js";
import { courseYaml } from "./support/courses.js";
import { QUESTIONNAIRES_YAML } from "./support/questionnaires.js";
import { T0, TestBot, type TestUser } from "./support/harness.js";

const ADMIN = 900;
const AUTHOR_A = 501; // authors python-101
const AUTHOR_B = 502; // authors data-201
const NEWCOMER = 601;
const OTHER = 602;

let tb: TestBot;
afterEach(async () => {
  await staffMenusSettled();
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- unset if the first test failed early
  tb?.close();
});

function setup(): { admin: TestUser; a: TestUser; b: TestUser } {
  tb = new TestBot({ now: T0 });
  tb.loadCourse(courseYaml({ id: "python-101", extra: QUESTIONNAIRES_YAML }));
  tb.loadCourse(courseYaml({ id: "data-201", extra: QUESTIONNAIRES_YAML }));
  const person = (id: number, name: string, lang: "kk" | "ru" | "en") => {
    upsertLearner(tb.db, { id, first_name: name }, lang, T0);
    tb.telegram.addChat(id);
  };
  person(ADMIN, "Admin", "en");
  person(AUTHOR_A, "Aigerim", "en");
  person(AUTHOR_B, "Boris", "en");
  const now = new Date(T0);
  grantCourseRole(tb.db, { courseId: "python-101", userId: AUTHOR_A, role: "author", grantedBy: ADMIN, now });
  grantCourseRole(tb.db, { courseId: "data-201", userId: AUTHOR_B, role: "author", grantedBy: ADMIN, now });
  return { admin: tb.user(ADMIN), a: tb.user(AUTHOR_A, { firstName: "Aigerim" }), b: tb.user(AUTHOR_B, { firstName: "Boris" }) };
}

const NOT_AUTHOR = "You are not an author of this course, so this is not available to you.";
const ADMINS_ONLY = "This command is only for the platform's administrators.";
const documentsTo = (id: number) => tb.telegram.callsOf("sendDocument").filter((c) => Number(c.payload.chat_id) === id && c.result);
const allData = (u: TestUser) => u.buttons().map((b) => b.data);

/** Sends a command and expects the polite refusal as the last message. */
async function refusedCommand(u: TestUser, text: string, refusal = NOT_AUTHOR): Promise<void> {
  await u.send(text);
  expect(u.lastText(), text).toBe(refusal);
}

/** Presses (forged or old) callback data and expects the refusal as an alert, with nothing else shown. */
async function refusedButton(u: TestUser, data: string, refusal = NOT_AUTHOR): Promise<void> {
  const before = tb.telegram.textsTo(u.id).length;
  await u.press(data);
  expect(u.lastAlert(), data).toBe(refusal);
  expect(tb.telegram.textsTo(u.id).length, `${data} showed something`).toBe(before);
}

describe("an author of course A and course B", () => {
  it("are offered only their own course, and refused the other by argument, old button or forged data", async () => {
    const { a } = setup();

    // Pickers list only python-101.
    for (const [cmd, prefix] of [
      ["/results", "qr:"],
      ["/export", "qx:"],
      ["/report", "rpt:"],
      ["/invite", "iv:c:"],
      ["/invites", "iv:l:"],
      ["/staff", "sf:c:"],
    ] as const) {
      await a.send(cmd);
      expect(allData(a), cmd).toEqual([`${prefix}python-101`]);
    }
    await a.send("/announce");
    expect(allData(a).filter((d) => d.startsWith("an:c:"))).toEqual([expect.stringMatching(/^an:c:\d+:python-101$/)]);

    // Another course by argument.
    for (const cmd of [
      "/results data-201",
      "/export data-201",
      "/report data-201",
      "/quizstats data-201",
      "/invite data-201",
      "/invite data-201 assistant",
      "/invites data-201",
      "/staff data-201",
    ])
      await refusedCommand(a, cmd);
    // Another course by forged callback data (every button that names a course).
    for (const data of [
      "qr:data-201",
      "qx:data-201",
      "rpt:data-201",
      "iv:c:data-201",
      "iv:n:data-201:a",
      "iv:n:data-201:s",
      "iv:l:data-201",
      "sf:c:data-201",
    ])
      await refusedButton(a, data);
    const draft = activeDraft(tb.db, AUTHOR_A)!;
    await refusedButton(a, `an:c:${draft.id}:data-201`);
    expect(documentsTo(AUTHOR_A)).toEqual([]);
    expect(activeDraft(tb.db, AUTHOR_A)!.courseId).toBeNull();

    // /quizstats without an id offers python-101 only; the other course's button is refused.
    await a.send("/quizstats");
    expect(a.buttons().map((b) => b.data)).toEqual(["qss:python-101"]);
    await refusedButton(a, "qss:data-201");
    await a.press("qss:python-101");
    const stats = a.texts().slice(-3).join("\n");
    expect(stats).toContain("Introduction to Python");
    const docs = documentsTo(AUTHOR_A);
    expect(docs.every((d) => !String(d.payload.caption ?? "").includes("data-201"))).toBe(true);

    // Admin-only commands and buttons.
    for (const cmd of ["/grant python-101 author 601", "/revoke data-201 author 502", "/reload"]) await refusedCommand(a, cmd, ADMINS_ONLY);
    await refusedButton(a, `sf:r:python-101:a:${AUTHOR_A}`, ADMINS_ONLY);
    await refusedButton(a, `sf:r:data-201:a:${AUTHOR_B}`, ADMINS_ONLY);
    expect(hasCourseRole(tb.db, tb.config, AUTHOR_B, "data-201", "author")).toBe(true);

    // Its own course works.
    await a.send("/results python-101");
    expect(a.lastText()).not.toBe(NOT_AUTHOR);
  });

  it("cannot revoke the other course's invitation, even with its id", async () => {
    const { a, b } = setup();
    await b.send("/invite data-201 assistant");
    await b.send("/invites data-201");
    const revoke = b.buttons().find((x) => x.data.startsWith("iv:r:"))!;
    await refusedButton(a, revoke.data);
    await b.send("/invites data-201");
    expect(b.buttons()).toHaveLength(1);
  });

  it("lose a course at their next tap when an admin removes them, old buttons and a half-written announcement included", async () => {
    const { admin, a } = setup();
    // Aigerim also authors data-201: losing python-101 must not lose her that one.
    grantCourseRole(tb.db, { courseId: "data-201", userId: AUTHOR_A, role: "author", grantedBy: ADMIN, now: new Date(T0) });
    await a.send("/results");
    expect(allData(a)).toEqual(["qr:python-101", "qr:data-201"]);
    const oldPicker = a.lastMessageId();
    await a.send("/announce");
    await a.press(a.buttons().find((x) => /^an:c:\d+:python-101$/.test(x.data))!.data);
    const draft = activeDraft(tb.db, AUTHOR_A)!;
    expect(draft.status).toBe("collecting");

    await admin.send("/staff python-101");
    expect(admin.lastText()).toContain("Aigerim");
    await admin.press(`sf:r:python-101:a:${AUTHOR_A}`);
    expect(admin.lastAlert()).toContain("Removed: Aigerim");
    expect(admin.lastText()).toContain("— nobody yet");

    await refusedButton(a, "qr:python-101");
    await a.press("qr:python-101", oldPicker);
    expect(a.lastAlert()).toBe(NOT_AUTHOR);
    await refusedButton(a, `an:k:${draft.id}:0`);
    for (const data of [`an:x:${draft.id}`, `an:p:${draft.id}`, `an:r:${draft.id}`, `an:y:${draft.id}`]) await refusedButton(a, data);
    // Their text is no longer taken as the announcement.
    await a.send("Hello everyone");
    expect(activeDraft(tb.db, AUTHOR_A)?.versions ?? {}).toEqual({});
    await a.send("/results");
    expect(allData(a)).toEqual(["qr:data-201"]);
    await a.press("qr:data-201");
    expect(documentsTo(AUTHOR_A).length + a.texts().length).toBeGreaterThan(0);
    expect(a.lastAlert()).not.toBe(NOT_AUTHOR);
  });
});

describe("admins", () => {
  it("grant and revoke by user id, answer bad input with the usage line in their language", async () => {
    const { admin } = setup();
    tb.telegram.addChat(NEWCOMER);
    const dana = tb.user(NEWCOMER, { lang: "kk", firstName: "Dana" });
    await refusedCommand(dana, "/results", "Бұл команда тек курс авторларына арналған.");

    await admin.send("/grant python-101 author 601");
    expect(admin.lastText()).toBe("Done: Dana now has the role “author” in “Introduction to Python”.");
    await admin.send("/grant python-101 author 601");
    expect(admin.lastText()).toContain("already has the role");
    await dana.send("/results python-101");
    expect(dana.lastText()).not.toContain("авторы емессіз");

    // The admin's stored language is what they read.
    tb.db.$client.prepare("UPDATE learners SET language = 'ru' WHERE id = ?").run(ADMIN);
    const ru = admin;
    await ru.send("/grant python-101 boss 601");
    expect(ru.lastText()).toContain("Формат: <code>/grant");
    await ru.send("/revoke python-101");
    expect(ru.lastText()).toContain("Формат: <code>/revoke");
    await ru.send("/grant nosuch author 601");
    expect(ru.lastText()).toContain("Курса с id <code>nosuch</code> нет");

    await admin.send("/revoke python-101 author 601");
    await dana.send("/results python-101");
    expect(dana.lastText()).toContain("тек курс авторларына");
  });
});

/** The invitation link in the creator's last message, and its token. */
function linkIn(text: string): { link: string; token: string } {
  const m = /https:\/\/t\.me\/mooc_test_bot\?start=inv-([\w-]{22})/.exec(text);
  if (!m) throw new Error(`no invitation link in: ${text}`);
  return { link: m[0], token: m[1]! };
}

describe("invitations", () => {
  it("are created with pickers, accepted once, and say so when used again or by someone else", async () => {
    const { a } = setup();
    await a.send("/invite");
    await a.press("iv:c:python-101");
    expect(a.lastText()).toBe("Invite someone to “Introduction to Python” as:");
    await a.press("iv:n:python-101:s");
    const { token } = linkIn(a.lastText());
    expect(`inv-${token}`.length).toBeLessThanOrEqual(64);

    tb.telegram.addChat(NEWCOMER);
    const dana = tb.user(NEWCOMER, { lang: "ru", firstName: "Дана" });
    await dana.send(`/start inv-${token}`);
    expect(dana.lastText()).toContain("Aigerim приглашает вас в команду курса «Введение в Python» в роли «ассистент»");
    expect(allData(dana)).toEqual([`iv:a:${token}`, `iv:d:${token}`]);
    const offer = dana.lastMessageId();
    await dana.press(`iv:a:${token}`, offer);
    expect(dana.lastText()).toContain("Теперь вы ассистент курса «Введение в Python»");
    expect(hasCourseRole(tb.db, tb.config, NEWCOMER, "python-101", "assistant")).toBe(true);
    expect(hasCourseRole(tb.db, tb.config, NEWCOMER, "python-101", "author")).toBe(false);

    // A second tap, the link opened again, someone else with the same link.
    await dana.press(`iv:a:${token}`, offer);
    expect(dana.lastText()).toBe("Вы уже приняли это приглашение: у вас роль «ассистент» в курсе «Введение в Python».");
    const other = tb.user(OTHER, { lang: "en" });
    tb.telegram.addChat(OTHER);
    await other.send(`/start inv-${token}`);
    expect(other.lastText()).toBe("This invitation has already been used. Ask the course team for a new one if you need it.");
    await other.press(`iv:a:${token}`, offer);
    expect(hasCourseRole(tb.db, tb.config, OTHER, "python-101", "assistant")).toBe(false);

    // The creator hears about it through the outbox, in her language.
    await tb.sender().drain();
    expect(a.texts().at(-1)).toBe("Дана accepted your invitation: the role “assistant” in “Introduction to Python”.");

    // Unknown and mangled tokens, and the course deep link beside them.
    await other.send("/start inv-AAAAAAAAAAAAAAAAAAAAAA");
    expect(other.lastText()).toContain("This invitation link is not valid");
    await other.send("/start inv-<b>");
    expect(other.lastText()).toContain("This invitation link is not valid");
    await other.press("iv:a:AAAAAAAAAAAAAAAAAAAAAA");
    expect(other.lastText()).toContain("This invitation link is not valid");
    await other.send("/start python-101");
    expect(other.texts().join("\n")).toContain("Introduction to Python");
  });

  it("expire after 7 days, can be revoked or declined, and each says so", async () => {
    const { admin, a } = setup();
    tb.telegram.addChat(NEWCOMER);
    const dana = tb.user(NEWCOMER, { lang: "en", firstName: "Dana" });

    await a.send("/invite python-101 author");
    const expiring = linkIn(a.lastText()).token;
    await a.send("/invite python-101 assistant");
    const revoked = linkIn(a.lastText()).token;
    await admin.send("/invite python-101 assistant");
    const declined = linkIn(admin.lastText()).token;

    // /invites lists all three; revoke the second.
    await a.send("/invites python-101");
    expect(a.lastText()).toContain("3 open invitations");
    const revokeButton = a.buttons()[1]!;
    await a.press(revokeButton.data);
    expect(a.lastAlert()).toBe("Revoked: that link no longer works.");
    expect(a.lastText()).toContain("2 open invitations");
    await a.press(revokeButton.data);
    expect(a.lastAlert()).toBe("This invitation is no longer open.");
    await dana.send(`/start inv-${revoked}`);
    expect(dana.lastText()).toBe("This invitation was revoked by the course team and no longer works.");

    // Decline: closed for good, the creator is told.
    await dana.send(`/start inv-${declined}`);
    await dana.press(`iv:d:${declined}`);
    expect(dana.lastText()).toBe("You declined the invitation. Nothing has changed.");
    await dana.send(`/start inv-${declined}`);
    expect(dana.lastText()).toContain("was declined and no longer works");
    expect(hasCourseRole(tb.db, tb.config, NEWCOMER, "python-101", "assistant")).toBe(false);
    await tb.sender().drain();
    expect(admin.texts().at(-1)).toBe("Dana declined your invitation to the role “assistant” in “Introduction to Python”.");

    // Opened in time, accepted too late: the clock jumps past the 7 days.
    await dana.send(`/start inv-${expiring}`);
    const offer = dana.lastMessageId();
    tb.clock.advance(7 * DAY + 1);
    await dana.press(`iv:a:${expiring}`, offer);
    expect(dana.lastText()).toMatch(/^This invitation expired on .+\. Ask the course team for a new one\.$/);
    expect(hasCourseRole(tb.db, tb.config, NEWCOMER, "python-101", "author")).toBe(false);
    await a.send("/invites python-101");
    expect(a.lastText()).toContain("has no open invitations");
  });
});

describe("command menus", () => {
  const menusFor = (chatId: number) =>
    tb.telegram.calls
      .filter((c) => ["setMyCommands", "deleteMyCommands"].includes(c.method))
      .filter((c) => (c.payload.scope as { chat_id?: number } | undefined)?.chat_id === chatId);
  const commandsOf = (call: { payload: Record<string, unknown> }) =>
    (call.payload.commands as { command: string; description: string }[]).map((c) => c.command);

  it("give authors and admins their own menu in their language, follow grants and removals, and are put right at start", async () => {
    const { admin } = setup();
    tb.db.$client.prepare("UPDATE learners SET language = 'kk' WHERE id = ?").run(AUTHOR_A);
    await syncAllStaffMenus(tb.bot.api, tb.db, tb.config, () => tb.clock.now());
    const adminMenu = menusFor(ADMIN).at(-1)!;
    expect(adminMenu.method).toBe("setMyCommands");
    expect(commandsOf(adminMenu)).toEqual(expect.arrayContaining(["courses", "announce", "invite", "staff", "grant", "reload"]));
    const aMenu = menusFor(AUTHOR_A).at(-1)!;
    expect(commandsOf(aMenu)).toContain("results");
    expect(commandsOf(aMenu)).not.toContain("reload");
    expect(JSON.stringify(aMenu.payload.commands)).toContain("Курс командасы");
    // Nothing changed: a second start sets nothing again.
    const before = tb.telegram.callsOf("setMyCommands").length;
    await syncAllStaffMenus(tb.bot.api, tb.db, tb.config, () => tb.clock.now());
    expect(tb.telegram.callsOf("setMyCommands").length).toBe(before);

    // A grant: the new author's menu follows in the background, the reply does not wait for it.
    tb.telegram.addChat(NEWCOMER);
    const dana = tb.user(NEWCOMER, { lang: "ru", firstName: "Dana" });
    await dana.send("/start");
    await admin.send("/grant data-201 author 601");
    await staffMenusSettled();
    expect(commandsOf(menusFor(NEWCOMER).at(-1)!)).toContain("invites");
    expect(JSON.stringify(menusFor(NEWCOMER).at(-1)!.payload.commands)).toContain("Команда курса");
    // An assistant role gives no author menu; removing the last author role removes the menu.
    await admin.send("/grant data-201 assistant 602");
    await staffMenusSettled();
    expect(menusFor(OTHER)).toEqual([]);
    await admin.send("/revoke data-201 author 601");
    await staffMenusSettled();
    expect(menusFor(NEWCOMER).at(-1)!.method).toBe("deleteMyCommands");

    // A Telegram failure never loses a grant; the next start sets the menu.
    tb.telegram.failures.push((c) =>
      c.method === "setMyCommands" ? { error_code: 400, description: "Bad Request: chat not found" } : undefined,
    );
    await admin.send("/grant python-101 author 601");
    expect(admin.lastText()).toContain("Done:");
    await staffMenusSettled();
    expect(hasCourseRole(tb.db, tb.config, NEWCOMER, "python-101", "author")).toBe(true);
    tb.telegram.failures.length = 0;
    await syncAllStaffMenus(tb.bot.api, tb.db, tb.config, () => tb.clock.now());
    expect(menusFor(NEWCOMER).at(-1)!.method).toBe("setMyCommands");
  });

  it("set the assistants' group menu through setAssistantChatMenu, in the chat's language", async () => {
    setup();
    await setAssistantChatMenu(tb.bot.api, -100555, "kk");
    const call = menusFor(-100555).at(-1)!;
    expect(commandsOf(call)).toEqual(["questions", "questions_csv", "link", "unlink", "chatlanguage"]);
  });
});

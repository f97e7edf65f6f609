/**
 * Issue 15, item 9: a walk through a quiz and a questionnaire with wrong inputs (a sticker, a
 * photo, text where buttons are expected) leaves one live copy of each step: the chat state of the
 * strict fake shows buttons only on the current step, and none once the flow ended.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { getResponse } from "../src/db/questionnaireRepo.js";
import { quizChoice, quizDone, quizToggle } from "../src/messages/callbackData.js";
import { courseYaml } from "./support/courses.js";
import { T0, TestBot, type TestUser } from "./support/harness.js";
import { answerPre, qa, QUESTIONNAIRES_YAML } from "./support/questionnaires.js";
import { QUIZ_ALL_TYPES } from "./support/quizzes.js";
import { weeklyAnnouncementsJob } from "../src/jobs/announcements.js";

const STICKER = {
  sticker: { file_id: "st", file_unique_id: "st", type: "regular" as const, width: 1, height: 1, is_animated: false, is_video: false },
};
const PHOTO = { photo: [{ file_id: "ph", file_unique_id: "ph", width: 1, height: 1 }] };

let tb: TestBot;
beforeEach(() => {
  // Module 1's quiz is open from the course start; the pre-course questionnaire before it.
  tb = new TestBot({ now: T0 });
  tb.loadCourse(courseYaml({ start: "2026-08-31", quizzes: { 0: QUIZ_ALL_TYPES }, extra: QUESTIONNAIRES_YAML }));
});
afterEach(() => tb.close());

async function enrolled(id: number, lang = "en"): Promise<TestUser> {
  const u = tb.user(id, { lang });
  await u.send("/start");
  await u.press("enr!:python-101");
  return u;
}

/** Messages sent after `since` (a message id) that still carry buttons. */
function live(u: TestUser, since: number) {
  return tb.telegram.messagesWithButtons(u.id).filter((m) => m.messageId > since);
}

/** The newest message of the chat that has buttons, asserting it is the only one since `since`. */
function onlyLive(u: TestUser, since: number) {
  const l = live(u, since);
  expect(
    l.map((m) => m.text.slice(0, 60)),
    "only the current step has buttons",
  ).toHaveLength(1);
  expect(l[0]!.messageId).toBe(u.lastMessageId());
  return l[0]!;
}

describe("one live copy of each step", () => {
  it("a quiz walked with stickers, photos and stray text keeps buttons on the current question only", async () => {
    const u = await enrolled(1);
    await u.press("qz:python-101:0");
    const mark = u.lastMessageId();
    await u.press(u.buttons().find((b) => b.data.startsWith("qs:"))!.data);
    // Each question gets a wrong input first (a sticker, a photo or text, in turn) and then its answer.
    const wrong = [() => u.sendRaw(STICKER), () => u.sendRaw(PHOTO), () => u.send("print()")];
    for (let i = 0; i < 5; i++) {
      const buttons = live(u, mark);
      expect(buttons.length).toBeLessThanOrEqual(1);
      const step = buttons[0];
      // Text is a wrong input only where buttons are expected.
      await wrong[step ? i % 3 : i % 2]!();
      if (step) {
        expect(u.texts().at(-2)).toContain("answer this question with the buttons under it");
        const fresh = onlyLive(u, mark);
        expect(fresh.messageId).not.toBe(step.messageId);
        const toggle = fresh.buttons.map((d) => quizToggle.decode(d)).find((d) => d !== null);
        if (toggle) {
          await u.press(quizToggle.encode(toggle[0], toggle[1], toggle[2], 0));
          onlyLive(u, mark); // ticking edits the live copy, it sends none
          await u.press(quizDone.encode(toggle[0], toggle[1], 1 << toggle[2]));
        } else await u.press(fresh.buttons.find((d) => quizChoice.decode(d))!);
      } else {
        // A text or number question has no buttons: none is left anywhere above it either.
        expect(live(u, mark)).toHaveLength(0);
        expect(u.texts().at(-2)).toContain("type your answer as a text message");
        expect(live(u, mark)).toHaveLength(0);
        await u.send(u.lastText().includes("7 / 2") ? "3.5" : "input");
      }
    }
    expect(u.lastText()).toContain("Quiz finished");
    expect(live(u, mark)).toHaveLength(0);
  });

  it("a questionnaire walked with wrong inputs keeps buttons on the current item or the summary only", async () => {
    const u = await enrolled(2);
    const mark = u.lastMessageId();
    await u.press("qn:python-101:pre");
    const rid = getResponse(tb.db, u.id, "python-101", "pre")!.id;
    onlyLive(u, mark);
    await u.sendRaw(STICKER);
    expect(u.texts().at(-2)).toContain("answer with the buttons");
    onlyLive(u, mark);
    await u.send("4"); // a rating may be typed: the item's buttons go
    onlyLive(u, mark);
    await u.sendRaw(PHOTO);
    await u.send("Some");
    const step = onlyLive(u, mark);
    expect(step.text).toContain("Your experience?");
    await u.press(qa(u, rid, 1, "v", 1));
    await u.sendRaw(STICKER);
    onlyLive(u, mark);
    await u.press(qa(u, rid, 2, "t", 0));
    onlyLive(u, mark);
    await u.press(qa(u, rid, 2, "d"));
    await u.press(qa(u, rid, 3, "y"));
    await u.send("twelve");
    onlyLive(u, mark);
    await u.send("12");
    // The optional text item: typed, so its Skip/Back buttons go; then back from the summary and on.
    await u.send("To learn");
    expect(onlyLive(u, mark).text).toContain("Your answers");
    await u.press(qa(u, rid, 6, "b"));
    onlyLive(u, mark);
    await u.press(qa(u, rid, 5, "k"));
    onlyLive(u, mark);
    await u.press(qa(u, rid, 6, "ok"));
    expect(u.lastText()).toContain("Thank you");
    expect(live(u, mark)).toHaveLength(0);
  });

  it("showing another flow's end (a submitted questionnaire's answers) leaves the quiz question's buttons", async () => {
    const u = await enrolled(4);
    await answerPre(tb, u, { motivation: "4", level: 0, devices: [0], studiedOnline: true, hours: "5" });
    const mark = u.lastMessageId();
    await u.press("qz:python-101:0");
    await u.press(u.buttons().find((b) => b.data.startsWith("qs:"))!.data);
    const question = onlyLive(u, mark);
    await u.press("qn:python-101:pre", mark);
    expect(u.lastText()).toContain("You submitted the questionnaire");
    expect(live(u, mark).map((m) => m.messageId)).toEqual([question.messageId]);
  });

  it("an /ask prompt loses its Cancel button once the question is sent or another step takes over", async () => {
    const assist = -100777;
    tb.close();
    tb = new TestBot({ now: T0, config: { ASSISTANT_CHAT_ID: String(assist) } });
    tb.loadCourse(courseYaml({ start: "2026-08-31", quizzes: { 0: QUIZ_ALL_TYPES } }));
    const u = await enrolled(3);
    const mark = u.lastMessageId();
    await u.send("/ask");
    const choice = u.lastMessageId();
    await u.send("hello?"); // a button is expected: the module choice stays the one live step
    expect(live(u, mark).map((m) => m.messageId)).toEqual([choice]);
    await u.press("ask:m:python-101:g");
    expect(onlyLive(u, mark).buttons).toEqual(["ask:x"]);
    await u.send("How do I install Python?");
    expect(u.lastText()).toContain("#1");
    expect(live(u, mark)).toHaveLength(0);

    // A quiz started while a prompt waits supersedes it.
    tb.clock.advance(120_000);
    await u.send("/ask");
    await u.press("ask:m:python-101:g");
    await u.press("qz:python-101:0");
    await u.press(u.buttons().find((b) => b.data.startsWith("qs:"))!.data);
    expect(onlyLive(u, mark).buttons.every((d) => d.startsWith("qz"))).toBe(true);
  });
});

describe("Open the course under a weekly announcement (issue 15 item 8)", () => {
  it.each([
    ["kk", "1-модуль"],
    ["ru", "Модуль 1"],
    ["en", "Module 1"],
  ])("opens the card as a new message and keeps the announcement (%s)", async (lang, moduleTitle) => {
    const u = await enrolled(10, lang);
    tb.telegram.reset();
    await weeklyAnnouncementsJob(tb.db, () => {}).run(tb.clock.now());
    await tb.sender().drain();
    const announcement = tb.telegram.lastSentMessageId(u.id);
    const text = u.lastText();
    expect(text).toContain(moduleTitle);
    const button = u.buttons().find((b) => b.data === "crn:python-101")!;
    expect(button).toBeDefined();
    await u.press(button.data, announcement);
    expect(tb.telegram.callsOf("editMessageText")).toHaveLength(0);
    expect(u.lastMessageId()).toBeGreaterThan(announcement);
    expect(u.buttons().map((b) => b.data)).toContain("ask:c:python-101"); // the card of an enrolled learner
    expect(tb.telegram.messagesWithButtons(u.id).find((m) => m.messageId === announcement)?.text).toBe(text);
  });
});

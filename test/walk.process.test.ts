/**
 * The core of scripts/walk.ts as a whole-process test: the real entry point against the strict
 * fake Bot API over HTTP, a Kazakh learner from /start to a question answered by the assistants,
 * with a kill -9 in the middle of the quiz and the questionnaire open when /ask comes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ASSISTANTS_CHAT, World, sleep, type SimLearner } from "./faults/world.js";

let world: World;
beforeAll(async () => {
  world = await new World("tsx").init();
  // The bot was added to the assistants' chat: Telegram knows that chat before anyone writes there.
  world.api.telegram.addChat(ASSISTANTS_CHAT);
  await world.start(60_000);
}, 90_000);
afterAll(async () => world.dispose());

const buttonOn = (l: SimLearner, re: RegExp) => {
  const s = l.screen((x) => x.buttons.some((b) => re.test(b.data)));
  const b = s?.buttons.find((x) => re.test(x.data));
  if (!s || !b) throw new Error(`no button ${String(re)} on screen; last texts: ${l.texts().slice(-2).join(" | ")}`);
  return { s, b };
};

/** The screen with a button matching `re`, once the bot has shown it (a step may take two messages). */
async function waitButton(l: SimLearner, re: RegExp): Promise<ReturnType<typeof buttonOn>> {
  const end = Date.now() + 15_000;
  while (Date.now() < end && !l.screen((x) => x.buttons.some((b) => re.test(b.data)))) await sleep(50);
  return buttonOn(l, re);
}

async function press(l: SimLearner, re: RegExp): Promise<void> {
  const { s, b } = await waitButton(l, re);
  expect(await l.press(b.data, s.messageId, 15_000)).toBe(true);
}

describe("a Kazakh learner through the real process", () => {
  it("enrolls, answers the quiz across a kill -9, asks with a questionnaire open and gets the answer", async () => {
    const l = world.learner(301, "kk");
    expect(await l.send("/start")).toBe(true);
    expect(l.texts().at(-1)).toContain("Сәлеметсіз бе");
    await l.send("/courses");
    await press(l, /^crs:intro-programming$/);
    await press(l, /^enr:intro-programming$/);
    await press(l, /^enr!:intro-programming$/);
    await sleep(500);
    expect(l.texts().join("\n")).toContain("Курс өтіп жатыр");

    await l.send("/quiz");
    await press(l, /^qz:intro-programming:0$/);
    await press(l, /^qs/);
    const end0 = Date.now() + 15_000;
    while (!l.screen((x) => x.text.includes("Сұрақ 1/10")) && Date.now() < end0) await sleep(50);
    const first = l.screen((x) => x.text.includes("Сұрақ 1/10"))!;
    expect(first).not.toBeNull();

    await world.kill();
    await world.start(60_000);
    // The question on screen still answers after the restart, by its button or typed.
    const choice = first.buttons.find((b) => b.data.startsWith("qzc:"));
    const tick = first.buttons.find((b) => b.data.startsWith("qzt:"));
    if (choice) await l.press(choice.data, first.messageId, 15_000);
    else if (tick) {
      await l.press(tick.data, first.messageId, 15_000);
      await press(l, /^qzd:/);
    } else await l.send("12", 15_000);
    // The verdict comes first, the next question after it (a busy machine may take a while).
    const endQ2 = Date.now() + 15_000;
    while (!l.texts().join("\n").includes("Сұрақ 2/10") && Date.now() < endQ2) await sleep(50);
    expect(l.texts().join("\n")).toMatch(/Сұрақ 2\/10/);

    // The questionnaire is left open, then /ask: the question must reach the assistants.
    await l.send("/mycourses");
    await press(l, /^qn:intro-programming:pre$/);
    await l.send("/ask");
    await press(l, /^ask:m:intro-programming:0$/);
    const mark = world.api.calls.length;
    await l.send("print() пен input() қалай бірге қолданылады?");
    const posted = () =>
      world.api.calls.slice(mark).find((c) => c.method === "sendMessage" && Number(c.payload.chat_id) === ASSISTANTS_CHAT && c.result);
    const end1 = Date.now() + 15_000;
    while (!posted() && Date.now() < end1) await sleep(50);
    const post = posted();
    expect(post?.payload.text ?? l.texts().slice(-3).join(" | ")).toContain("print() пен input() қалай бірге қолданылады?");

    world.api.pushUpdate({
      message: {
        message_id: 7001,
        date: Math.floor(Date.now() / 1000),
        chat: { id: ASSISTANTS_CHAT, type: "supergroup", title: "Assistants" },
        from: { id: 201, is_bot: false, first_name: "Assist", language_code: "ru" },
        text: "Мысалы: print(input())",
        reply_to_message: {
          message_id: Number(post!.result.message_id),
          date: 0,
          chat: { id: ASSISTANTS_CHAT, type: "supergroup", title: "Assistants" },
          text: "…",
        },
      },
    } as never);
    const end = Date.now() + 15_000;
    while (!l.texts().some((t) => t.includes("Мысалы: print(input())")) && Date.now() < end) await sleep(50);
    expect(l.texts().join("\n")).toContain("сұрағыңызға жауап");

    // Nothing refused (an edit to the same content is refused by Telegram too, and ignored), nothing unreadable.
    expect(world.api.refusals.filter((r) => !r.description.includes("not modified"))).toEqual([]);
    expect(world.api.telegram.refused.filter((c) => !(c.error?.description ?? "").includes("not modified"))).toEqual([]);
    for (const t of l.texts()) expect(t).not.toMatch(/undefined|NaN|\{\{/);
  }, 120_000);
});

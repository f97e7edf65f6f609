import Database from "better-sqlite3";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FakeTelegram } from "./support/fakeTelegram.js";
import { keepUpdates, MAX_REPLAYS, takeKeptUpdates } from "../src/db/updateInboxRepo.js";
import { T0, TEST_TOKEN, tempDir, TestBot } from "./support/harness.js";
import { startBotProcess, until } from "./support/process.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const LEARNER = 4242;

// grammY's runner confirms a batch to Telegram (the next getUpdates' offset) while its updates are
// still being handled: without the update inbox a kill -9 at that moment loses them for good.
describe("updates in flight when the process dies", () => {
  it("are handled by the next start, once", async () => {
    const telegram = new FakeTelegram();
    const server = await telegram.listen();
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup, server.close);
    const env = { BOT_TOKEN: TEST_TOKEN, BOT_API_ROOT: server.url, DATABASE_PATH: join(dir, "bot.sqlite"), COURSES_DIR: "courses" };
    let polls = 0;
    telegram.onArrive = (method) => {
      if (method === "getUpdates") polls++;
    };
    // The reply to the learner never comes back: the update is in flight when the process dies.
    telegram.hold = (method, payload) => method === "sendMessage" && Number(payload.chat_id) === LEARNER;

    const first = startBotProcess(env);
    cleanups.push(() => void first.child.kill("SIGKILL"));
    await until(() => first.output().includes("polling for updates"), "the bot to start polling");
    let held = false;
    const hold = telegram.hold;
    telegram.hold = (method, payload) => (hold(method, payload) ? (held = true) : false);
    telegram.pushUpdate({
      message: {
        message_id: 1,
        date: Math.floor(Date.now() / 1000),
        chat: { id: LEARNER, type: "private", first_name: "Aigerim" },
        from: { id: LEARNER, is_bot: false, first_name: "Aigerim", language_code: "kk" },
        text: "/start",
        entities: [{ type: "bot_command", offset: 0, length: 6 }],
      },
    } as never);
    await until(() => held, "the reply to be on its way");
    // Two more polls: the update is confirmed to Telegram, which will not deliver it again.
    const seen = polls;
    await until(() => polls >= seen + 2, "the update to be confirmed");
    first.child.kill("SIGKILL");
    await first.exited;
    expect(telegram.textsTo(LEARNER)).toEqual([]);

    telegram.hold = undefined;
    const second = startBotProcess(env);
    cleanups.push(() => void second.child.kill("SIGKILL"));
    await until(() => telegram.textsTo(LEARNER).length > 0, "the reply after the restart");
    expect(telegram.textsTo(LEARNER)[0]).toContain("Сәлеметсіз бе, Aigerim!");
    expect(second.output()).toContain("handling the updates the previous process left unhandled");
    second.child.kill("SIGTERM");
    expect(await second.exited).toBe(0);

    const db = new Database(join(dir, "bot.sqlite"), { readonly: true });
    cleanups.push(() => void db.close());
    // Nothing left to hand over again (a handled update leaves the inbox with the next batch).
    expect(
      db.prepare("SELECT COUNT(*) AS n FROM update_inbox WHERE update_id NOT IN (SELECT update_id FROM processed_updates)").get(),
    ).toEqual({ n: 0 });
    expect(db.prepare("SELECT COUNT(*) AS n FROM processed_updates").get()).toEqual({ n: 1 });
    expect(telegram.textsTo(LEARNER).filter((t) => t.includes("Сәлеметсіз бе"))).toHaveLength(1);
  }, 90_000);
});

describe("the update inbox", () => {
  it("replays what was not handled, drops what was, and gives an update up after three starts", () => {
    const tb = new TestBot({ now: T0 });
    cleanups.push(() => tb.close());
    const update = (id: number) => ({
      update_id: id,
      message: {
        message_id: id,
        date: 0,
        chat: { id: 1, type: "private" as const, first_name: "A" },
        from: { id: 1, is_bot: false, first_name: "A" },
        text: "hi",
      },
    });
    keepUpdates(tb.db, [update(10), update(11)], T0);
    keepUpdates(tb.db, [update(11)], T0); // fetched again (not confirmed before the crash): kept once
    tb.db.$client.prepare("INSERT INTO processed_updates (update_id, handled_at) VALUES (10, ?)").run(T0);
    for (let start = 1; start <= MAX_REPLAYS; start++) {
      expect(takeKeptUpdates(tb.db)).toEqual({ updates: [update(11)], givenUp: 0 });
    }
    expect(takeKeptUpdates(tb.db)).toEqual({ updates: [], givenUp: 1 });
    expect(tb.db.$client.prepare("SELECT COUNT(*) AS n FROM update_inbox").get()).toEqual({ n: 0 });
  });
});

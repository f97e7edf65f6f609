import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FakeTelegram } from "./support/fakeTelegram.js";
import { TEST_TOKEN, tempDir } from "./support/harness.js";
import { startBotProcess, until } from "./support/process.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe("the bot process", () => {
  it("migrates, loads the demo courses, registers menus, answers /start over BOT_API_ROOT and stops cleanly", async () => {
    const telegram = new FakeTelegram();
    const server = await telegram.listen();
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup, server.close);
    const bot = startBotProcess({
      BOT_TOKEN: TEST_TOKEN,
      BOT_API_ROOT: server.url,
      DATABASE_PATH: join(dir, "bot.sqlite"),
      COURSES_DIR: "courses",
    });
    cleanups.push(() => void bot.child.kill("SIGKILL"));

    await until(() => bot.output().includes("polling for updates"), "the bot to start polling");
    expect(bot.output()).toContain("course intro-programming loaded");
    expect(bot.output()).toContain("course digital-literacy loaded");
    expect(bot.output()).not.toContain(TEST_TOKEN);
    // Command menus are set in the background once polling runs (they never delay the start).
    await until(() => telegram.callsOf("setMyCommands").length >= 4, "the command menus");
    const menus = telegram.callsOf("setMyCommands").map((c) => c.payload.language_code ?? "default");
    expect(menus).toEqual(["default", "kk", "ru", "en"]);

    telegram.pushUpdate({
      message: {
        message_id: 1,
        date: Math.floor(Date.now() / 1000),
        chat: { id: 555, type: "private", first_name: "Aigerim" },
        from: { id: 555, is_bot: false, first_name: "Aigerim", language_code: "kk" },
        text: "/start",
        entities: [{ type: "bot_command", offset: 0, length: 6 }],
      },
    } as never);
    await until(() => telegram.textsTo(555).length > 0, "the reply to /start");
    expect(telegram.textsTo(555)[0]).toContain("Сәлеметсіз бе, Aigerim!");

    bot.child.kill("SIGTERM");
    expect(await bot.exited).toBe(0);
    expect(bot.output()).toContain("stopped");
  });

  it("refuses to start without BOT_TOKEN, naming the variable", async () => {
    const bot = startBotProcess({ DATABASE_PATH: ":memory:" });
    expect(await bot.exited).toBe(1);
    expect(bot.output().trim()).toBe(
      "Configuration error: BOT_TOKEN is required: get a token from @BotFather and put BOT_TOKEN=... in .env",
    );
  });

  it("refuses a malformed AUTHOR_IDS", async () => {
    const bot = startBotProcess({ BOT_TOKEN: TEST_TOKEN, AUTHOR_IDS: "admin" });
    expect(await bot.exited).toBe(1);
    expect(bot.output()).toContain("AUTHOR_IDS must be a comma-separated list of numeric Telegram user ids");
  });
});

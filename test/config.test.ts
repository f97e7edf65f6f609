import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config.js";
import { redact } from "../src/log.js";

const TOKEN = "123456:ABCdefGHIjklMNOpqrSTUvwxYZ-1234567";

describe("configuration", () => {
  it("applies the documented defaults", () => {
    const c = loadConfig({ BOT_TOKEN: TOKEN });
    expect(c).toMatchObject({
      botApiRoot: "https://api.telegram.org",
      databasePath: "./data/bot.sqlite",
      coursesDir: "./courses",
      assistantChatId: null,
      defaultLocale: "kk",
      timezone: "Asia/Almaty",
    });
    expect([...c.adminIds]).toEqual([]);
  });

  it("parses every variable", () => {
    const c = loadConfig({
      BOT_TOKEN: TOKEN,
      BOT_API_ROOT: "http://127.0.0.1:8081/",
      ADMIN_IDS: " 12, 34 ",
      ASSISTANT_CHAT_ID: "-1001234567890",
      DEFAULT_LOCALE: "ru",
      TIMEZONE: "Asia/Aqtobe",
    });
    expect(c.botApiRoot).toBe("http://127.0.0.1:8081");
    expect([...c.adminIds]).toEqual([12, 34]);
    expect(c.deprecatedAuthorIds).toBe(false);
    expect(c.assistantChatId).toBe(-1001234567890);
    expect(c.defaultLocale).toBe("ru");
  });

  it("names the variable when BOT_TOKEN is missing", () => {
    expect(() => loadConfig({})).toThrow(ConfigError);
    expect(() => loadConfig({})).toThrow(/^BOT_TOKEN is required/);
  });

  it("keeps AUTHOR_IDS as a deprecated alias: its ids join the admins", () => {
    const c = loadConfig({ BOT_TOKEN: TOKEN, ADMIN_IDS: "1", AUTHOR_IDS: "2,1" });
    expect([...c.adminIds].sort()).toEqual([1, 2]);
    expect(c.deprecatedAuthorIds).toBe(true);
  });

  it("names the variable when ADMIN_IDS is malformed", () => {
    expect(() => loadConfig({ BOT_TOKEN: TOKEN, ADMIN_IDS: "12,abc" })).toThrow(/^ADMIN_IDS must be a comma-separated list/);
  });

  it("names the variable when AUTHOR_IDS is malformed", () => {
    expect(() => loadConfig({ BOT_TOKEN: TOKEN, AUTHOR_IDS: "12,abc" })).toThrow(/^AUTHOR_IDS must be a comma-separated list/);
  });

  it("rejects a bad locale and a bad time zone with one line each", () => {
    try {
      loadConfig({ BOT_TOKEN: TOKEN, DEFAULT_LOCALE: "de", TIMEZONE: "Almaty" });
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message.split("\n")).toEqual([
        "DEFAULT_LOCALE must be one of kk, ru, en",
        "TIMEZONE must be an IANA time zone such as Asia/Almaty",
      ]);
    }
  });

  it("never lets the token reach a log line", () => {
    expect(redact(`GET https://api.telegram.org/bot${TOKEN}/getMe failed`)).toBe("GET https://api.telegram.org/bot<token>/getMe failed");
  });
});

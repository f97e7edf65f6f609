import { Writable } from "node:stream";
import { BotError } from "grammy";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.js";
import { createLogger } from "../src/log.js";
import { courseYaml } from "./support/courses.js";
import { T0, TEST_TOKEN, TestBot } from "./support/harness.js";

/** A logger whose JSON lines land in an array. */
function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...String(chunk).split("\n").filter(Boolean));
      done();
    },
  });
  const logger = createLogger({ level: "debug", destination });
  return { logger, lines, records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

let tb: TestBot;
afterEach(() => tb.close());

/** As @grammyjs/runner does in production: an update's error goes to bot.catch (handleUpdate alone rethrows it). */
async function likeRunner(send: () => Promise<number>): Promise<void> {
  try {
    await send();
  } catch (err) {
    if (!(err instanceof BotError)) throw err;
    await tb.bot.errorHandler(err);
  }
}

describe("structured logs", () => {
  it("a failing update logs update_id, chat, user and feature, and neither the token nor the learner's words", async () => {
    const log = capture();
    tb = new TestBot({ now: T0, logger: log.logger, config: { ASSISTANT_CHAT_ID: "-100500" } });
    tb.loadCourse(courseYaml());
    const u = tb.user(77, { lang: "en" });
    await u.press("enr!:python-101");
    await u.send("/ask");
    await u.press("ask:m:python-101:g");
    // Telegram refuses the confirmation to the learner: the handler fails, bot.catch takes over.
    tb.telegram.failures.push((call) =>
      call.method === "sendMessage" && call.payload.chat_id === 77
        ? { error_code: 400, description: "Bad Request: chat not found" }
        : undefined,
    );
    const secret = "My private question about grades 4711";
    await likeRunner(() => u.send(secret));

    const errors = log.records().filter((r) => r.level === 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      update_id: expect.any(Number),
      chat: 77,
      user: 77,
      feature: "ask",
      method: "sendMessage",
      msg: "Telegram refused a request",
    });
    const all = log.lines.join("\n");
    expect(all).not.toContain(TEST_TOKEN);
    expect(all).not.toContain("4711");
  });

  it("an exception in a handler is logged with its stack, the token in it redacted, and the person gets an apology", async () => {
    const log = capture();
    tb = new TestBot({ now: T0, logger: log.logger });
    const u = tb.user(78, { lang: "ru" });
    await u.send("/start");
    // A broken database: whatever the handler needs next fails, as any unexpected error would.
    const prepare = tb.db.$client.prepare.bind(tb.db.$client);
    tb.db.$client.prepare = () => {
      throw new Error(`disk I/O error while calling https://api.telegram.org/bot${TEST_TOKEN}/getMe`);
    };
    try {
      await likeRunner(() => u.send("/courses"));
    } finally {
      tb.db.$client.prepare = prepare;
    }
    const [error] = log.records().filter((r) => r.level === 50);
    expect(error).toMatchObject({ chat: 78, user: 78, msg: "update failed" });
    expect(JSON.stringify(error)).toContain("disk I/O error");
    expect(log.lines.join("\n")).not.toContain(TEST_TOKEN);
    expect(tb.telegram.textsTo(78).at(-1)).toContain("что-то пошло не так");
  });

  it("fields that may hold a learner's words are redacted wherever a careless log call puts them", () => {
    const log = capture();
    log.logger.info(
      { answer: "A1 secret", value: "V1 secret", update: { message: { text: "T1 secret", caption: "C1 secret" } } },
      "careless",
    );
    const [line] = log.lines;
    expect(line).toContain("careless");
    expect(line).not.toContain("secret");
  });

  it("LOG_LEVEL is validated like every other variable", () => {
    const base = { BOT_TOKEN: TEST_TOKEN };
    expect(loadConfig(base).logLevel).toBe("info");
    expect(loadConfig({ ...base, LOG_LEVEL: "debug" }).logLevel).toBe("debug");
    expect(() => loadConfig({ ...base, LOG_LEVEL: "loud" })).toThrow(
      "LOG_LEVEL must be one of trace, debug, info, warn, error, fatal, silent",
    );
  });
});

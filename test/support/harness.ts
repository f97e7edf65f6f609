import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Api, Bot } from "grammy";
import { createOutboxApi } from "../../src/jobs/outboxApi.js";
import type { Message, Update } from "grammy/types";
import { ManualClock } from "../../src/clock.js";
import { loadConfig, type Config } from "../../src/config.js";
import { type Locale } from "../../src/domain/locale.js";
import { validateCourseText } from "../../src/courses/validate.js";
import { importCourse } from "../../src/courses/importCourse.js";
import { closeDatabase, openDatabase, type Db } from "../../src/db/client.js";
import { createBot } from "../../src/bot/createBot.js";
import type { BotContext } from "../../src/bot/context.js";
import { OutboxSender, type SenderOptions } from "../../src/jobs/outbox.js";
import { BroadcastMonitor } from "../../src/jobs/broadcastProgress.js";
import type { Logger } from "../../src/log.js";
import { BOT_INFO, FakeTelegram } from "./fakeTelegram.js";

export const TEST_TOKEN = "123456:TEST-token-for-tests-only_abcdefghij";

/** 2026-09-01 09:00 in Asia/Almaty (UTC+5). */
export const T0 = Date.UTC(2026, 8, 1, 4, 0);

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({ BOT_TOKEN: TEST_TOKEN, BOT_API_ROOT: "http://127.0.0.1:1", ADMIN_IDS: "900", ...overrides });
}

export interface TestBotOptions {
  now?: number;
  dbPath?: string;
  config?: Record<string, string>;
  telegram?: FakeTelegram;
  /** First update id; a restarted bot on the same database must not reuse ids (they are deduplicated). */
  firstUpdateId?: number;
  /** Where the bot logs (default: the process logger, silent under vitest). */
  logger?: Logger;
}

let lastUpdateId = 0;

/** A bot wired exactly as in production, with a fake clock, a fake Bot API and its own database. */
export class TestBot {
  readonly telegram: FakeTelegram;
  readonly clock: ManualClock;
  readonly db: Db;
  readonly config: Config;
  readonly bot: Bot<BotContext>;
  /** The Api the outbox sends with in production (same fake Bot API). */
  readonly outboxApi: Api;
  private updateId: number;

  constructor(options: TestBotOptions = {}) {
    this.telegram = options.telegram ?? new FakeTelegram();
    this.clock = new ManualClock(options.now ?? T0);
    this.db = openDatabase(options.dbPath ?? ":memory:");
    this.config = testConfig(options.config);
    // Ids keep rising across instances, as Telegram's do: a "restarted" bot on the same database
    // must not mistake new updates for ones it already handled.
    this.updateId = options.firstUpdateId ?? (lastUpdateId += 10_000);
    this.bot = createBot(
      { db: this.db, clock: this.clock, config: this.config, logger: options.logger, fetch: this.telegram.fetch },
      { botInfo: BOT_INFO, client: { fetch: this.telegram.fetch } },
    );
    this.outboxApi = createOutboxApi(this.config, { fetch: this.telegram.fetch });
    // The bot was added to the assistants' chat: Telegram knows it before anyone writes there.
    if (this.config.assistantChatId !== null) this.telegram.addChat(this.config.assistantChatId);
  }

  /** Imports a course from YAML text; fails the test on any validation error. */
  loadCourse(yaml: string, options: { baseDir?: string } = {}): void {
    const { course, issues } = validateCourseText(yaml, {
      now: this.clock.now(),
      defaultTimezone: "Asia/Almaty",
      baseDir: options.baseDir,
    });
    if (!course) throw new Error(`test course invalid: ${JSON.stringify(issues)}`);
    importCourse(this.db, course, "test.yaml", this.clock.now());
  }

  async handle(update: Omit<Update, "update_id">, updateId = this.updateId++): Promise<number> {
    this.telegram.noteUpdate(update);
    await this.bot.handleUpdate({ ...update, update_id: updateId });
    return updateId;
  }

  /** An outbox sender as main.ts builds it (own Api, no auto-retry), with instant sleeps by default. */
  sender(options: Partial<SenderOptions> = {}): OutboxSender {
    return new OutboxSender({
      api: this.outboxApi,
      db: this.db,
      clock: this.clock,
      ratePerSecond: 1000,
      sleep: async () => {},
      ...options,
    });
  }

  /** The broadcast progress reporter, using the bot's Api as main.ts does. */
  monitor(): BroadcastMonitor {
    return new BroadcastMonitor(this.db, this.bot.api, this.clock);
  }

  user(id: number, options: { lang?: string; firstName?: string } = {}): TestUser {
    return new TestUser(this, id, options.lang ?? "en", options.firstName ?? `User${id}`);
  }

  /** A person writing in a group or supergroup (e.g. the assistants' chat). */
  groupUser(id: number, chatId: number, options: { lang?: string; firstName?: string; forum?: boolean } = {}): TestGroupUser {
    return new TestGroupUser(this, id, chatId, options.lang ?? "en", options.firstName ?? `Member${id}`, options.forum ?? false);
  }

  close(): void {
    closeDatabase(this.db);
  }
}

/** A person in a private chat with the bot. */
export class TestUser {
  constructor(
    readonly tb: TestBot,
    readonly id: number,
    readonly languageCode: string,
    readonly firstName: string,
  ) {}

  get from() {
    return { id: this.id, is_bot: false, first_name: this.firstName, language_code: this.languageCode };
  }

  get chat() {
    return { id: this.id, type: "private" as const, first_name: this.firstName };
  }

  message(text: string, extra: Partial<Message> = {}): Omit<Update, "update_id"> {
    return messageUpdate(this.tb, this.from, this.chat, text, extra);
  }

  async send(text: string): Promise<number> {
    return this.tb.handle(this.message(text));
  }

  /** Sends a message without text, e.g. `{ photo: [...], caption: "..." }`. */
  async sendRaw(extra: Partial<Message>): Promise<number> {
    return this.tb.handle(messageUpdate(this.tb, this.from, this.chat, undefined, extra));
  }

  /** Sends a message with extra fields (a photo, a document, a reply_to_message, ...). */
  async sendWith(text: string | undefined, extra: Partial<Message>): Promise<number> {
    return this.tb.handle(messageUpdate(this.tb, this.from, this.chat, text, extra));
  }

  /** Replies to a message the bot sent to this user (Telegram includes the replied-to message). */
  async reply(toMessageId: number, text: string | undefined, extra: Partial<Message> = {}): Promise<number> {
    return this.sendWith(text, {
      reply_to_message: { message_id: toMessageId, date: 0, chat: this.chat, text: "…" } as Message["reply_to_message"],
      ...extra,
    });
  }

  /** Presses an inline button; the message it belongs to defaults to the last one sent to this chat. */
  async press(data: string, messageId = this.lastMessageId()): Promise<number> {
    return this.tb.handle(callbackUpdate(this.tb, this.from, this.chat, data, messageId));
  }

  /** The id the fake Bot API gave the last message sent to this chat (so edits act on the real message). */
  lastMessageId(): number {
    const sent = this.tb.telegram.calls.filter((c) => c.method === "sendMessage" && Number(c.payload.chat_id) === this.id && c.result);
    return Number(sent[sent.length - 1]?.result.message_id ?? 0);
  }

  /** Text of the last message or edit this user would see. */
  lastText(): string {
    return this.tb.telegram.lastTextTo(this.id);
  }

  texts(): string[] {
    return this.tb.telegram.textsTo(this.id);
  }

  buttons(): { text: string; data: string }[] {
    return this.tb.telegram.lastMessageTo(this.id).buttons;
  }

  /** The text of the last toast/alert shown for a pressed button. */
  lastAlert(): string | undefined {
    const answers = this.tb.telegram.callbackAnswers();
    return answers[answers.length - 1]?.payload.text as string | undefined;
  }
}

/** A member of a group chat: sends messages (often replies) and presses buttons there. */
export class TestGroupUser {
  constructor(
    readonly tb: TestBot,
    readonly id: number,
    readonly chatId: number,
    readonly languageCode: string,
    readonly firstName: string,
    readonly forum: boolean,
  ) {}

  get from() {
    return { id: this.id, is_bot: false, first_name: this.firstName, language_code: this.languageCode };
  }

  get chat() {
    return this.forum
      ? { id: this.chatId, type: "supergroup" as const, title: "Assistants", is_forum: true as const }
      : { id: this.chatId, type: "supergroup" as const, title: "Assistants" };
  }

  message(text: string | undefined, extra: Partial<Message> = {}): Omit<Update, "update_id"> {
    return messageUpdate(this.tb, this.from, this.chat, text, extra);
  }

  async send(text: string | undefined, extra: Partial<Message> = {}): Promise<number> {
    return this.tb.handle(this.message(text, extra));
  }

  /** Replies to a message in the group; returns the reply's own message id. */
  async reply(toMessageId: number, text: string | undefined, extra: Partial<Message> = {}): Promise<number> {
    const update = this.message(text, {
      reply_to_message: { message_id: toMessageId, date: 0, chat: this.chat, text: "…" } as Message["reply_to_message"],
      ...extra,
    });
    await this.tb.handle(update);
    return update.message!.message_id;
  }

  async press(data: string, messageId: number): Promise<number> {
    return this.tb.handle(callbackUpdate(this.tb, this.from, this.chat, data, messageId));
  }
}

/** A message update as Telegram sends it; a leading /command gets its bot_command entity. */
function messageUpdate(
  tb: TestBot,
  from: object,
  chat: object,
  text: string | undefined,
  extra: Partial<Message>,
): Omit<Update, "update_id"> {
  const entities = text?.startsWith("/") ? [{ type: "bot_command" as const, offset: 0, length: text.split(/\s/)[0]!.length }] : undefined;
  const message: Record<string, unknown> = {
    message_id: Math.floor(Math.random() * 1e6),
    date: Math.floor(tb.clock.now() / 1000),
    chat,
    from,
    ...(text !== undefined ? { text, entities } : {}),
    ...extra,
  };
  return { message: message as unknown as Update["message"] };
}

/** A button press on a message of `chat`. */
function callbackUpdate(tb: TestBot, from: object, chat: { id: number }, data: string, messageId: number): Omit<Update, "update_id"> {
  return {
    callback_query: {
      id: `cb${Math.floor(Math.random() * 1e9)}`,
      from,
      chat_instance: `ci${chat.id}`,
      data,
      message: { message_id: messageId, date: Math.floor(tb.clock.now() / 1000), chat, text: "…" },
    } as Update["callback_query"],
  };
}

export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "mooc-bot-"));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export const LOCALE_CODES: Locale[] = ["kk", "ru", "en"];

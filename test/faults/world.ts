import { spawn, type ChildProcess } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ApiCall } from "../support/fakeTelegram.js";
import { StrictBotApi } from "./strictBotApi.js";

export const FAULT_TOKEN = "123456:FAULT-token-for-tests-only_abcdefghij";
export const ASSISTANTS_CHAT = -100777;
export const AUTHOR_ID = 900;

/** How the bot process is started: the built entry point (npm run faults) or src through tsx (vitest). */
export type Entry = "dist" | "tsx";

/** One bot process at a time, restartable on the same database, against one strict fake Bot API. */
export class World {
  readonly api = new StrictBotApi();
  readonly dir = mkdtempSync(join(tmpdir(), "mooc-faults-"));
  dbPath = join(this.dir, "bot.sqlite");
  readonly coursesDir = join(this.dir, "courses");
  private child: ChildProcess | null = null;
  private exited: Promise<number | null> | null = null;
  /** Everything every process printed, in order. */
  output = "";
  starts = 0;
  kills = 0;
  /** When each kill and start happened (the fault suite's timelines). */
  readonly events: { at: number; what: "kill" | "start" }[] = [];
  extraEnv: Record<string, string> = {};

  constructor(readonly entry: Entry) {
    cpSync("courses", this.coursesDir, { recursive: true });
  }

  async init(): Promise<this> {
    // The assistants' group added the bot: Telegram knows that chat (the strict fake refuses others).
    this.api.telegram.addChat(ASSISTANTS_CHAT);
    await this.api.listen();
    return this;
  }

  /** Starts the bot and waits until it polls. */
  async start(timeoutMs = 30_000): Promise<void> {
    const mark = this.output.length;
    const args = this.entry === "dist" ? ["dist/main.js"] : ["--import", "tsx", "src/main.ts"];
    const child = spawn(process.execPath, args, {
      env: {
        PATH: process.env.PATH ?? "",
        ENV_FILE: "/nonexistent/.env",
        BOT_TOKEN: FAULT_TOKEN,
        BOT_API_ROOT: this.api.url,
        DATABASE_PATH: this.dbPath,
        COURSES_DIR: this.coursesDir,
        ASSISTANT_CHAT_ID: String(ASSISTANTS_CHAT),
        ADMIN_IDS: String(AUTHOR_ID),
        BROADCAST_RATE: "30",
        ...this.extraEnv,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.on("data", (d) => (this.output += String(d)));
    child.stderr.on("data", (d) => (this.output += String(d)));
    this.child = child;
    this.exited = new Promise((r) => child.on("exit", (code) => r(code)));
    this.starts++;
    this.events.push({ at: Date.now(), what: "start" });
    await until(() => this.output.slice(mark).includes("polling for updates") || child.exitCode !== null, "the bot to poll", timeoutMs);
    if (child.exitCode !== null) throw new Error(`the bot exited with ${child.exitCode}: ${this.output.slice(mark, mark + 2000)}`);
  }

  /** kill -9, as a power cut or the OOM killer would. */
  async kill(): Promise<void> {
    if (!this.child || this.child.exitCode !== null) return;
    this.child.kill("SIGKILL");
    await this.exited;
    // Once it has exited: a request already on its way when the signal went may still land before.
    this.events.push({ at: Date.now(), what: "kill" });
    this.kills++;
  }

  async stop(): Promise<number | null> {
    if (!this.child || this.child.exitCode !== null) return this.child?.exitCode ?? null;
    this.child.kill("SIGTERM");
    return this.exited;
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null;
  }

  async dispose(): Promise<void> {
    if (this.child && this.child.exitCode === null) this.child.kill("SIGKILL");
    await this.api.close();
    rmSync(this.dir, { recursive: true, force: true });
  }

  learner(id: number, lang: "kk" | "ru" | "en" = "en"): SimLearner {
    return new SimLearner(this.api, id, lang);
  }

  /**
   * One learner's run as it happened: what they sent or pressed, what the bot sent, edited or
   * answered in their chat, and the kills and starts between; read when a learner was stuck.
   */
  timeline(learnerId: number): string[] {
    const rows: { at: number; line: string }[] = [];
    const short = (v: unknown) => (typeof v === "string" ? v.replace(/\s+/g, " ").slice(0, 70) : "");
    for (const p of this.api.pushed) {
      const u = p.update;
      if (u.message?.from?.id === learnerId) rows.push({ at: p.at, line: `→ message ${short(u.message.text)}` });
      if (u.callback_query?.from?.id === learnerId)
        rows.push({
          at: p.at,
          line: `→ press ${u.callback_query.data} on #${u.callback_query.message?.message_id} (${u.callback_query.id})`,
        });
    }
    const ids = new Set(
      this.api.pushed.filter((p) => p.update.callback_query?.from?.id === learnerId).map((p) => String(p.update.callback_query.id)),
    );
    for (const c of this.api.calls) {
      const mine =
        Number(c.payload.chat_id) === learnerId ||
        (c.method.endsWith("answerCallbackQuery") && ids.has(String(c.payload.callback_query_id)));
      if (!mine || c.at === undefined) continue;
      const id = c.result?.message_id ?? c.payload.message_id ?? "";
      const buttons = ((c.payload.reply_markup?.inline_keyboard ?? []) as { callback_data?: string }[][])
        .flat()
        .map((b) => b.callback_data)
        .join(" ");
      const text = c.method.endsWith("answerCallbackQuery")
        ? `${String(c.payload.callback_query_id)} ${short(c.payload.text)}`
        : short(c.payload.text);
      rows.push({
        at: c.at,
        line: `← ${c.method} #${id} ${text}${buttons ? ` [${buttons}]` : ""}${c.error ? ` (${c.error.description})` : ""}`,
      });
    }
    for (const e of this.events) rows.push({ at: e.at, line: `== ${e.what} ==` });
    rows.sort((a, b) => a.at - b.at);
    const first = rows.find((r) => !r.line.startsWith("=="))?.at ?? 0;
    const last = rows.filter((r) => !r.line.startsWith("==")).at(-1)?.at ?? 0;
    return rows
      .filter((r) => r.at >= first - 3000 && r.at <= last + 3000)
      .map((r) => `${((r.at - first) / 1000).toFixed(3).padStart(8)} ${r.line}`);
  }
}

export interface Button {
  text: string;
  data: string;
}

export interface Screen {
  messageId: number;
  text: string;
  buttons: Button[];
}

/**
 * A person in a private chat, as Telegram would show things to them: the messages the bot sent
 * or edited, the buttons under them, the alerts of their presses.
 */
export class SimLearner {
  private messageId = 1;
  constructor(
    readonly api: StrictBotApi,
    readonly id: number,
    readonly lang: string,
    readonly firstName = `Sim${id}`,
  ) {}

  get from() {
    return { id: this.id, is_bot: false, first_name: this.firstName, language_code: this.lang };
  }

  get chat() {
    return { id: this.id, type: "private" as const, first_name: this.firstName };
  }

  /** Calls addressed to this chat (or answering its presses), from index `since`. */
  get mark(): number {
    return this.api.calls.length;
  }

  callsSince(since: number): ApiCall[] {
    return this.api.calls.slice(since).filter((c) => Number(c.payload.chat_id) === this.id || this.ownCallback(c));
  }

  private callbackIds = new Set<string>();
  private ownCallback(c: ApiCall): boolean {
    return c.method === "answerCallbackQuery" && this.callbackIds.has(String(c.payload.callback_query_id));
  }

  /** Sends a text message; resolves with whether the bot reacted within `ms`. */
  async send(text: string, ms = 20_000, extra: Record<string, unknown> = {}): Promise<boolean> {
    const since = this.api.calls.length;
    const entities = text.startsWith("/") ? [{ type: "bot_command", offset: 0, length: text.split(" ")[0]!.length }] : undefined;
    this.api.pushUpdate({
      message: {
        message_id: this.messageId++,
        date: Math.floor(Date.now() / 1000),
        chat: this.chat,
        from: this.from,
        text,
        entities,
        ...extra,
      },
    } as never);
    return this.waitReaction(since, ms, false);
  }

  /** Any other update (stickers, edits, odd types): resolves with whether the bot reacted. */
  async sendRaw(update: Record<string, unknown>, ms = 20_000): Promise<boolean> {
    const since = this.api.calls.length;
    this.api.pushUpdate(update);
    return this.waitReaction(since, ms, false);
  }

  nextMessageId(): number {
    return this.messageId++;
  }

  /** Presses a button (by its data) on a message; resolves with whether the bot reacted. */
  async press(data: string, messageId = this.screen()?.messageId ?? 1, ms = 20_000): Promise<boolean> {
    const since = this.api.calls.length;
    const id = this.api.newCallbackId();
    this.callbackIds.add(id);
    this.api.pushUpdate({
      callback_query: {
        id,
        from: this.from,
        chat_instance: `ci${this.id}`,
        data,
        message: { message_id: messageId, date: Math.floor(Date.now() / 1000), chat: this.chat, text: "…" },
      },
    });
    return this.waitReaction(since, ms, true);
  }

  /**
   * Waits for the bot's reaction: a message or edit to this chat. For a press, its answer
   * (answerCallbackQuery) alone counts only when nothing else follows shortly.
   */
  private async waitReaction(since: number, ms: number, press: boolean): Promise<boolean> {
    const end = Date.now() + ms;
    let answeredAt: number | null = null;
    while (Date.now() < end) {
      const calls = this.callsSince(since);
      if (calls.some((c) => c.method !== "answerCallbackQuery" && !c.method.startsWith("refused:"))) {
        await sleep(60); // a follow-up message of the same step
        return true;
      }
      if (press && calls.some((c) => c.method === "answerCallbackQuery")) {
        answeredAt ??= Date.now();
        if (Date.now() - answeredAt > 400) return true;
      }
      if (calls.some((c) => c.method.startsWith("refused:"))) return true;
      await sleep(25);
    }
    return false;
  }

  /** The last alert text answered to one of this learner's presses since `since`. */
  alertSince(since: number): string | null {
    const a = this.callsSince(since).filter((c) => c.method === "answerCallbackQuery" && c.payload.text);
    return a.length > 0 ? String(a.at(-1)!.payload.text) : null;
  }

  /**
   * Waits until a message or edit sent since `since` makes the screen `pred` picks relevant
   * (messages the bot sends on its own, such as announcements, do not count), or `ms` pass.
   */
  async awaitScreen(since: number, pred: (s: Screen) => boolean, ms = 20_000): Promise<Screen | null> {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      const fresh = this.callsSince(since).some(
        (c) => c.method === "sendMessage" || c.method === "editMessageText" || c.method === "editMessageReplyMarkup",
      );
      if (fresh) {
        const s = this.screen(pred);
        if (s && this.touchedSince(since, s.messageId)) {
          await sleep(80); // a second message of the same step (e.g. "continuing…" then the question)
          return this.screen(pred);
        }
      }
      await sleep(25);
    }
    return null;
  }

  private touchedSince(since: number, messageId: number): boolean {
    return this.callsSince(since).some(
      (c) =>
        (c.method === "sendMessage" && Number(c.result?.message_id) === messageId) ||
        (c.method !== "sendMessage" && Number(c.payload.message_id) === messageId),
    );
  }

  /** The message the learner looks at (the last one `pred` accepts), with its current buttons. */
  screen(pred: (s: Screen) => boolean = () => true): Screen | null {
    let last: Screen | null = null;
    const byId = new Map<number, Screen>();
    for (const c of this.api.calls) {
      if (Number(c.payload.chat_id) !== this.id) continue;
      if (c.method === "sendMessage" && c.result) {
        const s = { messageId: Number(c.result.message_id), text: String(c.payload.text), buttons: flatButtons(c.payload.reply_markup) };
        byId.set(s.messageId, s);
        if (pred(s)) last = s;
      } else if (c.method === "editMessageText") {
        const s = { messageId: Number(c.payload.message_id), text: String(c.payload.text), buttons: flatButtons(c.payload.reply_markup) };
        byId.set(s.messageId, s);
        if (pred(s)) last = s;
        else if (last?.messageId === s.messageId) last = null;
      } else if (c.method === "editMessageReplyMarkup") {
        const s = byId.get(Number(c.payload.message_id));
        if (s) s.buttons = flatButtons(c.payload.reply_markup);
      }
    }
    return last;
  }

  /** A message of this chat as it is now (its latest text and buttons). */
  message(messageId: number): Screen | null {
    return this.screen((s) => s.messageId === messageId);
  }

  /**
   * Presses a button the learner sees: the first button of message `s` (as its keyboard is now)
   * that `pick` accepts, with the callback data the bot put on it. Resolves with the button
   * pressed (null when there is none) once the bot reacted or `ms` passed.
   */
  async tap(s: Screen, pick: (b: Button, index: number) => boolean, ms = 20_000): Promise<Button | null> {
    const now = this.message(s.messageId) ?? s;
    const b = now.buttons.find(pick);
    if (!b) return null;
    await this.press(b.data, now.messageId, ms);
    return b;
  }

  /** Every text sent to this chat. */
  texts(): string[] {
    return this.api.calls
      .filter((c) => Number(c.payload.chat_id) === this.id && (c.method === "sendMessage" || c.method === "editMessageText"))
      .map((c) => String(c.payload.text));
  }
}

function flatButtons(markup: any): Button[] {
  const kb = (markup?.inline_keyboard ?? []) as { text: string; callback_data?: string }[][];
  return kb.flat().map((b) => ({ text: b.text, data: b.callback_data ?? "" }));
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function until(cond: () => boolean, what: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** A seeded PRNG (mulberry32): a failing run can be repeated with FAULTS_SEED. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Update, UserFromGetMe } from "grammy/types";
import { parseTelegramHtml } from "./telegramHtml.js";

export interface ApiCall {
  method: string;
  payload: Record<string, any>;
  /** What the fake answered (absent for failed calls): e.g. the message_id of a sent message. */
  result?: any;
  /** Why the fake refused the call as Telegram would (strict checks or a failure rule). */
  error?: ApiFailure;
  /** When it arrived (Date.now()): the fault suite's timelines. */
  at?: number;
  /** For an edit refused as "not modified": when the message got the content it already has. */
  unchangedSince?: number;
}

export interface ApiFailure {
  error_code: number;
  description: string;
  parameters?: { retry_after?: number };
}

/** Decides whether a call fails; return undefined to let it succeed. */
export type FailureRule = (call: ApiCall) => ApiFailure | undefined;

export const BOT_INFO: UserFromGetMe = {
  id: 424242,
  is_bot: true,
  first_name: "MOOC Assistant",
  username: "mooc_test_bot",
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
  has_topics_enabled: false,
  allows_users_to_create_topics: false,
} as UserFromGetMe;

/**
 * A stand-in for the Bot API: records every call and answers with a plausible result.
 * Use `fetch` as grammY's client fetch in unit tests, or `listen()` for a real HTTP server
 * that a whole bot process can reach through BOT_API_ROOT.
 */
export class FakeTelegram {
  readonly calls: ApiCall[] = [];
  readonly failures: FailureRule[] = [];
  /** getChatMember answers: `${chatId}:${userId}` -> status ("member" when not listed). */
  readonly chatMembers = new Map<string, string>();
  private nextMessageId = 1000;
  private pendingUpdates: Update[] = [];
  private updateWaiters: (() => void)[] = [];
  private nextUpdateId = 1;
  /** Artificial latency per call, in ms (benchmarks). */
  latencyMs = 0;
  /**
   * Telegram's flood control, scaled as needed: more than `perSecond` sends in any second are
   * refused with 429 and `retry_after` (seconds). Off when null.
   */
  rateLimit: { perSecond: number; retryAfter: number } | null = null;
  /** How many 429s the rate limit gave. */
  floodAnswers = 0;
  /** Successful sends (sendMessage, sendPhoto, sendDocument, copyMessage), in order: what learners got. */
  readonly delivered: ApiCall[] = [];
  /** performance.now() of each delivery (benchmarks: the achieved rate). */
  readonly deliveredAt: number[] = [];
  /** Called right after a send was delivered, before its answer leaves (tests: "crash" here). */
  afterDelivery: ((call: ApiCall) => void) | null = null;
  /**
   * When set, answers never arrive (the process was killed while waiting): requests already on
   * their way are still delivered, but their callers hang forever.
   */
  frozen = false;
  /** Network failures before a request reaches Telegram: return an error code such as ECONNREFUSED. */
  readonly networkFailures: ((call: ApiCall) => string | undefined)[] = [];
  private sendTimes: number[] = [];
  /**
   * Chats the bot can write to: those seen in an update (the harness and pushUpdate note them),
   * plus those added with addChat (a group the bot was added to, a learner seeded in the
   * database). Any other chat id is refused with 400 "chat not found", as Telegram does.
   */
  readonly knownChats = new Set<number>();
  /** What each message shows now, by `${chatId}:${messageId}`: an edit to the same content is refused. */
  private readonly messages = new Map<string, string>();
  /** Every call refused by the strict checks (not by failure rules), for tests that look for them. */
  readonly refused: ApiCall[] = [];

  /** Files the bot may download: by file_id, with the path getFile gives (see addFile). */
  private readonly files = new Map<string, { path: string; bytes: Buffer }>();
  private nextFileId = 1;

  /**
   * A file a user sent (a document): getFile answers with its path and size, and the download
   * URL `<root>/file/bot<token>/<path>` serves its bytes. Returns the message's `document` field.
   * Files over 20 MB are refused by getFile ("file is too big"), as Telegram refuses bots.
   */
  addFile(fileName: string, bytes: Uint8Array | string, mimeType = "application/octet-stream") {
    const id = `file${this.nextFileId++}`;
    const buffer = typeof bytes === "string" ? Buffer.from(bytes, "utf8") : Buffer.from(bytes);
    this.files.set(id, { path: `documents/${id}_${fileName.replace(/[^\w.-]/g, "_")}`, bytes: buffer });
    return { file_id: id, file_unique_id: `u${id}`, file_name: fileName, mime_type: mimeType, file_size: buffer.length };
  }

  /** The bytes at a download path, or undefined (404) for a path getFile never gave. */
  fileAt(path: string): Buffer | undefined {
    for (const f of this.files.values()) if (f.path === path) return f.bytes;
    return undefined;
  }

  /** Lets the bot write to these chats (see knownChats). */
  addChat(...chatIds: number[]): this {
    for (const id of chatIds) this.knownChats.add(id);
    return this;
  }

  /** When each callback query was pressed: Telegram refuses to answer one after about 15 s. */
  private pressedAt = new Map<string, number>();

  /** Notes the chats and users an update comes from, as Telegram knows them once they wrote. */
  noteUpdate(update: Record<string, any>): void {
    if (update.callback_query?.id !== undefined) this.pressedAt.set(String(update.callback_query.id), Date.now());
    for (const part of Object.values(update)) {
      if (!part || typeof part !== "object") continue;
      const chat = part.chat ?? part.message?.chat;
      if (chat?.id !== undefined) this.knownChats.add(Number(chat.id));
      if (part.from?.id !== undefined) this.knownChats.add(Number(part.from.id));
    }
  }

  handle(method: string, payload: Record<string, any>): { ok: true; result: unknown } | ({ ok: false } & ApiFailure) {
    const call: ApiCall = { method, payload, at: Date.now() };
    if (method !== "getUpdates") this.calls.push(call);
    for (const rule of this.failures) {
      const failure = rule(call);
      if (failure) {
        call.error = failure;
        return { ok: false, ...failure };
      }
    }
    const refusal = this.refusal(method, payload);
    if (refusal) {
      call.error = refusal;
      if (refusal.description.includes("not modified"))
        call.unchangedSince = this.contentSince.get(`${Number(payload.chat_id)}:${Number(payload.message_id)}`);
      this.refused.push(call);
      return { ok: false, ...refusal };
    }
    const isSend = SEND_METHODS.has(method);
    if (isSend && this.rateLimit) {
      const now = performance.now();
      while (this.sendTimes.length > 0 && this.sendTimes[0]! <= now - 1000) this.sendTimes.shift();
      if (this.sendTimes.length >= this.rateLimit.perSecond) {
        this.floodAnswers++;
        const retry_after = this.rateLimit.retryAfter;
        return { ok: false, error_code: 429, description: `Too Many Requests: retry after ${retry_after}`, parameters: { retry_after } };
      }
      this.sendTimes.push(now);
    }
    const result = this.result(method, payload);
    call.result = result;
    this.remember(method, payload, result);
    if (isSend) {
      this.delivered.push(call);
      this.deliveredAt.push(performance.now());
      this.afterDelivery?.(call);
    }
    return { ok: true, result };
  }

  private result(method: string, p: Record<string, any>): unknown {
    const chat = { id: Number(p.chat_id), type: Number(p.chat_id) < 0 ? "supergroup" : "private", first_name: "Learner" };
    const message = (extra: Record<string, unknown>) => ({
      message_id: this.nextMessageId++,
      date: Math.floor(Date.now() / 1000),
      chat,
      from: { id: BOT_INFO.id, is_bot: true, first_name: BOT_INFO.first_name, username: BOT_INFO.username },
      ...extra,
    });
    switch (method) {
      case "getMe":
        return BOT_INFO;
      case "sendMessage":
        return message({ text: p.text, reply_markup: p.reply_markup });
      case "sendPhoto":
        return message({ photo: [{ file_id: "photo", file_unique_id: "photo", width: 1, height: 1 }], caption: p.caption });
      case "sendDocument":
        return message({ document: { file_id: "doc", file_unique_id: "doc", file_name: "file" }, caption: p.caption });
      case "copyMessage":
        return { message_id: this.nextMessageId++ };
      case "editMessageText":
        return { ...message({ text: p.text, reply_markup: p.reply_markup }), message_id: Number(p.message_id) };
      case "editMessageReplyMarkup":
        return { ...message({ reply_markup: p.reply_markup }), message_id: Number(p.message_id) };
      case "getUpdates": {
        const offset = Number(p.offset ?? 0);
        this.pendingUpdates = this.pendingUpdates.filter((u) => u.update_id >= offset);
        return this.pendingUpdates.slice(0, Number(p.limit ?? 100));
      }
      case "getFile": {
        const file = this.files.get(String(p.file_id))!;
        return { file_id: String(p.file_id), file_unique_id: `u${String(p.file_id)}`, file_size: file.bytes.length, file_path: file.path };
      }
      case "getChatMember": {
        const status = this.chatMembers.get(`${Number(p.chat_id)}:${Number(p.user_id)}`) ?? "member";
        return { status, user: { id: Number(p.user_id), is_bot: false, first_name: "Member" } };
      }
      default:
        return true;
    }
  }

  /** grammY client `fetch`: answers in-process, no network. */
  readonly fetch = async (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input instanceof Request ? input.url : input);
    const download = this.download(url);
    if (download) return download;
    const method = url.slice(url.lastIndexOf("/") + 1);
    const payload = await parseBody(init?.body, init?.headers);
    for (const rule of this.networkFailures) {
      const code = rule({ method, payload });
      if (code) throw Object.assign(new Error(`request to ${method} failed, reason: ${code}`), { code, type: "system" });
    }
    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
    const body = this.handle(method, payload);
    if (this.frozen) return new Promise<Response>(() => {});
    return new Response(JSON.stringify(body), {
      headers: { "content-type": "application/json" },
    });
  };

  /**
   * A file download (`<root>/file/bot<token>/<path>`): its bytes, 404 for an unknown path. Recorded
   * as a call named "download" (without the token) so tests can see what was fetched.
   */
  private download(url: string): Response | undefined {
    const m = /\/file\/bot[^/]+\/(.+)$/.exec(new URL(url).pathname);
    if (!m) return undefined;
    const path = decodeURIComponent(m[1]!);
    this.calls.push({ method: "download", payload: { path } });
    const bytes = this.fileAt(path);
    if (!bytes) return new Response(JSON.stringify({ ok: false, error_code: 404, description: "Not Found" }), { status: 404 });
    return new Response(bytes, { headers: { "content-type": "application/octet-stream" } });
  }

  /** Queues an update for getUpdates (whole-process tests). */
  pushUpdate(update: Omit<Update, "update_id">): number {
    this.noteUpdate(update);
    const update_id = this.nextUpdateId++;
    this.pendingUpdates.push({ ...update, update_id });
    for (const w of this.updateWaiters.splice(0)) w();
    return update_id;
  }

  /** Serves the Bot API over HTTP on 127.0.0.1 (`port` 0: any free one); returns its root URL. */
  /** Called as each HTTP request arrives, before a getUpdates is held (the bench times start-up with it). */
  onArrive?: (method: string) => void;

  /**
   * Requests this returns true for are never answered (over HTTP): the bot's handler stays in
   * flight, as when Telegram is slow at the moment the process dies. Released when the server closes.
   */
  hold?: (method: string, payload: Record<string, any>) => boolean;
  private held: (() => void)[] = [];

  async listen(port = 0): Promise<{ url: string; server: Server; close: () => Promise<void> }> {
    // eslint-disable-next-line @typescript-eslint/no-misused-promises -- node ignores the promise; the handler answers every request itself
    const server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const download = this.download(`http://fake${req.url ?? "/"}`);
      if (download) {
        res.writeHead(download.status, { "content-type": download.headers.get("content-type") ?? "application/octet-stream" });
        res.end(Buffer.from(await download.arrayBuffer()));
        return;
      }
      const method = (req.url ?? "").split("/").pop()!.split("?")[0]!;
      const raw = Buffer.concat(chunks).toString("utf8");
      const payload = await parseBody(raw, { "content-type": req.headers["content-type"] ?? "" });
      this.onArrive?.(method);
      if (this.hold?.(method, payload)) {
        await new Promise<void>((resolve) => this.held.push(resolve));
        res.destroy();
        return;
      }
      if (method === "getUpdates" && this.pendingUpdates.length === 0) {
        // Long polling: hold the request until an update arrives or a short timeout passes.
        const wait = Math.min(Number(payload.timeout ?? 0), 1) * 1000;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, wait);
          this.updateWaiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
      const body = this.handle(method, payload);
      res.writeHead(body.ok ? 200 : body.error_code, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    });
    // Like Telegram's servers, keep idle connections open: a short keep-alive makes the server
    // close sockets the client is about to reuse (a reset that says nothing about the bot).
    server.keepAliveTimeout = 60_000;
    server.headersTimeout = 61_000;
    await new Promise<void>((r, reject) => server.once("error", reject).listen(port, "127.0.0.1", r));
    const bound = (server.address() as AddressInfo).port;
    return {
      url: `http://127.0.0.1:${bound}`,
      server,
      close: () =>
        new Promise<void>((r) => {
          for (const w of this.updateWaiters.splice(0)) w();
          for (const h of this.held.splice(0)) h();
          server.closeAllConnections();
          server.close(() => r());
        }),
    };
  }

  // ---- assertions helpers ----

  callsOf(method: string): ApiCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Texts the chat would see, in order: sent messages and edits (refused calls never show). */
  textsTo(chatId: number): string[] {
    return this.calls
      .filter((c) => !c.error && Number(c.payload.chat_id) === chatId && (c.method === "sendMessage" || c.method === "editMessageText"))
      .map((c) => String(c.payload.text));
  }

  lastTextTo(chatId: number): string {
    const texts = this.textsTo(chatId);
    return texts[texts.length - 1] ?? "";
  }

  /** The last message or edit sent to a chat, with its buttons flattened. */
  lastMessageTo(chatId: number): { text: string; buttons: { text: string; data: string }[] } {
    const call = [...this.calls]
      .reverse()
      .find((c) => !c.error && Number(c.payload.chat_id) === chatId && (c.method === "sendMessage" || c.method === "editMessageText"));
    const kb = (call?.payload.reply_markup?.inline_keyboard ?? []) as { text: string; callback_data?: string }[][];
    return {
      text: String(call?.payload.text ?? ""),
      buttons: kb.flat().map((b) => ({ text: b.text, data: b.callback_data ?? "" })),
    };
  }

  /** The message id the fake gave the last message sent to a chat (sendMessage/sendPhoto/sendDocument/copyMessage). */
  lastSentMessageId(chatId: number, method?: string): number {
    const call = [...this.calls]
      .reverse()
      .find(
        (c) =>
          Number(c.payload.chat_id) === chatId &&
          (method ? c.method === method : ["sendMessage", "sendPhoto", "sendDocument", "copyMessage"].includes(c.method)) &&
          c.result?.message_id !== undefined,
      );
    if (!call) throw new Error(`nothing was sent to chat ${chatId}`);
    return Number(call.result.message_id);
  }

  /**
   * The messages of a chat that carry buttons now (after every edit), oldest first: what a person
   * scrolling up could still press. Their text (or caption) as sent and their buttons' data.
   */
  messagesWithButtons(chatId: number): { messageId: number; text: string; buttons: string[] }[] {
    const out: { messageId: number; text: string; buttons: string[] }[] = [];
    for (const [key, value] of this.messages) {
      const [chat, id] = key.split(":").map(Number);
      if (chat !== chatId) continue;
      const { body, markup } = JSON.parse(value) as { body: string; markup: string };
      const rows = JSON.parse(markup) as { callback_data?: string; url?: string }[][];
      if (rows.flat().length === 0) continue;
      out.push({
        messageId: id!,
        text: body.slice(body.indexOf(":") + 1),
        buttons: rows.flat().map((b) => b.callback_data ?? b.url ?? ""),
      });
    }
    return out.sort((a, b) => a.messageId - b.messageId);
  }

  callbackAnswers(): ApiCall[] {
    return this.callsOf("answerCallbackQuery");
  }

  /** Delivered sends per chat id (duplicates show as counts above 1). */
  deliveriesByChat(): Map<number, number> {
    const m = new Map<number, number>();
    for (const c of this.delivered) m.set(Number(c.payload.chat_id), (m.get(Number(c.payload.chat_id)) ?? 0) + 1);
    return m;
  }

  reset(): void {
    this.calls.length = 0;
  }

  // ---- what Telegram refuses ----

  /** Telegram's answer to a call it would refuse, or undefined when it would accept it. */
  private refusal(method: string, p: Record<string, any>): ApiFailure | undefined {
    const bad = (description: string): ApiFailure => ({ error_code: 400, description: `Bad Request: ${description}` });
    if (containsLoneSurrogate(p)) return bad("strings must be encoded in UTF-8");
    if (p.chat_id !== undefined && typeof p.chat_id !== "string" && !this.knownChats.has(Number(p.chat_id))) return bad("chat not found");
    if (typeof p.chat_id === "string" && /^-?\d+$/.test(p.chat_id) && !this.knownChats.has(Number(p.chat_id))) return bad("chat not found");
    if (p.from_chat_id !== undefined && !this.knownChats.has(Number(p.from_chat_id))) return bad("chat not found");
    if (method === "sendMessage" || method === "editMessageText") {
      const text = p.text === undefined || p.text === null ? "" : String(p.text);
      if (text.trim() === "") return bad("message text is empty");
      const shown = this.shownText(text, p.parse_mode);
      if (!shown.ok) return bad(`can't parse entities: ${shown.error}`);
      if (shown.text.trim() === "") return bad("text must be non-empty");
      if (shown.text.trim().length > 4096) return bad("message is too long");
    }
    if (CAPTION_METHODS.has(method) && p.caption !== undefined && p.caption !== null) {
      const shown = this.shownText(String(p.caption), p.parse_mode);
      if (!shown.ok) return bad(`can't parse entities: ${shown.error}`);
      if (shown.text.trim().length > 1024) return bad("message caption is too long");
    }
    const keyboard = parseMaybeJson(p.reply_markup)?.inline_keyboard as { text?: string; callback_data?: string }[][] | undefined;
    for (const button of keyboard?.flat() ?? []) {
      if (!button.text) return bad("BUTTON_TEXT_EMPTY");
      if (button.callback_data !== undefined) {
        const bytes = Buffer.byteLength(button.callback_data, "utf8");
        if (bytes < 1 || bytes > 64) return bad("BUTTON_DATA_INVALID");
      }
    }
    if (method === "getFile") {
      const file = this.files.get(String(p.file_id));
      if (!file) return bad("invalid file_id");
      if (file.bytes.length > 20 * 1024 * 1024) return bad("file is too big");
    }
    if (method === "answerCallbackQuery" && p.text !== undefined && String(p.text).length > 200) return bad("MESSAGE_TOO_LONG");
    if (
      method === "answerCallbackQuery" &&
      Date.now() - (this.pressedAt.get(String(p.callback_query_id)) ?? Date.now()) > CALLBACK_ANSWER_MS
    ) {
      return bad("query is too old and response timeout expired or query ID is invalid");
    }
    if (EDIT_METHODS.has(method) && p.chat_id !== undefined) {
      const before = this.messages.get(`${Number(p.chat_id)}:${Number(p.message_id)}`);
      if (before !== undefined && before === this.contentAfterEdit(method, p, before)) {
        return bad(
          "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message",
        );
      }
    }
    return undefined;
  }

  private shownText(text: string, parseMode: unknown): { ok: true; text: string } | { ok: false; error: string } {
    return parseMode === "HTML" ? parseTelegramHtml(text) : { ok: true, text };
  }

  /** A message's content as compared for "not modified": its text or caption (as sent) and its buttons. */
  private contentAfterEdit(method: string, p: Record<string, any>, before: string): string {
    const old = JSON.parse(before) as { body: string; markup: string };
    const markup = JSON.stringify(parseMaybeJson(p.reply_markup)?.inline_keyboard ?? []);
    if (method === "editMessageReplyMarkup") return JSON.stringify({ body: old.body, markup });
    const body =
      method === "editMessageText"
        ? `${String(p.parse_mode ?? "")}:${String(p.text)}`
        : `${String(p.parse_mode ?? "")}:${String(p.caption ?? "")}`;
    return JSON.stringify({ body, markup });
  }

  /** When each message got its current content (see ApiCall.unchangedSince). */
  private contentSince = new Map<string, number>();

  private remember(method: string, p: Record<string, any>, result: any): void {
    if (p.chat_id === undefined || !result || typeof result !== "object" || result.message_id === undefined) return;
    const key = `${Number(p.chat_id)}:${Number(result.message_id)}`;
    this.contentSince.set(key, Date.now());
    const markup = JSON.stringify(parseMaybeJson(p.reply_markup)?.inline_keyboard ?? []);
    if (method === "sendMessage")
      this.messages.set(key, JSON.stringify({ body: `${String(p.parse_mode ?? "")}:${String(p.text)}`, markup }));
    else if (method === "sendPhoto" || method === "sendDocument") {
      this.messages.set(key, JSON.stringify({ body: `${String(p.parse_mode ?? "")}:${String(p.caption ?? "")}`, markup }));
    } else if (EDIT_METHODS.has(method)) {
      const before = this.messages.get(key) ?? JSON.stringify({ body: "", markup: "[]" });
      this.messages.set(key, this.contentAfterEdit(method, p, before));
    }
  }
}

/** How long Telegram lets a bot answer a button press (about 15 s; later answers are refused). */
const CALLBACK_ANSWER_MS = 15_000;

const CAPTION_METHODS = new Set([
  "sendPhoto",
  "sendDocument",
  "sendVideo",
  "sendAudio",
  "sendAnimation",
  "sendVoice",
  "copyMessage",
  "editMessageCaption",
]);
const EDIT_METHODS = new Set(["editMessageText", "editMessageReplyMarkup", "editMessageCaption"]);

function parseMaybeJson(v: unknown): Record<string, any> | undefined {
  if (typeof v === "string") {
    try {
      return JSON.parse(v) as Record<string, any>;
    } catch {
      return undefined;
    }
  }
  return v as Record<string, any> | undefined;
}

function containsLoneSurrogate(v: unknown): boolean {
  if (typeof v === "string") return /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(v);
  if (Array.isArray(v)) return v.some(containsLoneSurrogate);
  if (v && typeof v === "object") return Object.values(v).some(containsLoneSurrogate);
  return false;
}

const SEND_METHODS = new Set(["sendMessage", "sendPhoto", "sendDocument", "copyMessage"]);

async function parseBody(body: unknown, headers: unknown): Promise<Record<string, any>> {
  if (body === undefined || body === null || body === "") return {};
  const h = headers as Record<string, string> | undefined;
  const type = h?.["content-type"] ?? "";
  if (typeof body === "string") {
    if (type.includes("multipart/form-data")) return parseMultipart(body);
    return JSON.parse(body) as Record<string, any>;
  }
  // grammY streams multipart bodies (file uploads) as an async iterable of chunks.
  const chunks: Buffer[] = [];
  for await (const c of body as AsyncIterable<Uint8Array | string>) chunks.push(Buffer.from(c));
  return parseMultipart(Buffer.concat(chunks).toString("utf8"));
}

/** Enough multipart parsing for tests: plain fields as strings, files as {filename, content}. */
function parseMultipart(raw: string): Record<string, any> {
  const boundary = raw.slice(2, raw.indexOf("\r\n"));
  const out: Record<string, any> = {};
  for (const part of raw.split(`--${boundary}`)) {
    // grammY writes `name="id";filename=questions.csv` (no space, filename unquoted).
    const m = /name="([^"]+)"(?:;\s*filename=(?:"([^"]*)"|([^\r\n;]*)))?[\s\S]*?\r\n\r\n([\s\S]*)\r\n$/.exec(part);
    if (!m) continue;
    const [, name, quoted, bare, value] = m;
    const filename = quoted ?? bare;
    if (filename !== undefined) out[`${name}:file`] = { filename, content: value };
    else {
      try {
        out[name!] = JSON.parse(value!);
      } catch {
        out[name!] = value;
      }
    }
  }
  // A file sent as `document: "attach://<id>"` is also reachable as `document:file`.
  for (const [key, v] of Object.entries(out)) {
    if (typeof v === "string" && v.startsWith("attach://") && out[`${v.slice(9)}:file`]) out[`${key}:file`] = out[`${v.slice(9)}:file`];
  }
  return out;
}

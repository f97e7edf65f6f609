import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { Update } from "grammy/types";
import { FakeTelegram, type ApiCall } from "../support/fakeTelegram.js";
import { parseTelegramHtml } from "../support/telegramHtml.js";

/** What a strict fake refused with 400, for the report: a real Telegram would have refused it too. */
export interface Refusal {
  method: string;
  description: string;
  chatId: number | null;
}

export type Outage = "none" | "502" | "drop";

const TEXT_LIMIT = 4096;
const CAPTION_LIMIT = 1024;
const CALLBACK_DATA_LIMIT = 64;

/**
 * The Bot API over HTTP for whole-process fault runs: FakeTelegram's answers, plus the checks
 * Telegram makes (text and caption length, callback data bytes, HTML tags and entities that
 * parse, UTF-8) and switches for outages (502 answers, dropped connections).
 */
export class StrictBotApi {
  readonly telegram = new FakeTelegram();
  readonly refusals: Refusal[] = [];
  outage: Outage = "none";
  /** Requests answered 502 or dropped during outages. */
  outageHits = 0;
  private server: Server | null = null;
  private sockets = new Set<Socket>();
  private nextCallbackId = 1;
  url = "";

  /** Telegram's refusal for a payload, or null when it would be accepted. */
  static check(method: string, p: Record<string, any>): string | null {
    const text = typeof p.text === "string" ? p.text : null;
    if (method === "sendMessage" || method === "editMessageText") {
      if (text === null || text.trim() === "") return "Bad Request: message text is empty";
      // Telegram counts UTF-16 units of the text after HTML parsing.
      const visible = p.parse_mode === "HTML" ? text.replace(/<[^>]*>/g, "").replace(/&(lt|gt|amp|quot|#\d+|#x[0-9a-f]+);/gi, "_") : text;
      if (visible.length > TEXT_LIMIT) return "Bad Request: message is too long";
    }
    if (typeof p.caption === "string" && p.caption.length > CAPTION_LIMIT) return "Bad Request: message caption is too long";
    for (const s of [p.text, p.caption, p.description]) {
      if (typeof s === "string" && /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s)) {
        return "Bad Request: strings must be encoded in UTF-8";
      }
    }
    if (p.parse_mode === "HTML") {
      for (const s of [p.text, p.caption]) {
        const problem = typeof s === "string" ? htmlProblem(s) : null;
        if (problem) return `Bad Request: can't parse entities: ${problem}`;
      }
    }
    const kb = p.reply_markup?.inline_keyboard as { text?: string; callback_data?: string }[][] | undefined;
    for (const row of kb ?? []) {
      if (!Array.isArray(row) || row.length === 0) return "Bad Request: inline keyboard row is empty";
      for (const b of row) {
        if (!b.text) return "Bad Request: text buttons are unallowed in the inline keyboard";
        if (b.callback_data !== undefined && Buffer.byteLength(b.callback_data, "utf8") > CALLBACK_DATA_LIMIT)
          return "Bad Request: BUTTON_DATA_INVALID";
      }
    }
    if (method === "answerCallbackQuery" && typeof p.text === "string" && p.text.length > 200) return "Bad Request: MESSAGE_TOO_LONG";
    return null;
  }

  async listen(): Promise<void> {
    const server = createServer((req, res) => void this.serve(req, res));
    server.keepAliveTimeout = 60_000;
    server.on("connection", (s) => {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    this.server = server;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  /** Starts an outage: every request (and every open connection, for "drop") fails until `end()`. */
  startOutage(kind: Exclude<Outage, "none">): void {
    this.outage = kind;
    if (kind === "drop") for (const s of this.sockets) s.destroy();
  }

  endOutage(): void {
    this.outage = "none";
  }

  /** Every update pushed, with its time (the fault suite's timelines). */
  readonly pushed: { at: number; update: Record<string, any> }[] = [];

  pushUpdate(update: Omit<Update, "update_id">): number {
    this.pushed.push({ at: Date.now(), update });
    return this.telegram.pushUpdate(update);
  }

  newCallbackId(): string {
    return `cb${this.nextCallbackId++}`;
  }

  get calls(): ApiCall[] {
    return this.telegram.calls;
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const method = (req.url ?? "").split("/").pop()!.split("?")[0]!;
    if (this.outage !== "none") {
      this.outageHits++;
      if (this.outage === "drop") {
        req.socket.destroy();
        return;
      }
      res.writeHead(502, { "content-type": "text/html" });
      res.end("<html><body>502 Bad Gateway</body></html>");
      return;
    }
    let payload: Record<string, any> = {};
    const raw = Buffer.concat(chunks).toString("utf8");
    const type = req.headers["content-type"] ?? "";
    try {
      if (raw && type.includes("json")) payload = JSON.parse(raw);
      else if (raw && type.includes("multipart")) payload = { multipart: true };
    } catch {
      this.answer(res, { ok: false, error_code: 400, description: "Bad Request: invalid JSON" });
      return;
    }
    if (method === "getUpdates") {
      // Long polling, as Telegram: hold the request up to a second while nothing is queued.
      const end = Date.now() + Math.min(Number(payload.timeout ?? 0), 1) * 1000;
      for (;;) {
        const body = this.telegram.handle(method, payload);
        // The outage may start while the request waits (a property TypeScript cannot see change).
        const down = (this as { outage: Outage }).outage !== "none";
        if (!body.ok || (body.result as unknown[]).length > 0 || Date.now() >= end || down) {
          if (down) {
            req.socket.destroy();
            return;
          }
          this.answer(res, body);
          return;
        }
        await new Promise((r) => setTimeout(r, 25));
      }
    }
    const refusal = StrictBotApi.check(method, payload);
    if (refusal) {
      this.refusals.push({ method, description: refusal, chatId: payload.chat_id === undefined ? null : Number(payload.chat_id) });
      this.telegram.calls.push({ method: `refused:${method}`, payload, at: Date.now() });
      this.answer(res, { ok: false, error_code: 400, description: refusal });
      return;
    }
    if (this.telegram.latencyMs > 0) await new Promise((r) => setTimeout(r, this.telegram.latencyMs));
    this.answer(res, this.telegram.handle(method, payload));
  }

  private answer(res: ServerResponse, body: { ok: boolean; error_code?: number; description?: string } | object): void {
    if (res.destroyed) return;
    const b = body as { ok: boolean; error_code?: number };
    res.writeHead(b.ok ? 200 : (b.error_code ?? 400), { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  }
}

/** Telegram's HTML rules, from the same tokenizer the in-process fake uses: one checker for both fakes. */
export function htmlProblem(s: string): string | null {
  const parsed = parseTelegramHtml(s);
  return parsed.ok ? null : parsed.error;
}

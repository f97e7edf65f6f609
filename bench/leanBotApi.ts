/**
 * An in-process Bot API for the interactive bench, cheap so that what is measured is the bot, not
 * the fake: it does not parse what the bot sends (the simulated learners parse the last message of
 * their chat themselves, outside the measured time); it answers with a real Response, as production does.
 */
import type { ApiClientOptions } from "grammy";

const JSON_HEADERS = { "content-type": "application/json" };

interface Last {
  body: string;
  messageId: number;
}

export class LeanBotApi {
  calls = 0;
  /** Bytes of uploaded files (documents), read to the end as Telegram would. */
  uploadedBytes = 0;
  private nextMessageId = 1000;
  private readonly last = new Map<number, Last>();

  readonly fetch = (async (input: string | URL, init?: { body?: unknown }) => {
    this.calls++;
    const url = String(input);
    const method = url.slice(url.lastIndexOf("/") + 1);
    let body = "";
    if (typeof init?.body === "string") body = init.body;
    else if (init?.body) {
      // A multipart upload (a CSV document): stream it through, keeping only the chat id.
      let head = "";
      for await (const chunk of init.body as AsyncIterable<Uint8Array | string>) {
        this.uploadedBytes += typeof chunk === "string" ? Buffer.byteLength(chunk) : chunk.byteLength;
        if (head.length < 2000) head += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8", 0, 2000);
      }
      const chat = /name="chat_id"\r\n\r\n(-?\d+)/.exec(head)?.[1];
      body = chat ? `{"chat_id":${chat}}` : "";
    }
    const chatId = Number(/"chat_id":(-?\d+)/.exec(body)?.[1] ?? 0);
    let result: unknown = true;
    if (method === "sendMessage" || method === "editMessageText" || method === "sendDocument" || method === "sendPhoto") {
      const edited = method === "editMessageText" ? Number(/"message_id":(\d+)/.exec(body)?.[1]) : undefined;
      const messageId = edited ?? this.nextMessageId++;
      if (method === "sendMessage" || method === "editMessageText") this.last.set(chatId, { body, messageId });
      result = { message_id: messageId, date: 0, chat: { id: chatId, type: "private", first_name: "L" } };
    } else if (method === "getChatMember") {
      result = { status: "member", user: { id: Number(/"user_id":(\d+)/.exec(body)?.[1] ?? 0), is_bot: false, first_name: "Member" } };
    } else if (method === "editMessageReplyMarkup") {
      result = { message_id: Number(/"message_id":(\d+)/.exec(body)?.[1]), date: 0, chat: { id: chatId, type: "private" } };
    }
    // A real Response, as undici hands grammY in production: parsing the answer is part of a call's cost.
    return new Response(JSON.stringify({ ok: true, result }), { headers: JSON_HEADERS });
  }) as unknown as NonNullable<ApiClientOptions["fetch"]>;

  /** The last message (or edit) the chat sees: its text, button data and message id. */
  lastMessage(chatId: number): { text: string; buttons: string[]; messageId: number } {
    const l = this.last.get(chatId);
    if (!l) return { text: "", buttons: [], messageId: 1 };
    const p = JSON.parse(l.body) as { text?: string; reply_markup?: { inline_keyboard?: { callback_data?: string }[][] } };
    const buttons = (p.reply_markup?.inline_keyboard ?? []).flat().map((b) => b.callback_data ?? "");
    return { text: p.text ?? "", buttons, messageId: l.messageId };
  }
}

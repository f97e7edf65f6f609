/**
 * Try the bot without Telegram: a local Bot API that refuses what Telegram refuses (the strict
 * fake of the tests: broken HTML, texts over 4,096 characters, captions over 1,024, callback data
 * over 64 bytes, empty texts, unknown chats, edits that change nothing), and a prompt where you
 * play the users. Start it, then start the bot against it in another terminal:
 *
 *   npx tsx scripts/fake-telegram.ts
 *   BOT_TOKEN=123456:local BOT_API_ROOT=http://127.0.0.1:8081 ADMIN_IDS=900 ASSISTANT_CHAT_ID=-100777 \
 *     DATABASE_PATH=/tmp/try.sqlite npm start
 *
 * FAKE_TG_PORT changes the port (8081). Type `help` at the prompt for what you can do.
 */
import { existsSync, readFileSync } from "node:fs";
import { basename } from "node:path";
import { createInterface } from "node:readline";
import { FakeTelegram, type ApiCall } from "../test/support/fakeTelegram.js";
import { parseTelegramHtml } from "../test/support/telegramHtml.js";

const GROUP = -100777;
/**
 * The people you can play: three learners with a Kazakh, Russian and English Telegram app, the
 * author (900, the platform admin of ADMIN_IDS=900), two authors to invite (anar, boris), an assistant.
 */
const PEOPLE: Record<string, { id: number; lang: string; name: string }> = {
  kk: { id: 101, lang: "kk", name: "Айгерім" },
  ru: { id: 102, lang: "ru", name: "Ольга" },
  en: { id: 103, lang: "en", name: "John" },
  author: { id: 900, lang: "ru", name: "Автор" },
  // Two more authors for the course-teams walk (scripts/demo-teams.txt): each becomes the author of one course by invitation.
  anar: { id: 901, lang: "kk", name: "Анар" },
  boris: { id: 902, lang: "en", name: "Boris" },
  group: { id: 201, lang: "ru", name: "Ассистент" },
};
const HELP = `Each line: <who> <what>. who: ${Object.keys(PEOPLE).join(", ")} (group = an assistant in the assistants' chat ${GROUP}), or a numeric user id.
  kk /start            send a message (a leading /command is marked as one)
  kk !2                press button 2 of the last message with buttons in that chat
  kk !!qzc:1:0:1       press a button with this exact callback data (old or forged buttons)
  anar :open           open the last t.me link the bot showed (an invitation): sends /start <payload>
  group >1005 Answer   reply to message 1005 (ids are shown as #1005)
  kk :sticker          send a sticker; kk :photo caption  sends a photo with a caption
  author :doc courses/intro.yaml [caption]   send a local file as a document (a course, a .zip, a bank)
  wait 3000            (in a piped script) wait before the next line; lines starting with # are comments
  calls                how many calls the bot made, and how many were refused
  quit`;

const telegram = new FakeTelegram();
telegram.addChat(GROUP);
const port = Number(process.env.FAKE_TG_PORT ?? 8081);
const server = await telegram.listen(port);
console.log(
  `Fake Bot API (strict) at ${server.url}\nStart the bot with BOT_API_ROOT=${server.url} ADMIN_IDS=900 ASSISTANT_CHAT_ID=${GROUP}\n\n${HELP}\n`,
);

let messageId = 1;
let callbackId = 1;
const who = (chatId: number) => Object.entries(PEOPLE).find(([k, p]) => (k === "group" ? GROUP : p.id) === chatId)?.[0] ?? String(chatId);

function shown(c: ApiCall): string {
  const raw = String(c.payload.text ?? c.payload.caption ?? "");
  if (c.payload.parse_mode !== "HTML") return raw;
  const p = parseTelegramHtml(raw);
  return p.ok ? p.text : raw;
}

function buttonsOf(c: ApiCall): { text: string; data: string }[] {
  const markup = typeof c.payload.reply_markup === "string" ? JSON.parse(c.payload.reply_markup) : c.payload.reply_markup;
  return ((markup?.inline_keyboard ?? []) as { text: string; callback_data?: string; url?: string }[][])
    .flat()
    .map((b) => ({ text: b.text, data: b.callback_data ?? b.url ?? "" }));
}

/** Prints what the bot does, as the chats would show it. */
let printed = 0;
setInterval(() => {
  for (const c of telegram.calls.slice(printed)) {
    const chat = c.payload.chat_id === undefined ? null : Number(c.payload.chat_id);
    if (c.error) {
      console.log(`  ✗ REFUSED ${c.method} to ${chat === null ? "?" : who(chat)}: ${c.error.description}`);
      continue;
    }
    if (c.method === "answerCallbackQuery") {
      if (c.payload.text) console.log(`  ⓘ ${c.payload.show_alert ? "alert" : "toast"}: ${c.payload.text}`);
      continue;
    }
    if (
      !["sendMessage", "editMessageText", "editMessageReplyMarkup", "sendPhoto", "sendDocument", "copyMessage", "sendMediaGroup"].includes(
        c.method,
      )
    )
      continue;
    const id = c.result?.message_id ?? c.payload.message_id;
    const mark = c.method.startsWith("edit") ? "✎" : "→";
    const file = c.payload["document:file"]?.filename
      ? ` [file ${c.payload["document:file"].filename}]`
      : c.method === "sendPhoto"
        ? " [photo]"
        : "";
    const text = c.method === "editMessageReplyMarkup" ? "(buttons changed)" : shown(c);
    console.log(`\n${who(chat!)} ${mark} #${id}${file} ${text.replace(/\n/g, "\n   ")}`);
    const kb = buttonsOf(c);
    if (kb.length > 0) console.log(`   ${kb.map((b, i) => `[${i + 1}] ${b.text}`).join("  ")}`);
  }
  printed = telegram.calls.length;
}, 100).unref();

function person(name: string): { id: number; lang: string; name: string; chat: Record<string, unknown> } | null {
  const p = PEOPLE[name] ?? (/^\d+$/.test(name) ? { id: Number(name), lang: "en", name: `User${name}` } : null);
  if (!p) return null;
  const chat =
    name === "group" ? { id: GROUP, type: "supergroup", title: "Assistants" } : { id: p.id, type: "private", first_name: p.name };
  return { ...p, chat };
}

/** The last message in a chat that had buttons, and its buttons as they are now. */
function lastButtons(chatId: number): { messageId: number; buttons: { text: string; data: string }[] } | null {
  const byId = new Map<number, { text: string; data: string }[]>();
  let last: number | null = null;
  for (const c of telegram.calls) {
    if (c.error || Number(c.payload.chat_id) !== chatId) continue;
    if (!["sendMessage", "editMessageText", "editMessageReplyMarkup", "sendPhoto", "sendDocument"].includes(c.method)) continue;
    const id = Number(c.result?.message_id ?? c.payload.message_id);
    const kb = buttonsOf(c);
    byId.set(id, kb);
    if (kb.length > 0) last = id;
    else if (last === id) last = null;
  }
  return last === null ? null : { messageId: last, buttons: byId.get(last)! };
}

/** The last t.me/<bot>?start=<payload> link in anything the bot sent (invitation links). */
function lastLink(): { url: string; payload: string } | null {
  for (const c of [...telegram.calls].reverse()) {
    if (c.error || !["sendMessage", "editMessageText"].includes(c.method)) continue;
    const m = /https:\/\/t\.me\/\w+\?start=([\w-]+)/.exec(shown(c));
    if (m) return { url: m[0], payload: m[1]! };
  }
  return null;
}

function handle(line: string): void {
  const [name, ...rest] = line.trim().split(" ");
  const what = rest.join(" ");
  if (!name) return;
  if (name === "help") {
    console.log(HELP);
    return;
  }
  if (name === "quit") process.exit(0);
  if (name === "calls") {
    console.log(`${telegram.calls.length} calls, ${telegram.refused.length} refused`);
    return;
  }
  const p = person(name);
  if (!p) {
    console.log(`Who is «${name}»? ${HELP.split("\n")[0]}`);
    return;
  }
  const from = { id: p.id, is_bot: false, first_name: p.name, language_code: p.lang };
  const chatId = Number(p.chat.id);
  const press = (data: string, onMessage: number) =>
    telegram.pushUpdate({
      callback_query: {
        id: String(callbackId++),
        from,
        chat_instance: `ci${chatId}`,
        data,
        message: { message_id: onMessage, date: now(), chat: p.chat, text: "…" },
      },
    } as never);
  if (what === ":open") {
    const link = lastLink();
    if (!link) {
      console.log("The bot has shown no t.me link yet (try /invite as the author).");
      return;
    }
    console.log(`  (${name} opens ${link.url})`);
    handle(`${name} /start ${link.payload}`);
    return;
  }
  if (what.startsWith("!!")) {
    press(what.slice(2), lastButtons(chatId)?.messageId ?? 1);
    return;
  }
  if (/^!\d+$/.test(what)) {
    const last = lastButtons(chatId);
    const b = last?.buttons[Number(what.slice(1)) - 1];
    if (!last || !b) {
      console.log("No such button on the last message with buttons.");
      return;
    }
    press(b.data, last.messageId);
    return;
  }
  const message: Record<string, unknown> = { message_id: messageId++, date: now(), chat: p.chat, from };
  let text = what;
  const reply = /^>(\d+)\s+([\s\S]*)$/.exec(what);
  if (reply) {
    message.reply_to_message = { message_id: Number(reply[1]), date: now(), chat: p.chat, text: "…" };
    text = reply[2]!;
  }
  if (text === ":sticker")
    message.sticker = {
      file_id: "sticker",
      file_unique_id: "sticker",
      type: "regular",
      width: 512,
      height: 512,
      is_animated: false,
      is_video: false,
    };
  else if (text.startsWith(":doc ")) {
    const [file, ...caption] = text.slice(5).trim().split(" ");
    if (!file || !existsSync(file)) {
      console.log(`No such file: ${file ?? ""}`);
      return;
    }
    // The fake serves the bytes through getFile and /file/bot<token>/<path>, as Telegram does.
    message.document = telegram.addFile(basename(file), readFileSync(file));
    if (caption.length > 0) message.caption = caption.join(" ");
  } else if (text.startsWith(":photo"))
    Object.assign(message, {
      photo: [{ file_id: "photo", file_unique_id: "photo", width: 1, height: 1 }],
      caption: text.slice(6).trim() || undefined,
    });
  else {
    message.text = text;
    if (text.startsWith("/")) message.entities = [{ type: "bot_command", offset: 0, length: text.split(/\s/)[0]!.length }];
  }
  telegram.pushUpdate({ message } as never);
}

const now = () => Math.floor(Date.now() / 1000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
// Lines are played one after another; piped from a file (a scripted walk), each waits a moment for
// the bot's answer, and `wait <ms>` waits longer (a report, a restart of the bot).
const queue: string[] = [];
const input = { closed: false };
const rl = createInterface({ input: process.stdin, terminal: process.stdin.isTTY });
rl.on("line", (l) => queue.push(l));
rl.on("close", () => (input.closed = true));
// Nothing is played before the bot has connected (its first call), so `!n` finds the replies.
while (telegram.calls.length === 0) await sleep(100);
console.log("(the bot connected)");
for (;;) {
  const line = queue.shift();
  if (line === undefined) {
    if (input.closed) break;
    await sleep(50);
    continue;
  }
  const pause = /^wait\s+(\d+)$/.exec(line.trim());
  if (pause) await sleep(Number(pause[1]));
  else if (!line.trim().startsWith("#")) handle(line);
  if (!process.stdin.isTTY) await sleep(Number(process.env.FAKE_TG_STEP_MS ?? 700));
}
await sleep(1500);
await server.close();
process.exit(0);

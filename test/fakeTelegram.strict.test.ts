import { describe, expect, it } from "vitest";
import { FakeTelegram } from "./support/fakeTelegram.js";
import { parseTelegramHtml, tokenizeHtml } from "./support/telegramHtml.js";

const refusal = (html: string) => {
  const r = parseTelegramHtml(html);
  return r.ok ? null : r.error;
};

describe("Telegram HTML tokenizer", () => {
  it("splits text, tags and entities", () => {
    expect(tokenizeHtml('a <b>b</b> &lt;&#65;&#x1F600;&amp;&quot; <a href="https://x.kz/?a=1&amp;b=2">l</a>')).toEqual([
      { type: "text", text: "a " },
      { type: "start", name: "b", attrs: {}, at: 2 },
      { type: "text", text: "b" },
      { type: "end", name: "b", at: 6 },
      { type: "text", text: ' <A😀&" ' },
      { type: "start", name: "a", attrs: { href: "https://x.kz/?a=1&b=2" }, at: 41 },
      { type: "text", text: "l" },
      { type: "end", name: "a", at: 78 },
    ]);
  });

  it("accepts every tag of the Bot API, nested and closed", () => {
    const ok = [
      "<b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><ins>i</ins><s>s</s><strike>s</strike><del>d</del>",
      '<span class="tg-spoiler">x</span><tg-spoiler>x</tg-spoiler><span class=tg-spoiler>x</span>',
      '<a href="tg://user?id=1">x</a><code>c</code><pre><code class="language-python">p</code></pre>',
      '<blockquote>q</blockquote><blockquote expandable>q</blockquote><tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>',
      "<b>bold <i>italic <u>under</u></i></b>",
      "a > b", // Telegram's parser keeps a lone > as text
    ];
    for (const html of ok) expect(refusal(html), html).toBeNull();
    expect(parseTelegramHtml("<b>Қазақ</b> &lt;x&gt;")).toEqual({ ok: true, text: "Қазақ <x>" });
  });

  it("refuses what Telegram's parser refuses, with its description and byte offset", () => {
    expect(refusal("Send /results <course id>, or choose")).toBe('Unsupported start tag "course" at byte offset 14');
    expect(refusal("Курс <id>")).toBe('Unsupported start tag "id" at byte offset 9'); // offsets count UTF-8 bytes
    expect(refusal("<div>x</div>")).toBe('Unsupported start tag "div" at byte offset 0');
    expect(refusal("<br/>")).toBe('Unsupported start tag "br/" at byte offset 0');
    expect(refusal("1 < 2")).toBe('Unsupported start tag "" at byte offset 2');
    expect(refusal("x <b")).toBe("Unclosed start tag at byte offset 2");
    expect(refusal("<b>x")).toBe('Can\'t find end tag corresponding to start tag "b"');
    expect(refusal("x</b>")).toBe("Unexpected end tag at byte offset 1");
    expect(refusal("<b><i>x</b></i>")).toBe('Unmatched end tag at byte offset 7, expected "</i>", found "</b>"');
    expect(refusal("<b>x</b")).toBe("Unclosed end tag at byte offset 4");
    expect(refusal("<span>x</span>")).toBe('Tag "span" must have class "tg-spoiler" at byte offset 0');
    expect(refusal("<blockquote><blockquote>x</blockquote></blockquote>")).toContain("Nested blockquote");
    expect(refusal('<a href=x"y>l</a>')).toBe("Unexpected end of name token at byte offset 8");
  });

  it("refuses an & that starts no entity, and entities the Bot API does not know", () => {
    expect(refusal("AT&T")).toBe('Unsupported HTML entity or unescaped "&" at byte offset 2');
    expect(refusal("a&nbsp;b")).not.toBeNull();
    expect(refusal("a&apos;b")).not.toBeNull();
    expect(refusal("&#xD800;")).not.toBeNull();
    expect(refusal("a &amp; b")).toBeNull();
  });
});

describe("the strict fake Bot API", () => {
  const fake = () => new FakeTelegram().addChat(1);
  const send = (t: FakeTelegram, payload: Record<string, unknown>, method = "sendMessage") => t.handle(method, { chat_id: 1, ...payload });

  it("answers what Telegram answers to bad messages", () => {
    const t = fake();
    expect(send(t, { text: "<course id>", parse_mode: "HTML" })).toMatchObject({
      ok: false,
      error_code: 400,
      description: 'Bad Request: can\'t parse entities: Unsupported start tag "course" at byte offset 0',
    });
    expect(send(t, { text: "<course id>" })).toMatchObject({ ok: true }); // plain text: no parsing
    expect(send(t, { text: "" })).toMatchObject({ description: "Bad Request: message text is empty" });
    expect(send(t, { text: "  \n " })).toMatchObject({ description: "Bad Request: message text is empty" });
    expect(send(t, { text: "<b> </b>", parse_mode: "HTML" })).toMatchObject({ description: "Bad Request: text must be non-empty" });
    expect(send(t, { text: "x".repeat(4097) })).toMatchObject({ description: "Bad Request: message is too long" });
    // The limit counts the text after entity parsing, in UTF-16 units.
    expect(send(t, { text: `<b>${"x".repeat(4096)}</b>`, parse_mode: "HTML" })).toMatchObject({ ok: true });
    expect(send(t, { text: "😀".repeat(2049) })).toMatchObject({ description: "Bad Request: message is too long" });
    expect(send(t, { caption: "x".repeat(1025) }, "sendPhoto")).toMatchObject({ description: "Bad Request: message caption is too long" });
    expect(send(t, { caption: "x".repeat(1024) }, "sendPhoto")).toMatchObject({ ok: true });
    expect(send(t, { text: `cut ${"😀".slice(0, 1)}` })).toMatchObject({ description: "Bad Request: strings must be encoded in UTF-8" });
    expect(t.refused.map((c) => c.error?.error_code)).toEqual(Array(8).fill(400));
  });

  it("refuses callback data over 64 bytes, counted in UTF-8", () => {
    const t = fake();
    const kb = (data: string) => ({ inline_keyboard: [[{ text: "b", callback_data: data }]] });
    expect(send(t, { text: "x", reply_markup: kb("a".repeat(64)) })).toMatchObject({ ok: true });
    expect(send(t, { text: "x", reply_markup: kb("a".repeat(65)) })).toMatchObject({ description: "Bad Request: BUTTON_DATA_INVALID" });
    expect(send(t, { text: "x", reply_markup: kb("ә".repeat(33)) })).toMatchObject({ description: "Bad Request: BUTTON_DATA_INVALID" });
    expect(send(t, { text: "x", reply_markup: JSON.stringify(kb("")) })).toMatchObject({ description: "Bad Request: BUTTON_DATA_INVALID" });
  });

  it("refuses unknown chats until they write or are added", () => {
    const t = new FakeTelegram();
    expect(t.handle("sendMessage", { chat_id: 7, text: "hi" })).toMatchObject({
      error_code: 400,
      description: "Bad Request: chat not found",
    });
    t.pushUpdate({
      message: {
        message_id: 1,
        date: 0,
        chat: { id: 7, type: "private", first_name: "A" },
        from: { id: 7, is_bot: false, first_name: "A" },
        text: "/start",
      },
    });
    expect(t.handle("sendMessage", { chat_id: 7, text: "hi" })).toMatchObject({ ok: true });
    expect(t.handle("sendMessage", { chat_id: -100, text: "hi" })).toMatchObject({ ok: false });
    t.addChat(-100);
    expect(t.handle("sendMessage", { chat_id: -100, text: "hi" })).toMatchObject({ ok: true });
  });

  it("refuses an edit to the same text and buttons, accepts any real change", () => {
    const t = fake();
    const kb = { inline_keyboard: [[{ text: "b", callback_data: "x" }]] };
    const sent = send(t, { text: "<b>a</b>", parse_mode: "HTML", reply_markup: kb }) as { result: { message_id: number } };
    const id = sent.result.message_id;
    const edit = (p: Record<string, unknown>, method = "editMessageText") => t.handle(method, { chat_id: 1, message_id: id, ...p });
    expect(edit({ text: "<b>a</b>", parse_mode: "HTML", reply_markup: kb })).toMatchObject({
      description: expect.stringContaining("Bad Request: message is not modified"),
    });
    expect(edit({ text: "<b>a</b>", parse_mode: "HTML" })).toMatchObject({ ok: true }); // the buttons go
    expect(edit({ text: "<b>a</b>", parse_mode: "HTML" })).toMatchObject({ ok: false });
    expect(edit({ reply_markup: kb }, "editMessageReplyMarkup")).toMatchObject({ ok: true });
    expect(edit({ reply_markup: kb }, "editMessageReplyMarkup")).toMatchObject({ description: expect.stringContaining("not modified") });
    expect(edit({ text: "b", reply_markup: kb })).toMatchObject({ ok: true });
  });

  it("keeps the recording API: refused calls are recorded with their error, and never show as seen", () => {
    const t = fake();
    send(t, { text: "ok" });
    send(t, { text: "<x>", parse_mode: "HTML" });
    expect(t.callsOf("sendMessage")).toHaveLength(2);
    expect(t.callsOf("sendMessage")[1]!.error?.description).toContain("can't parse entities");
    expect(t.textsTo(1)).toEqual(["ok"]);
    expect(t.delivered).toHaveLength(1);
  });
});

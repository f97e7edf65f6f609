/**
 * Telegram's HTML parse mode, as strict as the Bot API documentation (test code for the fake Bot
 * API): a tokenizer of the markup and a checker of what it builds. The error texts follow those
 * of Telegram's parser (tdlib's parse_html), with their byte offsets.
 *
 * One place is stricter than Telegram's servers: a `&` that starts no entity. The servers keep it
 * as text, but the documentation says every `&` outside an entity "must be replaced" with
 * `&amp;`, and an unknown named entity (`&nbsp;`) shows to the reader as written. Refusing both
 * here catches text that was not escaped before the servers' tolerance changes.
 */

/** Tags of the Bot API's HTML style. */
export const TELEGRAM_TAGS = new Set([
  "b",
  "strong",
  "i",
  "em",
  "u",
  "ins",
  "s",
  "strike",
  "del",
  "span",
  "tg-spoiler",
  "a",
  "code",
  "pre",
  "blockquote",
  "tg-emoji",
]);

/** The only named entities the Bot API supports; numeric ones (&#39; &#x1F600;) are all fine. */
const NAMED_ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"' };

export type HtmlToken =
  | { type: "text"; text: string }
  | { type: "start"; name: string; attrs: Record<string, string>; at: number }
  | { type: "end"; name: string; at: number };

export class HtmlParseError extends Error {}

const isSpace = (c: string | undefined) => c !== undefined && /\s/.test(c);

/** Decodes the entity at `s[i]` (which is `&`): [text, length] or null when it is not one. */
function entityAt(s: string, i: number): [string, number] | null {
  const m = /^&(?:#(\d{1,8})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z]+));/.exec(s.slice(i, i + 12));
  if (!m) return null;
  if (m[3] !== undefined) {
    const named = NAMED_ENTITIES[m[3]];
    return named === undefined ? null : [named, m[0].length];
  }
  const code = m[1] !== undefined ? Number(m[1]) : parseInt(m[2]!, 16);
  if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return null;
  return [String.fromCodePoint(code), m[0].length];
}

/**
 * Splits Telegram HTML into text (entities decoded) and tags; throws HtmlParseError with
 * Telegram's description for markup it would refuse.
 */
export function tokenizeHtml(html: string): HtmlToken[] {
  const byteOffset = (i: number) => Buffer.byteLength(html.slice(0, i), "utf8");
  const tokens: HtmlToken[] = [];
  let text = "";
  const flushText = () => {
    if (text) tokens.push({ type: "text", text });
    text = "";
  };
  let i = 0;
  const n = html.length;
  while (i < n) {
    const c = html[i]!;
    if (c === "&") {
      const entity = entityAt(html, i);
      if (!entity) throw new HtmlParseError(`Unsupported HTML entity or unescaped "&" at byte offset ${byteOffset(i)}`);
      text += entity[0];
      i += entity[1];
      continue;
    }
    if (c !== "<") {
      text += c;
      i++;
      continue;
    }
    const tagAt = i;
    i++;
    if (html[i] === "/") {
      i++;
      const nameStart = i;
      while (i < n && !isSpace(html[i]) && html[i] !== ">") i++;
      const name = html.slice(nameStart, i).toLowerCase();
      while (i < n && isSpace(html[i])) i++;
      if (html[i] !== ">") throw new HtmlParseError(`Unclosed end tag at byte offset ${byteOffset(tagAt)}`);
      i++;
      flushText();
      tokens.push({ type: "end", name, at: byteOffset(tagAt) });
      continue;
    }
    const nameStart = i;
    while (i < n && !isSpace(html[i]) && html[i] !== ">") i++;
    if (i >= n) throw new HtmlParseError(`Unclosed start tag at byte offset ${byteOffset(tagAt)}`);
    const name = html.slice(nameStart, i).toLowerCase();
    if (!TELEGRAM_TAGS.has(name)) throw new HtmlParseError(`Unsupported start tag "${name}" at byte offset ${byteOffset(tagAt)}`);
    const attrs: Record<string, string> = {};
    for (;;) {
      while (i < n && isSpace(html[i])) i++;
      if (i >= n) throw new HtmlParseError(`Unclosed start tag at byte offset ${byteOffset(tagAt)}`);
      if (html[i] === ">") break;
      const attrStart = i;
      while (i < n && !isSpace(html[i]) && !"=>/\"'".includes(html[i]!)) i++;
      const attr = html.slice(attrStart, i).toLowerCase();
      if (!attr) throw new HtmlParseError(`Empty attribute name in the tag "${name}" at byte offset ${byteOffset(tagAt)}`);
      while (i < n && isSpace(html[i])) i++;
      if (html[i] !== "=") {
        if (i >= n) throw new HtmlParseError(`Unclosed start tag "${name}" at byte offset ${byteOffset(tagAt)}`);
        attrs[attr] = "";
        continue;
      }
      i++;
      while (i < n && isSpace(html[i])) i++;
      if (i >= n) throw new HtmlParseError(`Unclosed start tag "${name}" at byte offset ${byteOffset(tagAt)}`);
      let value = "";
      const quote = html[i];
      if (quote === '"' || quote === "'") {
        i++;
        while (i < n && html[i] !== quote) {
          const entity = html[i] === "&" ? entityAt(html, i) : null;
          if (entity) {
            value += entity[0];
            i += entity[1];
          } else value += html[i++] ?? "";
        }
        if (i >= n) throw new HtmlParseError(`Unclosed start tag at byte offset ${byteOffset(tagAt)}`);
        i++;
      } else {
        const valueStart = i;
        while (i < n && /[A-Za-z0-9.-]/.test(html[i]!)) i++;
        value = html.slice(valueStart, i).toLowerCase();
        if (i < n && !isSpace(html[i]) && html[i] !== ">")
          throw new HtmlParseError(`Unexpected end of name token at byte offset ${byteOffset(valueStart)}`);
      }
      attrs[attr] = value;
    }
    i++; // ">"
    flushText();
    tokens.push({ type: "start", name, attrs, at: byteOffset(tagAt) });
  }
  flushText();
  return tokens;
}

/** The text a reader sees (UTF-16, as Telegram counts it), or the parser's refusal. */
export function parseTelegramHtml(html: string): { ok: true; text: string } | { ok: false; error: string } {
  try {
    const stack: { name: string; attrs: Record<string, string> }[] = [];
    let text = "";
    for (const token of tokenizeHtml(html)) {
      if (token.type === "text") {
        text += token.text;
      } else if (token.type === "start") {
        if (token.name === "span" && token.attrs.class !== "tg-spoiler") {
          throw new HtmlParseError(`Tag "span" must have class "tg-spoiler" at byte offset ${token.at}`);
        }
        if (token.name === "blockquote" && stack.some((s) => s.name === "blockquote")) {
          throw new HtmlParseError(`Nested blockquote entities are not allowed at byte offset ${token.at}`);
        }
        stack.push({ name: token.name, attrs: token.attrs });
      } else {
        const open = stack.pop();
        if (!open) throw new HtmlParseError(`Unexpected end tag at byte offset ${token.at}`);
        if (token.name && token.name !== open.name) {
          throw new HtmlParseError(`Unmatched end tag at byte offset ${token.at}, expected "</${open.name}>", found "</${token.name}>"`);
        }
        if (open.name === "tg-emoji" && !/^\d+$/.test(open.attrs["emoji-id"] ?? ""))
          throw new HtmlParseError("Invalid custom emoji identifier specified");
      }
    }
    if (stack.length > 0) throw new HtmlParseError(`Can't find end tag corresponding to start tag "${stack[stack.length - 1]!.name}"`);
    return { ok: true, text };
  } catch (err) {
    if (err instanceof HtmlParseError) return { ok: false, error: err.message };
    throw err;
  }
}

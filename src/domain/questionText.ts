import { escapeHtml } from "./text.js";

/**
 * Question texts as Moodle formats them, turned into Telegram HTML (the bot sends every message
 * with parse_mode HTML). Moodle has four text formats, chosen in GIFT by a `[html]`, `[markdown]`,
 * `[plain]` or `[moodle]` marker and in Moodle XML by `format="..."`:
 *   plain     the text as written, line breaks kept;
 *   moodle    HTML allowed, and line breaks are line breaks (GIFT's default);
 *   html      HTML;
 *   markdown  Markdown (bold, italic, code, links, headings, lists; inline HTML allowed).
 * What Telegram cannot show (tables, images, colours, scripts) is reduced to its text. Every
 * scanner here walks the input once: no regular expression with nested quantifiers ever sees
 * author text, so a 100,000-character line costs linear time.
 */
export type TextFormat = "plain" | "moodle" | "html" | "markdown";

export const TEXT_FORMATS: readonly TextFormat[] = ["plain", "moodle", "html", "markdown"];

/** A Moodle text in its format, as Telegram HTML. */
export function toTelegramHtml(text: string, format: TextFormat): string {
  switch (format) {
    case "plain":
      return escapeHtml(text.trim());
    case "moodle":
      return htmlToTelegram(text.replace(/\r\n?/g, "\n").split("\n").join("<br>\n"));
    case "html":
      return htmlToTelegram(text);
    case "markdown":
      return htmlToTelegram(markdownToHtml(text));
  }
}

/** The text a person reads in a piece of Telegram HTML (tags dropped, entities decoded). */
export function telegramHtmlToPlain(html: string): string {
  let out = "";
  let i = 0;
  while (i < html.length) {
    const lt = html.indexOf("<", i);
    const end = lt < 0 ? html.length : lt;
    out += html.slice(i, end);
    if (lt < 0) break;
    const gt = html.indexOf(">", lt);
    if (gt < 0) {
      out += html.slice(lt);
      break;
    }
    i = gt + 1;
  }
  return decodeEntities(out);
}

/** Puts a question's text into a message: Telegram HTML as is, plain text escaped. */
export function questionHtml(text: string, isHtml: boolean | undefined): string {
  return isHtml ? text : escapeHtml(text);
}

// ------------------------------------------------------------------------------------- HTML

const INLINE: Record<string, string> = {
  b: "b",
  strong: "b",
  i: "i",
  em: "i",
  cite: "i",
  var: "i",
  u: "u",
  ins: "u",
  s: "s",
  strike: "s",
  del: "s",
  code: "code",
  tt: "code",
  kbd: "code",
  samp: "code",
  pre: "pre",
  blockquote: "blockquote",
  a: "a",
};
const HEADINGS = new Set(["h1", "h2", "h3", "h4", "h5", "h6"]);
const BLOCKS = new Set([
  "p",
  "div",
  "section",
  "article",
  "header",
  "footer",
  "table",
  "tr",
  "ul",
  "ol",
  "dl",
  "dt",
  "dd",
  "figure",
  "figcaption",
  "hr",
  "center",
  "address",
]);
const DROP_CONTENT = new Set(["script", "style", "head", "title", "noscript", "template", "svg", "math", "object", "iframe"]);
const SAFE_LINK = /^(https?:\/\/|mailto:|tg:\/\/)/i;

interface Tag {
  name: string;
  closing: boolean;
  selfClosing: boolean;
  attrs: string;
}

/** `<name attrs>` at `at` (which is a "<"), or null when it is not a tag (then "<" is text). */
function readTag(s: string, at: number, gt: number): Tag | null {
  let j = at + 1;
  const closing = s[j] === "/";
  if (closing) j++;
  const start = j;
  while (j < gt && /[A-Za-z0-9]/.test(s[j]!)) j++;
  if (j === start || !/[A-Za-z]/.test(s[start]!)) return null;
  const name = s.slice(start, j).toLowerCase();
  if (j < gt && !/[\s/]/.test(s[j]!)) return null;
  const rest = s.slice(j, gt);
  return { name, closing, selfClosing: rest.trimEnd().endsWith("/"), attrs: rest };
}

/** The value of one attribute, with or without quotes. Scans the attribute text once. */
function attr(attrs: string, wanted: string): string | undefined {
  const lower = attrs.toLowerCase();
  let from = 0;
  for (;;) {
    const k = lower.indexOf(wanted, from);
    if (k < 0) return undefined;
    from = k + wanted.length;
    if (k > 0 && !/\s/.test(lower[k - 1]!)) continue;
    let j = from;
    while (j < attrs.length && attrs[j] === " ") j++;
    if (attrs[j] !== "=") continue;
    j++;
    while (j < attrs.length && attrs[j] === " ") j++;
    const q = attrs[j];
    if (q === '"' || q === "'") {
      const end = attrs.indexOf(q, j + 1);
      return decodeEntities(attrs.slice(j + 1, end < 0 ? attrs.length : end));
    }
    let end = j;
    while (end < attrs.length && !/[\s>]/.test(attrs[end]!)) end++;
    return decodeEntities(attrs.slice(j, end));
  }
}

/**
 * Tolerant HTML to Telegram HTML: the tags Telegram knows are kept (b, i, u, s, code, pre,
 * blockquote, a with a web link), headings become bold lines, paragraphs and <br> line breaks,
 * list items "• " lines, everything else is reduced to its text. Whitespace collapses as a
 * browser collapses it. A "<" that does not open a tag is text. Tags are re-nested so Telegram
 * always gets well-formed markup.
 */
export function htmlToTelegram(html: string): string {
  // The output is a list of pieces: appending to one long string and asking it endsWith() would
  // flatten V8's rope on every character and make the scan quadratic.
  const out: string[] = [];
  /** Line breaks at the end of the output, and whether it ends with a space. */
  let breaks = 0;
  let space = false;
  const push = (piece: string) => {
    out.push(piece);
    breaks = 0;
    space = false;
  };
  /** Open tags, with where each starts and where its content starts (an empty one is removed on close). */
  const open: { name: string; tg: string; start: number; content: number }[] = [];
  let pre = 0;
  let drop: string | null = null;
  let gtCache = -1;
  const nextGt = (from: number) => {
    if (gtCache !== -2 && gtCache < from) gtCache = html.indexOf(">", from);
    if (gtCache === -1) gtCache = -2;
    return gtCache < 0 ? -1 : gtCache;
  };
  const trimLineEnd = () => {
    if (space) {
      out.pop();
      space = false;
    }
  };
  const newline = (count: 1 | 2) => {
    trimLineEnd();
    if (out.length === 0) return;
    while (breaks < count) {
      out.push("\n");
      breaks++;
    }
  };
  const text = (raw: string) => {
    if (drop) return;
    const decoded = decodeEntities(raw);
    if (pre > 0) {
      if (decoded) push(escapeHtml(decoded));
      return;
    }
    let i = 0;
    while (i < decoded.length) {
      let j = i;
      while (j < decoded.length && !isSpace(decoded.charCodeAt(j))) j++;
      if (j > i) push(escapeHtml(decoded.slice(i, j)));
      if (j >= decoded.length) break;
      while (j < decoded.length && isSpace(decoded.charCodeAt(j))) j++;
      if (out.length > 0 && !space && breaks === 0) {
        out.push(" ");
        space = true;
      }
      i = j;
    }
  };
  const openTag = (name: string, tg: string, attrs: string) => {
    const start = out.length;
    if (tg === "a") {
      const href = attr(attrs, "href");
      if (!href || !SAFE_LINK.test(href.trim())) return;
      push(`<a href="${escapeHtml(href.trim()).replace(/"/g, "&quot;")}">`);
    } else push(`<${tg}>`);
    open.push({ name, tg, start, content: out.length });
    if (tg === "pre") pre++;
  };
  // Telegram refuses empty entities, and "<b></b>" left by dropped content is noise.
  const popTag = () => {
    const o = open.pop()!;
    if (out.length === o.content) out.length = o.start;
    else push(`</${o.tg}>`);
    if (o.tg === "pre") pre--;
  };
  const closeTag = (name: string) => {
    const at = open.map((o) => o.name).lastIndexOf(name);
    if (at < 0) return;
    // Close what was opened inside it too, so the result nests properly.
    while (open.length > at) popTag();
  };

  let i = 0;
  while (i < html.length) {
    const lt = html.indexOf("<", i);
    if (lt < 0) {
      text(html.slice(i));
      break;
    }
    if (lt > i) text(html.slice(i, lt));
    if (html.startsWith("<!--", lt)) {
      const end = html.indexOf("-->", lt + 4);
      i = end < 0 ? html.length : end + 3;
      continue;
    }
    if (html.startsWith("<![CDATA[", lt)) {
      const end = html.indexOf("]]>", lt + 9);
      text(html.slice(lt + 9, end < 0 ? html.length : end));
      i = end < 0 ? html.length : end + 3;
      continue;
    }
    const gt = nextGt(lt);
    const tag = gt < 0 ? null : readTag(html, lt, gt);
    if (!tag) {
      text("<");
      i = lt + 1;
      continue;
    }
    i = gt + 1;
    const { name } = tag;
    if (drop) {
      if (tag.closing && name === drop) drop = null;
      continue;
    }
    if (DROP_CONTENT.has(name)) {
      if (!tag.closing && !tag.selfClosing) drop = name;
      continue;
    }
    if (name === "br") {
      trimLineEnd();
      out.push("\n");
      breaks++;
      continue;
    }
    if (HEADINGS.has(name)) {
      if (tag.closing) {
        closeTag(name);
        newline(2);
      } else {
        newline(2);
        openTag(name, "b", "");
      }
      continue;
    }
    if (name === "li") {
      if (!tag.closing) {
        newline(1);
        push("• ");
      }
      continue;
    }
    if (name === "td" || name === "th") {
      if (tag.closing && !space && out.length > 0) {
        out.push(" ");
        space = true;
      }
      continue;
    }
    if (BLOCKS.has(name)) {
      newline(name === "p" || name === "table" || name === "ul" || name === "ol" ? 2 : 1);
      continue;
    }
    const tg = INLINE[name];
    if (!tg) continue;
    if (tg === "pre" || tg === "blockquote") newline(1);
    if (tag.closing) closeTag(name);
    else if (!tag.selfClosing && !(pre > 0 && tg === "code")) openTag(name, tg, tag.attrs);
    if ((tg === "pre" || tg === "blockquote") && tag.closing) newline(1);
  }
  while (open.length > 0) popTag();
  return out.join("").trim();
}

const isSpace = (c: number) => c === 32 || c === 10 || c === 9 || c === 13 || c === 12;

const NAMED: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: "\u00a0",
  ndash: "–",
  mdash: "—",
  laquo: "«",
  raquo: "»",
  lsquo: "‘",
  rsquo: "’",
  ldquo: "“",
  rdquo: "”",
  bdquo: "„",
  hellip: "…",
  middot: "·",
  bull: "•",
  copy: "©",
  reg: "®",
  deg: "°",
  plusmn: "±",
  times: "×",
  divide: "÷",
  minus: "−",
  le: "≤",
  ge: "≥",
  ne: "≠",
  asymp: "≈",
  sup2: "²",
  sup3: "³",
  frac12: "½",
  euro: "€",
  larr: "←",
  rarr: "→",
  harr: "↔",
  pi: "π",
  alpha: "α",
  beta: "β",
  gamma: "γ",
  delta: "δ",
  sum: "∑",
  infin: "∞",
  radic: "√",
};

/** HTML entities (named ones Moodle texts use, and numeric ones) to characters; unknown ones stay as written. */
export function decodeEntities(s: string): string {
  if (!s.includes("&")) return s;
  return s.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[A-Za-z][A-Za-z0-9]{1,9});/g, (whole, body: string) => {
    if (body.startsWith("#")) {
      const code = body[1] === "x" || body[1] === "X" ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff) ? String.fromCodePoint(code) : whole;
    }
    return NAMED[body] ?? NAMED[body.toLowerCase()] ?? whole;
  });
}

// ------------------------------------------------------------------------------------- Markdown

/**
 * The Markdown Moodle authors write, as HTML for htmlToTelegram: paragraphs (blank lines),
 * lines joined within a paragraph (two trailing spaces or a backslash break them), `#` headings,
 * `-`/`*`/`+` and `1.` list items, fenced and indented code, `> ` quotes, and inline `**bold**`,
 * `__bold__`, `*italic*`, `_italic_`, `` `code` ``, `[text](url)`, `<url>`. Inline HTML passes through.
 */
export function markdownToHtml(md: string): string {
  const lines = md.replace(/\r\n?/g, "\n").split("\n");
  const out: string[] = [];
  let para: string[] = [];
  let fence = false;
  const flush = () => {
    if (para.length) out.push(`<p>${para.join("")}</p>`);
    para = [];
  };
  for (const raw of lines) {
    if (raw.trimStart().startsWith("```")) {
      flush();
      out.push(fence ? "</pre>" : "<pre>");
      fence = !fence;
      continue;
    }
    if (fence) {
      out.push(`${escapeHtml(raw)}<br>`);
      continue;
    }
    const line = raw.trimEnd();
    if (line.trim() === "") {
      flush();
      continue;
    }
    const hashes = line.length - line.replace(/^#{1,6}/, "").length;
    if (hashes > 0 && (line[hashes] === " " || line.length === hashes)) {
      flush();
      out.push(`<h${hashes}>${inlineMarkdown(trimClosingHashes(line.slice(hashes)))}</h${hashes}>`);
      continue;
    }
    const bullet = /^\s{0,3}([-*+]|\d{1,9}[.)])\s/.exec(line);
    if (bullet && !isRule(line)) {
      flush();
      const number = /\d/.test(bullet[1]!) ? `${bullet[1]!.replace(")", ".")} ` : "";
      out.push(`<div>${number ? "" : "• "}${number}${inlineMarkdown(line.slice(bullet[0].length))}</div>`);
      continue;
    }
    if (line.startsWith(">")) {
      flush();
      out.push(`<blockquote>${inlineMarkdown(line.replace(/^>\s?/, ""))}</blockquote>`);
      continue;
    }
    if (raw.startsWith("    ") || raw.startsWith("\t")) {
      flush();
      out.push(`<pre>${escapeHtml(raw.replace(/^( {4}|\t)/, ""))}</pre>`);
      continue;
    }
    const hardBreak = raw.endsWith("  ") || line.endsWith("\\");
    const content = inlineMarkdown(hardBreak && line.endsWith("\\") ? line.slice(0, -1) : line);
    para.push(para.length && !para[para.length - 1]!.endsWith("<br>") ? ` ${content}` : content);
    if (hardBreak) para.push("<br>");
  }
  if (fence) out.push("</pre>");
  flush();
  return out.join("\n");
}

/** "# Title ##" -> "Title" (closing hashes are optional in Markdown). */
function trimClosingHashes(s: string): string {
  let end = s.trimEnd().length;
  while (end > 0 && s[end - 1] === "#") end--;
  return s.slice(0, end).trim();
}

/** A horizontal rule: three or more of one of - * _ and nothing else but spaces. */
function isRule(line: string): boolean {
  const marks = [...line].filter((c) => c !== " " && c !== "\t");
  return marks.length >= 3 && marks.every((c) => c === marks[0]) && "-*_".includes(marks[0]!);
}

const MD_PAIRS: [string, string][] = [
  ["**", "b"],
  ["__", "b"],
  ["*", "i"],
  ["_", "i"],
];

/**
 * indexOf with memory: the next occurrence of a needle at or after `from`, recomputed only when
 * `from` passed the last one found, so a scan never walks the same stretch twice per needle.
 */
function nearest(s: string): (needle: string, from: number) => number {
  const last = new Map<string, number>();
  return (needle, from) => {
    const known = last.get(needle);
    if (known !== undefined && (known === -1 || known >= from)) return known;
    const found = s.indexOf(needle, from);
    last.set(needle, found);
    return found;
  };
}

/** Inline Markdown, one left-to-right pass; each delimiter looks for its closer once with indexOf. */
function inlineMarkdown(s: string): string {
  let out = "";
  let i = 0;
  const find = nearest(s);
  while (i < s.length) {
    const c = s[i]!;
    if (c === "\\" && i + 1 < s.length && /[\\`*_{}[\]()#+\-.!<>]/.test(s[i + 1]!)) {
      out += s[i + 1] === "<" ? "&lt;" : s[i + 1] === ">" ? "&gt;" : (s[i + 1] ?? "");
      i += 2;
      continue;
    }
    if (c === "`") {
      const end = find("`", i + 1);
      if (end > i + 1) {
        out += `<code>${escapeHtml(s.slice(i + 1, end))}</code>`;
        i = end + 1;
        continue;
      }
    }
    if (c === "[") {
      const close = find("](", i + 1);
      const paren = close < 0 ? -1 : find(")", close + 2);
      if (close > i && paren > close) {
        const url = s
          .slice(close + 2, paren)
          .trim()
          .split(/\s/)[0]!;
        out += `<a href="${url.replace(/"/g, "&quot;")}">${inlineMarkdown(s.slice(i + 1, close))}</a>`;
        i = paren + 1;
        continue;
      }
    }
    if (c === "<" && /^<https?:\/\//i.test(s.slice(i, i + 9))) {
      const end = find(">", i);
      if (end > 0) {
        const url = s.slice(i + 1, end);
        out += `<a href="${url.replace(/"/g, "&quot;")}">${escapeHtml(url)}</a>`;
        i = end + 1;
        continue;
      }
    }
    const pair = MD_PAIRS.find(([d]) => s.startsWith(d, i));
    if (pair) {
      const [d, tag] = pair;
      const after = s[i + d.length];
      // A delimiter opens only before a non-space, and closes at the next same delimiter after a non-space.
      const end = after && after !== " " ? find(d, i + d.length + 1) : -1;
      if (end > 0 && s[end - 1] !== " " && !(d.length === 1 && s[end + 1] === d)) {
        out += `<${tag}>${inlineMarkdown(s.slice(i + d.length, end))}</${tag}>`;
        i = end + d.length;
        continue;
      }
      out += d;
      i += d.length;
      continue;
    }
    out += c;
    i++;
  }
  return out;
}

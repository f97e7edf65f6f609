/**
 * Shortening text for Telegram. Telegram measures texts, captions and button labels in UTF-16
 * code units, so every limit here is in those units (String.prototype.length). A cut falls on
 * a grapheme boundary (Intl.Segmenter): never inside a surrogate pair (Telegram refuses the
 * whole message: "strings must be encoded in UTF-8"), a ZWJ family, a flag or a letter with
 * its combining marks.
 */
const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });

export const ELLIPSIS = "…";

/** The longest prefix of `text` that ends on a grapheme boundary and has at most `maxUnits` UTF-16 units. */
export function truncate(text: string, maxUnits: number): string {
  if (text.length <= maxUnits) return text;
  if (maxUnits <= 0) return "";
  let end = 0;
  // Segmenting is lazy: only the graphemes up to the cut are visited, however long the text.
  for (const { index, segment } of graphemes.segment(text)) {
    if (index + segment.length > maxUnits) break;
    end = index + segment.length;
  }
  return text.slice(0, end);
}

/**
 * `text` when it fits in `maxUnits` UTF-16 units, otherwise its longest grapheme-whole prefix
 * followed by an ellipsis, the whole at most `maxUnits` units.
 */
export function shorten(text: string, maxUnits: number, ellipsis = ELLIPSIS): string {
  if (text.length <= maxUnits) return text;
  if (maxUnits < ellipsis.length) return truncate(text, maxUnits);
  return truncate(text, maxUnits - ellipsis.length) + ellipsis;
}

/** A one-line excerpt: whitespace runs become one space, then shortened. */
export function snippet(text: string, maxUnits: number): string {
  return shorten(text.replace(/\s+/g, " ").trim(), maxUnits);
}

/** True when the string holds a UTF-16 surrogate without its partner (Telegram refuses it). */
export function hasLoneSurrogate(text: string): boolean {
  return /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
}

/** Telegram HTML: the three characters its parser gives meaning to, escaped. */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Telegram carries at most 64 bytes of callback data under a button. */
export const CALLBACK_DATA_MAX_BYTES = 64;

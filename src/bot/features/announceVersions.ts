/**
 * The versions of an author's announcement (one per language of the course): taken from the
 * author's message, with the course's name put above them, and the order they are asked in.
 */
import type { Message } from "grammy/types";
import type { Locale } from "../../domain/locale.js";
import { RULES } from "../../domain/rules.js";
import type { BroadcastVersion, Course } from "../../db/schema/index.js";
import { isLocale } from "../../messages/i18n.js";

export function courseLocales(course: Course): Locale[] {
  return course.languages.filter(isLocale);
}

/** The order the versions are asked in: the author's own language first (if the course has it). */
export function stepLocales(course: Course, authorLang: Locale): Locale[] {
  const langs = courseLocales(course);
  return langs.includes(authorLang) ? [authorLang, ...langs.filter((l) => l !== authorLang)] : langs;
}

/** A version's text or caption; `ownOnly`: without the course name put above it, for the language check. */
export function versionText(v: BroadcastVersion, ownOnly = false): string {
  const p = v.payload as { text?: unknown; caption?: unknown };
  const text = typeof p.text === "string" ? p.text : typeof p.caption === "string" ? p.caption : "";
  if (!ownOnly || !text.startsWith("📣 ")) return text;
  const cut = text.indexOf("\n\n");
  return cut < 0 ? "" : text.slice(cut + 2);
}

/**
 * The course's name above the author's text (or caption), in the version's language, so learners
 * know which course writes to them; the author's formatting is moved along with the text.
 */
export function withCourseName(v: BroadcastVersion, title: string): BroadcastVersion | { limit: number } {
  const head = `📣 ${title}\n\n`;
  const bold = { type: "bold" as const, offset: "📣 ".length, length: title.length };
  const shift = (entities: unknown) => [
    bold,
    ...((entities as { offset: number }[] | undefined) ?? []).map((e) => ({ ...e, offset: e.offset + head.length })),
  ];
  const p = v.payload as Record<string, unknown> & { text?: string; caption?: string };
  if (v.method === "sendMessage") {
    const text = head + (p.text ?? "");
    if (text.length > RULES.telegramMaxMessageLength) return { limit: RULES.telegramMaxMessageLength - head.length };
    return { method: v.method, payload: { ...p, text, entities: shift(p.entities) } };
  }
  const caption = p.caption ? head + p.caption : head.trimEnd();
  if (caption.length > RULES.telegramMaxCaptionLength) return { limit: RULES.telegramMaxCaptionLength - head.length };
  return { method: v.method, payload: { ...p, caption, caption_entities: shift(p.caption_entities) } };
}

export type VersionResult =
  BroadcastVersion | { error: "too_long_text" | "too_long_caption" | "unsupported" | "album"; count?: number; max?: number };

/** What learners will get, taken from the author's message: text, or photo/document by file_id. */
export function versionFromMessage(msg: Message): VersionResult {
  // Each picture of an album arrives as its own message: taking them one by one would spread
  // them over the language steps, so albums are refused as a whole.
  if (msg.media_group_id !== undefined) return { error: "album" };
  if (msg.text !== undefined) {
    if (msg.text.length > RULES.telegramMaxMessageLength) {
      return { error: "too_long_text", count: msg.text.length, max: RULES.telegramMaxMessageLength };
    }
    return {
      method: "sendMessage",
      payload: {
        text: msg.text,
        ...(msg.entities ? { entities: msg.entities } : {}),
        // The author's choice about the link preview (shown, hidden, above the text) is kept.
        ...(msg.link_preview_options ? { link_preview_options: msg.link_preview_options } : {}),
      },
    };
  }
  const caption = msg.caption ?? "";
  if (caption.length > RULES.telegramMaxCaptionLength) {
    return { error: "too_long_caption", count: caption.length, max: RULES.telegramMaxCaptionLength };
  }
  const captionPart = caption ? { caption, ...(msg.caption_entities ? { caption_entities: msg.caption_entities } : {}) } : {};
  if (msg.photo && msg.photo.length > 0) {
    const largest = msg.photo[msg.photo.length - 1]!;
    return { method: "sendPhoto", payload: { photo: largest.file_id, ...captionPart } };
  }
  if (msg.document) return { method: "sendDocument", payload: { document: msg.document.file_id, ...captionPart } };
  return { error: "unsupported" };
}

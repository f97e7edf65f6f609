import { InlineKeyboard } from "grammy";
import type { Locale } from "../domain/locale.js";
import { escapeHtml, shorten, snippet } from "../domain/text.js";
import { RULES } from "../domain/rules.js";
import type { Course, Question, QuestionThreadEntry } from "../db/schema/index.js";
import { fullReplyButton } from "./callbackData.js";
import { courseTitle } from "./courseViews.js";
import { formatDate } from "./format.js";
import type { T } from "./i18n.js";
import { stateLabel } from "./questionViews.js";

/**
 * /myquestions (issue 10 item 4): each question with the assistants' replies and the learner's
 * follow-ups in the order they were written. Replies are shortened at grapheme boundaries and get
 * a button to read them in full; the list is packed into messages under Telegram's 4,096 characters.
 */

export interface MyQuestion {
  question: Question;
  course: Course;
  thread: readonly QuestionThreadEntry[];
}

/** How much of a reply and of a follow-up the list shows. */
export const REPLY_SNIPPET = 220;
const FOLLOW_UP_SNIPPET = 120;
/** The newest entries of a thread shown in the list; earlier ones are counted. */
const THREAD_SHOWN = 4;
/** Read-in-full buttons per message, so a long list stays usable. */
const MAX_BUTTONS = 12;

function entryText(t: T, e: QuestionThreadEntry, max: number): { text: string; cut: boolean } {
  const media = e.mediaKind ? t(`ask.media.${e.mediaKind}`) : "";
  const body = snippet(e.text, max);
  const text = [media, body].filter(Boolean).join(" ");
  return { text: text || "…", cut: body.length < e.text.replace(/\s+/g, " ").trim().length || e.mediaKind !== null };
}

function questionBlock(t: T, lang: Locale, m: MyQuestion, buttons: InlineKeyboardButtonLike[]): string {
  const { question: q, course } = m;
  const tz = course.timezone;
  const lines = [
    t("ask.mine.item", { number: q.id, course: courseTitle(course, lang), date: formatDate(q.createdAt, lang, tz) }),
    stateLabel(t, q, "ask"),
    `<i>${escapeHtml(q.text ? snippet(q.text, RULES.questions.listSnippetLength) : t(`ask.media.${q.mediaKind ?? "photo"}`))}</i>`,
  ];
  const shown = m.thread.slice(-THREAD_SHOWN);
  if (m.thread.length > shown.length) lines.push(t("myQuestions.earlier", { count: m.thread.length - shown.length }));
  let replyNo = m.thread.filter((e) => e.author === "assistant").length - shown.filter((e) => e.author === "assistant").length;
  for (const e of shown) {
    const date = formatDate(e.createdAt, lang, tz);
    if (e.author === "assistant") {
      replyNo++;
      const { text, cut } = entryText(t, e, REPLY_SNIPPET);
      lines.push(`💬 ${t("myQuestions.reply", { name: e.authorName ?? t("myQuestions.assistant"), date })}\n${escapeHtml(text)}`);
      if (cut) buttons.push({ label: t("myQuestions.read_button", { number: q.id, n: replyNo }), data: fullReplyButton.encode(e.id) });
    } else {
      const { text } = entryText(t, e, FOLLOW_UP_SNIPPET);
      lines.push(`↩️ ${t("myQuestions.follow_up", { date })}\n<i>${escapeHtml(text)}</i>`);
    }
  }
  return lines.join("\n");
}

interface InlineKeyboardButtonLike {
  label: string;
  data: string;
}

/** The list as one or more messages, each with the read-in-full buttons of its own replies. */
export function renderMyQuestions(t: T, lang: Locale, rows: readonly MyQuestion[]): { text: string; keyboard?: InlineKeyboard }[] {
  const limit = RULES.telegramMaxMessageLength;
  const messages: { text: string; keyboard?: InlineKeyboard }[] = [];
  let text = t("ask.mine.header");
  let buttons: InlineKeyboardButtonLike[] = [];
  const flush = () => {
    const kb = new InlineKeyboard();
    buttons.slice(0, MAX_BUTTONS).forEach((b, i) => {
      if (i > 0 && i % 2 === 0) kb.row();
      kb.text(b.label, b.data);
    });
    messages.push({ text, keyboard: buttons.length > 0 ? kb : undefined });
  };
  for (const row of rows) {
    const own: InlineKeyboardButtonLike[] = [];
    const block = shorten(questionBlock(t, lang, row, own), limit - 200);
    if (text.length + 2 + block.length > limit - 200 || buttons.length + own.length > MAX_BUTTONS) {
      flush();
      text = block;
      buttons = own;
    } else {
      text = `${text}\n\n${block}`;
      buttons.push(...own);
    }
  }
  text = `${text}\n\n${t("ask.mine.footer")}`;
  flush();
  return messages;
}

/** One reply in full: who wrote it and when, then its text (escaped; the caller copies media). */
export function fullReplyHeader(t: T, lang: Locale, q: Question, e: QuestionThreadEntry, course: Course | undefined): string {
  return t("myQuestions.full_header", {
    number: q.id,
    name: e.authorName ?? t("myQuestions.assistant"),
    date: formatDate(e.createdAt, lang, course?.timezone ?? "UTC"),
  });
}

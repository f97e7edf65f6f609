import { GrammyError, type Api } from "grammy";
import type { Message } from "grammy/types";
import type { Config } from "../config.js";
import { isLocale, type Locale } from "../domain/locale.js";
import type { Db } from "../db/client.js";
import { getCourse, getModules } from "../db/coursesRepo.js";
import { getLearner } from "../db/learnersRepo.js";
import { assistantChatFor, chatLocale } from "../db/courseChatsRepo.js";
import {
  clearPostIntent,
  getQuestion,
  mapMessage,
  markPostIntent,
  markPosted,
  questionByMessage,
  waitingQuestionsOf,
} from "../db/questionsRepo.js";
import type { Question } from "../db/schema/index.js";
import { escapeHtml, translator, type T } from "../messages/i18n.js";
import { logger, redact } from "../log.js";
import { assistantKeyboard, learnerName, questionHeader } from "../messages/questionViews.js";
import { HTML, isNotModified } from "./ui.js";

/** Questions being posted right now through this database connection, so the redelivery job leaves them alone. */
const postingNowByDb = new WeakMap<Db, Set<number>>();

export interface PostOptions {
  /** An earlier attempt may have posted a copy that was never recorded (a crash, a timeout). */
  maybeCopy?: boolean;
}

/**
 * Posts a question in the assistants' chat: a header with everything they need (and the buttons),
 * then the photo/document by file_id as a reply to it. Both messages are mapped to the question,
 * so an assistant's reply to either one reaches the learner.
 *
 * At least once, never silently twice: the intent is recorded before the send and the message id
 * in one transaction after it. A question with an intent and no message id may have an unrecorded
 * copy; it is posted again with a note saying so, and a reply to ANY copy still routes, because
 * every header names its question (#N) and questionForReply reads it when the mapping is missing.
 * Returns false when this process is already posting the question, or when its course has no chat
 * to post to right now (assistantChatFor: the bot was removed from it); such a question waits.
 */
export async function postQuestion(
  api: Api,
  db: Db,
  config: Config,
  q: Question,
  now: number,
  options: PostOptions = {},
): Promise<boolean> {
  const route = assistantChatFor(db, config, q.courseId);
  if (route.kind !== "chat") {
    // Nothing is sent while it waits, so a later post needs no "maybe a copy above" note.
    clearPostIntent(db, q.id);
    return false;
  }
  const chatId = route.chatId;
  let postingNow = postingNowByDb.get(db);
  if (!postingNow) postingNowByDb.set(db, (postingNow = new Set()));
  if (postingNow.has(q.id)) return false;
  postingNow.add(q.id);
  try {
    if (q.assistantMessageId !== null && q.assistantChatId === chatId) {
      // The header is posted and recorded; only its photo/document may be missing (a crash in between).
      if (q.mediaKind && q.mediaFileId) await postMedia(api, db, chatId, q, q.assistantMessageId, now, translator(config.defaultLocale));
      return true;
    }
    const course = getCourse(db, q.courseId);
    const learner = getLearner(db, q.learnerId);
    if (!course || !learner) throw new Error(`question #${q.id}: course or learner missing`);
    const lang = route.locale;
    const t = translator(lang);
    let header = questionHeader(t, q, { course, modules: getModules(db, course.id), learner, lang });
    if (options.maybeCopy) header = `${header}\n\n${t("assist.maybe_copy", { number: q.id })}`;
    markPostIntent(db, q.id, now);
    let sent;
    try {
      sent = await api.sendMessage(chatId, header, { ...HTML, reply_markup: assistantKeyboard(t, q) });
    } catch (err) {
      // Telegram answered with an error: nothing was posted. A network error leaves the doubt.
      if (err instanceof GrammyError) clearPostIntent(db, q.id);
      throw err;
    }
    db.transaction(() => {
      markPosted(db, q.id, chatId, sent.message_id);
      mapMessage(db, { chatId, messageId: sent.message_id, questionId: q.id, side: "assistants", kind: "header" }, now);
    });
    if (q.mediaKind && q.mediaFileId) await postMedia(api, db, chatId, q, sent.message_id, now, t);
    return true;
  } finally {
    postingNow.delete(q.id);
  }
}

async function postMedia(api: Api, db: Db, chatId: number, q: Question, headerId: number, now: number, t: T): Promise<void> {
  const media = await sendMedia(api, chatId, q.mediaKind!, q.mediaFileId!, headerId, t("assist.media_caption", { number: q.id }));
  mapMessage(db, { chatId, messageId: media, questionId: q.id, side: "assistants", kind: "media" }, now);
}

/**
 * The question an assistant's reply is about: the replied-to message's mapping, or, for a copy of
 * the bot's own that was never recorded (a crash between sending and recording), the question
 * number its first line names. Such a copy is mapped then, so its later replies and buttons work.
 */
export function questionForReply(db: Db, chatId: number, replyTo: Message, botId: number, now: number): Question | undefined {
  const mapped = questionByMessage(db, chatId, replyTo.message_id, "assistants");
  if (mapped || replyTo.from?.id !== botId) return mapped;
  const firstLine = (replyTo.text ?? replyTo.caption ?? "").split("\n")[0] ?? "";
  const m = /#(\d{1,9})(?!\d)/.exec(firstLine);
  const q = m ? getQuestion(db, Number(m[1])) : undefined;
  if (!q) return undefined;
  mapMessage(db, { chatId, messageId: replyTo.message_id, questionId: q.id, side: "assistants", kind: "header" }, now);
  return q;
}

/**
 * A learner's follow-up: posted as a reply to the question's header, so it stays in the same
 * thread (and the same forum topic); when the course moved to another chat since, on its own there.
 * Returns false (nothing sent) when the course has no chat to post to right now.
 */
export async function postFollowUp(
  api: Api,
  db: Db,
  config: Config,
  q: Question,
  content: { text: string; mediaKind: "photo" | "document" | null; fileId: string | null },
  now: number,
): Promise<boolean> {
  const route = assistantChatFor(db, config, q.courseId);
  if (route.kind !== "chat") return false;
  const chatId = route.chatId;
  const learner = getLearner(db, q.learnerId);
  const t = translator(route.locale);
  const lines = [t("assist.followup_header", { number: q.id, name: learner ? learnerName(learner) : "—" })];
  if (content.text) lines.push("", escapeHtml(content.text));
  if (content.mediaKind) lines.push("", t(`assist.media_below.${content.mediaKind}`));
  lines.push("", t("assist.reply_hint"));
  const replyTo = q.assistantMessageId !== null && q.assistantChatId === chatId ? q.assistantMessageId : undefined;
  const sent = await api.sendMessage(chatId, lines.join("\n"), {
    ...HTML,
    reply_markup: assistantKeyboard(t, { ...q, state: "open" }),
    reply_parameters: replyTo ? { message_id: replyTo, allow_sending_without_reply: true } : undefined,
  });
  mapMessage(db, { chatId, messageId: sent.message_id, questionId: q.id, side: "assistants", kind: "follow-up" }, now);
  if (content.mediaKind && content.fileId) {
    const media = await sendMedia(
      api,
      chatId,
      content.mediaKind,
      content.fileId,
      sent.message_id,
      t("assist.media_caption", { number: q.id }),
    );
    mapMessage(db, { chatId, messageId: media, questionId: q.id, side: "assistants", kind: "media" }, now);
  }
  return true;
}

/** Another photo or document of an album the learner sent with a question or a follow-up. */
export async function postAttachment(
  api: Api,
  db: Db,
  config: Config,
  q: Question,
  media: { kind: "photo" | "document"; fileId: string },
  now: number,
): Promise<void> {
  const route = assistantChatFor(db, config, q.courseId);
  if (route.kind !== "chat") return;
  const chatId = route.chatId;
  const replyTo = q.assistantMessageId !== null && q.assistantChatId === chatId ? q.assistantMessageId : 0;
  const caption = translator(config.defaultLocale)("assist.media_caption", { number: q.id });
  const messageId = await sendMedia(api, chatId, media.kind, media.fileId, replyTo, caption);
  mapMessage(db, { chatId, messageId, questionId: q.id, side: "assistants", kind: "media" }, now);
}

/**
 * A photo or document in the assistants' chat, captioned with its question's number: Telegram
 * gives a reply's replied-to message without its own reply chain, so a copy whose mapping was lost
 * in a crash is recognised only by what it says itself (questionForReply).
 */
async function sendMedia(
  api: Api,
  chatId: number,
  kind: "photo" | "document",
  fileId: string,
  replyTo: number,
  caption: string,
): Promise<number> {
  const other = {
    caption,
    ...(replyTo ? { reply_parameters: { message_id: replyTo, allow_sending_without_reply: true } } : {}),
  };
  const m = kind === "photo" ? await api.sendPhoto(chatId, fileId, other) : await api.sendDocument(chatId, fileId, other);
  return m.message_id;
}

/** The Telegram error code of a failed call, if it was one. */
export function telegramCode(err: unknown): number | null {
  return err instanceof GrammyError ? err.error_code : null;
}

export function describeError(err: unknown): string {
  return err instanceof GrammyError ? err.description : redact(String(err));
}

/** The learner's language, for texts sent to them from the assistants' side. */
export function learnerLocale(language: string | undefined, fallback: Locale): Locale {
  return isLocale(language) ? language : fallback;
}

/**
 * Redraws the buttons under the question's header to match its state (after an answer, a
 * follow-up that reopens it, or a button pressed under another of its messages). Best effort:
 * a header too old to edit keeps its old buttons, which still work.
 */
export async function refreshHeaderButtons(api: Api, db: Db, config: Config, questionId: number, except?: number): Promise<void> {
  const q = getQuestion(db, questionId);
  const chatId = q?.assistantChatId ?? null;
  if (!q || chatId === null || q.assistantMessageId === null || q.assistantMessageId === except) return;
  try {
    await api.editMessageReplyMarkup(chatId, q.assistantMessageId, {
      reply_markup: assistantKeyboard(translator(chatLocale(db, config, chatId)), q),
    });
  } catch (err) {
    if (!isNotModified(err)) logger.error({ component: "ask", err, question: q.id }, "could not update the buttons of a question");
  }
}

/**
 * Posts the questions that waited for these courses' chat (the bot had been removed from it), in
 * the order they were asked, once a chat is linked again. Stops at the first failure: the
 * redelivery job tries again. Returns how many were posted.
 */
export async function postWaitingQuestions(api: Api, db: Db, config: Config, courseIds: readonly string[], now: number): Promise<number> {
  let posted = 0;
  for (const q of waitingQuestionsOf(db, courseIds)) {
    try {
      if (await postQuestion(api, db, config, q, now, { maybeCopy: q.postStartedAt !== null })) posted++;
    } catch (err) {
      logger.error({ component: "ask", err, question: q.id }, "a waiting question is still not posted");
      break;
    }
  }
  return posted;
}

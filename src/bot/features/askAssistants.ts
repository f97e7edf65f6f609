import { Composer, InputFile, type Api } from "grammy";
import type { Db } from "../../db/client.js";
import type { Message } from "grammy/types";
import type { Config } from "../../config.js";
import { reportTempDir } from "../../reports/csvFile.js";
import { writeQuestionsCsv } from "../../reports/questionsExport.js";
import { digestDay, snippet } from "../../domain/questions.js";
import { RULES } from "../../domain/rules.js";
import { getCourse } from "../../db/coursesRepo.js";
import { getLearner, setLearnerBlocked } from "../../db/learnersRepo.js";
import { chatLocale, coursesServedBy } from "../../db/courseChatsRepo.js";
import {
  closeWithoutReply,
  getQuestion,
  mapMessage,
  openQuestionList,
  recordAnswer,
  reopenQuestion,
  setForInstructor,
  type Responder,
} from "../../db/questionsRepo.js";
import type { Question } from "../../db/schema/index.js";
import { recordThreadEntry } from "../../db/questionThreadRepo.js";
import { formatDate } from "../../messages/format.js";
import { escapeHtml, translator, type T } from "../../messages/i18n.js";
import { setAssistantChatMenu } from "../commands.js";
import { hasRoleIn } from "../auth.js";
import { courseChatsFeature } from "./courseChats.js";
import { assistantLocale, assistantT, isChatMember } from "../assistantChat.js";
import type { BotContext } from "../context.js";
import { courseTitle } from "../../messages/courseViews.js";
import { describeError, learnerLocale, questionForReply, refreshHeaderButtons, telegramCode } from "../questionRelay.js";
import { assistantKeyboard, learnerName, openQuestionLines } from "../../messages/questionViews.js";
import { assistantButton, decodeLegacyAssistantButton, LEGACY_ASSISTANT_FILTER } from "../../messages/callbackData.js";
import { answerCallback, chunkLines, HTML, isNotModified } from "../ui.js";

/**
 * The assistants' side of learners' questions, in every assistants' chat (ASSISTANT_CHAT_ID and the
 * groups linked to courses, see courseChats.ts): answering by replying to a question's message, the
 * state buttons, /questions and /questions_csv. Texts here are in the chat's own language
 * (/chatlanguage, default DEFAULT_LOCALE): the chat is shared, so nobody's own language applies.
 * A chat lists and exports only the questions of the courses it serves.
 *
 * Who may answer: in a private chat only its one person can write. In a group, being able to
 * post is not proof of membership: a public supergroup (a channel's discussion group, for
 * instance) can let non-members write, and anyone can open a public group and press its
 * buttons. So the sender of every reply, button press and command is checked with getChatMember;
 * an anonymous admin posts as the group itself (sender_chat = the group) and is trusted, while a
 * message sent on behalf of another chat (a channel) is not.
 *
 * In a linked chat (an author's group, possibly serving several courses) membership is not enough
 * to answer or press a question's buttons: the person must also hold the assistant or author role
 * in the question's course (admins hold every role), so one course's assistant cannot answer
 * another's learners. ASSISTANT_CHAT_ID is different: the platform admins configured it as the
 * shared assistants' pool of every course without a chat of its own, so its members (an anonymous
 * admin included) may handle its questions, whether or not the course has a team yet.
 */
export const assistantsChatFeature = new Composer<BotContext>();
assistantsChatFeature.use(courseChatsFeature);

/** Groups (where courses are linked) and ASSISTANT_CHAT_ID (which may be a private chat). */
export function isAssistantsChatCandidate(ctx: BotContext): boolean {
  const chat = ctx.chat;
  if (!chat) return false;
  return chat.type === "group" || chat.type === "supergroup" || chat.id === ctx.deps.config.assistantChatId;
}

const ac = assistantsChatFeature.filter(isAssistantsChatCandidate);

/** Whether the question belongs here: posted in this chat, or of a course this chat serves now. */
function belongsHere(db: Db, ctx: BotContext, q: Question): boolean {
  const chatId = ctx.chat!.id;
  return q.assistantChatId === chatId || coursesServedBy(db, ctx.deps.config, chatId).includes(q.courseId);
}

/** The role half of "who may answer" (membership is checked separately): see the comment at the top. */
function holdsRoleFor(ctx: BotContext, courseId: string): boolean {
  const { config } = ctx.deps;
  if (ctx.chat!.id === config.assistantChatId) return true;
  // An anonymous admin posts as the group: there is no person whose role could be checked.
  if (ctx.message?.sender_chat) return false;
  return hasRoleIn(ctx, courseId, "assistant") || hasRoleIn(ctx, courseId, "author");
}

/** Null when the sender may handle the question, else the key of the refusal. */
async function refusalFor(ctx: BotContext, q: Question, alert: boolean): Promise<string | null> {
  if (!(await isChatMember(ctx))) return alert ? "assist.not_member_alert" : "assist.not_member";
  if (!holdsRoleFor(ctx, q.courseId)) return alert ? "assist.not_staff_alert" : "assist.not_staff";
  return null;
}

/** The course's title in the chat's language (its id if it left the catalogue). */
function courseLabel(ctx: BotContext, courseId: string): string {
  const course = getCourse(ctx.deps.db, courseId);
  return course ? courseTitle(course, assistantLocale(ctx)) : courseId;
}

/** The courses this chat serves, or null after telling the chat it serves none. */
async function servedHere(ctx: BotContext, t: T): Promise<string[] | null> {
  const served = coursesServedBy(ctx.deps.db, ctx.deps.config, ctx.chat!.id);
  if (served.length > 0) return served;
  await ctx.reply(t("chat.not_linked"), HTML);
  return null;
}

function responder(ctx: BotContext): Responder {
  const senderChat = ctx.message?.sender_chat;
  if (senderChat) return { id: senderChat.id, name: ("title" in senderChat ? senderChat.title : undefined) ?? String(senderChat.id) };
  const f = ctx.from!;
  return { id: f.id, name: learnerName({ firstName: f.first_name, lastName: f.last_name ?? null, username: f.username ?? null }) };
}

// ---- lists ----

/**
 * The courses whose questions the sender may list or export here, or null after saying why not:
 * the chat must serve a course, the sender be a member, and (as for answering) in a linked chat
 * hold a role in the course.
 */
async function listableHere(ctx: BotContext, t: T): Promise<string[] | null> {
  const served = await servedHere(ctx, t);
  if (!served) return null;
  if (!(await isChatMember(ctx))) {
    await ctx.reply(t("assist.not_member"), HTML);
    return null;
  }
  const mine = served.filter((courseId) => holdsRoleFor(ctx, courseId));
  if (mine.length === 0) await ctx.reply(t("assist.not_staff_list"), HTML);
  return mine.length > 0 ? mine : null;
}

ac.command("questions", async (ctx) => {
  const t = assistantT(ctx);
  const mine = await listableHere(ctx, t);
  if (!mine) return;
  const now = ctx.deps.clock.now();
  const list = openQuestionList(ctx.deps.db, mine, now + 1, RULES.questions.listLimit);
  const lines = openQuestionLines(t, list, assistantLocale(ctx), now);
  for (const chunk of chunkLines(lines, RULES.telegramMaxMessageLength)) await ctx.reply(chunk, HTML);
});

ac.command(["questions_csv", "questionscsv"], async (ctx) => {
  const t = assistantT(ctx);
  const served = await listableHere(ctx, t);
  if (!served) return;
  const { db, config, clock } = ctx.deps;
  const lang = assistantLocale(ctx);
  const now = clock.now();
  const filename = `questions-${digestDay(now, config.timezone, 0)!}.csv`;
  const tmp = reportTempDir();
  try {
    const count = await writeQuestionsCsv(t, db, lang, config.timezone, tmp.file(filename), served);
    if (count === 0) {
      await ctx.reply(t("assist.csv.none"), HTML);
      return;
    }
    await ctx.replyWithDocument(new InputFile(tmp.file(filename), filename), {
      caption: t("assist.csv.caption", { n: count, date: formatDate(now, lang, config.timezone) }),
    });
  } finally {
    tmp.remove();
  }
});

// ---- buttons under a question ----

// Buttons sent before they had their own prefix still work (LEGACY_ASSISTANT_FILTER, "qa:c:12").
ac.callbackQuery([assistantButton.filter, LEGACY_ASSISTANT_FILTER], async (ctx) => {
  const t = assistantT(ctx);
  const data = ctx.callbackQuery.data;
  const values = assistantButton.decode(data) ?? decodeLegacyAssistantButton(data);
  if (!values) {
    await answerCallback(ctx, t("errors.stale_button"), true);
    return;
  }
  const [action, id] = values;
  const { db, clock } = ctx.deps;
  const q = getQuestion(db, id);
  // A forged button naming another chat's question is as unknown here as a deleted one.
  if (!q || !belongsHere(db, ctx, q)) {
    await answerCallback(ctx, t("assist.stale"), true);
    return;
  }
  const refusal = await refusalFor(ctx, q, true);
  if (refusal) {
    await answerCallback(ctx, t(refusal, { course: courseLabel(ctx, q.courseId) }), true);
    return;
  }
  const now = clock.now();
  if (action === "c" && q.state === "open") closeWithoutReply(db, id, responder(ctx), now);
  if (action === "o" && q.state !== "open") reopenQuestion(db, id);
  if (action === "i") setForInstructor(db, id, true);
  if (action === "n") setForInstructor(db, id, false);
  const fresh = getQuestion(db, id)!;
  const toast = { c: "closed", o: "reopened", i: "instructor", n: "not_instructor" }[action];
  await answerCallback(ctx, t(`assist.toast.${toast}`, { number: id }));
  try {
    await ctx.editMessageReplyMarkup({ reply_markup: assistantKeyboard(t, fresh) });
  } catch (err) {
    if (!isNotModified(err)) ctx.log.error({ err }, "could not update the buttons");
  }
  // Pressed under a follow-up: the header shows the same state.
  await refreshHeaderButtons(ctx.api, db, ctx.deps.config, id, ctx.callbackQuery.message?.message_id);
});

// ---- answers: a reply to a question's message ----

ac.on("message", async (ctx, next) => {
  const replyTo = ctx.msg.reply_to_message;
  // A channel post copied into its discussion group is not an assistant writing.
  if (!replyTo || ctx.msg.is_automatic_forward) return next();
  // Only replies to a question's messages count; in a forum topic every message "replies" to the
  // topic's first message, which is never mapped, so ordinary chatter is left alone.
  const q = questionForReply(ctx.deps.db, ctx.chat.id, replyTo, ctx.me.id, ctx.deps.clock.now());
  if (!q || !belongsHere(ctx.deps.db, ctx, q)) return next();
  if (ctx.from.id === ctx.me.id) return;
  const t = assistantT(ctx);
  const refusal = await refusalFor(ctx, q, false);
  if (refusal) {
    await ctx.reply(t(refusal, { course: courseLabel(ctx, q.courseId) }), {
      ...HTML,
      reply_parameters: { message_id: ctx.msg.message_id, allow_sending_without_reply: true },
    });
    return;
  }
  await deliverAnswer(ctx, q, ctx.msg, t);
});

async function deliverAnswer(ctx: BotContext, q: Question, msg: Message, t: T): Promise<void> {
  const { db, clock, config } = ctx.deps;
  const chatId = ctx.chat!.id;
  const learner = getLearner(db, q.learnerId);
  const course = getCourse(db, q.courseId);
  const here = { reply_parameters: { message_id: msg.message_id, allow_sending_without_reply: true } };
  if (!learner || !course) {
    await ctx.reply(t("assist.stale"), { ...HTML, ...here });
    return;
  }
  const lang = learnerLocale(learner.language, config.defaultLocale);
  const lt = translator(lang);
  const quoted = q.text ? snippet(q.text, RULES.questions.quoteLength) : lt(`ask.media.${q.mediaKind ?? "photo"}`);
  const framing = `${lt("ask.answer.header", { number: q.id, course: courseTitle(course, lang) })}\n<blockquote>${escapeHtml(quoted)}</blockquote>`;
  const footer = `<i>${lt("ask.answer.footer")}</i>`;
  const sentIds: number[] = [];
  try {
    const whole = msg.text !== undefined ? `${framing}\n\n${escapeHtml(msg.text)}\n\n${footer}` : null;
    if (whole !== null && whole.length <= RULES.telegramMaxMessageLength) {
      sentIds.push((await ctx.api.sendMessage(learner.id, whole, HTML)).message_id);
    } else {
      // Media (or a text too long to frame in one message): the framing first, then a copy of the
      // assistant's message as a reply to it, which keeps the file and the formatting as they were.
      const first = await ctx.api.sendMessage(learner.id, `${framing}\n\n${footer}`, HTML);
      sentIds.push(first.message_id);
      const copy = await ctx.api.copyMessage(learner.id, chatId, msg.message_id, {
        reply_parameters: { message_id: first.message_id, allow_sending_without_reply: true },
      });
      sentIds.push(copy.message_id);
    }
  } catch (err) {
    const code = telegramCode(err);
    if (code === 403) {
      setLearnerBlocked(db, learner.id, true, clock.now());
      await ctx.reply(t("assist.blocked", { number: q.id }), { ...HTML, ...here });
      return;
    }
    if (code !== null && code < 500) {
      await ctx.reply(t("assist.delivery_failed", { number: q.id, error: describeError(err) }), { ...HTML, ...here });
      return;
    }
    throw err;
  }
  const now = clock.now();
  db.transaction(() => {
    for (const messageId of sentIds)
      mapMessage(db, { chatId: learner.id, messageId, questionId: q.id, side: "learner", kind: "answer" }, now);
    // A reply to this answer in the assistants' chat continues the same thread.
    mapMessage(db, { chatId, messageId: msg.message_id, questionId: q.id, side: "assistants", kind: "answer" }, now);
    recordAnswer(db, q.id, responder(ctx), now);
    // Kept with its text, so /myquestions can show the answer (and read it in full later).
    recordThreadEntry(
      db,
      {
        questionId: q.id,
        author: "assistant",
        authorName: responder(ctx).name,
        text: msg.text ?? msg.caption ?? "",
        mediaKind: msg.text !== undefined ? null : msg.photo ? "photo" : "document",
        sourceChatId: chatId,
        sourceMessageId: msg.message_id,
      },
      now,
    );
  });
  // Show the new state under the question, and a quiet 👍 on the reply: delivered.
  await refreshHeaderButtons(ctx.api, db, config, q.id);
  await ctx.react("👍").catch(() => ctx.reply(t("assist.delivered", { number: q.id }), { ...HTML, ...here }).catch(() => undefined));
}

/**
 * The command menu inside ASSISTANT_CHAT_ID, in that chat's language (linked chats get theirs when
 * linked or when their language changes: courseChats.ts).
 */
export async function registerAssistantCommands(api: Api, db: Db, config: Config): Promise<void> {
  const chatId = config.assistantChatId;
  if (chatId === null) return;
  await setAssistantChatMenu(api, chatId, chatLocale(db, config, chatId));
}

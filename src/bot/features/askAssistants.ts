import { Composer, InputFile, type Api } from "grammy";
import type { Message } from "grammy/types";
import type { Config } from "../../config.js";
import { reportTempDir } from "../../reports/csvFile.js";
import { writeQuestionsCsv } from "../../reports/questionsExport.js";
import { digestDay, snippet } from "../../domain/questions.js";
import { RULES } from "../../domain/rules.js";
import { getCourse } from "../../db/coursesRepo.js";
import { getLearner, setLearnerBlocked } from "../../db/learnersRepo.js";
import {
  closeWithoutReply,
  getQuestion,
  mapMessage,
  openQuestions,
  recordAnswer,
  reopenQuestion,
  setForInstructor,
  type Responder,
} from "../../db/questionsRepo.js";
import type { Question } from "../../db/schema/index.js";
import { recordThreadEntry } from "../../db/questionThreadRepo.js";
import { formatDate } from "../../messages/format.js";
import { escapeHtml, translator, type T } from "../../messages/i18n.js";
import { LEARNER_COMMANDS } from "../commands.js";
import type { BotContext } from "../context.js";
import { courseTitle } from "../../messages/courseViews.js";
import { describeError, learnerLocale, questionForReply, refreshHeaderButtons, telegramCode } from "../questionRelay.js";
import { assistantKeyboard, learnerName, openQuestionLines } from "../../messages/questionViews.js";
import { assistantButton, decodeLegacyAssistantButton, LEGACY_ASSISTANT_FILTER } from "../../messages/callbackData.js";
import { answerCallback, chunkLines, HTML, isNotModified } from "../ui.js";

/**
 * The assistants' side of learners' questions, active only in ASSISTANT_CHAT_ID: answering by
 * replying to a question's message, the state buttons, /questions and /questions_csv. Texts here
 * are in DEFAULT_LOCALE (the assistants' chat is shared, so nobody's own language applies).
 *
 * Who may answer: in a private chat only its one person can write. In a group, being able to
 * post is not proof of membership: a public supergroup (a channel's discussion group, for
 * instance) can let non-members write, and anyone can open a public group and press its
 * buttons. So the sender of every reply, button press and command is checked with getChatMember;
 * an anonymous admin posts as the group itself (sender_chat = the group) and is trusted, while a
 * message sent on behalf of another chat (a channel) is not.
 */
export const assistantsChatFeature = new Composer<BotContext>();

const ac = assistantsChatFeature.filter(
  (ctx) => ctx.deps.config.assistantChatId !== null && ctx.chat?.id === ctx.deps.config.assistantChatId,
);

function assistantT(ctx: BotContext): T {
  return translator(ctx.deps.config.defaultLocale);
}

const MEMBER_STATUSES = new Set(["creator", "administrator", "member"]);

async function isAssistant(ctx: BotContext): Promise<boolean> {
  const chatId = ctx.deps.config.assistantChatId!;
  if (ctx.chat?.type === "private") return ctx.from?.id === chatId;
  const senderChat = ctx.message?.sender_chat;
  if (senderChat) return senderChat.id === chatId;
  if (!ctx.from || ctx.from.is_bot) return false;
  try {
    const member = await ctx.api.getChatMember(chatId, ctx.from.id);
    return MEMBER_STATUSES.has(member.status) || (member.status === "restricted" && member.is_member);
  } catch (err) {
    ctx.log.error({ err }, "getChatMember failed");
    return false;
  }
}

function responder(ctx: BotContext): Responder {
  const senderChat = ctx.message?.sender_chat;
  if (senderChat) return { id: senderChat.id, name: ("title" in senderChat ? senderChat.title : undefined) ?? String(senderChat.id) };
  const f = ctx.from!;
  return { id: f.id, name: learnerName({ firstName: f.first_name, lastName: f.last_name ?? null, username: f.username ?? null }) };
}

// ---- lists ----

ac.command("questions", async (ctx) => {
  const t = assistantT(ctx);
  if (!(await isAssistant(ctx))) {
    await ctx.reply(t("assist.not_member"), HTML);
    return;
  }
  const lines = openQuestionLines(t, openQuestions(ctx.deps.db), ctx.deps.config.defaultLocale, ctx.deps.clock.now());
  for (const chunk of chunkLines(lines, RULES.telegramMaxMessageLength)) await ctx.reply(chunk, HTML);
});

ac.command(["questions_csv", "questionscsv"], async (ctx) => {
  const t = assistantT(ctx);
  if (!(await isAssistant(ctx))) {
    await ctx.reply(t("assist.not_member"), HTML);
    return;
  }
  const { db, config, clock } = ctx.deps;
  const now = clock.now();
  const filename = `questions-${digestDay(now, config.timezone, 0)!}.csv`;
  const tmp = reportTempDir();
  try {
    const count = await writeQuestionsCsv(t, db, config.defaultLocale, config.timezone, tmp.file(filename));
    if (count === 0) {
      await ctx.reply(t("assist.csv.none"), HTML);
      return;
    }
    await ctx.replyWithDocument(new InputFile(tmp.file(filename), filename), {
      caption: t("assist.csv.caption", { n: count, date: formatDate(now, config.defaultLocale, config.timezone) }),
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
  if (!(await isAssistant(ctx))) {
    await answerCallback(ctx, t("assist.not_member_alert"), true);
    return;
  }
  const { db, clock } = ctx.deps;
  const q = getQuestion(db, id);
  if (!q) {
    await answerCallback(ctx, t("assist.stale"), true);
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
  if (!q) return next();
  if (ctx.from.id === ctx.me.id) return;
  const t = assistantT(ctx);
  if (!(await isAssistant(ctx))) {
    await ctx.reply(t("assist.not_member"), {
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
 * The command menu inside the assistants' chat (/questions, /questions_csv). In a group, choosing
 * a command from this menu sends /questions@bot, which reaches the bot even in privacy mode. A
 * private assistants' chat keeps the learner commands too, since that person is also a user.
 */
export async function registerAssistantCommands(api: Api, config: Config): Promise<void> {
  const chatId = config.assistantChatId;
  if (chatId === null) return;
  const t = translator(config.defaultLocale);
  const own = (["questions", "questions_csv"] as const).map((command) => ({ command, description: t(`assist.commands.${command}`) }));
  const learner = chatId > 0 ? LEARNER_COMMANDS.map((command) => ({ command, description: t(`commands.${command}`) })) : [];
  await api.setMyCommands([...own, ...learner], { scope: { type: "chat", chat_id: chatId } });
}

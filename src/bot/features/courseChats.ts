/**
 * Each course its own assistants' chat (issue 9 items 3 and 6). An author adds the bot to a group
 * and sends /link there; the bot offers the courses the sender authors, and the link is made by
 * whoever presses, after checking THEIR author role in that course and their membership of the
 * chat. /unlink undoes it; /chatlanguage sets the language everything the bot writes in the chat
 * uses. When the bot is removed from a chat, its links are marked (the courses' questions wait,
 * see courseChatsRepo's assistantChatFor) and every affected course's authors are told, in their
 * own language; linking a chat again posts what waited.
 */
import { Composer, InlineKeyboard } from "grammy";
import { LOCALES, type Locale } from "../../domain/locale.js";
import { getCourse } from "../../db/coursesRepo.js";
import {
  coursesLinkedTo,
  coursesServedBy,
  coursesWithoutChat,
  linkCourseChat,
  markLinksRemoved,
  moveChat,
  setChatLocale,
  setDefaultChatRemoved,
  chatLocale,
  unlinkCourseChat,
} from "../../db/courseChatsRepo.js";
import { getLearner } from "../../db/learnersRepo.js";
import { enqueue } from "../../db/outboxRepo.js";
import { courseAuthors } from "../../db/staffRepo.js";
import { chatLanguageButton, chatLinkButton, chatUnlinkButton } from "../../messages/callbackData.js";
import { courseTitle } from "../../messages/courseViews.js";
import { isLocale, translator, type T } from "../../messages/i18n.js";
import { LANGUAGE_LABELS } from "../../messages/questionViews.js";
import { shorten } from "../../domain/text.js";
import { assistantLocale, assistantT, isChatMember } from "../assistantChat.js";
import { coursesWithRole, hasRoleIn, isAdmin } from "../auth.js";
import { setAssistantChatMenu } from "../commands.js";
import type { BotContext } from "../context.js";
import { postWaitingQuestions } from "../questionRelay.js";
import { answerCallback, HTML, show } from "../ui.js";

export const courseChatsFeature = new Composer<BotContext>();

const groups = courseChatsFeature.chatType(["group", "supergroup"]);

function courseName(ctx: BotContext, courseId: string, lang: Locale): string {
  const course = getCourse(ctx.deps.db, courseId);
  return course ? courseTitle(course, lang) : courseId;
}

/**
 * The group's command menu in its language, after a link or a language change. Best effort: a
 * menu that could not be set changes nothing else (the lead may route this through roles9's menus).
 */
async function refreshAssistantChatMenu(ctx: BotContext): Promise<void> {
  try {
    await setAssistantChatMenu(ctx.api, ctx.chat!.id, assistantLocale(ctx));
  } catch (err) {
    ctx.log.warn({ err }, "could not set the assistants' chat menu");
  }
}

// ---- /link ----

courseChatsFeature.chatType("private").command(["link", "unlink"], async (ctx) => {
  await ctx.reply(ctx.t("chat.link_in_group"), HTML);
});

groups.command("link", async (ctx) => {
  const t = assistantT(ctx);
  const lang = assistantLocale(ctx);
  const mine = coursesWithRole(ctx, "author").filter((id) => getCourse(ctx.deps.db, id));
  if (mine.length === 0) {
    await ctx.reply(t("chat.link_no_courses"), HTML);
    return;
  }
  const here = new Set(coursesLinkedTo(ctx.deps.db, ctx.chat.id));
  const kb = new InlineKeyboard();
  for (const id of mine) kb.text(`${here.has(id) ? "✅ " : ""}${shorten(courseName(ctx, id, lang), 60)}`, chatLinkButton.encode(id)).row();
  await ctx.reply(t("chat.link_choose"), { ...HTML, reply_markup: kb });
});

/** Null when whoever pressed may act on the course here (an author of it, and a member of this chat). */
async function buttonRefusal(ctx: BotContext, t: T, courseId: string): Promise<string | null> {
  if (!getCourse(ctx.deps.db, courseId)) return t("errors.stale_button");
  if (!hasRoleIn(ctx, courseId, "author")) return t("chat.not_author", { course: courseName(ctx, courseId, assistantLocale(ctx)) });
  if (!(await isChatMember(ctx))) return t("assist.not_member_alert");
  return null;
}

/**
 * The course on a link/unlink button, once the presser's right to it is checked (their own author
 * role and membership, whoever typed the command); null after an alert for stale or refused taps.
 */
async function pressedCourse(ctx: BotContext, t: T, codec: typeof chatLinkButton): Promise<string | null> {
  const values = codec.decode(ctx.callbackQuery?.data ?? "");
  if (!values) {
    await answerCallback(ctx, t("errors.stale_button"), true);
    return null;
  }
  const [courseId] = values;
  const refusal = await buttonRefusal(ctx, t, courseId);
  if (refusal) {
    await answerCallback(ctx, refusal, true);
    return null;
  }
  return courseId;
}

groups.callbackQuery(chatLinkButton.filter, async (ctx) => {
  const t = assistantT(ctx);
  const courseId = await pressedCourse(ctx, t, chatLinkButton);
  if (courseId === null) return;
  const { db, config, clock } = ctx.deps;
  const chatId = ctx.chat.id;
  const now = clock.now();
  const previous = linkCourseChat(db, { courseId, chatId, by: ctx.from.id, now });
  const course = courseName(ctx, courseId, assistantLocale(ctx));
  await answerCallback(ctx);
  await show(ctx, t("chat.linked", { course }));
  await refreshAssistantChatMenu(ctx);
  // The chat it served until now is told where the course's questions go from now on.
  if (previous && previous.chatId !== chatId && previous.removedAt === null) {
    const pt = translator(chatLocale(db, config, previous.chatId));
    const title = ctx.chat.title;
    await ctx.api
      .sendMessage(
        previous.chatId,
        pt("chat.moved_away", { course: courseName(ctx, courseId, chatLocale(db, config, previous.chatId)), chat: title }),
        HTML,
      )
      .catch((err: unknown) => ctx.log.warn({ err }, "could not tell the previous assistants' chat"));
  }
  // What waited while the course had no chat goes out now (the redelivery job would, more slowly).
  await postWaitingQuestions(ctx.api, db, config, [courseId], now);
});

// ---- /unlink ----

groups.command("unlink", async (ctx) => {
  const t = assistantT(ctx);
  const lang = assistantLocale(ctx);
  const mine = coursesLinkedTo(ctx.deps.db, ctx.chat.id).filter((id) => hasRoleIn(ctx, id, "author"));
  if (mine.length === 0) {
    await ctx.reply(t("chat.unlink_none"), HTML);
    return;
  }
  const kb = new InlineKeyboard();
  for (const id of mine) kb.text(shorten(courseName(ctx, id, lang), 60), chatUnlinkButton.encode(id)).row();
  await ctx.reply(t("chat.unlink_choose"), { ...HTML, reply_markup: kb });
});

groups.callbackQuery(chatUnlinkButton.filter, async (ctx) => {
  const t = assistantT(ctx);
  const courseId = await pressedCourse(ctx, t, chatUnlinkButton);
  if (courseId === null) return;
  const { db, config } = ctx.deps;
  if (!unlinkCourseChat(db, courseId, ctx.chat.id)) {
    await answerCallback(ctx, t("chat.not_linked_here"), true);
    return;
  }
  const course = courseName(ctx, courseId, assistantLocale(ctx));
  await answerCallback(ctx);
  await show(ctx, t(config.assistantChatId !== null ? "chat.unlinked_default" : "chat.unlinked_off", { course }));
});

// ---- /chatlanguage ----

/**
 * Who may change the chat's language: an admin, or an author or assistant of a course the chat
 * serves (in ASSISTANT_CHAT_ID that includes every course without a chat of its own).
 */
function mayChangeLanguage(ctx: BotContext): boolean {
  if (isAdmin(ctx)) return true;
  return coursesServedBy(ctx.deps.db, ctx.deps.config, ctx.chat!.id).some(
    (id) => hasRoleIn(ctx, id, "author") || hasRoleIn(ctx, id, "assistant"),
  );
}

/** Groups, and ASSISTANT_CHAT_ID even when it is one person's private chat. */
const languageChats = courseChatsFeature.filter(
  (ctx) =>
    ctx.chat?.type === "group" ||
    ctx.chat?.type === "supergroup" ||
    (ctx.chat !== undefined && ctx.chat.id === ctx.deps.config.assistantChatId),
);

languageChats.command("chatlanguage", async (ctx) => {
  const t = assistantT(ctx);
  if (!mayChangeLanguage(ctx)) {
    await ctx.reply(t("chat.language_not_staff"), HTML);
    return;
  }
  const kb = new InlineKeyboard();
  for (const lang of LOCALES) kb.text(LANGUAGE_LABELS[lang] ?? lang, chatLanguageButton.encode(lang));
  await ctx.reply(t("chat.language_choose", { language: LANGUAGE_LABELS[assistantLocale(ctx)] }), { ...HTML, reply_markup: kb });
});

languageChats.callbackQuery(chatLanguageButton.filter, async (ctx) => {
  const t = assistantT(ctx);
  const values = chatLanguageButton.decode(ctx.callbackQuery.data);
  if (!values) {
    await answerCallback(ctx, t("errors.stale_button"), true);
    return;
  }
  if (!mayChangeLanguage(ctx)) {
    await answerCallback(ctx, t("chat.language_not_staff"), true);
    return;
  }
  if (!(await isChatMember(ctx))) {
    await answerCallback(ctx, t("assist.not_member_alert"), true);
    return;
  }
  const [lang] = values;
  setChatLocale(ctx.deps.db, ctx.chat!.id, lang, ctx.deps.clock.now());
  await answerCallback(ctx);
  await show(ctx, translator(lang)("chat.language_set", { language: LANGUAGE_LABELS[lang] }));
  await refreshAssistantChatMenu(ctx);
});

// ---- the group upgraded to a supergroup ----

courseChatsFeature.on("message:migrate_to_chat_id", async (ctx, next) => {
  const { db, config, clock } = ctx.deps;
  const to = ctx.msg.migrate_to_chat_id;
  const moved = moveChat(db, ctx.chat.id, to, clock.now());
  if (moved > 0) ctx.log.info({ from: ctx.chat.id, to, courses: moved }, "an assistants' chat became a supergroup; its links follow it");
  if (ctx.chat.id === config.assistantChatId) {
    ctx.log.warn({ from: ctx.chat.id, to }, "ASSISTANT_CHAT_ID became a supergroup with a new id: set ASSISTANT_CHAT_ID to the new id");
  }
  await next();
});

// ---- the bot removed from (or added to) a group ----

const GONE = new Set(["left", "kicked"]);

courseChatsFeature.on("my_chat_member", async (ctx, next) => {
  const chat = ctx.chat;
  if (chat.type !== "group" && chat.type !== "supergroup") return next();
  const { db, config, clock } = ctx.deps;
  const now = clock.now();
  const before = ctx.myChatMember.old_chat_member.status;
  const after = ctx.myChatMember.new_chat_member.status;
  const isDefault = chat.id === config.assistantChatId;
  if (GONE.has(after)) {
    const affected = markLinksRemoved(db, chat.id, now);
    // ASSISTANT_CHAT_ID has no links: the courses it served (those without a chat of their own) wait.
    if (isDefault && setDefaultChatRemoved(db, chat.id, now, now)) affected.push(...coursesWithoutChat(db));
    if (tellAuthorsChatRemoved(ctx, [...new Set(affected)], chat.title, now) > 0) ctx.deps.kickOutbox?.();
    ctx.log.warn({ chat: chat.id, courses: affected.length }, "the bot was removed from an assistants' chat");
    return;
  }
  if (!GONE.has(before)) return;
  // Added (again). Linked chats need /link again (an author decides); ASSISTANT_CHAT_ID is the
  // configured default, so it serves again at once, and what waited for it is posted.
  if (isDefault && setDefaultChatRemoved(db, chat.id, null, now)) {
    await postWaitingQuestions(ctx.api, db, config, coursesWithoutChat(db), now);
  }
  await ctx.api
    // The group's id is in the greeting: the way to find it for ASSISTANT_CHAT_ID.
    .sendMessage(
      chat.id,
      translator(chatLocale(db, config, chat.id))(isDefault ? "chat.welcome_default" : "chat.welcome", { id: chat.id }),
      HTML,
    )
    .catch((err: unknown) => ctx.log.warn({ err }, "could not greet the group"));
});

/** One durable message (outbox) per author of each affected course, in the author's language. */
function tellAuthorsChatRemoved(ctx: BotContext, courseIds: string[], chatTitle: string, now: number): number {
  const { db, config } = ctx.deps;
  let told = 0;
  for (const courseId of courseIds) {
    for (const authorId of courseAuthors(db, config, courseId)) {
      const language = getLearner(db, authorId)?.language;
      const lang: Locale = isLocale(language) ? language : config.defaultLocale;
      const text = translator(lang)("chat.removed_notice", { course: courseName(ctx, courseId, lang), chat: chatTitle });
      const fresh = enqueue(
        db,
        {
          dedupeKey: `chat-removed:${ctx.chat!.id}:${now}:${courseId}:${authorId}`,
          kind: "chat-removed",
          chatId: authorId,
          method: "sendMessage",
          payload: { text, parse_mode: "HTML" },
        },
        now,
      );
      if (fresh) told++;
    }
  }
  return told;
}

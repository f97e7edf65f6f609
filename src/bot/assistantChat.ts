/** What every assistants' chat handler shares: the chat's language and the membership check. */
import type { Locale } from "../domain/locale.js";
import { chatLocale } from "../db/courseChatsRepo.js";
import { translator, type T } from "../messages/i18n.js";
import type { BotContext } from "./context.js";

/** The chat's own language (/chatlanguage, default DEFAULT_LOCALE): everything the bot writes there uses it. */
export function assistantLocale(ctx: BotContext): Locale {
  return chatLocale(ctx.deps.db, ctx.deps.config, ctx.chat!.id);
}

export function assistantT(ctx: BotContext): T {
  return translator(assistantLocale(ctx));
}

const MEMBER_STATUSES = new Set(["creator", "administrator", "member"]);

/**
 * Whether the sender is a member of this chat: asked of Telegram (getChatMember) on every answer,
 * button and list, since being able to post in a public group proves nothing. An anonymous admin
 * posts as the group itself and counts as a member; a message on behalf of another chat does not.
 */
export async function isChatMember(ctx: BotContext): Promise<boolean> {
  const chatId = ctx.chat!.id;
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

import type { NextFunction } from "grammy";
import { upsertLearner } from "../../db/learnersRepo.js";
import { chatLocale } from "../../db/courseChatsRepo.js";
import { localeFromTelegram, translator } from "../../messages/i18n.js";
import type { BotContext, BotDeps } from "../context.js";

/**
 * Gives every update its dependencies, the learner (registered on first contact in a private
 * chat) and a t() fixed to their language (in a group: the chat's language, see courseChats.ts).
 */
export function learnerContext(deps: BotDeps) {
  return async (ctx: BotContext, next: NextFunction) => {
    ctx.deps = deps;
    ctx.learner = null;
    ctx.learnerIsNew = false;
    const from = ctx.from;
    const telegramLocale = localeFromTelegram(from?.language_code);
    if (from && !from.is_bot && ctx.chat?.type === "private" && !ctx.myChatMember) {
      // No transaction of its own: upsertLearner writes only when something changed, and its
      // INSERT … RETURNING runs in one (outside one, a failed commit would still return the row).
      const { learner, isNew } = upsertLearner(deps.db, from, telegramLocale ?? deps.config.defaultLocale, deps.clock.now());
      ctx.learner = learner;
      ctx.learnerIsNew = isNew;
    }
    // In a group the bot speaks the chat's language (/chatlanguage), not the sender's: everyone reads it.
    const group = ctx.chat?.type === "group" || ctx.chat?.type === "supergroup";
    ctx.lang = group
      ? chatLocale(deps.db, deps.config, ctx.chat.id)
      : (ctx.learner?.language ?? telegramLocale ?? deps.config.defaultLocale);
    ctx.t = translator(ctx.lang);
    await next();
  };
}

import type { NextFunction } from "grammy";
import type { BotContext } from "./context.js";
import { HTML } from "./ui.js";

export function isAuthor(ctx: BotContext): boolean {
  return ctx.from !== undefined && ctx.deps.config.authorIds.has(ctx.from.id);
}

/** Guards author-only commands: others are told plainly, nothing else happens. */
export async function requireAuthor(ctx: BotContext, next: NextFunction): Promise<void> {
  if (isAuthor(ctx)) return next();
  if (ctx.callbackQuery) {
    await ctx.answerCallbackQuery({ text: ctx.t("errors.authors_only"), show_alert: true });
  } else {
    await ctx.reply(ctx.t("errors.authors_only"), HTML);
  }
}

import { Composer } from "grammy";
import { shorten } from "../../domain/text.js";
import type { BotContext } from "../context.js";
import { answerCallback, HTML } from "../ui.js";

/** Last in the chain: whatever no feature handled gets a clear answer instead of silence. */
export const fallbackFeature = new Composer<BotContext>();

// Each feature's /cancel leaves its own flow and passes on when it has none; reaching here means nothing was open.
fallbackFeature.chatType("private").command("cancel", async (ctx) => {
  await ctx.reply(ctx.t("errors.nothing_to_cancel"), HTML);
});

fallbackFeature.chatType("private").on("message", async (ctx) => {
  const text = ctx.msg.text ?? "";
  if (text.startsWith("/")) {
    const command = shorten(text.split(/\s/)[0]!, 64);
    await ctx.reply(ctx.t("errors.unknown_command", { command }), HTML);
  } else {
    await ctx.reply(ctx.t("errors.free_text"), HTML);
  }
});

// A button from an old message, or callback data nobody recognises (forged, or from a removed feature).
fallbackFeature.on("callback_query", async (ctx) => {
  await answerCallback(ctx, ctx.t("errors.stale_button"), true);
});

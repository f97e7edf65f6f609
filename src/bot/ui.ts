import { GrammyError, InlineKeyboard } from "grammy";
import type { BotContext } from "./context.js";

import type { CallbackCodec, Field, Values } from "../messages/callbackData.js";
import { HTML } from "../messages/html.js";

export { HTML, chunkLines } from "../messages/html.js";

/**
 * Shows a screen: edits the message the pressed button belongs to, or sends a new one.
 * Editing keeps the chat tidy when a learner navigates between lists and cards. Returns the id of
 * the message that shows it.
 */
export async function show(ctx: BotContext, text: string, keyboard?: InlineKeyboard): Promise<number> {
  const extra = { ...HTML, reply_markup: keyboard, link_preview_options: { is_disabled: true } };
  const pressed = ctx.callbackQuery?.message;
  if (pressed) {
    try {
      await ctx.editMessageText(text, extra);
      return pressed.message_id;
    } catch (err) {
      if (isNotModified(err)) return pressed.message_id;
      if (!isUneditable(err)) throw err;
      // Too old or deleted: fall through to a fresh message.
    }
  }
  return (await ctx.reply(text, extra)).message_id;
}

export function isNotModified(err: unknown): boolean {
  return err instanceof GrammyError && err.error_code === 400 && /not modified/i.test(err.description);
}

function isUneditable(err: unknown): boolean {
  return (
    err instanceof GrammyError &&
    err.error_code === 400 &&
    /can't be edited|message to edit not found|MESSAGE_ID_INVALID/i.test(err.description)
  );
}

/** Answers the callback query, ignoring "query is too old": the learner already moved on. */
export async function answerCallback(ctx: BotContext, text?: string, alert = false): Promise<void> {
  try {
    await ctx.answerCallbackQuery(text ? { text, show_alert: alert } : undefined);
  } catch (err) {
    if (!(err instanceof GrammyError && /query is too old|query ID is invalid/i.test(err.description))) throw err;
  }
}

/**
 * The typed values of the pressed button, or null after answering "this button is out of date"
 * in the person's language: Telegram hands back whatever a client sends, so data that does not
 * decode (an old layout, a forged id) never reaches a handler.
 */
export async function buttonValues<F extends readonly Field<unknown>[]>(
  ctx: BotContext,
  codec: CallbackCodec<F>,
): Promise<Values<F> | null> {
  const values = codec.decode(ctx.callbackQuery?.data);
  if (!values) await answerCallback(ctx, ctx.t("errors.stale_button"), true);
  return values;
}
